// SPDX-License-Identifier: MIT
/*
 * uplinkup.c - nc_uplink_up(): give a cell its uplink
 *
 * Theory of operation: the caller (create, or a later `uplink`) names the
 * engine.  The settings are saved first (net/uplinkconf.c), then: pasta
 * without --host-loopback asks the keeper to put the cell on the user's
 * hub ("HUB CELL", net/hub.c); pasta with it, and slirp4netns, start one
 * engine for the cell here, in a child that joins the cell's user
 * namespace (net/uplink.c); root's veth uplink makes the pair and NAT
 * (net/veth.c); none writes only the cell's resolv.conf.  A failure stops
 * what was started and forgets the settings.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/diag.h"
#include "client/client.h"
#include "kernel/incell.h"
#include "net/uplink.h"
#include "net/veth.h"

/**
 * struct spawn_job - spawn_one()'s arguments
 * @p:		paths
 * @cell:	cell
 * @u:		settings
 * @fds:	the cell's user (rootless) and network namespaces
 * @nfds:	how many of @fds
 */
struct spawn_job {
	const struct nc_paths *p;
	const char *cell;
	const struct uplink *u;
	int fds[2];
	int nfds;
};

/**
 * spawn_one() - in a child: join the cell's user namespace, start the engine
 * @ctx:	context
 * @arg:	struct spawn_job
 *
 * Return: 0 or -errno with the engine's complaint
 */
static int spawn_one(struct nc_ctx *ctx, void *arg)
{
	const struct spawn_job *j = arg;
	char err[1024] = "";
	int ret;

	if (j->nfds == 2 && setns(j->fds[0], CLONE_NEWUSER))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot join the cell's user namespace: %s",
			       strerror(errno));
	ret = uplink_spawn(j->p->state, j->cell, j->fds[j->nfds - 1], j->u, err, sizeof(err));
	return ret ? ctx_err(ctx, ret < 0 ? ret : -EIO, NC_ERR_FAILED, "%s", err[0] ? err : "it failed") : 0;
}

/**
 * spawn_in_child() - start a cell's own uplink engine from a child in the
 * hub user namespace
 * @ctx:	context
 * @p:		paths
 * @cell:	cell
 * @u:		settings
 *
 * Return: 0 or -errno with a message
 */
static int spawn_in_child(struct nc_ctx *ctx, const struct nc_paths *p, const char *cell,
			  const struct uplink *u)
{
	struct spawn_job j = { p, cell, u, { -1, -1 }, 2 };
	struct nc_cell_info info;
	struct nc_ctx c = { .kfd = -1 };
	int ret = cell_get(ctx, cell, &info, j.fds, &j.nfds);

	if (ret)
		return ret;
	ret = incell_fork(&c, spawn_one, &j);
	while (j.nfds-- > 0)
		close(j.fds[j.nfds]);
	if (ret)
		return diag_uplink_failure(ctx, u->engine, cell, c.msg);
	ret = uplink_write_resolv(p, cell, u);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot write the resolv.conf of cell \"%s\": %s",
			       cell, strerror(-ret));
	return 0;
}

/**
 * veth_uplink() - root: a veth pair and NAT, with the prefix saved first
 * @ctx:	context
 * @cell:	cell
 * @u:		settings; @u->addr chosen when empty
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
static int veth_uplink(struct nc_ctx *ctx, const char *cell, struct uplink *u)
{
	char other[NC_NAME_MAX + 1 + 64];
	struct nc_cell_info info;
	struct nc_paths p;
	struct cidr net, h;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	if (getuid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "--uplink veth needs root (it adds a veth and NAT rules to the host); use --uplink pasta");
	if (u->addr[0] && (cidr_parse(u->addr, &net) || net.family != AF_INET || cidr_host(&net, 2, &h)))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid --addr \"%s\" for a veth uplink: give an IPv4 prefix with room for two hosts, such as 10.213.7.0/24",
			       u->addr);
	ret = paths_get(ctx, &p);
	if (!ret && u->addr[0] && uplink_addr_holder(p.state, &net, other, sizeof(other)))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "--addr %s overlaps %s, the prefix of cell \"%s\"; give another prefix or leave --addr out for a free one",
			       u->addr, other + strlen(other) + 1, other);
	if (!ret && !u->addr[0])
		ret = veth_pick(p.state, &net);
	if (ret == -ENOSPC)
		ret = ctx_err(ctx, ret, NC_ERR_FAILED, "no free /24 left in 10.213.0.0/16; give --addr");
	else if (ret == -ENOMEM)
		ret = ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory");
	if (ret)
		return ret;
	cidr_format(&net, u->addr, sizeof(u->addr));
	ret = uplink_save(p.state, cell, u);
	if (!ret)
		ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (!ret)
		ret = veth_up(ctx, cell, fds[nfds - 1], &net, u->host_loopback);
	if (!ret)
		ret = uplink_write_resolv(&p, cell, u);
	while (nfds-- > 0 && fds[0] >= 0)
		close(fds[nfds]);
	if (ret) {
		char path[PATH_MAX];

		unlink(uplink_path(p.state, cell, "conf", path, sizeof(path)));
	}
	return ret;
}

/**
 * uplink_addr_ok() - is @s an IPv4 or IPv6 address
 * @s:		text
 *
 * Return: true if so
 */
static bool uplink_addr_ok(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/**
 * uplink_none() - --uplink none: no engine; --dns is still honoured (the
 * resolver may be reached over a link), --host-loopback refused
 * @ctx:	context
 * @cell:	cell
 * @u:		settings, engine "none"
 *
 * Both were once accepted and silently ignored.
 *
 * Return: 0 or -errno with a message
 */
static int uplink_none(struct nc_ctx *ctx, const char *cell, struct uplink *u)
{
	struct nc_paths p;
	int ret;

	if (u->host_loopback)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--host-loopback needs an uplink and cell \"%s\" has none; use --uplink pasta, slirp4netns or veth (root)",
			       cell);
	if (!u->dns[0])
		return 0;
	ret = paths_get(ctx, &p);
	if (ret)
		return ret;
	ret = uplink_save(p.state, cell, u);
	if (!ret)
		ret = uplink_write_resolv(&p, cell, u);
	if (ret) {
		uplink_stop(p.state, cell, 1);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot save the resolver of cell \"%s\": %s",
			       cell, strerror(-ret));
	}
	return 0;
}

/**
 * nc_uplink_up() - give a cell its uplink
 * @ctx:	context
 * @cell:	cell name
 * @engine:	"pasta", "slirp4netns", "none", or NULL for the default
 * @host_loopback: 1 to let the cell reach the host's loopback services at
 *		its gateway address
 * @dns:	resolver address for the cell, or NULL
 * @addr:	--uplink veth: the pair's IPv4 prefix, or NULL for a free /24
 *
 * Return: 0 or -errno with a message (NC_ERR_PERM with the package to
 * install when the engine is missing)
 */
int nc_uplink_up(struct nc_ctx *ctx, const char *cell, const char *engine,
		 int host_loopback, const char *dns, const char *addr)
{
	struct uplink u = { .host_loopback = host_loopback };
	struct nc_paths p;
	int ret;

	snprintf(u.engine, sizeof(u.engine), "%s", engine ? engine : uplink_default());
	snprintf(u.dns, sizeof(u.dns), "%s", dns ? dns : "");
	snprintf(u.addr, sizeof(u.addr), "%s", addr ? addr : "");
	if (u.addr[0] && strcmp(u.engine, "veth"))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--addr sets the prefix of a veth uplink (root, --uplink veth); pasta and slirp4netns copy the host's addresses");
	if (u.dns[0] && !uplink_addr_ok(u.dns))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "--dns takes the resolver's IPv4 or IPv6 address, not \"%s\"", u.dns);
	if (!strcmp(u.engine, "none"))
		return uplink_none(ctx, cell, &u);
	if (!strcmp(u.engine, "veth"))
		return veth_uplink(ctx, cell, &u);
	if (strcmp(u.engine, "pasta") && strcmp(u.engine, "slirp4netns"))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "unknown uplink \"%s\"; use pasta, slirp4netns, veth (root) or none",
			       u.engine);
	if (!uplink_in_path(u.engine))
		return ctx_err(ctx, -ENOENT, NC_ERR_PERM,
			       "uplink %s is not installed; run 'apt-get install %s' or use --uplink none",
			       u.engine, strcmp(u.engine, "pasta") ? "slirp4netns" : "passt");
	ret = paths_get(ctx, &p);
	/* pasta without the host's loopback: the user's shared hub (hub.c) */
	u.hub = !strcmp(u.engine, "pasta") && !u.host_loopback;
	if (!ret)
		ret = uplink_save(p.state, cell, &u);
	if (!ret && u.hub) {
		char req[NC_NAME_MAX + 16];

		snprintf(req, sizeof(req), "HUB\t%s", cell);
		ret = client_call(ctx, req, NULL, 0, NULL, NULL);
		/* the keeper sees /dev/net/tun from the hub's user namespace,
		 * where its owner is unmapped: say it again as the host sees it */
		if (ret && nc_errkind(ctx) == NC_ERR_PERM && strstr(nc_errmsg(ctx), "/dev/net/tun") &&
		    diag_tun(&(struct diag_finding){ 0 }))
			ret = diag_uplink_failure(ctx, "pasta", cell, "");
	} else if (!ret) {
		ret = spawn_in_child(ctx, &p, cell, &u);
	}
	if (ret)
		uplink_stop(p.state, cell, 1);
	return ret;
}
