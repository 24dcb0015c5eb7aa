// SPDX-License-Identifier: MIT
/*
 * firewall.c - a container's firewall, as a netcell generation
 *
 * Theory of operation: the container's namespace is handed to root's
 * keeper as a cell named "cni-" and the first 12 characters of the
 * container id (nc_adopt()), and the file is applied to that cell with
 * nc_fw_apply(): netcell's one firewall code does the rest (one
 * transaction, the generation kept, "netcell fw history cni-ID" and
 * "fw rollback" work).  DEL deletes the cell, which removes netcell's
 * binding and history but not the namespace, which is the runtime's.
 */
#include <stdio.h>
#include <string.h>
#include "cni.h"

/**
 * cni_fw_cell_name() - the cell of a container's firewall: "cni-" and the
 * first 12 characters of its id
 * @id:		container id
 * @cell:	output
 * @len:	size of @cell (NC_NAME_MAX + 1)
 */
void cni_fw_cell_name(const char *id, char *cell, size_t len)
{
	snprintf(cell, len, "cni-%.12s", id);
}

/**
 * cni_fw_apply() - adopt the container's namespace, apply the file
 * @env:	CNI_CONTAINERID, CNI_NETNS
 * @file:	nft or iptables-save file
 * @cell:	output: the cell's name
 * @len:	size of @cell
 * @e:		error
 *
 * Return: 0 or -1; no cell is left on failure
 */
int cni_fw_apply(const struct cni_env *env, const char *file, char *cell, size_t len,
		 struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	unsigned gen;
	int ret;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	cni_fw_cell_name(env->id, cell, len);
	ret = nc_adopt(ctx, cell, env->netns);
	if (ret) {
		cni_error(e, CNI_E_NETCELL, NULL, "netcell: cannot hold the container's namespace as cell \"%s\": %s",
			  cell, nc_errmsg(ctx));
		cell[0] = '\0';
		nc_ctx_free(ctx);
		return -1;
	}
	ret = nc_fw_apply(ctx, cell, file, NC_FW_AUTO, 0, &gen);
	if (ret) {
		cni_error(e, CNI_E_FIREWALL, NULL, "netcell: firewall \"%s\" of the container: %s",
			  file, nc_errmsg(ctx));
		nc_delete(ctx, cell);
		cell[0] = '\0';
	}
	nc_ctx_free(ctx);
	return ret ? -1 : 0;
}

/**
 * cni_fw_forget() - delete the container's cell (not its namespace)
 * @cell:	cell name
 */
void cni_fw_forget(const char *cell)
{
	struct nc_ctx *ctx = nc_ctx_new();

	if (ctx)
		nc_delete(ctx, cell);	/* gone already is fine */
	nc_ctx_free(ctx);
}

/**
 * cni_fw_check() - is the container's cell there with a generation in force
 * @cell:	cell name
 * @e:		error
 *
 * Return: 0 or -1 (code 104)
 */
int cni_fw_check(const char *cell, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	struct nc_fw_gen *g = NULL;
	size_t n = 0, i;
	int ret, cur = 0;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	ret = nc_fw_history(ctx, cell, &g, &n);
	for (i = 0; !ret && i < n; i++)
		cur |= g[i].current && !g[i].locked;
	if (ret)
		cni_error(e, CNI_E_DRIFT, NULL, "netcell: the container's firewall cell \"%s\": %s", cell,
			  nc_errmsg(ctx));
	else if (!cur)
		cni_error(e, CNI_E_DRIFT, NULL,
			  "netcell: the container's firewall is not in force (see 'netcell fw history %s')", cell);
	free(g);
	nc_ctx_free(ctx);
	return ret || !cur ? -1 : 0;
}
