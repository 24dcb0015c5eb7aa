// SPDX-License-Identifier: MIT
/* cmd_create.c - netcell create NAME */
#include <getopt.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell create NAME [options]\n\n"
	"Make a cell: a private network namespace with loopback up, kept alive\n"
	"until 'netcell delete NAME'.  As root it is also an ordinary named\n"
	"namespace ('ip netns list', 'ip netns exec NAME').  As an ordinary user\n"
	"it lives in the user's own user namespace, held by the user's keeper.\n\n"
	"Options:\n" CLI_NET_HELP "\n"
	"Exit codes: 2 invalid name, 4 the cell exists, 5 missing permission.\n";

/**
 * cmd_create() - netcell create NAME
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = { CLI_NET_OPTIONS, { 0 } };
	struct cli_net net = { 0 };
	struct nc_ctx *ctx;
	sigset_t old;
	const char *name;
	int c, ret;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1)
		if (!cli_net_opt(c, optarg, &net))
			return cli_usage("create", "unknown option or missing value \"%s\"", argv[optind - 1]);
	if (argc - optind != 1)
		return cli_usage("create", "expected one cell name");
	if (cli_net_check("create", &net))
		return NC_ERR_USAGE;
	name = argv[optind];
	ctx = cli_ctx();
	cli_hold_signals(&old);		/* the whole cell, or none of it */
	ret = nc_create(ctx, name, 0);
	if (!ret && cli_net_apply(ctx, name, &net)) {
		ret = cli_fail(ctx);	/* nothing half-made: the cell goes */
		nc_delete(ctx, name);
		nc_ctx_free(ctx);
		cli_release_signals(&old);
		return ret;
	}
	ret = ret ? cli_fail(ctx) : (cli_notices(ctx), 0);
	nc_ctx_free(ctx);
	cli_release_signals(&old);
	return ret;
}
