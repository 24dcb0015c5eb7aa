// SPDX-License-Identifier: MIT
/*
 * netinfo.c - what "netcell inspect" shows of a cell's network: addresses
 * and routes as the kernel has them now, and the saved uplink, DNS and links
 *
 * Theory of operation: addresses and routes are read live, by a child that
 * joins the cell (incell_call()) and dumps RTM_GETADDR and RTM_GETROUTE on
 * an rtnetlink socket opened there; it hands back text lines.  The uplink,
 * the resolver and the links come from the cell's saved configuration, the
 * same files the keeper rebuilds the cell from, so what inspect says is what
 * a rebuilt cell gets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "incell.h"
#include "firewall.h"
#include "link.h"
#include "netlink.h"
#include "paths.h"
#include "netinfo.h"
#include "uplink.h"

/**
 * struct dump - output buffer of one dump
 * @out:	text
 * @len:	size of @out
 * @off:	bytes used
 */
struct dump {
	char *out;
	size_t len;
	size_t off;
};

static void put(struct dump *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * put() - append a formatted line, dropping what does not fit
 * @d:		buffer
 * @fmt:	format
 */
static void put(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->off + 1 >= d->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(d->out + d->off, d->len - d->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->off = d->off + (size_t)n < d->len ? d->off + (size_t)n : d->len - 1;
}

/**
 * ifname() - interface name of an index, or "ifN"
 * @idx:	index
 * @buf:	IFNAMSIZ bytes
 *
 * Return: @buf
 */
static const char *ifname(unsigned idx, char *buf)
{
	if (!if_indextoname(idx, buf))
		snprintf(buf, IFNAMSIZ, "if%u", idx);
	return buf;
}

/**
 * addr_cb() - one RTM_NEWADDR: "A\tIFNAME\tADDR/PLEN"
 * @nlh:	message
 * @data:	struct dump
 *
 * Return: MNL_CB_OK
 */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *local = NULL, *addr = NULL;
	char name[IFNAMSIZ], txt[INET6_ADDRSTRLEN];

	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			addr = a;
	}
	if (local)
		addr = local;
	if (!addr || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    !inet_ntop(ifa->ifa_family, mnl_attr_get_payload(addr), txt, sizeof(txt)))
		return MNL_CB_OK;
	put(data, "A\t%s\t%s/%u\n", ifname(ifa->ifa_index, name), txt, ifa->ifa_prefixlen);
	return MNL_CB_OK;
}

/**
 * route_cb() - one RTM_NEWROUTE of the main table: "R\tDST\tGW\tIF"
 * @nlh:	message
 * @data:	struct dump
 *
 * IPv6 link-local and multicast routes, which every interface has, are left
 * out, as "ip -6 route" users mostly filter them by eye.
 *
 * Return: MNL_CB_OK
 */
static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *dst = NULL, *gw = NULL;
	char name[IFNAMSIZ] = "", d[INET6_ADDRSTRLEN + 4] = "default", g[INET6_ADDRSTRLEN] = "";
	unsigned table = rt->rtm_table, oif = 0;

	mnl_attr_for_each(a, nlh, sizeof(*rt)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			dst = a;
			break;
		case RTA_GATEWAY:
			gw = a;
			break;
		case RTA_OIF:
			oif = mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		default:
			break;
		}
	}
	if (table != RT_TABLE_MAIN || rt->rtm_type != RTN_UNICAST ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return MNL_CB_OK;
	if (dst) {
		const unsigned char *b = mnl_attr_get_payload(dst);

		if (rt->rtm_family == AF_INET6 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return MNL_CB_OK;
		inet_ntop(rt->rtm_family, b, d, INET6_ADDRSTRLEN);
		snprintf(d + strlen(d), sizeof(d) - strlen(d), "/%u", rt->rtm_dst_len);
	}
	if (gw && !inet_ntop(rt->rtm_family, mnl_attr_get_payload(gw), g, sizeof(g)))
		g[0] = '\0';
	put(data, "R\t%s\t%s\t%s\n", d, g, oif ? ifname(oif, name) : "");
	return MNL_CB_OK;
}

/**
 * dump() - one NLM_F_DUMP request, every reply through @cb
 * @nl:		socket
 * @type:	RTM_GETADDR or RTM_GETROUTE
 * @cb:		callback
 * @d:		output
 *
 * Return: 0 or -errno
 */
static int dump(struct mnl_socket *nl, int type, mnl_cb_t cb, struct dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), port = mnl_socket_get_portid(nl);
	struct rtgenmsg *g;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* an rtmsg is the larger header; both start with the family */
	g = mnl_nlmsg_put_extra_header(nlh, type == RTM_GETROUTE ?
				       sizeof(struct rtmsg) : sizeof(struct ifaddrmsg));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, port, cb, d);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}

/**
 * netinfo_dump() - incell_fn: the current namespace's addresses and routes as
 * text, "A\tIFNAME\tADDR/PLEN" and "R\tDST\tGW\tIFNAME" lines (a cell's, or
 * the CNI plugin's container's)
 * @arg:	unused
 * @out:	output lines
 * @len:	size of @out
 *
 * A dump that the kernel marks interrupted (NLM_F_DUMP_INTR: addresses or
 * routes changed meanwhile, as IPv6 sets up new links) is taken again, a
 * few times over 200 ms, on a new socket: the rest of the interrupted one
 * is unread.
 *
 * Return: 0 or -errno (then @out says why)
 */
int netinfo_dump(void *arg, char *out, size_t len)
{
	struct nc_ctx c = { .kfd = -1 };
	struct dump d = { out, len, 0 };
	struct mnl_socket *nl;
	int ret, tries = 0;

	(void)arg;
	do {
		nl = nl_open(&c);
		if (!nl) {
			snprintf(out, len, "%s", c.msg);
			return -EIO;
		}
		d.off = 0;
		out[0] = '\0';
		ret = dump(nl, RTM_GETADDR, addr_cb, &d);
		if (!ret)
			ret = dump(nl, RTM_GETROUTE, route_cb, &d);
		mnl_socket_close(nl);
	} while (ret == -EINTR && ++tries < 10 && !usleep(20 * 1000));
	if (ret)
		snprintf(out, len, "rtnetlink dump: %s", strerror(-ret));
	return ret;
}

/**
 * field() - copy the next tab-separated field of a line
 * @p:		cursor, advanced past the field and its tab
 * @end:	end of the line
 * @buf:	output
 * @len:	size of @buf
 */
static void field(const char **p, const char *end, char *buf, size_t len)
{
	const char *t = memchr(*p, '\t', (size_t)(end - *p));
	const char *e = t ? t : end;

	snprintf(buf, len, "%.*s", (int)(e - *p), *p);
	*p = t ? t + 1 : end;
}

/**
 * lines() - room for the records of a text: its lines, at least one
 * @text:	text
 *
 * Return: count
 */
static size_t lines(const char *text)
{
	size_t n = 1;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/**
 * parse_dump() - the child's "A" and "R" records into @info
 * @text:	netinfo_dump()'s output
 * @info:	result: @addrs and @routes allocated
 *
 * Return: 0 or -ENOMEM
 */
static int parse_dump(const char *text, struct nc_net_info *info)
{
	size_t n = lines(text);
	const char *l, *e;

	info->addrs = calloc(n, sizeof(*info->addrs));
	info->routes = calloc(n, sizeof(*info->routes));
	if (!info->addrs || !info->routes)
		return -ENOMEM;
	for (l = text; *l; l = *e ? e + 1 : e) {
		const char *p = l + 2;

		e = strchrnul(l, '\n');
		if (e - l < 2 || l[1] != '\t')
			continue;
		if (l[0] == 'A') {
			struct nc_net_addr *a = &info->addrs[info->naddrs++];

			field(&p, e, a->dev, sizeof(a->dev));
			field(&p, e, a->addr, sizeof(a->addr));
		} else if (l[0] == 'R') {
			struct nc_net_route *r = &info->routes[info->nroutes++];

			field(&p, e, r->dst, sizeof(r->dst));
			field(&p, e, r->via, sizeof(r->via));
			field(&p, e, r->dev, sizeof(r->dev));
		}
	}
	return 0;
}

/**
 * resolvers() - the nameserver addresses of a resolv.conf, space separated
 * @path:	file ("" for none)
 * @buf:	output ("" when none)
 * @len:	size of @buf
 */
static void resolvers(const char *path, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = path[0] ? fopen(path, "re") : NULL;
	char line[256], addr[128];
	size_t off = 0;

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f) && off + 1 < len)
		if (sscanf(line, " nameserver %127s", addr) == 1)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", addr);
}

/**
 * in_force_resolv() - the resolv.conf a command in the cell reads
 * @p:		the caller's paths
 * @cell:	cell
 * @buf:	path, "" when the host's own is in force
 * @len:	size of @buf
 *
 * The user's file in the cell's /etc overlay is bound last (nc_enter()),
 * so it wins over the uplink's: inspect once showed the uplink's resolver
 * while the user's was in force.
 */
static void in_force_resolv(const struct nc_paths *p, const char *cell, char *buf, size_t len)
{
	char etc[PATH_MAX];

	paths_cell_etc(p, cell, etc, sizeof(etc));
	if (etc[0] && (size_t)snprintf(buf, len, "%s/resolv.conf", etc) < len &&
	    !access(buf, R_OK))
		return;
	uplink_resolv(p->state, cell, buf, len);
}

/**
 * nc_inspect_net() - a cell's network: addresses, routes, uplink, DNS, links
 * @ctx:	context
 * @cell:	cell name
 * @info:	result; release with nc_net_info_release()
 *
 * Return: 0, or -errno with a message (invalid name, no such cell)
 */
int nc_inspect_net(struct nc_ctx *ctx, const char *cell, struct nc_net_info *info)
{
	_cleanup_free_ char *text = NULL;
	struct nc_paths p;
	struct uplink u;
	char path[PATH_MAX];
	int ret;

	memset(info, 0, sizeof(*info));
	ret = paths_get(ctx, &p);
	/* also the check that the cell exists: it is entered */
	if (!ret)
		ret = incell_call(ctx, cell, netinfo_dump, NULL, &text);
	if (ret && text)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot read the network of cell \"%s\": %s",
			       cell, text);
	if (ret)
		return ret;
	uplink_load(p.state, cell, &u);
	snprintf(info->uplink, sizeof(info->uplink), "%s", u.engine);
	info->host_loopback = u.host_loopback;
	info->shared = u.hub;
	in_force_resolv(&p, cell, path, sizeof(path));
	resolvers(path, info->dns, sizeof(info->dns));
	fw_settle(ctx, p.state, cell);	/* a firewall command killed while loading */
	fw_current(p.state, cell, &info->fw_gen, &info->fw_pending, &info->fw_locked);
	if (parse_dump(text ? text : "", info) ||
	    link_peers(p.state, cell, &info->links, &info->nlinks)) {
		nc_net_info_release(info);
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	return 0;
}

/**
 * nc_net_info_release() - free what nc_inspect_net() allocated
 * @info:	result of nc_inspect_net(); may be all zero
 */
void nc_net_info_release(struct nc_net_info *info)
{
	free(info->addrs);
	free(info->routes);
	free(info->links);
	info->addrs = NULL;
	info->routes = NULL;
	info->links = NULL;
	info->naddrs = info->nroutes = info->nlinks = 0;
}
