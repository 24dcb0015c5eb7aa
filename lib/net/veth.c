// SPDX-License-Identifier: MIT
/*
 * veth.c - the root uplink: a veth pair to the host, routing and NAT
 *
 * Theory of operation: for root, "--uplink veth" connects a cell with the
 * kernel's own forwarding instead of a user-mode stack.  The host end is
 * named after the cell (nc-NAME, shortened with a hash when too long), the
 * cell end is eth0; the pair gets a /24 out of 10.213.0.0/16 that neither
 * another cell nor a route of the host uses (or the --addr given), .1 on
 * the host and .2 in the cell, whose default route points at .1.  IPv4
 * forwarding is switched on, and masquerading is done in a table of
 * netcell's own, "inet netcell", whose rules carry the comment
 * "netcell:NAME": delete removes exactly the rules with its cell's comment
 * (and the table when it is empty).  Rules of other tools are never read
 * for anything but this and never changed.
 *
 * Host loopback stays closed: the cell reaches the host at .1 only for
 * services bound to all addresses.  With --host-loopback, route_localnet
 * on the host end and a DNAT of .1 to 127.0.0.1 open it.
 *
 * IPv6 is not forwarded for veth uplinks: turning on
 * net.ipv6.conf.all.forwarding makes the host ignore router advertisements
 * on every interface, which can take a SLAAC host off the network.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "kernel/incell.h"
#include "net/link.h"
#include "kernel/netlink.h"
#include "kernel/nft.h"
#include "kernel/ns.h"
#include "net/uplinkconf.h"
#include "net/veth.h"

/**
 * cidrs_add() - append a prefix to a growing list
 * @l:		list
 * @c:		prefix
 *
 * Return: 0 or -ENOMEM
 */
static int cidrs_add(struct cidrs *l, const struct cidr *c)
{
	struct cidr *v;

	if (l->n == l->cap) {
		v = realloc(l->v, (l->cap ? l->cap * 2 : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	l->v[l->n++] = *c;
	return 0;
}

/**
 * add_saved() - uplink_each_addr() callback: collect a saved prefix
 * @cell:	the cell that holds it (unused)
 * @addr:	a saved prefix
 * @arg:	struct cidrs
 *
 * Return: 0 (go on), ENOMEM (stop)
 */
static int add_saved(const char *cell, const char *addr, void *arg)
{
	struct cidr c;

	(void)cell;
	if (cidr_parse(addr, &c))
		return 0;
	return cidrs_add(arg, &c) ? ENOMEM : 0;
}

/**
 * veth_taken() - what new cell prefixes must not overlap: the host's IPv4
 * routes (default routes aside) and the prefixes of saved cells
 * @state:	state directory, NULL for the routes only
 * @l:		result, empty at first; veth_taken_free() it
 *
 * Each is read once, however many candidates are then tried.
 *
 * Return: 0 or -ENOMEM
 */
int veth_taken(const char *state, struct cidrs *l)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	char line[256], ifn[32];
	unsigned dst, gw, flags, mask;
	struct cidr r = { .family = AF_INET };

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %x %x %x %*d %*d %*d %x", ifn, &dst, &gw, &flags, &mask) != 5 || !mask)
			continue;
		memcpy(r.addr, &dst, 4);
		r.plen = __builtin_popcount(mask);
		if (cidrs_add(l, &r))
			return -ENOMEM;
	}
	return state ? -uplink_each_addr(state, add_saved, l) : 0;
}

/**
 * veth_taken_overlap() - does a prefix overlap any of a list
 * @l:		list from veth_taken()
 * @net:	prefix
 *
 * Return: 1 if so
 */
int veth_taken_overlap(const struct cidrs *l, const struct cidr *net)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cidr_overlap(&l->v[i], net))
			return 1;
	return 0;
}

/**
 * veth_taken_free() - release a list from veth_taken()
 * @l:		list
 */
void veth_taken_free(struct cidrs *l)
{
	free(l->v);
	*l = (struct cidrs){ 0 };
}

/**
 * veth_pick() - a free /24 of 10.213.0.0/16
 * @state:	state directory
 * @net:	result
 *
 * Return: 0, -ENOSPC, or -ENOMEM
 */
int veth_pick(const char *state, struct cidr *net)
{
	struct cidrs taken = { 0 };
	char s[32];
	int n, ret = veth_taken(state, &taken);

	for (n = 0; !ret && n < 256; n++) {
		snprintf(s, sizeof(s), "10.213.%d.0/24", n);
		cidr_parse(s, net);
		if (!veth_taken_overlap(&taken, net))
			break;
	}
	if (!ret && n == 256)
		ret = -ENOSPC;
	veth_taken_free(&taken);
	return ret;
}

/**
 * nat_rules() - nft commands that add (or that prepare) a cell's rules
 * @cell:	cell
 * @ifn:	host end
 * @net:	the cell's prefix
 * @host_lo:	open the host's loopback at .1
 * @buf:	output
 * @len:	size of @buf
 */
static void nat_rules(const char *cell, const char *ifn, const struct cidr *net,
		      int host_lo, char *buf, size_t len)
{
	char p[64], gw[INET_ADDRSTRLEN];
	struct cidr g;
	int off;

	cidr_format(net, p, sizeof(p));
	cidr_host(net, 1, &g);
	inet_ntop(AF_INET, g.addr, gw, sizeof(gw));
	off = snprintf(buf, len,
		"add table inet netcell\n"
		"add chain inet netcell postrouting { type nat hook postrouting priority srcnat; }\n"
		"add chain inet netcell prerouting { type nat hook prerouting priority dstnat; }\n"
		"add chain inet netcell forward { type filter hook forward priority filter; }\n"
		"add rule inet netcell postrouting ip saddr %s oifname != \"%s\" masquerade comment \"netcell:%s\"\n"
		"add rule inet netcell forward iifname \"%s\" accept comment \"netcell:%s\"\n"
		"add rule inet netcell forward oifname \"%s\" ct state established,related accept comment \"netcell:%s\"\n",
		p, ifn, cell, ifn, cell, ifn, cell);
	if (host_lo && off > 0 && (size_t)off < len)
		snprintf(buf + off, len - (size_t)off,
			 "add rule inet netcell prerouting iifname \"%s\" ip daddr %s meta l4proto { tcp, udp } dnat ip to 127.0.0.1 comment \"netcell:%s\"\n",
			 ifn, gw, cell);
}

/**
 * cell_side() - in a child in the cell: address eth0, up, default route
 * @ctx:	context
 * @netfd:	the cell's namespace
 * @net:	prefix
 *
 * Return: 0 or -errno with a message
 */
static int cell_side(struct nc_ctx *ctx, int netfd, const struct cidr *net)
{
	struct mnl_socket *nl;
	int idx;

	if (setns(netfd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "setns: %s", strerror(errno));
	nl = nl_open(ctx);
	if (!nl)
		return -EIO;
	idx = nl_end_up(ctx, nl, "eth0", net, 1, 2, 0);
	if (idx >= 0)
		idx = nl_default_via(ctx, nl, net, idx);
	mnl_socket_close(nl);
	return idx;
}

/**
 * struct cell_job - cell_side()'s arguments, for incell_fork()
 * @netfd:	the cell's namespace
 * @net:	prefix
 */
struct cell_job {
	int netfd;
	const struct cidr *net;
};

/**
 * cell_job_run() - incell_fork() callback: cell_side()
 * @ctx:	the child's context
 * @arg:	struct cell_job
 *
 * Return: what cell_side() returned
 */
static int cell_job_run(struct nc_ctx *ctx, void *arg)
{
	const struct cell_job *j = arg;

	return cell_side(ctx, j->netfd, j->net);
}

/**
 * in_cell() - run cell_side() in a child
 * @ctx:	context
 * @netfd:	the cell's namespace
 * @net:	prefix
 *
 * Return: 0 or -errno with a message
 */
static int in_cell(struct nc_ctx *ctx, int netfd, const struct cidr *net)
{
	struct cell_job j = { netfd, net };

	if (incell_fork(ctx, cell_job_run, &j))
		return ctx_wrap(ctx, -EIO, "cannot configure eth0 in the cell");
	return 0;
}

/**
 * host_side() - host end: veth pair, address, up, forwarding sysctls
 * @ctx:	context
 * @ifn:	host end's name
 * @netfd:	the cell's namespace
 * @net:	prefix
 * @host_lo:	enable route_localnet for --host-loopback
 *
 * Return: 0 or -errno with a message; the pair is removed on failure
 */
static int host_side(struct nc_ctx *ctx, const char *ifn, int netfd,
		     const struct cidr *net, int host_lo)
{
	struct mnl_socket *nl = nl_open(ctx);
	char path[128];
	struct cidr gw;
	int ret, idx;

	if (!nl)
		return -EIO;
	ret = nl_veth_add(ctx, nl, ifn, "eth0", netfd);
	if (ret) {
		mnl_socket_close(nl);
		return ctx_wrap(ctx, ret, "cannot create veth %s", ifn);
	}
	idx = (int)if_nametoindex(ifn);
	cidr_host(net, 1, &gw);
	ret = nl_addr_add(ctx, nl, idx, AF_INET, gw.addr, gw.plen);
	if (!ret)
		ret = nl_link_up(ctx, nl, idx);
	if (!ret && ns_write_file("/proc/sys/net/ipv4/ip_forward", "1"))
		ret = ctx_err(ctx, -EPERM, NC_ERR_PERM, "cannot enable net.ipv4.ip_forward");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", ifn);
	if (!ret && host_lo)
		ns_write_file(path, "1");
	if (ret)
		nl_link_del(ctx, nl, ifn);
	mnl_socket_close(nl);
	return ret;
}

/**
 * veth_up() - connect a root cell to the host with a veth pair and NAT
 * @ctx:	context
 * @cell:	cell
 * @netfd:	the cell's namespace
 * @net:	prefix for the pair
 * @host_lo:	let the cell reach the host's loopback at .1
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
int veth_up(struct nc_ctx *ctx, const char *cell, int netfd, const struct cidr *net,
	    int host_lo)
{
	char ifn[IFNAMSIZ], rules[2048], err[2048];
	int ret;

	link_ifname(cell, ifn);
	ret = host_side(ctx, ifn, netfd, net, host_lo);
	if (!ret)
		ret = in_cell(ctx, netfd, net);
	nat_rules(cell, ifn, net, host_lo, rules, sizeof(rules));
	if (!ret && nft_run_text(rules, err, sizeof(err)))
		ret = ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "cannot add the NAT rules: %s", err);
	if (ret)
		veth_down(cell);
	return ret;
}

/**
 * delete_cell_rules() - remove the rules commented "netcell:CELL"
 * @cell:	cell
 */
static void delete_cell_rules(const char *cell)
{
	_cleanup_free_ char *list = NULL;
	char tag[NC_NAME_MAX + 32], chain[64] = "", cmds[4096] = "", err[512], line[1024];
	const char *l, *h;
	size_t off = 0;
	int others = 0;

	if (nft_list_table_handles("inet", "netcell", &list))
		return;
	snprintf(tag, sizeof(tag), "comment \"netcell:%s\"", cell);
	for (l = list; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (sscanf(line, " chain %63s {", chain) == 1 || strstr(line, "type ") ||
		    !(h = strstr(line, "# handle ")) || !chain[0])
			continue;
		if (!strstr(line, tag)) {
			others += strstr(line, "comment \"netcell:") != NULL;
			continue;
		}
		if (off + 128 < sizeof(cmds))
			off += (size_t)snprintf(cmds + off, sizeof(cmds) - off,
						"delete rule inet netcell %s handle %d\n",
						chain, atoi(h + 9));
	}
	if (!others)	/* nothing of another cell left: the table goes */
		snprintf(cmds, sizeof(cmds), "delete table inet netcell\n");
	if (cmds[0])
		nft_run_text(cmds, err, sizeof(err));
}

/**
 * veth_down() - remove a root cell's veth pair and NAT rules
 * @cell:	cell
 */
void veth_down(const char *cell)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct mnl_socket *nl = nl_open(&ctx);
	char ifn[IFNAMSIZ];

	link_ifname(cell, ifn);
	if (nl) {
		nl_link_del(&ctx, nl, ifn);
		mnl_socket_close(nl);
	}
	delete_cell_rules(cell);
}
