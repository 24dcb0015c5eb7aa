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
#include "client/cellns.h"
#include "fw/fwgen.h"
#include "client/firewall.h"
#include "client/fwswitch.h"
#include "net/link.h"
#include "kernel/nldump.h"
#include "net/uplink.h"

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
 * @text:	nldump_text()'s output
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
		ret = incell_call_cell(ctx, cell, nldump_text, NULL, &text);
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
	if (info->fw_gen && !info->fw_locked) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/fw/%s", p.state, cell);
		info->fw_drifted = fw_drifted(ctx, cell, dir, info->fw_gen);
	}
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
