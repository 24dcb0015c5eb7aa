// SPDX-License-Identifier: MIT
/*
 * result.c - the result of ADD, as the CNI spec says it: interfaces (the
 * bridge, the host end, the container's end with its sandbox), ips with
 * the index of their interface, routes, and the IPAM plugin's dns.  After
 * an earlier plugin of a chain (prevResult), its entries come first and
 * ours are appended.  "dns" is the earlier plugin's, else the network
 * configuration's own (as the bridge plugin), else IPAM's.  Results of 0.3.x and 0.4.0 also carry each
 * address's "version"; those of 1.1.0 each interface's "mtu".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "cni.h"

/**
 * iface() - one interface entry
 * @name:	interface
 * @mac:	6 bytes, all zero for none
 * @sandbox:	namespace path, NULL on the host
 * @mtu:	its MTU (CNI 1.1.0), 0 to leave it out
 *
 * Return: new object
 */
static struct json_object *iface(const char *name, const unsigned char *mac, const char *sandbox,
				  unsigned mtu)
{
	struct json_object *o = json_object_new_object();
	char m[18];

	json_object_object_add(o, "name", json_object_new_string(name));
	if (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) {
		snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
			 mac[3], mac[4], mac[5]);
		json_object_object_add(o, "mac", json_object_new_string(m));
	}
	if (mtu)
		json_object_object_add(o, "mtu", json_object_new_int((int)mtu));
	if (sandbox)
		json_object_object_add(o, "sandbox", json_object_new_string(sandbox));
	return o;
}

/**
 * link_info() - the hardware address and MTU of a link of the current
 * namespace
 * @name:	link
 * @mac:	output, left all zero when it cannot be read
 * @mtu:	output, 0 when it cannot be read
 */
static void link_info(const char *name, unsigned char mac[6], unsigned *mtu)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	*mtu = 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0 && !ioctl(fd, SIOCGIFMTU, &ifr))
		*mtu = (unsigned)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
}

/**
 * array() - a member array of @o, made when missing
 * @o:		object
 * @key:	member
 *
 * Return: the array (owned by @o)
 */
static struct json_object *array(struct json_object *o, const char *key)
{
	struct json_object *a;

	if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array))
		return a;
	a = json_object_new_array();
	json_object_object_add(o, key, a);
	return a;
}

/**
 * entry() - an ips or routes entry: a prefix and maybe a gateway
 * @p:		prefix text
 * @pkey:	its key ("address", "dst")
 * @gw:		gateway text, "" for none
 * @gkey:	its key ("gateway", "gw")
 *
 * Return: new object
 */
static struct json_object *entry(const char *p, const char *pkey, const char *gw, const char *gkey)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, pkey, json_object_new_string(p));
	if (gw[0])
		json_object_object_add(o, gkey, json_object_new_string(gw));
	return o;
}

/**
 * cni_result() - ADD's result
 * @c:		configuration (version, prevResult)
 * @env:	CNI_NETNS
 * @a:		what was made
 * @hostmac:	the host end's MAC
 * @ipam:	the IPAM plugin's result (its dns is kept unless the network
 *		has its own), or NULL
 *
 * Return: new object
 */
struct json_object *cni_result(const struct cni_conf *c, const struct cni_env *env,
			       const struct nc_cni_attach *a, const unsigned char hostmac[6],
			       struct json_object *ipam)
{
	struct json_object *r = NULL, *ifs, *ips, *routes, *ip, *dns;
	unsigned char brmac[6] = { 0 }, hmac[6] = { 0 };
	int old = !strncmp(c->version, "0.", 2), v11 = !strcmp(c->version, "1.1.0"), base, i;
	unsigned brmtu, hmtu;

	if (c->prev)
		json_object_deep_copy(c->prev, &r, NULL);
	if (!r)
		r = json_object_new_object();
	link_info(a->bridge, brmac, &brmtu);
	link_info(a->hostif, hmac, &hmtu);
	if (!v11)	/* "mtu" of an interface is CNI 1.1.0's */
		brmtu = hmtu = 0;
	json_object_object_add(r, "cniVersion", json_object_new_string(c->version));
	ifs = array(r, "interfaces");
	base = (int)json_object_array_length(ifs);
	json_object_array_add(ifs, iface(a->bridge, brmac, NULL, brmtu));
	json_object_array_add(ifs, iface(a->hostif, hostmac, NULL, hmtu));
	/* both ends of the pair are made with one MTU (the network's, else
	 * the kernel's default), so the host end's is the container end's */
	json_object_array_add(ifs, iface(a->ifname, a->mac, env->netns, v11 ? hmtu : 0));
	ips = array(r, "ips");
	for (i = 0; i < a->nips; i++) {
		ip = entry(a->ips[i], "address", a->gws[i], "gateway");
		if (old)
			json_object_object_add(ip, "version", json_object_new_string(
				strchr(a->ips[i], ':') ? "6" : "4"));
		json_object_object_add(ip, "interface", json_object_new_int(base + 2));
		json_object_array_add(ips, ip);
	}
	routes = array(r, "routes");
	for (i = 0; i < a->nroutes; i++)
		json_object_array_add(routes, entry(a->routes[i], "dst", a->route_gws[i], "gw"));
	/* the network's own "dns" (as the bridge plugin), else IPAM's; an
	 * earlier plugin's stays */
	if (!json_object_object_get_ex(r, "dns", NULL) &&
	    ((json_object_object_get_ex(c->root, "dns", &dns) && json_object_is_type(dns, json_type_object) &&
	      json_object_object_length(dns)) ||
	     (ipam && json_object_object_get_ex(ipam, "dns", &dns))))
		json_object_object_add(r, "dns", json_object_get(dns));
	return r;
}
