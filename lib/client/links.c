// SPDX-License-Identifier: MIT
/*
 * links.c - nc_link() and nc_unlink(): the client's side of links
 *
 * Theory of operation: the arguments are checked here (two different
 * valid cell names, a prefix with room for two hosts, or two valid
 * interface names for a named link), then the keeper is
 * asked to make or remove the link (LINK / UNLINK): it holds both cells'
 * namespaces, saves the link and rebuilds it after a restart
 * (net/link.c), and a client holds no lock the keeper needs meanwhile.
 */
#include <stdio.h>
#include <string.h>
#include "base/cidr.h"
#include "client/client.h"
#include "net/link.h"

/**
 * nc_link() - connect two cells with a veth pair
 * @ctx:	context
 * @a:		cell (gets the subnet's first host)
 * @b:		cell (gets the second)
 * @subnet:	CIDR, or NULL for the first free 10.214.N.0/24
 *
 * The keeper makes the link (link_add()): a client holds no lock the
 * keeper needs while it waits for the keeper.
 *
 * Return: 0 or -errno with a message (NC_ERR_EXISTS when already linked)
 */
int nc_link(struct nc_ctx *ctx, const char *a, const char *b, const char *subnet)
{
	char req[2 * NC_NAME_MAX + 160];
	struct cidr net;
	int ret = link_check_args(ctx, a, b, subnet, &net);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "LINK\t%s\t%s\t%s", a, b, subnet ? subnet : "");
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_link_named() - connect two cells with a veth pair whose ends the caller
 * names, without addresses (labs address them themselves)
 * @ctx:	context
 * @a:		cell
 * @ifa:	the end in @a, up to 15 characters
 * @b:		the other cell
 * @ifb:	the end in @b
 *
 * Saved like any link, so a keeper that rebuilds the cells makes it again
 * with the same names; removed with nc_unlink().
 *
 * Return: 0 or -errno with a message (NC_ERR_EXISTS when already linked)
 */
int nc_link_named(struct nc_ctx *ctx, const char *a, const char *ifa, const char *b,
		  const char *ifb)
{
	char req[2 * NC_NAME_MAX + 2 * IFNAMSIZ + 32];
	struct cidr unused;
	int ret = link_check_args(ctx, a, b, NULL, &unused);

	if (ret)
		return ret;
	if (!link_ifname_ok(ifa) || !link_ifname_ok(ifb))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid interface name \"%s\" or \"%s\": 1 to 15 characters, no '/', ':' or blanks",
			       ifa, ifb);
	snprintf(req, sizeof(req), "LINK\t%s\t%s\t\t%s\t%s", a, b, ifa, ifb);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_unlink() - remove the link between two cells
 * @ctx:	context
 * @a:		cell
 * @b:		cell
 *
 * Return: 0 or -errno with a message
 */
int nc_unlink(struct nc_ctx *ctx, const char *a, const char *b)
{
	char req[2 * NC_NAME_MAX + 32];
	struct cidr unused;
	int ret = link_check_args(ctx, a, b, NULL, &unused);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "UNLINK\t%s\t%s", a, b);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}
