// SPDX-License-Identifier: MIT
/* cmd_delete.c - netcell delete NAME... [--force] */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell delete NAME... [--force]\n\n"
	"Remove cells and everything they made.  Each name is handled on its own;\n"
	"the exit code is that of the first failure.  A cell that still has\n"
	"processes (those 'netcell pids NAME' lists) is refused, and they are\n"
	"named.  -f, --force: delete it anyway (its processes keep running, in\n"
	"a namespace netcell no longer manages), and a cell that does not exist\n"
	"is not an error.\n\n"
	"Exit codes: 1 the cell has processes, 2 invalid name, 3 no such cell.\n";

/**
 * comm_of() - a process's command name, as ps shows it
 * @pid:	process
 * @buf:	result
 * @len:	its size
 *
 * Return: @buf ("?" when it cannot be read)
 */
static const char *comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/**
 * busy() - refuse to delete a cell that still has processes
 * @ctx:	context
 * @name:	cell name
 *
 * The user's processes in a deleted cell would live on cut off from
 * everything, which is rarely what was meant: say which they are.
 *
 * Return: 0 when the cell may go (no processes, or none readable: a
 * missing cell is left for nc_delete() to report), else the exit status
 * after the message
 */
static int busy(struct nc_ctx *ctx, const char *name)
{
	char list[512], comm[32];
	pid_t *pids = NULL;
	size_t i, n, at = 0;

	if (nc_pids(ctx, name, &pids, &n) || !n) {
		free(pids);
		return 0;
	}
	list[0] = '\0';
	for (i = 0; i < n && i < 8; i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%d (%s)",
				       i ? ", " : "", (int)pids[i],
				       comm_of(pids[i], comm, sizeof(comm)));
	if (n > 8)
		snprintf(list + at, sizeof(list) - at, " and %zu more", n - 8);
	fprintf(stderr, "netcell: cannot delete cell \"%s\": %zu process%s still in it: %s; stop %s, or run 'netcell delete --force %s'\n",
		name, n, n == 1 ? "" : "es", list, n == 1 ? "it" : "them", name);
	free(pids);
	return NC_ERR_FAILED;
}

/**
 * cmd_delete() - netcell delete NAME... [--force]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { 0 } };
	struct nc_ctx *ctx;
	int c, force = 0, status = 0, i;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage("delete", "unknown option \"%s\"",
					 argv[optind - 1]);
		force = 1;
	}
	if (optind >= argc)
		return cli_usage("delete", "expected at least one cell name");
	ctx = cli_ctx();
	for (i = optind; i < argc; i++) {
		c = force ? 0 : busy(ctx, argv[i]);
		if (c) {
			status = status ? status : c;
			continue;
		}
		if (!nc_delete(ctx, argv[i])) {
			cli_verbose("deleted cell \"%s\"", argv[i]);
			continue;
		}
		if (force && nc_errkind(ctx) == NC_ERR_NOCELL)
			continue;
		c = cli_fail(ctx);
		if (!status)
			status = c;
	}
	cli_notices(ctx);
	nc_ctx_free(ctx);
	return status;
}
