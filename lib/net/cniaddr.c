// SPDX-License-Identifier: MIT
/*
 * cniaddr.c - the CNI plugin's addresses and routes in the container:
 * made, and checked as made
 *
 * Theory of operation: cninet.c makes the links (bridge, veth pair) and,
 * from inside the container's namespace, calls here for what goes on the
 * container's end: each address IPAM gave, each route (via its own
 * gateway, else that of the first address of its family).  CHECK reads the
 * namespace back as text (nldump_text(), the lines "ip" would show) and
 * looks for each address and route line for line.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "kernel/netlink.h"
#include "kernel/nldump.h"
#include "net/cninet.h"

/* metrics tried after the default one for a route whose destination is
 * taken in the container: one per network a container may join */
#define ROUTE_TRIES 32

/**
 * route_gw() - the gateway of a route: its own, else that of the first
 * address of its family
 * @l:		attachment
 * @r:		route
 *
 * Return: gateway bytes, or NULL for a link route
 */
static const unsigned char *route_gw(const struct cni_link *l, const struct cni_route *r)
{
	int i;

	if (r->has_gw)
		return r->gw;
	for (i = 0; i < l->nips; i++)
		if (l->ips[i].addr.family == r->dst.family && l->ips[i].has_gw)
			return l->ips[i].gw;
	return NULL;
}

/**
 * cniaddr_add() - the container end's addresses and routes
 * @ctx:	context
 * @nl:		socket in the container's namespace
 * @idx:	the container end, up
 * @l:		attachment
 *
 * Return: 0 or -errno with the kernel's message
 */
int cniaddr_add(struct nc_ctx *ctx, struct mnl_socket *nl, int idx, const struct cni_link *l)
{
	int ret = 0, i;

	for (i = 0; !ret && i < l->nips; i++)
		ret = nl_addr_add(ctx, nl, idx, l->ips[i].addr.family, l->ips[i].addr.addr,
				  l->ips[i].addr.plen);
	for (i = 0; !ret && i < l->nroutes; i++) {
		const struct cni_route *r = &l->routes[i];
		unsigned base = r->dst.family == AF_INET6 ? 1024 : 0, k;

		/* a route to that destination exists: another network of the
		 * container has its default route there already (podman
		 * --network a,b).  It stays first; ours comes after it, so the
		 * container keeps a way out when that network goes */
		ret = nl_route_add(ctx, nl, r->dst.family, r->dst.addr, r->dst.plen,
				   route_gw(l, r), idx, 0);
		for (k = 1; ret == -EEXIST && k <= ROUTE_TRIES; k++)
			ret = nl_route_add(ctx, nl, r->dst.family, r->dst.addr, r->dst.plen,
					   route_gw(l, r), idx, base + k);
	}
	return ret;
}

/**
 * has_line() - does a netinfo_dump() text hold a line
 * @text:	dump
 * @line:	the whole line, without its newline
 *
 * Return: 1 if so
 */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
	return 0;
}

/**
 * cniaddr_check() - in the container: each address and route as made
 * @ctx:	context
 * @l:		attachment as recorded
 *
 * Called in the container's namespace.
 *
 * Return: 0 or -errno with what is missing
 */
int cniaddr_check(struct nc_ctx *ctx, const struct cni_link *l)
{
	char dump[16384], want[256], a[64], gw[INET6_ADDRSTRLEN];
	const unsigned char *g;
	int i;

	if (nldump_text(NULL, dump, sizeof(dump)))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "%s", dump);
	for (i = 0; i < l->nips; i++) {
		cidr_format(&l->ips[i].addr, a, sizeof(a));
		snprintf(want, sizeof(want), "A\t%s\t%s", l->ifname, a);
		if (!has_line(dump, want))
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
				       "address %s is missing on %s in the container", a, l->ifname);
	}
	for (i = 0; i < l->nroutes; i++) {
		g = route_gw(l, &l->routes[i]);
		if (l->routes[i].dst.plen)
			cidr_format(&l->routes[i].dst, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "default");
		if (!g || !inet_ntop(l->routes[i].dst.family, g, gw, sizeof(gw)))
			gw[0] = '\0';
		snprintf(want, sizeof(want), "R\t%s\t%s\t%s", a, gw, l->ifname);
		if (!has_line(dump, want))
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
				       "route %s%s%s is missing in the container", a,
				       gw[0] ? " via " : "", gw);
	}
	return 0;
}

