// SPDX-License-Identifier: MIT
/*
 * cell.c - the public cell operations
 *
 * Theory of operation: every operation that changes or reads the set of
 * cells is a request to the user's keeper (client.c), which owns the
 * namespaces and the saved configuration.  This file checks arguments
 * before anything is sent, so a usage error never starts a keeper, and
 * turns the keeper's records into struct nc_cell_info.
 */
#include <stdio.h>
#include <string.h>
#include "client.h"
#include "proto.h"

/**
 * parse_record() - one record of a GET or LIST reply
 * @line:	record text, modified
 * @info:	result
 *
 * Return: 0 or -EPROTO
 */
static int parse_record(char *line, struct nc_cell_info *info)
{
	char *f[7];

	if (proto_split(line, f, 7) != 7)
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", f[0]);
	info->rootless = atoi(f[1]);
	info->ephemeral = atoi(f[2]);
	info->created = strtoll(f[3], NULL, 10);
	info->keeper = (pid_t)atoi(f[4]);
	snprintf(info->netns, sizeof(info->netns), "%s", f[5]);
	f[6][strcspn(f[6], "\n")] = '\0';
	snprintf(info->userns, sizeof(info->userns), "%s", f[6]);
	return 0;
}

/**
 * nc_create() - create a cell
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_CREATE_EPHEMERAL to bind the cell to @ctx's lifetime
 *
 * Return: 0, or -errno (-EINVAL bad name, -EEXIST exists) with a message
 */
int nc_create(struct nc_ctx *ctx, const char *name, unsigned flags)
{
	char req[NC_NAME_MAX + 32];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "CREATE\t%s\t%u", name, flags);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * nc_delete() - delete a cell and everything it made
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0, or -errno (-ENOENT no such cell) with a message
 */
int nc_delete(struct nc_ctx *ctx, const char *name)
{
	char req[NC_NAME_MAX + 32];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "DELETE\t%s", name);
	return client_call(ctx, req, NULL, 0, NULL, NULL);
}

/**
 * cell_get() - a cell's record and its namespace descriptors
 * @ctx:	context
 * @name:	cell name
 * @info:	result
 * @fds:	[userns, netns] for rootless cells, [netns] for root cells
 * @nfds:	in: room (at least 2); out: how many came
 *
 * Return: 0 or -errno with a message
 */
int cell_get(struct nc_ctx *ctx, const char *name, struct nc_cell_info *info,
	     int *fds, int *nfds)
{
	char req[NC_NAME_MAX + 32], rep[1024];
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	snprintf(req, sizeof(req), "GET\t%s", name);
	ret = client_call(ctx, req, rep, sizeof(rep), fds, nfds);
	if (ret)
		return ret;
	if (parse_record(rep, info))
		return ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
			       "malformed reply from the keeper");
	return 0;
}

/**
 * nc_inspect() - what is known about one cell
 * @ctx:	context
 * @name:	cell name
 * @info:	result
 *
 * Return: 0 or -errno with a message
 */
int nc_inspect(struct nc_ctx *ctx, const char *name, struct nc_cell_info *info)
{
	int fds[2], nfds = 2, ret, i;

	ret = cell_get(ctx, name, info, fds, &nfds);
	for (i = 0; !ret && i < nfds; i++)
		close(fds[i]);
	return ret;
}

/**
 * nc_list() - every cell of the caller
 * @ctx:	context
 * @cells:	array of results, to be freed with free()
 * @n:		number of cells
 *
 * Return: 0 or -errno with a message
 */
int nc_list(struct nc_ctx *ctx, struct nc_cell_info **cells, size_t *n)
{
	_cleanup_free_ char *rep = malloc(PROTO_MAX);
	struct nc_cell_info *out = NULL, *t;
	char *line, *save = NULL;
	int ret;

	*cells = NULL;
	*n = 0;
	if (!rep)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	ret = client_call(ctx, "LIST", rep, PROTO_MAX, NULL, NULL);
	if (ret)
		return ret;
	for (line = strtok_r(rep, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		t = realloc(out, (*n + 1) * sizeof(*out));
		if (!t) {
			free(out);
			return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
		}
		out = t;
		if (!parse_record(line, &out[*n]))
			(*n)++;
	}
	*cells = out;
	return 0;
}

/**
 * nc_gc() - remove leftovers of interrupted operations
 * @ctx:	context
 * @removed:	how many leftovers were removed
 *
 * Return: 0 or -errno with a message
 */
int nc_gc(struct nc_ctx *ctx, unsigned *removed)
{
	char rep[64];
	int ret = client_call(ctx, "GC", rep, sizeof(rep), NULL, NULL);
	char *f[2];

	if (ret)
		return ret;
	*removed = proto_split(rep, f, 2) == 2 ? (unsigned)atoi(f[1]) : 0;
	return 0;
}
