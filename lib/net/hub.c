// SPDX-License-Identifier: MIT
/*
 * hub.c - one pasta for all of a user's cells: the hub namespace
 *
 * Theory of operation: the keeper holds, next to the cells, a hidden network
 * namespace (the hub) to which ONE pasta is attached, as a cell would be
 * with a pasta of its own.  Each cell whose uplink is the shared pasta gets a
 * veth pair: "eth0" in the cell, "nchN" in the hub, with a /30 of
 * 10.215.0.0/16 (the hub .1, the cell .2) and a /64 of fd6e:6300:215::/48
 * (::1, ::2), default routes through the hub, MTU 65520 as pasta's tap.  The
 * hub forwards and masquerades what comes from cells (table inet
 * netcell_hub), so pasta sees one machine; cells do not reach one another
 * through it (only "netcell link" joins cells).  pasta runs with its port
 * forwarding off and --no-map-gw, so the host's loopback stays closed; cells
 * created with --host-loopback keep a pasta of their own, whose splice path
 * to the host's loopback the hub cannot offer.
 *
 * Cost: the first cell pays for starting pasta; every further cell pays for
 * a veth pair and a few addresses, a few milliseconds.  The hub is stopped
 * (pasta killed, namespace closed) when its last cell goes, so the engine
 * never outlives the cells that use it; a keeper that crashed leaves its
 * pasta, which the next keeper stops before it rebuilds the cells.
 *
 * All namespace work runs in forked children: the keeper itself must stay
 * in the host's network namespace, where its sockets and pasta's are.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "net/hub.h"
#include "kernel/incell.h"
#include "kernel/netlink.h"
#include "kernel/nft.h"
#include "kernel/ns.h"
#include "net/uplink.h"
#include "net/veth.h"

#define HUB_MTU		65520
#define HUB_SLOTS	16384	/* /30s in 10.215.0.0/16 */

static const char hub_rules[] =
	"table inet netcell_hub {\n"
	"  chain forward {\n"
	"    type filter hook forward priority 0; policy accept;\n"
	"    iifname \"nch*\" oifname \"nch*\" drop\n"
	"  }\n"
	"  chain postrouting {\n"
	"    type nat hook postrouting priority 100;\n"
	"    ip saddr 10.215.0.0/16 oifname != \"nch*\" masquerade\n"
	"    ip6 saddr fd6e:6300:215::/48 oifname != \"nch*\" masquerade\n"
	"  }\n"
	"}\n";

/**
 * hub_slot() - the slot number of a cell's hub prefix
 * @addr:	"10.215.X.Y/30"
 *
 * Return: 1..HUB_SLOTS-1, or 0 when @addr is not a hub prefix
 */
static unsigned hub_slot(const char *addr)
{
	unsigned x, y, plen;

	if (sscanf(addr, "10.215.%u.%u/%u", &x, &y, &plen) != 3 || x > 255 ||
	    y > 255 || plen != 30 || (y & 3))
		return 0;
	return (x << 6) | (y >> 2);
}

/**
 * slot_ifname() - the hub's interface of a slot: nchSLOT
 * @slot:	slot
 * @ifn:	output
 */
static void slot_ifname(unsigned slot, char ifn[IFNAMSIZ])
{
	snprintf(ifn, IFNAMSIZ, "nch%u", slot);
}

/**
 * slot_prefixes() - the IPv4 and IPv6 prefixes and hub interface of a slot
 * @slot:	slot
 * @v4:		10.215.X.Y/30
 * @v6:		fd6e:6300:215:SLOT::/64
 * @ifn:	nchSLOT
 */
static void slot_prefixes(unsigned slot, struct cidr *v4, struct cidr *v6,
			  char ifn[IFNAMSIZ])
{
	char s[64];

	snprintf(s, sizeof(s), "10.215.%u.%u/30", slot >> 6, (slot & 63) << 2);
	cidr_parse(s, v4);
	snprintf(s, sizeof(s), "fd6e:6300:215:%x::/64", slot);
	cidr_parse(s, v6);
	slot_ifname(slot, ifn);
}

/**
 * mark_used() - uplink_each_addr() callback: mark a saved hub prefix
 * @cell:	the cell that holds it (unused)
 * @addr:	a saved prefix
 * @arg:	the slot table
 *
 * Return: 0 (go on)
 */
static int mark_used(const char *cell, const char *addr, void *arg)
{
	(void)cell;
	((unsigned char *)arg)[hub_slot(addr)] = 1;
	return 0;
}

/**
 * hub_pick() - a free /30 for a new hub cell
 * @state:	state directory
 * @addr:	result, "10.215.X.Y/30"
 * @len:	size of @addr
 *
 * Free means: no saved cell uses it, and no route of the host overlaps it
 * (pasta copies the host's routes into the hub).  The search starts after
 * the slot picked last, so a slot is not reused at once: the hub end of a
 * deleted cell's pair is removed in the background (hub_detach()).
 *
 * Return: 0, -ENOSPC, or -ENOMEM
 */
int hub_pick(const char *state, char *addr, size_t len)
{
	_cleanup_free_ unsigned char *used = calloc(HUB_SLOTS, 1);
	struct cidrs routes = { 0 };
	static unsigned last;
	char ifn[IFNAMSIZ];
	struct cidr v4, v6;
	unsigned s, i;
	int ret = -ENOSPC;

	if (!used || veth_taken(NULL, &routes)) {
		veth_taken_free(&routes);
		return -ENOMEM;
	}
	uplink_each_addr(state, mark_used, used);
	for (i = 1; i < HUB_SLOTS; i++) {
		s = (last + i) % HUB_SLOTS;
		if (!s || used[s])
			continue;
		slot_prefixes(s, &v4, &v6, ifn);
		if (veth_taken_overlap(&routes, &v4))
			continue;
		cidr_format(&v4, addr, len);
		last = s;
		ret = 0;
		break;
	}
	veth_taken_free(&routes);
	return ret;
}

/**
 * prepare() - in the hub: forwarding on, NAT and isolation rules
 * @ctx:	context
 * @arg:	pointer to the hub's namespace descriptor
 *
 * Return: 0 or -errno with a message
 */
static int prepare(struct nc_ctx *ctx, void *arg)
{
	char err[1024];

	if (setns(*(int *)arg, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the hub: %s", strerror(errno));
	if (ns_write_file("/proc/sys/net/ipv4/ip_forward", "1") ||
	    ns_write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1"))
		return ctx_err(ctx, -EPERM, NC_ERR_FAILED, "cannot enable forwarding in the hub");
	if (nft_run_text(hub_rules, err, sizeof(err)))
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "cannot add the hub's NAT rules: %s", err);
	return 0;
}

/**
 * hub_stop() - stop the hub: its pasta, its namespace, its files
 * @state:	state directory
 * @hubfd:	the hub's namespace, -1 when none; set to -1
 */
void hub_stop(const char *state, int *hubfd)
{
	uplink_stop(state, HUB_NAME, 1);
	if (*hubfd >= 0)
		close(*hubfd);
	*hubfd = -1;
}

/**
 * hub_start() - make the hub and attach pasta to it
 * @ctx:	context
 * @state:	state directory
 * @hubfd:	result: the hub's namespace
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
int hub_start(struct nc_ctx *ctx, const char *state, int *hubfd)
{
	struct uplink u = { .engine = "pasta" };
	char err[1024];
	int fd, ret;

	hub_stop(state, hubfd);
	ret = ns_new_net(ctx, NULL, &fd);
	if (ret)
		return ret;
	ret = incell_fork(ctx, prepare, &fd);
	if (!ret && uplink_spawn(state, HUB_NAME, fd, &u, err, sizeof(err)))
		ret = ctx_err(ctx, -EIO, NC_ERR_FAILED, "pasta did not start for the cells' hub: %s",
			      err[0] ? err : "it failed");
	if (ret) {
		hub_stop(state, &fd);
		return ret;
	}
	*hubfd = fd;
	return 0;
}

/**
 * struct attach_job - what attach() needs
 * @hubfd:	hub namespace
 * @cellfd:	cell namespace
 * @slot:	the cell's slot
 */
struct attach_job {
	int hubfd;
	int cellfd;
	unsigned slot;
};

/**
 * attach() - in a child: the veth pair between hub and cell, addressed and
 * routed
 * @ctx:	context
 * @arg:	struct attach_job
 *
 * Return: 0 or -errno with a message; the pair is removed on failure
 */
static int attach(struct nc_ctx *ctx, void *arg)
{
	const struct attach_job *j = arg;
	struct mnl_socket *nl, *cl;
	char ifn[IFNAMSIZ];
	struct cidr v4, v6, nets[2];
	int ret, idx = 0, tries;

	slot_prefixes(j->slot, &v4, &v6, ifn);
	if (setns(j->cellfd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the cell: %s", strerror(errno));
	cl = nl_open(ctx);
	if (!cl)
		return -EIO;
	/* a root cell kept its namespace over a keeper crash: its eth0 is
	 * the old hub's pair.  It goes when the old hub's namespace is
	 * dismantled, soon after its pasta stopped; deleting it here saves
	 * the wait unless that dismantling already holds it (then EEXIST
	 * below, for a few milliseconds) */
	nl_link_del(ctx, cl, "eth0");
	if (setns(j->hubfd, CLONE_NEWNET)) {
		mnl_socket_close(cl);
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the hub: %s", strerror(errno));
	}
	nl = nl_open(ctx);
	if (!nl) {
		mnl_socket_close(cl);
		return -EIO;
	}
	nl_link_del(ctx, nl, ifn);	/* left by a cell that is gone */
	for (tries = 0; tries < 150; tries++) {
		ret = nl_veth_add(ctx, nl, ifn, "eth0", j->cellfd);
		if (ret != -EEXIST)
			break;
		usleep(20000);
	}
	if (ret) {
		mnl_socket_close(cl);
		mnl_socket_close(nl);
		return ctx_wrap(ctx, ret, "cannot create the veth pair %s/eth0 between hub and cell", ifn);
	}
	nets[0] = v4;
	nets[1] = v6;
	ret = nl_end_up(ctx, nl, ifn, nets, 2, 1, HUB_MTU);
	/* back in the cell: end_up() finds "eth0" by name in this thread's
	 * namespace */
	if (ret >= 0 && setns(j->cellfd, CLONE_NEWNET))
		ret = ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the cell: %s", strerror(errno));
	if (ret >= 0)
		ret = idx = nl_end_up(ctx, cl, "eth0", nets, 2, 2, HUB_MTU);
	if (ret >= 0)
		ret = nl_default_via(ctx, cl, &v4, idx);
	if (!ret)
		ret = nl_default_via(ctx, cl, &v6, idx);
	mnl_socket_close(cl);
	if (ret) {
		/* the socket still speaks to the hub */
		nl_link_del(ctx, nl, ifn);
	}
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

/**
 * hub_attach() - connect a cell to the hub
 * @ctx:	context
 * @hubfd:	hub namespace
 * @cellfd:	cell namespace
 * @addr:	the cell's prefix from hub_pick()
 *
 * Return: 0 or -errno with a message
 */
int hub_attach(struct nc_ctx *ctx, int hubfd, int cellfd, const char *addr)
{
	struct attach_job j = { hubfd, cellfd, hub_slot(addr) };

	if (!j.slot)
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED, "hub: \"%s\" is not a hub prefix", addr);
	return incell_fork(ctx, attach, &j);
}

/**
 * detach() - in a child: remove the hub's end of a cell's pair
 * @ctx:	context
 * @arg:	struct attach_job
 *
 * Return: 0 or -errno
 */
static int detach(struct nc_ctx *ctx, void *arg)
{
	const struct attach_job *j = arg;
	struct mnl_socket *nl;
	char ifn[IFNAMSIZ];
	int ret;

	slot_ifname(j->slot, ifn);
	if (setns(j->hubfd, CLONE_NEWNET))
		return -errno;
	nl = nl_open(ctx);
	if (!nl)
		return -EIO;
	ret = nl_link_del(ctx, nl, ifn);
	mnl_socket_close(nl);
	return ret == -ENODEV ? 0 : ret;
}

/**
 * hub_detach() - disconnect a cell from the hub (processes still in the cell
 * would otherwise keep the pair), in the background: removing a veth waits
 * for the kernel's RCU grace periods, tens of milliseconds that "delete"
 * need not wait for
 * @hubfd:	hub namespace
 * @addr:	the cell's prefix
 */
void hub_detach(int hubfd, const char *addr)
{
	struct nc_ctx c = { .kfd = -1 };
	struct attach_job j = { hubfd, -1, hub_slot(addr) };
	pid_t pid;

	if (hubfd < 0 || !j.slot)
		return;
	pid = fork();
	if (pid == 0) {
		/* the grandchild does the work; init reaps it.  It keeps no
		 * descriptor of the keeper but the hub's: a cell's namespace
		 * held here would keep that cell's links alive */
		if (fork() == 0) {
			if (dup2(hubfd, 0) < 0)
				_exit(1);
			close_range(1, ~0U, 0);
			j.hubfd = 0;
			_exit(detach(&c, &j) ? 1 : 0);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}
