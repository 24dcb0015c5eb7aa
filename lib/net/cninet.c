// SPDX-License-Identifier: MIT
/*
 * cninet.c - the CNI plugin's links: bridge, veth pair (the container's
 * addresses and routes on them: cniaddr.c)
 *
 * Theory of operation: one attachment (container id + interface name) is a
 * veth pair whose host end, "ncv" and 12 hex digits of a hash of the id and
 * the interface name, is a port of the network's bridge, and whose other
 * end is CNI_IFNAME in the container's namespace, with the addresses IPAM
 * gave, its routes, a MAC derived from the same hash (or the runtime's
 * "mac" capability) and the MTU.  Deleting the container's end deletes
 * the pair, so DEL removes the host end by name whether or not the
 * container's namespace still exists.
 *
 * The plugin is a short-lived, single-threaded process, so it moves itself
 * into the container's namespace with setns() and back (a root process or
 * one that is root in the user namespace owning both, as under rootless
 * podman, may): rtnetlink sockets and if_nametoindex() then address the
 * namespace the process is in.  All requests go through netlink.c's nl_do().
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "kernel/netlink.h"
#include "kernel/nldump.h"
#include "kernel/ns.h"
#include "net/cninet.h"

/**
 * cninet_names() - host end's name and the default MAC of an attachment
 * @id:		container id
 * @ifname:	interface name in the container
 * @hostif:	output: "ncv" and 12 hex digits
 * @mac:	output: a locally administered unicast MAC
 *
 * Both come from a 64-bit FNV-1a hash of "ID/IFNAME": the same attachment
 * always gets the same names, which is what lets DEL find the host end
 * after the container's namespace is gone.
 */
void cninet_names(const char *id, const char *ifname, char hostif[IFNAMSIZ],
		  unsigned char mac[6])
{
	unsigned long long h = 14695981039346656037ull;
	const char *p;
	int i;

	for (p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (p = ifname; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(hostif, IFNAMSIZ, "ncv%012llx", h & 0xffffffffffffull);
	mac[0] = 0x02;		/* locally administered, unicast */
	for (i = 1; i < 6; i++)
		mac[i] = (unsigned char)(h >> (8 * (i + 2)));
}

/**
 * ns_go() - move the process into a network namespace
 * @ctx:	context
 * @path:	namespace file
 * @hostfd:	output: the namespace left, to come back to
 *
 * Return: 0, or -errno with a message (-ENOENT: no such namespace)
 */
static int ns_go(struct nc_ctx *ctx, const char *path, int *hostfd)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	*hostfd = -1;
	if (fd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot open network namespace \"%s\": %s",
			       path, strerror(errno));
	*hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*hostfd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot open /proc/self/ns/net: %s",
			       strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		int e = errno;

		close(*hostfd);
		*hostfd = -1;
		return ctx_err(ctx, -e, NC_ERR_FAILED, "\"%s\" is not a network namespace I may enter: %s",
			       path, strerror(e));
	}
	return 0;
}

/**
 * ns_back() - back to the namespace ns_go() left
 * @hostfd:	from ns_go(), closed here
 *
 * Return: 0 or -errno (the process is then in the wrong namespace: the
 * caller must stop)
 */
static int ns_back(int hostfd)
{
	int ret = 0;

	if (hostfd < 0)
		return 0;
	if (setns(hostfd, CLONE_NEWNET))
		ret = -errno;
	close(hostfd);
	return ret;
}

/**
 * link_set() - one RTM_NEWLINK on an existing link: up, MTU, master, MAC
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @idx:	link
 * @mtu:	MTU, 0 to leave it
 * @master:	index of the bridge to enslave it to, 0 for none
 * @mac:	address to set, NULL to leave it
 *
 * Return: 0 or -errno with the kernel's message
 */
static int link_set(struct nc_ctx *ctx, struct mnl_socket *nl, int idx, unsigned mtu,
		    int master, const unsigned char *mac)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_req(buf, idx, 1);

	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_do(ctx, nl, nlh);
}

/**
 * port_hairpin() - let a bridge port send frames back out where they came in
 * @ctx:	context
 * @nl:		socket in the bridge's namespace
 * @idx:	the port (enslaved already: the slave data belongs to the
 *		master's kind)
 *
 * A container reaching its own published port goes to the host and is
 * DNATed back to itself.  With br_netfilter loaded (bridge-nf-call-iptables,
 * as Kubernetes nodes have it) that DNAT happens as the frame crosses the
 * bridge, which then forwards it at layer 2 out of the port it arrived on:
 * only a port in hairpin mode does that.  podman's and Kubernetes' bridge
 * networks set it for the same reason.
 *
 * Return: 0 or -errno with the kernel's message
 */
static int port_hairpin(struct nc_ctx *ctx, struct mnl_socket *nl, int idx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_req(buf, idx, 0);
	struct nlattr *info, *data;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_do(ctx, nl, nlh);
}

/**
 * struct link_facts - what RTM_GETLINK tells of one link
 * @mac:	hardware address
 * @master:	index of its bridge, 0 for none
 * @kind:	IFLA_INFO_KIND ("bridge", "veth"), "" for none
 * @flags:	IFF_* (IFF_UP: set up)
 */
struct link_facts {
	unsigned char mac[6];
	unsigned master;
	char kind[16];
	unsigned flags;
};

/**
 * facts_cb() - mnl callback: one RTM_NEWLINK into struct link_facts
 * @nlh:	message
 * @data:	struct link_facts
 *
 * Return: MNL_CB_OK
 */
static int facts_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_facts *f = data;
	const struct nlattr *a, *b;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	f->flags = ((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_flags;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_ADDRESS && mnl_attr_get_payload_len(a) == 6)
			memcpy(f->mac, mnl_attr_get_payload(a), 6);
		else if (mnl_attr_get_type(a) == IFLA_MASTER)
			f->master = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == IFLA_LINKINFO)
			mnl_attr_for_each_nested(b, a)
				if (mnl_attr_get_type(b) == IFLA_INFO_KIND &&
				    !mnl_attr_validate(b, MNL_TYPE_NUL_STRING))
					snprintf(f->kind, sizeof(f->kind), "%s", mnl_attr_get_str(b));
	}
	return MNL_CB_OK;
}

/**
 * link_get() - RTM_GETLINK of one link by name
 * @nl:		socket in the link's namespace
 * @name:	link
 * @f:		output
 *
 * Asked over rtnetlink, not read from sysfs: the /sys a plugin sees may
 * be another namespace's (a rootless runtime's plugins run in a network
 * namespace of their own, under the host's /sys).
 *
 * Return: 0, or -errno (-ENODEV: no such link)
 */
static int link_get(struct mnl_socket *nl, const char *name, struct link_facts *f)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)getpid() ^ 0x5a5a, port = mnl_socket_get_portid(nl);
	struct ifinfomsg *ifi;
	ssize_t n;
	int ret;

	memset(f, 0, sizeof(*f));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)n, seq, port, facts_cb, f);
	return ret < 0 ? (errno == ENODEV ? -ENODEV : -errno) : 0;
}

/**
 * bridge_make() - create a bridge
 * @ctx:	context
 * @nl:		socket in the host's namespace
 * @name:	bridge name
 * @mtu:	MTU, 0 for the default
 *
 * Return: 0 (made, or it came meanwhile) or -errno with the kernel's message
 */
static int bridge_make(struct nc_ctx *ctx, struct mnl_socket *nl, const char *name,
		       unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info;
	int ret;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	ret = nl_do(ctx, nl, nlh);
	return ret == -EEXIST ? 0 : ret;
}

/**
 * bridge_up() - the network's bridge, made when missing, with the gateway
 * addresses when it is the gateway, up
 * @ctx:	context
 * @nl:		socket in the host's namespace
 * @l:		attachment
 *
 * An existing link of that name that is not a bridge is refused: enslaving
 * to it would fail with a less helpful message.
 *
 * Return: the bridge's index, or -errno with a message
 */
static int bridge_up(struct nc_ctx *ctx, struct mnl_socket *nl, const struct cni_link *l)
{
	struct link_facts f;
	int idx, ret, i;

	ret = bridge_make(ctx, nl, l->bridge, l->mtu);
	if (ret)
		return ctx_wrap(ctx, ret, "cannot create bridge \"%s\"", l->bridge);
	idx = (int)if_nametoindex(l->bridge);
	if (!idx || link_get(nl, l->bridge, &f) || strcmp(f.kind, "bridge"))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "\"%s\" exists and is not a bridge; name another in the network's \"bridge\" key",
			       l->bridge);
	for (i = 0; l->is_gw && i < l->nips; i++) {
		struct cidr gw = l->ips[i].addr;

		if (!l->ips[i].has_gw)
			continue;
		memcpy(gw.addr, l->ips[i].gw, sizeof(gw.addr));
		ret = nl_addr_add(ctx, nl, idx, gw.family, gw.addr, gw.plen);
		if (ret && ret != -EEXIST)
			return ctx_wrap(ctx, ret, "cannot add the gateway address to bridge \"%s\"",
					l->bridge);
	}
	ret = link_set(ctx, nl, idx, 0, 0, NULL);
	return ret ? ctx_wrap(ctx, ret, "cannot bring bridge \"%s\" up", l->bridge) : idx;
}

/**
 * container_side() - in the container's namespace: MAC, MTU, up,
 * addresses, routes
 * @ctx:	context
 * @l:		attachment
 *
 * Return: 0 or -errno with a message
 */
static int container_side(struct nc_ctx *ctx, const struct cni_link *l)
{
	struct mnl_socket *nl = nl_open(ctx);
	int idx, ret;

	if (!nl)
		return -EIO;
	idx = (int)if_nametoindex(l->ifname);
	ret = idx ? link_set(ctx, nl, idx, l->mtu, 0, l->mac) :
		ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "no interface %s", l->ifname);
	if (!ret)
		ret = cniaddr_add(ctx, nl, idx, l);
	mnl_socket_close(nl);
	return ret ? ctx_wrap(ctx, ret, "cannot set up %s in the container", l->ifname) : 0;
}

/**
 * host_pair() - the veth pair, host end on the bridge and up
 * @ctx:	context
 * @nl:		socket in the host's namespace
 * @l:		attachment
 * @bridx:	the bridge
 * @netns:	the container's namespace file
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
static int host_pair(struct nc_ctx *ctx, struct mnl_socket *nl, const struct cni_link *l,
		     int bridx, const char *netns)
{
	_cleanup_close_ int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
	int ret, idx;

	if (nsfd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot open network namespace \"%s\": %s",
			       netns, strerror(errno));
	ret = nl_veth_add(ctx, nl, l->hostif, l->ifname, nsfd);
	if (ret)
		return ctx_wrap(ctx, ret, "cannot create the veth pair %s/%s", l->hostif, l->ifname);
	idx = (int)if_nametoindex(l->hostif);
	ret = idx ? link_set(ctx, nl, idx, l->mtu, bridx, NULL) : -ENODEV;
	if (!ret)
		ret = port_hairpin(ctx, nl, idx);
	if (ret) {
		ctx_wrap(ctx, ret, "cannot put %s on bridge \"%s\"", l->hostif, l->bridge);
		nl_link_del(&(struct nc_ctx){ .kfd = -1 }, nl, l->hostif);
	}
	return ret;
}

/**
 * cninet_add() - make an attachment: bridge, pair, container side
 * @ctx:	context
 * @l:		attachment
 * @netns:	the container's namespace file (CNI_NETNS)
 * @hostmac:	output: the host end's MAC
 *
 * Return: 0 or -errno with a message; the pair is gone on failure (a
 * bridge made here stays, for the network's next container)
 */
int cninet_add(struct nc_ctx *ctx, const struct cni_link *l, const char *netns,
	       unsigned char hostmac[6])
{
	struct mnl_socket *nl = nl_open(ctx);
	struct link_facts f;
	int bridx, ret, hostfd;

	if (!nl)
		return -EIO;
	bridx = bridge_up(ctx, nl, l);
	ret = bridx < 0 ? bridx : host_pair(ctx, nl, l, bridx, netns);
	if (ret) {
		mnl_socket_close(nl);
		return ret;
	}
	memset(hostmac, 0, 6);
	if (!link_get(nl, l->hostif, &f))
		memcpy(hostmac, f.mac, 6);
	ret = ns_go(ctx, netns, &hostfd);
	if (!ret)
		ret = container_side(ctx, l);
	if (ns_back(hostfd))
		ret = ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot return to the host's network namespace");
	/* nl was opened in the host's namespace: it still addresses it */
	if (ret)
		nl_link_del(&(struct nc_ctx){ .kfd = -1 }, nl, l->hostif);
	mnl_socket_close(nl);
	return ret;
}

/**
 * cninet_del() - remove an attachment's pair
 * @ctx:	context
 * @hostif:	host end
 * @ifname:	container end
 * @mac:	the container end's MAC, as made
 * @netns:	the container's namespace file; "" or a gone one is fine
 *
 * The host end goes by name, and the container's end with it.  Only when
 * there is no host end (renamed or moved by someone) is the container's
 * end removed in its namespace, and only if it is a veth with the MAC we
 * gave it: an interface of that name that is not ours (an ADD that failed
 * because CNI_IFNAME was taken, then the runtime's DEL) is never touched.
 * Finding nothing is success.
 *
 * Return: 0 or -errno with a message
 */
int cninet_del(struct nc_ctx *ctx, const char *hostif, const char *ifname,
	       const unsigned char mac[6], const char *netns)
{
	struct nc_ctx quiet = { .kfd = -1 };
	struct mnl_socket *nl = nl_open(ctx);
	struct link_facts f;
	int hostfd, ret;

	if (!nl)
		return -EIO;
	ret = nl_link_del(ctx, nl, hostif);
	mnl_socket_close(nl);
	if (ret != -ENODEV)
		return ret ? ctx_wrap(ctx, ret, "cannot delete %s", hostif) : 0;
	ctx->msg[0] = '\0';
	if (!netns[0] || !ns_is_netns_file(netns) || ns_go(&quiet, netns, &hostfd))
		return 0;
	nl = nl_open(ctx);
	ret = 0;
	if (nl && !link_get(nl, ifname, &f) && !strcmp(f.kind, "veth") && !memcmp(f.mac, mac, 6))
		ret = nl_link_del(ctx, nl, ifname);
	if (nl)
		mnl_socket_close(nl);
	if (ns_back(hostfd))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot return to the host's network namespace");
	return ret && ret != -ENODEV ? ctx_wrap(ctx, ret, "cannot delete %s in the container", ifname) : 0;
}

/**
 * cninet_bridge_del() - remove a bridge (the network's last container left)
 * @ctx:	context
 * @bridge:	bridge name
 *
 * Return: 0 (gone, or was not there) or -errno with a message
 */
int cninet_bridge_del(struct nc_ctx *ctx, const char *bridge)
{
	struct mnl_socket *nl = nl_open(ctx);
	int ret;

	if (!nl)
		return -EIO;
	ret = nl_link_del(ctx, nl, bridge);
	mnl_socket_close(nl);
	return ret && ret != -ENODEV ? ctx_wrap(ctx, ret, "cannot delete bridge \"%s\"", bridge) : 0;
}

/**
 * struct addr_want - an address looked for in an RTM_GETADDR dump
 * @ifindex:	on this link
 * @a:		this address and prefix length
 * @found:	set when seen
 */
struct addr_want {
	unsigned ifindex;
	struct cidr a;
	int found;
};

/**
 * addr_cb() - mnl callback: one RTM_NEWADDR, is it the address wanted
 * @nlh:	message
 * @data:	struct addr_want
 *
 * Return: MNL_CB_OK
 */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_want *w = data;
	const struct nlattr *a, *addr = NULL, *local = NULL;
	size_t alen = w->a.family == AF_INET ? 4 : 16;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != w->ifindex ||
	    ifa->ifa_family != w->a.family || ifa->ifa_prefixlen != w->a.plen)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_ADDRESS)
			addr = a;
		else if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
	}
	a = local ? local : addr;
	if (a && mnl_attr_get_payload_len(a) == alen && !memcmp(mnl_attr_get_payload(a), w->a.addr, alen))
		w->found = 1;
	return MNL_CB_OK;
}

/**
 * check_bridge() - on the host: the bridge a bridge and up, its gateway
 * addresses (isGateway), the host end on it and up
 * @ctx:	context
 * @l:		attachment as recorded
 *
 * A bridge set down, or one that lost its gateway address, leaves the
 * container without its way out while each of its own pieces is in place.
 *
 * Return: 0 or -errno with what is missing
 */
static int check_bridge(struct nc_ctx *ctx, const struct cni_link *l)
{
	struct mnl_socket *nl = nl_open(ctx);
	struct addr_want w;
	struct link_facts br, f;
	char a[64];
	int i, ret = 0, bret, hret;

	if (!nl)
		return -EIO;
	bret = link_get(nl, l->bridge, &br);
	hret = link_get(nl, l->hostif, &f);
	if (bret || strcmp(br.kind, "bridge"))
		ret = ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "bridge \"%s\" is missing", l->bridge);
	else if (!(br.flags & IFF_UP))
		ret = ctx_err(ctx, -ENETDOWN, NC_ERR_FAILED, "bridge \"%s\" is down", l->bridge);
	else if (hret)
		ret = ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "host interface %s is missing", l->hostif);
	else if (!f.master || f.master != if_nametoindex(l->bridge))
		ret = ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "host interface %s is not on bridge \"%s\"",
			      l->hostif, l->bridge);
	else if (!(f.flags & IFF_UP))
		ret = ctx_err(ctx, -ENETDOWN, NC_ERR_FAILED, "host interface %s is down", l->hostif);
	for (i = 0; !ret && l->is_gw && i < l->nips; i++) {
		if (!l->ips[i].has_gw)
			continue;
		memset(&w, 0, sizeof(w));
		w.ifindex = f.master;
		w.a = l->ips[i].addr;
		memcpy(w.a.addr, l->ips[i].gw, sizeof(w.a.addr));
		if (nl_dump(nl, RTM_GETADDR, addr_cb, &w))
			ret = ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot list the host's addresses");
		else if (!w.found && (cidr_format(&w.a, a, sizeof(a)), 1))
			ret = ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
				      "gateway address %s is missing on bridge \"%s\"", a, l->bridge);
	}
	mnl_socket_close(nl);
	return ret;
}

/**
 * check_container() - in the container: the interface, each address, each
 * route, as made
 * @ctx:	context
 * @l:		attachment as recorded
 *
 * Return: 0 or -errno with what is missing
 */
static int check_container(struct nc_ctx *ctx, const struct cni_link *l)
{
	struct mnl_socket *nl = nl_open(ctx);
	struct link_facts f;
	int ret;

	if (!nl)
		return -EIO;
	ret = link_get(nl, l->ifname, &f);
	mnl_socket_close(nl);
	if (ret)
		return ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "interface %s is missing in the container",
			       l->ifname);
	if (!(f.flags & IFF_UP))
		return ctx_err(ctx, -ENETDOWN, NC_ERR_FAILED, "interface %s is down in the container",
			       l->ifname);
	return cniaddr_check(ctx, l);
}

/**
 * cninet_check() - is the attachment as it was made
 * @ctx:	context
 * @l:		attachment as recorded
 * @netns:	the container's namespace file
 *
 * Return: 0, or -errno with the first difference found
 */
int cninet_check(struct nc_ctx *ctx, const struct cni_link *l, const char *netns)
{
	int hostfd, ret = check_bridge(ctx, l);

	if (ret)
		return ret;
	ret = ns_go(ctx, netns, &hostfd);
	if (!ret)
		ret = check_container(ctx, l);
	if (ns_back(hostfd))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot return to the host's network namespace");
	return ret;
}

/**
 * cninet_sysctl() - forwarding on; loopback sources routable on the bridge
 * @ctx:	context
 * @bridge:	bridge
 * @localnet:	set route_localnet on it (published ports reached from the
 *		host's 127.0.0.1 leave it with that source, which the kernel
 *		otherwise drops as martian)
 *
 * Return: 0 or -errno with a message
 */
int cninet_sysctl(struct nc_ctx *ctx, const char *bridge, int localnet)
{
	char path[128];

	if (ns_write_file("/proc/sys/net/ipv4/ip_forward", "1"))
		return ctx_err(ctx, -EPERM, NC_ERR_PERM, "cannot enable net.ipv4.ip_forward");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
	if (localnet && ns_write_file(path, "1"))
		return ctx_err(ctx, -EPERM, NC_ERR_PERM, "cannot set %s", path);
	return 0;
}
