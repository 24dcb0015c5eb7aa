// SPDX-License-Identifier: MIT
/*
 * pids.c - which processes are in which cell, as 'ip netns pids' and
 * 'ip netns identify' tell for named namespaces
 *
 * Theory of operation: a process is in a cell when its /proc/PID/ns/net is
 * the namespace the keeper holds for the cell (same device and inode as
 * the descriptor the keeper passes).  /proc is read as the caller: root
 * sees every process; an ordinary user sees its own, which are the only
 * ones that can be in its cells (the hub's uid 0 is the user).
 *
 * The keeper's own helpers in a cell (netcell-sock, which makes the
 * sockets of published ports there) are not the user's processes: they go
 * with the cell, and counting them would make every cell with a port look
 * busy to 'delete'.  They are the keeper's children; nothing the user
 * starts is (exec and run fork from the user's command), so children of
 * the keeper are left out.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "client/client.h"
#include "kernel/nspids.h"

/**
 * cell_ns_id() - device and inode of a cell's network namespace
 * @ctx:	context
 * @cell:	cell name
 * @st:		result
 * @keeper:	result: the keeper's PID, or NULL
 *
 * Return: 0 or -errno with a message (-ENOENT: no such cell)
 */
static int cell_ns_id(struct nc_ctx *ctx, const char *cell, struct stat *st,
		      pid_t *keeper)
{
	struct nc_cell_info info;
	int fds[2] = { -1, -1 }, nfds = 2, ret, i;

	ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (ret)
		return ret;
	if (keeper)
		*keeper = (pid_t)info.keeper;
	if (nfds < 1 || fstat(fds[nfds - 1], st))
		ret = ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
			      "the keeper sent no namespace for cell \"%s\"", cell);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return ret;
}

/**
 * nc_pids() - the processes in a cell (not the keeper's helpers)
 * @ctx:	context
 * @cell:	cell name
 * @pids:	result, ascending; free() it
 * @n:		how many
 *
 * Return: 0 or -errno with a message (-ENOENT: no such cell)
 */
int nc_pids(struct nc_ctx *ctx, const char *cell, pid_t **pids, size_t *n)
{
	struct stat ns;
	pid_t keeper = 0;
	int ret;

	*pids = NULL;
	*n = 0;
	ret = cell_ns_id(ctx, cell, &ns, &keeper);
	if (ret)
		return ret;
	ret = ns_pids(&ns, keeper, pids, n);
	return ret ? ctx_err(ctx, ret, NC_ERR_FAILED, "cannot read /proc: %s", strerror(-ret)) : 0;
}

/**
 * nc_identify() - the cell a process is in
 * @ctx:	context
 * @pid:	process
 * @cell:	result, the cell name
 * @len:	size of @cell
 *
 * Return: 0, or -errno with a message (-ENOENT, kind NC_ERR_NOCELL: in no
 * cell of the caller's; -ESRCH: no such process)
 */
int nc_identify(struct nc_ctx *ctx, pid_t pid, char *cell, size_t len)
{
	struct nc_cell_info *cells = NULL;
	char path[64];
	struct stat ns, st;
	size_t i, n = 0;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &st)) {
		ret = -errno;
		if (ret == -ENOENT)
			return ctx_err(ctx, -ESRCH, NC_ERR_FAILED, "no process %d", (int)pid);
		return ctx_err(ctx, ret, NC_ERR_PERM, "cannot read the network namespace of process %d: %s",
			       (int)pid, strerror(-ret));
	}
	ret = nc_list(ctx, &cells, &n);
	for (i = 0; !ret && i < n; i++) {
		if (cell_ns_id(ctx, cells[i].name, &ns, NULL))
			continue;	/* deleted meanwhile */
		if (ns.st_dev == st.st_dev && ns.st_ino == st.st_ino) {
			snprintf(cell, len, "%s", cells[i].name);
			free(cells);
			return 0;
		}
	}
	free(cells);
	if (ret)
		return ret;
	return ctx_err(ctx, -ENOENT, NC_ERR_NOCELL, "process %d is in no cell of this user", (int)pid);
}
