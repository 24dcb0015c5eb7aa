// SPDX-License-Identifier: MIT
/*
 * netlink.c - rtnetlink requests over libmnl
 *
 * Theory of operation: every request goes through nl_do(), which sends one
 * message with NLM_F_ACK, reads until the matching ack, checks sequence and
 * port, and turns a kernel error into -errno plus the kernel's extended-ack
 * text (NETLINK_EXT_ACK) in the context, so the user reads what the kernel
 * said rather than a bare strerror().  NETLINK_CAP_ACK keeps acks small.
 * A socket is used in the network namespace it was opened in, which is how
 * callers address a cell: open the socket after entering it.
 */
#include <linux/netlink.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include "kernel/netlink.h"

/**
 * nl_open() - open and bind an rtnetlink socket in the current netns
 * @ctx:	context
 *
 * Return: socket, or NULL with a message
 */
struct mnl_socket *nl_open(struct nc_ctx *ctx)
{
	struct mnl_socket *nl;
	int one = 1;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl) {
		ctx_err(ctx, -errno, NC_ERR_FAILED,
			"cannot open rtnetlink socket: %s", strerror(errno));
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ctx_err(ctx, -errno, NC_ERR_FAILED,
			"cannot bind rtnetlink socket: %s", strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/**
 * extack_msg() - find the kernel's NLMSGERR_ATTR_MSG in an error message
 * @nlh:	NLMSG_ERROR message
 *
 * Return: the text, or NULL when the kernel gave none
 */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

/**
 * nl_do() - send one request and wait for its acknowledgement
 * @ctx:	context
 * @nl:		socket from nl_open()
 * @req:	request; NLM_F_REQUEST|NLM_F_ACK and a sequence are added
 *
 * Return: 0, or -errno with the kernel's message in @ctx
 */
int nl_do(struct nc_ctx *ctx, struct mnl_socket *nl, struct nlmsghdr *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	ssize_t got;
	int n;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED,
			       "netlink send failed: %s", strerror(errno));
	for (;;) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return ctx_err(ctx, -errno, NC_ERR_FAILED,
				       "netlink receive failed: %s",
				       strerror(errno));
		n = (int)got;
		nlh = (struct nlmsghdr *)buf;
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e;
			const char *why;

			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != portid ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (!e->error)
				return 0;
			why = extack_msg(nlh);
			return ctx_err(ctx, e->error, ctx_kind_of_errno(e->error),
				       "%s%s%s", strerror(-e->error),
				       why ? ": " : "", why ? why : "");
		}
	}
}

/**
 * nl_link_up() - set a link administratively up
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @ifindex:	interface index
 *
 * Return: 0 or -errno with a message
 */
int nl_link_up(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex)
{
	return nl_link_up_mtu(ctx, nl, ifindex, 0);
}

/**
 * nl_link_req() - start an RTM_NEWLINK request that changes a link
 * @buf:	room for the message, MNL_SOCKET_BUFFER_SIZE bytes
 * @ifindex:	link
 * @up:		also set it administratively up
 *
 * Return: the message, for attributes to be added
 */
struct nlmsghdr *nl_link_req(char *buf, int ifindex, int up)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = up ? IFF_UP : 0;
	return nlh;
}

/**
 * nl_link_up_mtu() - bring a link up and set its MTU, in one request
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @ifindex:	link
 * @mtu:	MTU, 0 to leave it
 *
 * Return: 0 or -errno with the kernel's message
 */
int nl_link_up_mtu(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_req(buf, ifindex, 1);

	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_do(ctx, nl, nlh);
}

/* newer than Debian 12's <linux/if_link.h>: kernel 6.3 */
#define NC_IFLA_GSO_IPV4_MAX_SIZE	63
#define NC_IFLA_GRO_IPV4_MAX_SIZE	64

/**
 * nl_link_up_big() - bring a link up, letting it carry TCP super-packets
 *		      larger than 64 KiB, in one request
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @ifindex:	link
 * @size:	largest GSO/GRO packet, IPv4 and IPv6 ("BIG TCP"); 0 to leave
 *		the sizes alone
 *
 * Loopback and veth take packets up to their tso_max_size (512 KiB), but
 * start at the 64 KiB of old; larger packets mean fewer per-packet costs
 * for every byte a socket in the namespace moves: through a published port
 * (the forwarder's cell-side connection runs over the cell's loopback) one
 * TCP stream went from 9.4 to 13.0 Gbit/s on a 2-core VM.  The IPv4
 * attributes are new in kernel 6.3, and older kernels ignore attributes
 * they do not know, so the caller decides by kernel version (ns.c).
 *
 * Return: 0 or -errno with the kernel's message
 */
int nl_link_up_big(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex,
		   unsigned size)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_link_req(buf, ifindex, 1);

	if (size) {
		mnl_attr_put_u32(nlh, IFLA_GSO_MAX_SIZE, size);
		mnl_attr_put_u32(nlh, IFLA_GRO_MAX_SIZE, size);
		mnl_attr_put_u32(nlh, NC_IFLA_GSO_IPV4_MAX_SIZE, size);
		mnl_attr_put_u32(nlh, NC_IFLA_GRO_IPV4_MAX_SIZE, size);
	}
	return nl_do(ctx, nl, nlh);
}

/**
 * nl_veth_add() - create a veth pair, the peer in another namespace
 * @ctx:	context
 * @nl:		socket in the namespace of the first end
 * @name:	first end's name
 * @peer:	peer's name
 * @peer_ns:	descriptor of the peer's network namespace, -1 for the same
 *
 * Return: 0 or -errno with the kernel's message
 */
int nl_veth_add(struct nc_ctx *ctx, struct mnl_socket *nl, const char *name,
		const char *peer, int peer_ns)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *info, *data, *pn;
	struct ifinfomsg *ifi, *pifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pn = mnl_attr_nest_start(nlh, 1 /* VETH_INFO_PEER */);
	pifi = (struct ifinfomsg *)((char *)nlh + nlh->nlmsg_len);
	memset(pifi, 0, sizeof(*pifi));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_ns >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_do(ctx, nl, nlh);
}

/**
 * nl_link_del() - delete a link by name
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @name:	link name
 *
 * Return: 0 or -errno (-ENODEV when there is no such link)
 */
int nl_link_del(struct nc_ctx *ctx, struct mnl_socket *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_DELLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_do(ctx, nl, nlh);
}

/**
 * nl_addr_add() - add an address to a link
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @ifindex:	link
 * @family:	AF_INET or AF_INET6
 * @addr:	address bytes (4 or 16)
 * @plen:	prefix length
 *
 * Return: 0 or -errno with the kernel's message
 */
int nl_addr_add(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex,
		int family, const void *addr, int plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t alen = family == AF_INET ? 4 : 16;
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	return nl_do(ctx, nl, nlh);
}

/**
 * nl_route_add() - add a route (a default route when @plen is 0)
 * @ctx:	context
 * @nl:		socket in the namespace
 * @family:	AF_INET or AF_INET6
 * @dst:	destination bytes, ignored when @plen is 0
 * @plen:	prefix length
 * @gw:		gateway bytes, or NULL for a link route
 * @ifindex:	outgoing link
 * @metric:	RTA_PRIORITY, 0 for the kernel's default (IPv4 0, IPv6 1024)
 *
 * Return: 0 or -errno with the kernel's message (-EEXIST: a route of that
 * destination and metric exists)
 */
int nl_route_add(struct nc_ctx *ctx, struct mnl_socket *nl, int family,
		 const void *dst, int plen, const void *gw, int ifindex, unsigned metric)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t alen = family == AF_INET ? 4 : 16;
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (plen)
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return nl_do(ctx, nl, nlh);
}

/**
 * nl_end_up() - address one end of a pair and bring it up: host @host of
 * each prefix, the MTU, up
 * @ctx:	context
 * @nl:		socket in the end's namespace, which must also be the calling
 *		thread's (the end is found by name)
 * @ifname:	the end
 * @nets:	prefixes, IPv4 or IPv6
 * @n:		how many
 * @host:	host number in each
 * @mtu:	MTU, 0 to keep the link's
 *
 * Return: the end's interface index, or -errno with a message
 */
int nl_end_up(struct nc_ctx *ctx, struct mnl_socket *nl, const char *ifname,
	      const struct cidr *nets, int n, unsigned host, unsigned mtu)
{
	int idx = (int)if_nametoindex(ifname), i, ret = 0;
	struct cidr h;

	if (!idx)
		return ctx_err(ctx, -ENODEV, NC_ERR_FAILED, "no interface %s", ifname);
	for (i = 0; !ret && i < n; i++) {
		if (cidr_host(&nets[i], host, &h))
			return ctx_err(ctx, -ERANGE, NC_ERR_USAGE,
				       "a prefix of %s has no host %u", ifname, host);
		ret = nl_addr_add(ctx, nl, idx, h.family, h.addr, h.plen);
	}
	if (!ret)
		ret = nl_link_up_mtu(ctx, nl, idx, mtu);
	return ret ? ret : idx;
}

/**
 * nl_default_via() - the default route through host 1 of a prefix
 * @ctx:	context
 * @nl:		socket in the route's namespace
 * @net:	prefix, IPv4 or IPv6
 * @ifindex:	the link to it
 *
 * Return: 0 or -errno with a message
 */
int nl_default_via(struct nc_ctx *ctx, struct mnl_socket *nl,
		   const struct cidr *net, int ifindex)
{
	struct cidr gw;

	if (cidr_host(net, 1, &gw))
		return ctx_err(ctx, -ERANGE, NC_ERR_USAGE, "a prefix has no host 1");
	return nl_route_add(ctx, nl, gw.family, NULL, 0, gw.addr, ifindex, 0);
}

/**
 * nl_dump() - one NLM_F_DUMP request, every reply through @cb
 * @nl:		socket
 * @type:	RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE (all families)
 * @cb:		callback
 * @data:	its argument
 *
 * Return: 0 or -errno
 */
int nl_dump(struct mnl_socket *nl, int type, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL) + (unsigned)type, port = mnl_socket_get_portid(nl);
	struct rtgenmsg *g;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* the request's own header (the kernel reads attributes after it);
	 * all three start with the family */
	g = mnl_nlmsg_put_extra_header(nlh, type == RTM_GETROUTE ? sizeof(struct rtmsg) :
				       type == RTM_GETADDR ? sizeof(struct ifaddrmsg) :
				       sizeof(struct ifinfomsg));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, port, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}
