// SPDX-License-Identifier: MIT
/*
 * kdnat.c - root cells: published IPv4 ports carried by the kernel
 *
 * Theory of operation: a root keeper publishes every port with its
 * forwarder (forward.c), which keeps the host socket bound and serves what
 * the kernel cannot carry: IPv6 (no route_localnet for ::1, and forwarding
 * IPv6 would make the host drop router advertisements) and clients that
 * reach the host from outside it (forwarding them would need
 * net.ipv4.conf.IF.forwarding on their interface).  For clients on the
 * host itself, which is what "127.0.0.1:8080:80" means, the kernel carries
 * the connection instead, with no process in the path:
 *
 * - a veth pair per cell with ports, "np-NAME" on the host (shortened with
 *   a hash as link_ifname() does) and KDNAT_CELL_IF in the cell, a /31 of
 *   10.216.0.0/16 (host .0, cell .1) that no route of the host overlaps,
 *   picked from a hash of the cell name;
 * - on the host, a table "ip netcell_ports_NAME" whose output chain DNATs
 *   the port's host address (any local address for 0.0.0.0) and port to
 *   the cell's end, the host port kept (cell_body() says why);
 *   route_localnet on the host end lets a loopback-sourced packet leave
 *   and its reply come back;
 * - in the cell, the table "inet netcell" (reserved: fw apply keeps it,
 *   fwload.c): a DNAT of what arrives on the pair, per port, to 127.0.0.1
 *   and the cell port, so servers listening on the cell's loopback get
 *   it, which also sets the connection's mark (one rule in one chain, run
 *   for the first packet of a connection only); route_localnet,
 *   accept_local and rp_filter 0 on the cell end accept the loopback
 *   client address; the rule "fwmark
 *   KDNAT_MARK lookup KDNAT_RT_TABLE" (pref 99) ahead of the local table,
 *   which is moved from pref 0 to 100, sends the replies back over the
 *   pair instead of delivering them to the cell's own 127.0.0.2.
 *
 * Both tables are written in the form nft lists them, so that what is read
 * back (kdnat_check(), and kdnat_sync() after every write) compares line by
 * line with what was meant, counters aside.
 *
 * The client's address and port are kept, TCP and UDP.  A cell firewall
 * sees this traffic arrive on KDNAT_CELL_IF with its status "dnat", not
 * on lo.  Established connections of a removed port go on until closed
 * (conntrack), as with any DNAT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/incell.h"
#include "kernel/netlink.h"
#include "kernel/nft.h"
#include "kernel/nftcmp.h"
#include "kernel/ns.h"
#include "net/kdhost.h"
#include "net/kdnat.h"
#include "net/veth.h"

/* /31 slots of 10.216.0.0/16 */
#define KDNAT_SLOTS	32768u
/* how many slots after the hashed one are tried */
#define KDNAT_PROBE	256u
/* the local table's preference once moved, and the reply rule's */
#define KDNAT_LOCAL_PREF 100u
#define KDNAT_RULE_PREF	99u
#define KDNAT_MTU	65520u

/**
 * kernel_kind() - could the kernel carry a port: an active IPv4 port, not
 * "host:"
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 * @i:		the port's index
 *
 * Return: 1 if so
 */
static int kernel_kind(const struct portspec *ports, unsigned n,
		       const unsigned char *inactive, unsigned i)
{
	return i < n && ports[i].family == AF_INET && !ports[i].to_host &&
	       !(inactive && inactive[i]);
}

/**
 * kdnat_shared() - the earlier port the kernel carries to the same cell
 * port and protocol as port @i
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 * @i:		the port's index
 *
 * Two host ports of one cell port meet on the same tuples in the cell
 * (127.0.0.1:CELLPORT and the client's address and port): under a
 * sustained sequential load a SYN through one meets a TIME_WAIT socket of
 * the other, fails its PAWS check and waits a second (measured: down to
 * 539 connections/s).  So the kernel carries the first host port of a
 * cell port and the forwarder, whose cell-side sockets are its own, the
 * others.
 *
 * Return: that port's index, or -1 when there is none
 */
int kdnat_shared(const struct portspec *ports, unsigned n, const unsigned char *inactive,
		 unsigned i)
{
	unsigned j;

	for (j = 0; j < i && j < n; j++)
		if (kernel_kind(ports, n, inactive, j) && ports[j].proto == ports[i].proto &&
		    ports[j].cport == ports[i].cport)
			return (int)j;
	return -1;
}

/**
 * carried() - does the kernel carry a port (kernel_kind(), and the first
 * host port of its cell port, kdnat_shared())
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 * @i:		the port's index
 *
 * Return: 1 if so
 */
static int carried(const struct portspec *ports, unsigned n,
		   const unsigned char *inactive, unsigned i)
{
	return kernel_kind(ports, n, inactive, i) && kdnat_shared(ports, n, inactive, i) < 0;
}

/**
 * kdnat_carries() - does the kernel carry port @i of a cell
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 * @i:		the port's index
 *
 * Return: 1 if so
 */
int kdnat_carries(const struct portspec *ports, unsigned n, const unsigned char *inactive,
		  unsigned i)
{
	return carried(ports, n, inactive, i);
}

/**
 * kdnat_wanted() - how many ports the kernel would carry
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published (its host socket is another's)
 *
 * Return: the number of active IPv4 published ports (not "host:")
 */
unsigned kdnat_wanted(const struct portspec *ports, unsigned n,
		      const unsigned char *inactive)
{
	unsigned i, w = 0;

	for (i = 0; i < n; i++)
		w += (unsigned)carried(ports, n, inactive, i);
	return w;
}

/**
 * skip_mask() - the ports the kernel does not carry
 * @ports:	the cell's ports
 * @n:		how many, at most NC_PORTS_MAX
 * @inactive:	per port: not published, or NULL
 * @skip:	result, per port: 1 when not the kernel's
 */
static void skip_mask(const struct portspec *ports, unsigned n,
		      const unsigned char *inactive, unsigned char *skip)
{
	unsigned i;

	for (i = 0; i < n && i < NC_PORTS_MAX; i++)
		skip[i] = (unsigned char)!carried(ports, n, inactive, i);
}

/**
 * slot_net() - the /31 of a slot
 * @slot:	slot
 * @net:	result
 */
static void slot_net(unsigned slot, struct cidr *net)
{
	char s[32];

	snprintf(s, sizeof(s), "10.216.%u.%u/31", slot >> 7, (slot & 127) << 1);
	cidr_parse(s, net);
}

/**
 * pick_slot() - a slot whose /31 no route of the host overlaps
 * @cell:	cell (its hash is where the search starts)
 *
 * Return: the slot, or -ENOSPC, -ENOMEM
 */
static int pick_slot(const char *cell)
{
	struct cidrs taken = { 0 };
	unsigned h = 2166136261u, i;	/* FNV-1a */
	struct cidr net;
	const char *p;
	int ret = veth_taken(NULL, &taken);

	for (p = cell; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = 0; !ret && i < KDNAT_PROBE; i++) {
		slot_net((h + i) % KDNAT_SLOTS, &net);
		if (!veth_taken_overlap(&taken, &net))
			break;
	}
	veth_taken_free(&taken);
	if (ret)
		return ret;
	return i < KDNAT_PROBE ? (int)((h + i) % KDNAT_SLOTS) : -ENOSPC;
}

/**
 * rule_req() - add or delete an IPv4 rule "[fwmark M] lookup T pref P"
 * @ctx:	context
 * @nl:		rtnetlink socket in the cell
 * @type:	RTM_NEWRULE or RTM_DELRULE
 * @pref:	preference
 * @table:	table
 * @mark:	fwmark to match, 0 for none
 * @proto:	who made it: RTPROT_KERNEL for the kernel's own rule (pref 0
 *		matches any preference, the maker tells ours from it)
 *
 * Return: 0 (also when it exists already, or is gone already), -errno
 */
static int rule_req(struct nc_ctx *ctx, struct mnl_socket *nl, unsigned short type,
		    unsigned pref, unsigned table, unsigned mark, unsigned char proto)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *r;
	int ret;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->family = AF_INET;
	r->action = FR_ACT_TO_TBL;
	r->table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, pref);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (mark)
		mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, proto);
	ret = nl_do(ctx, nl, nlh);
	if (ret == -EEXIST || (type == RTM_DELRULE && ret == -ENOENT))
		ret = 0;
	return ret;
}

/**
 * reply_route() - "default via GW dev IF table KDNAT_RT_TABLE"
 * @ctx:	context
 * @nl:		rtnetlink socket in the cell
 * @gw:		the host's end
 * @ifindex:	the cell's end
 *
 * Return: 0 (also when it exists) or -errno with a message
 */
static int reply_route(struct nc_ctx *ctx, struct mnl_socket *nl,
		       const struct cidr *gw, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, KDNAT_RT_TABLE);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, gw->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	ret = nl_do(ctx, nl, nlh);
	return ret == -EEXIST ? 0 : ret;
}

/**
 * cell_body() - the cell's table, written as nft lists it (so what is read
 * back compares line by line): per port, the DNAT of the pair's host port
 * to the cell port on 127.0.0.1, which also marks the connection; the mark
 * of its replies
 * @ca:		the cell's end, as text
 * @ports:	the cell's ports
 * @n:		how many
 * @skip:	per port: not in the table (skip_mask())
 *
 * The host's DNAT keeps the host port (kdhost_port_line()): connections to two
 * host ports never share a tuple on the pair, so the host's SNAT never has
 * to move a client's source port to resolve a clash with a TIME_WAIT entry
 * of an earlier cell of the same name (a moved port, with the kernel's
 * per-connection TCP timestamp offsets, made SYNs meet the cell's TIME_WAIT
 * sockets and fail their PAWS check: a second run of the benchmark fell to
 * 560 connections/s).  Two host ports of one cell port still meet on the
 * cell's tuples (docs/kernel-ports.md, known limits).
 *
 * Return: heap text, NULL when out of memory
 */
static char *cell_body(const char *ca, const struct portspec *ports, unsigned n,
		       const unsigned char *skip)
{
	size_t len = 1024 + (size_t)n * 192, off;
	char *buf = malloc(len);
	unsigned i;

	if (!buf)
		return NULL;
	off = (size_t)snprintf(buf, len,
			       "table inet " KDNAT_TABLE " {\n"
			       " chain ports_dnat {\n"
			       "  type nat hook prerouting priority dstnat; policy accept;\n");
	for (i = 0; i < n; i++)
		if (!skip[i])
			off += (size_t)snprintf(buf + off, len - off,
						"  iifname \"" KDNAT_CELL_IF "\" ip daddr %s %s dport %u ct mark set 0x%08x dnat ip to 127.0.0.1:%u\n",
						ca, ports[i].proto == IPPROTO_UDP ? "udp" : "tcp",
						ports[i].hport, KDNAT_MARK, ports[i].cport);
	snprintf(buf + off, len - off,
		 " }\n"
		 " chain ports_reply {\n"
		 "  type route hook output priority mangle; policy accept;\n"
		 "  ct mark 0x%08x meta mark set 0x%08x\n"
		 " }\n"
		 "}\n", KDNAT_MARK, KDNAT_MARK);
	return buf;
}

/* what cell_side() does */
enum cell_op {
	CELL_REMOVE,	/* remove the cell's table */
	CELL_SETUP,	/* the end, its settings, the reply routing, the table */
	CELL_TABLE,	/* write the table again */
	CELL_CHECK,	/* read the table back and compare */
};

/**
 * struct cell_job - cell_side()'s arguments
 * @netfd:	the cell's namespace
 * @net:	the pair's /31 (not for CELL_REMOVE)
 * @op:		what to do
 * @body:	the table, cell_body()'s text (not for CELL_REMOVE)
 */
struct cell_job {
	int netfd;
	const struct cidr *net;
	enum cell_op op;
	const char *body;
};

/**
 * conf_write() - set an IPv4 setting of the cell's end
 * @key:	setting
 * @val:	value
 *
 * Return: 0 or -errno
 */
static int conf_write(const char *key, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/" KDNAT_CELL_IF "/%s", key);
	return ns_write_file(path, val);
}

/**
 * cell_table() - in the cell: write its table, or read it back and compare
 * @ctx:	context
 * @body:	the table, cell_body()'s text
 * @check:	compare instead of writing
 *
 * Return: 0, or -EIO with a message saying what differs
 */
static int cell_table(struct nc_ctx *ctx, const char *body, int check)
{
	_cleanup_free_ char *found = NULL, *rules = NULL;
	char err[1024], why[1200];

	if (!check) {
		if (asprintf(&rules, "table inet " KDNAT_TABLE " {}\n"
			     "delete table inet " KDNAT_TABLE "\n%s", body) < 0)
			return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
		if (nft_run_text(rules, err, sizeof(err)))
			return ctx_err(ctx, -EINVAL, NC_ERR_FAILED,
				       "table inet " KDNAT_TABLE ": %s", err);
		return 0;
	}
	if (nft_list_cmd("list table inet " KDNAT_TABLE, &found))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the cell's table inet " KDNAT_TABLE " is gone");
	if (nft_listing_diff(found, body, why, sizeof(why)))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the cell's table inet " KDNAT_TABLE " differs from what netcell wrote: %s",
			       why);
	return 0;
}

/**
 * cell_side() - incell_fork() callback: in the cell, the end up and
 * addressed, its settings, the reply routing and the table; or only the
 * table, written or checked; or the table removed
 * @ctx:	the child's context
 * @arg:	struct cell_job
 *
 * Return: 0 or -errno with a message
 */
static int cell_side(struct nc_ctx *ctx, void *arg)
{
	const struct cell_job *j = arg;
	char err[1024];
	struct mnl_socket *nl;
	struct cidr gw;
	int idx, ret;

	if (setns(j->netfd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "setns: %s", strerror(errno));
	if (j->op == CELL_REMOVE) {
		nft_run_text("delete table inet " KDNAT_TABLE "\n", err, sizeof(err));
		return 0;
	}
	cidr_host(j->net, 0, &gw);
	if (j->op != CELL_SETUP)
		return cell_table(ctx, j->body, j->op == CELL_CHECK);
	nl = nl_open(ctx);
	if (!nl)
		return -EIO;
	idx = nl_end_up(ctx, nl, KDNAT_CELL_IF, j->net, 1, 1, KDNAT_MTU);
	ret = idx < 0 ? idx : 0;
	if (!ret && (conf_write("route_localnet", "1") || conf_write("accept_local", "1") ||
		     conf_write("rp_filter", "0")))
		ret = ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot set route_localnet/accept_local on %s",
			      KDNAT_CELL_IF);
	if (!ret)
		ret = reply_route(ctx, nl, &gw, idx);
	if (!ret)
		ret = rule_req(ctx, nl, RTM_NEWRULE, KDNAT_LOCAL_PREF, RT_TABLE_LOCAL, 0,
			       RTPROT_BOOT);
	if (!ret)
		ret = rule_req(ctx, nl, RTM_DELRULE, 0, RT_TABLE_LOCAL, 0,
			       RTPROT_KERNEL);
	if (!ret)
		ret = rule_req(ctx, nl, RTM_NEWRULE, KDNAT_RULE_PREF, KDNAT_RT_TABLE, KDNAT_MARK,
			       RTPROT_BOOT);
	mnl_socket_close(nl);
	return ret ? ret : cell_table(ctx, j->body, 0);
}

/**
 * host_up() - the pair and the host's end
 * @ctx:	context
 * @ifn:	host end's name
 * @netfd:	the cell's namespace
 * @net:	the pair's /31
 *
 * Return: 0 or -errno with a message
 */
static int host_up(struct nc_ctx *ctx, const char *ifn, int netfd, const struct cidr *net)
{
	struct mnl_socket *nl = nl_open(ctx);
	char path[128];
	int ret;

	if (!nl)
		return -EIO;
	ret = nl_veth_add(ctx, nl, ifn, KDNAT_CELL_IF, netfd);
	if (!ret) {
		ret = nl_end_up(ctx, nl, ifn, net, 1, 0, KDNAT_MTU);
		ret = ret < 0 ? ret : 0;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", ifn);
	if (!ret && ns_write_file(path, "1"))
		ret = ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot set %s", path);
	mnl_socket_close(nl);
	return ret;
}

/**
 * cell_check() - read the cell's table back and compare, after writing it
 * @ctx:	context
 * @j:		the cell's namespace, pair and table
 * @write:	write the table first
 *
 * Return: 0, or -errno with a message saying what failed or differs
 */
static int cell_check(struct nc_ctx *ctx, struct cell_job *j, int write)
{
	int ret = 0;

	if (write) {
		j->op = CELL_TABLE;
		ret = incell_fork(ctx, cell_side, j);
	}
	j->op = CELL_CHECK;
	return ret ? ret : incell_fork(ctx, cell_side, j);
}

/**
 * cell_addr() - the cell's end of a slot's pair, as text
 * @slot:	slot
 * @net:	set: the pair's /31
 * @ca:		result
 */
static void cell_addr(unsigned slot, struct cidr *net, char ca[INET_ADDRSTRLEN])
{
	struct cidr me;

	slot_net(slot, net);
	cidr_host(net, 1, &me);
	inet_ntop(AF_INET, me.addr, ca, INET_ADDRSTRLEN);
}

/**
 * kdnat_sync() - make the kernel carry exactly the cell's active IPv4 ports
 * @ctx:	context
 * @cell:	cell
 * @netfd:	its namespace
 * @slot:	its pair's slot, -1 while it has none; updated
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 *
 * The first port makes the pair and the cell's table; then the host's
 * table is replaced in one transaction; no port left removes both.  What
 * was written is read back, the host's table and the cell's, and compared
 * with what was meant (a cell table changed behind netcell's back is
 * written again).  On failure the kernel path is removed whole (the
 * forwarder still carries every port).
 *
 * Return: 0 or -errno with a message
 */
int kdnat_sync(struct nc_ctx *ctx, const char *cell, int netfd, int *slot,
	       const struct portspec *ports, unsigned n,
	       const unsigned char *inactive)
{
	char ifn[IFNAMSIZ], ca[INET_ADDRSTRLEN];
	_cleanup_free_ char *body = NULL, *found = NULL, *cbody = NULL;
	unsigned char skip[NC_PORTS_MAX];
	struct cell_job j = { netfd, NULL, CELL_REMOVE, NULL };
	struct cidr net;
	int ret = 0, s, fresh = *slot < 0;

	if (!kdnat_wanted(ports, n, inactive)) {
		if (*slot >= 0) {
			kdnat_down(cell, slot);
			incell_fork(ctx, cell_side, &j);
		}
		return 0;
	}
	if (fresh) {
		kdnat_down(cell, slot);	/* a pair of a keeper before this one */
		s = pick_slot(cell);
		if (s < 0)
			return ctx_err(ctx, s, NC_ERR_FAILED,
				       "no free /31 in 10.216.0.0/16 for the pair of cell \"%s\"", cell);
		*slot = s;
	}
	cell_addr((unsigned)*slot, &net, ca);
	j.net = &net;
	skip_mask(ports, n, inactive, skip);
	body = kdhost_body(cell, &net, ports, n, skip);
	cbody = cell_body(ca, ports, n, skip);
	j.body = cbody;
	if (!body || !cbody)
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (!ret && fresh) {
		kdhost_ifname(cell, ifn);
		j.op = CELL_SETUP;
		ret = host_up(ctx, ifn, netfd, &net);
		if (!ret && incell_fork(ctx, cell_side, &j))
			ret = ctx_wrap(ctx, -EIO, "cannot set up %s in cell \"%s\"",
				       KDNAT_CELL_IF, cell);
	}
	if (!ret)
		ret = kdhost_load(ctx, cell, body);
	if (!ret) {
		found = kdhost_list(cell);
		ret = kdhost_check(ctx, cell, body, found);
	}
	if (!ret)
		ret = cell_check(ctx, &j, !fresh);
	if (ret)
		kdnat_down(cell, slot);
	return ret;
}

/**
 * kdnat_check() - is the kernel path of a cell as netcell made it
 * @ctx:	context, for what differs
 * @cell:	cell
 * @netfd:	its namespace
 * @slot:	its pair's slot, -1 when it has none
 * @ports:	the cell's ports
 * @n:		how many
 * @inactive:	per port: not published, or NULL
 * @dnat:	per port, set: 1 when the host's table holds its DNAT (host
 *		clients reach the cell through the kernel), else 0 (they
 *		reach the forwarder, which holds the host socket)
 *
 * Reads back the host's table and the cell's (in a child in the cell).  A
 * port whose DNAT alone is gone is told by @dnat, not by the result.
 *
 * Return: 0 when the rest is as netcell wrote it, -EIO with a message
 * saying what differs, -ENOMEM
 */
int kdnat_check(struct nc_ctx *ctx, const char *cell, int netfd, int slot,
		const struct portspec *ports, unsigned n,
		const unsigned char *inactive, unsigned char *dnat)
{
	_cleanup_free_ char *body = NULL, *found = NULL, *cbody = NULL;
	char ca[INET_ADDRSTRLEN], line[256];
	unsigned char gone[NC_PORTS_MAX], skip[NC_PORTS_MAX];
	struct cell_job j = { netfd, NULL, CELL_CHECK, NULL };
	struct cidr net;
	unsigned i;
	int ret;

	memset(dnat, 0, n);
	if (slot < 0)
		return 0;
	cell_addr((unsigned)slot, &net, ca);
	j.net = &net;
	skip_mask(ports, n, inactive, skip);
	found = kdhost_list(cell);
	for (i = 0; i < n && i < NC_PORTS_MAX; i++) {
		gone[i] = skip[i];
		if (gone[i] || !found)
			continue;
		kdhost_port_line(&ports[i], ca, line, sizeof(line));
		dnat[i] = (unsigned char)nft_listing_has(found, line);
		gone[i] = !dnat[i];
	}
	/* the rest compared: what should be there besides the missing DNATs */
	body = kdhost_body(cell, &net, ports, n, gone);
	cbody = cell_body(ca, ports, n, skip);
	if (!body || !cbody)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	j.body = cbody;
	ret = kdhost_check(ctx, cell, body, found);
	return ret ? ret : cell_check(ctx, &j, 0);
}

/**
 * kdnat_down() - remove a cell's pair and its host table
 * @cell:	cell
 * @slot:	its pair's slot; set to -1
 *
 * What the cell holds goes with its namespace, or stays harmless: its
 * table DNATs only what arrives on the pair, which is gone.
 */
void kdnat_down(const char *cell, int *slot)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct mnl_socket *nl = nl_open(&ctx);
	char ifn[IFNAMSIZ], cmd[NC_NAME_MAX + 64], err[512];

	kdhost_ifname(cell, ifn);
	if (nl) {
		nl_link_del(&ctx, nl, ifn);
		mnl_socket_close(nl);
	}
	snprintf(cmd, sizeof(cmd), "delete table ip netcell_ports_%s\n", cell);
	nft_run_text(cmd, err, sizeof(err));
	*slot = -1;
}
