// SPDX-License-Identifier: MIT
/*
 * cni.c - the public calls of the CNI plugin's mechanisms: nc_cni_add(),
 * nc_cni_del(), nc_cni_check(), nc_cni_names(), nc_cni_ports_add(),
 * nc_cni_ready()
 *
 * Theory of operation: the plugin (cni/, a front end) speaks the public
 * struct nc_cni_attach, addresses as text as IPAM gives them; this file
 * checks and turns them into the mechanisms' structures (net/cninet.h,
 * net/cninat.h) and runs them in order: links, then sysctls, then the NAT
 * and port entries, undoing the links when a later step fails, so a
 * failed nc_cni_add() leaves no pair and no entry.  The plugin itself
 * keeps the state that says which bridge and table are whose (its
 * lock), and tells nc_cni_del() with flags.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "base/cidr.h"
#include "base/ctx.h"
#include "net/cninat.h"
#include "net/cninet.h"

/**
 * nc_cni_names() - the host end's name and default MAC of an attachment
 * @id:		container id
 * @ifname:	interface in the container
 * @hostif:	output: "ncv" and 12 hex digits
 * @mac:	output: a locally administered unicast MAC
 *
 * The same attachment always gets the same names: DEL finds the host end
 * without state.
 */
void nc_cni_names(const char *id, const char *ifname, char hostif[16], unsigned char mac[6])
{
	cninet_names(id, ifname, hostif, mac);
}

/**
 * gateway() - a gateway given as text, of a prefix's family
 * @ctx:	context
 * @txt:	address, "" for none
 * @family:	the prefix's family
 * @gw:		output bytes
 * @has_gw:	output: 1 when given
 *
 * Return: 0 or -EINVAL with a message
 */
static int gateway(struct nc_ctx *ctx, const char *txt, int family, unsigned char *gw,
		   int *has_gw)
{
	*has_gw = txt[0] != '\0';
	if (*has_gw && inet_pton(family, txt, gw) != 1)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "gateway \"%s\" is not an address of its prefix's family", txt);
	return 0;
}

/**
 * prefix() - a prefix given as text
 * @ctx:	context
 * @txt:	"ADDR/PLEN"
 * @what:	"address" or "route", for the message
 * @c:		output
 *
 * Return: 0 or -EINVAL with a message
 */
static int prefix(struct nc_ctx *ctx, const char *txt, const char *what, struct cidr *c)
{
	if (!strchr(txt, '/') || cidr_parse(txt, c))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "%s \"%s\" is not ADDR/PLEN", what, txt);
	return 0;
}

/**
 * to_mech() - the public attachment as the mechanisms' structures
 * @ctx:	context
 * @a:		attachment
 * @l:		output: links
 * @n:		output: NAT and ports
 *
 * Return: 0 or -EINVAL with a message
 */
static int to_mech(struct nc_ctx *ctx, const struct nc_cni_attach *a, struct cni_link *l,
		   struct cni_nat *n)
{
	int i, ret = 0;

	memset(l, 0, sizeof(*l));
	memset(n, 0, sizeof(*n));
	if (a->nips < 0 || a->nips > NC_CNI_IPS_MAX || a->nroutes < 0 ||
	    a->nroutes > NC_CNI_ROUTES_MAX || a->nports < 0 || a->nports > NC_CNI_PORTS_MAX)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "too many addresses, routes or ports");
	snprintf(l->bridge, sizeof(l->bridge), "%.15s", a->bridge);
	snprintf(l->hostif, sizeof(l->hostif), "%.15s", a->hostif);
	snprintf(l->ifname, sizeof(l->ifname), "%.15s", a->ifname);
	memcpy(l->mac, a->mac, sizeof(l->mac));
	l->mtu = a->mtu;
	l->is_gw = a->is_gw;
	for (i = 0; !ret && i < a->nips; i++) {
		ret = prefix(ctx, a->ips[i], "address", &l->ips[i].addr);
		if (!ret)
			ret = gateway(ctx, a->gws[i], l->ips[i].addr.family, l->ips[i].gw,
				      &l->ips[i].has_gw);
		n->ips[i] = l->ips[i].addr;
	}
	for (i = 0; !ret && i < a->nroutes; i++) {
		ret = prefix(ctx, a->routes[i], "route", &l->routes[i].dst);
		if (!ret)
			ret = gateway(ctx, a->route_gws[i], l->routes[i].dst.family,
				      l->routes[i].gw, &l->routes[i].has_gw);
	}
	l->nips = n->nips = a->nips;
	l->nroutes = a->nroutes;
	snprintf(n->bridge, sizeof(n->bridge), "%s", l->bridge);
	n->masq = a->masq;
	memcpy(n->ports, a->ports, sizeof(n->ports));
	n->nports = a->nports;
	return ret;
}

/**
 * nc_cni_add() - attach a container: bridge, veth pair, addresses, routes,
 * forwarding, NAT and published ports
 * @ctx:	context
 * @a:		attachment
 * @netns:	the container's network namespace file
 * @hostmac:	output: the host end's MAC
 *
 * Return: 0, or -errno with a message (kind NC_ERR_EXISTS: a host port is
 * published for another container, or the bridge name is taken by a link
 * that is not a bridge); a failure leaves no pair and no entry (a bridge
 * made stays: nc_cni_del() with NC_CNI_DEL_BRIDGE removes it).  Success
 * is reported only once the attachment reads back as made (nc_cni_check()'s
 * checks).
 */
int nc_cni_add(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns,
	       unsigned char hostmac[6])
{
	struct cni_link l;
	struct cni_nat n;
	int ret = to_mech(ctx, a, &l, &n);

	if (ret)
		return ret;
	ret = cninet_add(ctx, &l, netns, hostmac);
	if (ret)
		return ret;
	ret = cninet_sysctl(ctx, l.bridge, n.nports > 0);
	if (!ret)
		ret = cninat_add(ctx, &n);
	/* never report an attachment that is not there: read it back as
	 * CHECK would (links, addresses, routes, the NAT and port entries) */
	if (!ret && (cninet_check(ctx, &l, netns) || cninat_check(ctx, &n))) {
		ret = ctx_wrap(ctx, -EPROTO, "the attachment made does not read back as made");
		cninat_del(&(struct nc_ctx){ .kfd = -1 }, &n, 0, 0);
	}
	if (ret)
		cninet_del(&(struct nc_ctx){ .kfd = -1 }, l.hostif, l.ifname, l.mac, netns);
	return ret;
}

/**
 * nc_cni_del() - detach a container: whatever of it is there goes
 * @ctx:	context
 * @a:		attachment as added (addresses and ports needed only with
 *		NC_CNI_DEL_NAT)
 * @netns:	the container's namespace file, "" or a gone one is fine
 * @flags:	NC_CNI_DEL_NAT, NC_CNI_DEL_LAST_ON_BRIDGE, NC_CNI_DEL_LAST,
 *		NC_CNI_DEL_BRIDGE
 *
 * Return: 0 (also when nothing was there) or -errno with a message
 */
int nc_cni_del(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns,
	       unsigned flags)
{
	struct cni_link l;
	struct cni_nat n;
	int ret = 0;

	if (to_mech(ctx, a, &l, &n))
		flags &= ~NC_CNI_DEL_NAT;	/* the links still go, by name */
	ctx->msg[0] = '\0';
	if (flags & NC_CNI_DEL_NAT)
		ret = cninat_del(ctx, &n, !!(flags & NC_CNI_DEL_LAST_ON_BRIDGE),
				 !!(flags & NC_CNI_DEL_LAST));
	if (!ret)
		ret = cninet_del(ctx, l.hostif, l.ifname, l.mac, netns);
	if (!ret && (flags & NC_CNI_DEL_BRIDGE))
		ret = cninet_bridge_del(ctx, l.bridge);
	return ret;
}

/**
 * nc_cni_check() - is an attachment as it was added
 * @ctx:	context
 * @a:		attachment as added
 * @netns:	the container's namespace file
 *
 * Return: 0, or -errno naming the first difference
 */
int nc_cni_check(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns)
{
	struct cni_link l;
	struct cni_nat n;
	int ret = to_mech(ctx, a, &l, &n);

	if (!ret)
		ret = cninet_check(ctx, &l, netns);
	if (!ret)
		ret = cninat_check(ctx, &n);
	return ret;
}

/**
 * nc_cni_ports_add() - publish ports of an attachment that is in place
 * (a port another attachment of the same container held until it went)
 * @ctx:	context
 * @a:		attachment: its addresses, bridge and the ports to publish
 *		(its masquerade is left as it is)
 *
 * The entries first, the settings (forwarding, the bridge's
 * route_localnet) after them: a port that cannot be published changes
 * nothing, and settings that cannot be made take the entries back.
 *
 * Return: 0, or -errno with a message (kind NC_ERR_EXISTS: a port is
 * published already); nothing changed on failure
 */
int nc_cni_ports_add(struct nc_ctx *ctx, const struct nc_cni_attach *a)
{
	struct cni_link l;
	struct cni_nat n;
	int ret = to_mech(ctx, a, &l, &n);

	if (ret)
		return ret;
	n.masq = 0;
	ret = cninat_add(ctx, &n);
	if (ret)
		return ret;
	ret = cninet_sysctl(ctx, l.bridge, n.nports > 0);
	if (ret)	/* the bridge stays in "brs": its attachment is there */
		cninat_del(&(struct nc_ctx){ .kfd = -1 }, &n, 0, 0);
	return ret;
}

/**
 * nc_cni_ready() - can attachments be made and removed here: libnftables
 * loads and nf_tables answers (CNI STATUS, and GC before it removes
 * anything); reads only
 * @ctx:	context
 *
 * Return: 0, or -errno with a message (kind NC_ERR_PERM)
 */
int nc_cni_ready(struct nc_ctx *ctx)
{
	return cninat_ready(ctx);
}
