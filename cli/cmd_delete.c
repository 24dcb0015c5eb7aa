// SPDX-License-Identifier: MIT
/* cmd_delete.c - netcell delete NAME... [--force] */
#include <getopt.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell delete NAME... [--force]\n\n"
	"Remove cells and everything they made.  Each name is handled on its own;\n"
	"the exit code is that of the first failure.  --force: a cell that does\n"
	"not exist is not an error.\n\n"
	"Exit codes: 2 invalid name, 3 no such cell.\n";

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
		if (!nc_delete(ctx, argv[i]))
			continue;
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
