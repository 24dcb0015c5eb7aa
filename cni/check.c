// SPDX-License-Identifier: MIT
/*
 * check.c - CHECK: what ADD recorded compared with what is there (links,
 * addresses, routes, the table's rules and entries, the firewall in force,
 * ports waited for published by another network of the container), and
 * IPAM's own CHECK
 */
#include <string.h>
#include "cni.h"

/**
 * waits_ok() - is each port an attachment waits for published by another
 * attachment of its container
 * @env:	container id and interface
 * @net:	network
 * @w:		the ports it waits for
 * @e:		error
 *
 * Return: 0 or -1 (code 104)
 */
static int waits_ok(const struct cni_env *env, const char *net, const struct cni_share *w,
		    struct cni_err *e)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (!cni_state_sibling(env, net, &w->ports[i], 0, NULL, 0, NULL))
			return cni_error(e, CNI_E_DRIFT, NULL,
					 "netcell: the container's network changed: host port %s/%u is published by none of its networks",
					 w->ports[i].proto, w->ports[i].host_port);
	return 0;
}

/**
 * cni_cmd_check() - CHECK: links, entries and firewall as recorded, and IPAM's
 * check
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1 (code 104 with the first difference)
 */
int cni_cmd_check(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct json_object *r;
	struct nc_cni_attach a;
	struct cni_share w;
	int ret = -1;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	if (!strncmp(c->version, "0.3.", 4))
		cni_error(e, CNI_E_VERSION, NULL, "CHECK needs cniVersion 0.4.0 or later, not %s", c->version);
	else if (cni_state_load(c->name, env, &a, netns, sizeof(netns), cell, sizeof(cell), &w))
		cni_error(e, CNI_E_CONTAINER, NULL,
			  "netcell: container \"%s\" has no %s on network \"%s\" (no ADD, or DEL done)",
			  env->id, env->ifname, c->name);
	else if (c->ipam[0] && cni_ipam(c, env, in, &r, e))
		;
	else if (nc_cni_check(ctx, &a, env->netns))
		cni_lib_error(e, CNI_E_DRIFT, ctx, "netcell: the container's network changed");
	else if (cell[0] && cni_fw_check(cell, e))
		;
	else if (waits_ok(env, c->name, &w, e))
		;
	else
		ret = 0;
	nc_ctx_free(ctx);
	return ret;
}
