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
		/* without --force, the keeper refuses a cell with processes in
		 * it, checked and deleted in one request */
		if (!(force ? nc_delete(ctx, argv[i]) : nc_delete_idle(ctx, argv[i]))) {
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
