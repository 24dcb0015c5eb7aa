// SPDX-License-Identifier: MIT
/*
 * adopt.c - nc_adopt(): a network namespace another program made, held by
 * root's keeper as a cell (see kadopt.c), so that netcell's firewall,
 * inspect and exec work on it; the CNI plugin adopts each container's
 * namespace that has a firewall
 */
#include <stdio.h>
#include <string.h>
#include "base/ctx.h"
#include "client/client.h"

/**
 * nc_adopt() - hold an existing network namespace as a root cell
 * @ctx:	context
 * @name:	cell name
 * @netns:	absolute path of the namespace file (/run/netns/X,
 *		/proc/PID/ns/net) in the host's mount namespace
 *
 * nc_delete() of the cell removes netcell's binding and state only: the
 * namespace lives on while its owner holds it.
 *
 * Return: 0, or -errno with a message (-EEXIST: the name is taken, or the
 * namespace is a cell already; -EPERM: not root)
 */
int nc_adopt(struct nc_ctx *ctx, const char *name, const char *netns)
{
	char req[NC_NAME_MAX + 4200];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	if (netns[0] != '/' || strchr(netns, '\t') || strchr(netns, '\n') || strlen(netns) >= 4096)
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "\"%s\" is not an absolute path of a network namespace", netns);
	snprintf(req, sizeof(req), "ADOPT\t%s\t%s", name, netns);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}
