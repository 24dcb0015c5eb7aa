// SPDX-License-Identifier: MIT
/* cmd_exec.c - netcell exec NAME [--as-user] -- CMD [ARG...] */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell exec NAME [--as-user] [--] CMD [ARG...]\n\n"
	"Run CMD inside an existing cell.  By default CMD runs as root of the\n"
	"cell's user namespace, so nft, iptables, ip and ports below 1024 work\n"
	"there; --as-user keeps the caller's uid, with no capabilities.\n"
	"Set inside: NETCELL_CELL=NAME, XTABLES_LOCKFILE (a lock the user owns).\n"
	"Files in /etc/netns/NAME/ (root) or ~/.config/netcell/NAME/etc/\n"
	"(rootless) are bound over /etc for CMD.\n\n"
	"Exit status: CMD's own, 128+N if it died of signal N; 3 no such cell,\n"
	"126 CMD could not be run, 127 CMD not found.\n";

/**
 * cli_exec_cmd() - exec a command after entering a cell; returns on failure
 * @argv:	command and arguments
 *
 * Return: 127 when not found, 126 otherwise
 */
int cli_exec_cmd(char **argv)
{
	execvp(argv[0], argv);
	fprintf(stderr, "netcell: cannot run \"%s\" in the cell: %s\n", argv[0],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/**
 * cmd_exec() - netcell exec NAME [--as-user] -- CMD [ARG...]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: CMD's exit status, or netcell's on failure
 */
int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-user", no_argument, NULL, 'u' }, { 0 } };
	unsigned flags = 0;
	const char *name = NULL;
	struct nc_ctx *ctx;
	int c, ret;

	if (cli_help_before_cmd(argc, argv, 1, help))
		return 0;
	opterr = 0;
again:
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'u')
			return cli_usage("exec", "unknown option \"%s\"",
					 argv[optind - 1]);
		flags |= NC_ENTER_AS_USER;
	}
	if (!name && optind < argc && strcmp(argv[optind - 1], "--")) {
		name = argv[optind++];
		goto again;
	}
	if (!name)
		return cli_usage("exec", "expected a cell name");
	if (optind >= argc)
		return cli_usage("exec", "expected a command after the cell name");
	ctx = cli_ctx();
	ret = nc_enter(ctx, name, flags);
	if (ret) {
		ret = cli_fail(ctx);
		nc_ctx_free(ctx);
		return ret;
	}
	cli_notices(ctx);
	nc_ctx_free(ctx);
	return cli_exec_cmd(argv + optind);
}
