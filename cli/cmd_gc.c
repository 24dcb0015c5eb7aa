// SPDX-License-Identifier: MIT
/* cmd_gc.c - netcell gc */
#include "cli.h"

static const char help[] =
	"Usage: netcell gc\n\n"
	"Remove leftovers of operations that were interrupted: temporary files\n"
	"of a save cut short by a crash, whose writer is gone, and scratch\n"
	"directories of a 'fw stage' that was killed.  Nothing else is touched:\n"
	"a running command's files and every cell stay.\n";

/**
 * cmd_gc() - netcell gc
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_gc(int argc, char **argv)
{
	struct nc_ctx *ctx;
	unsigned removed = 0;
	int ret;

	if (cli_help_requested(argc, argv, help))
		return 0;
	if (argc > 1)
		return cli_usage("gc", "unexpected argument \"%s\"", argv[1]);
	ctx = cli_ctx();
	ret = nc_gc(ctx, &removed);
	if (ret) {
		ret = cli_fail(ctx);
	} else {
		cli_notices(ctx);
		printf("removed %u leftover%s\n", removed, removed == 1 ? "" : "s");
	}
	nc_ctx_free(ctx);
	return ret;
}
