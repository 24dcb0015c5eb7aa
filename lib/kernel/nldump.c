// SPDX-License-Identifier: MIT
/*
 * nldump.c - the addresses and routes of the current network namespace, as
 * text lines, from RTM_GETADDR and RTM_GETROUTE dumps
 *
 * Theory of operation: a caller in the namespace (a child that joined a
 * cell for inspect, the CNI plugin moved into a container's) gets one line
 * per address ("A\tIFNAME\tADDR/PLEN") and per route of the main table
 * ("R\tDST\tGW\tIFNAME"); a dump the kernel marks interrupted is taken
 * again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kernel/netlink.h"
#include "kernel/nldump.h"

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
 * nldump_text() - incell_fn: the current namespace's addresses and routes as
 * text, "A\tIFNAME\tADDR/PLEN" and "R\tDST\tGW\tIFNAME" lines (a cell's for
 * inspect, a container's for the CNI plugin's CHECK)
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
int nldump_text(void *arg, char *out, size_t len)
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
		ret = nl_dump(nl, RTM_GETADDR, addr_cb, &d);
		if (!ret)
			ret = nl_dump(nl, RTM_GETROUTE, route_cb, &d);
		mnl_socket_close(nl);
	} while (ret == -EINTR && ++tries < 10 && !usleep(20 * 1000));
	if (ret)
		snprintf(out, len, "rtnetlink dump: %s", strerror(-ret));
	return ret;
}
