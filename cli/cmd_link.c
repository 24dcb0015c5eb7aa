// SPDX-License-Identifier: MIT
/* cmd_link.c - netcell link A B [--subnet CIDR], netcell unlink A B */
#include <getopt.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell link A B [--subnet CIDR]\n"
	"       netcell unlink A B\n\n"
	"A veth link between two cells of the same user (rootless too).  Each end\n"
	"is named nc-PEER; A gets the subnet's first address, B the second\n"
	"(default subnet: the first free 10.214.N.0/24; IPv6 prefixes work too).\n"
	"Links are saved and come back after a keeper crash.\n\n"
	"Exit codes: 2 invalid name or subnet, 3 no such cell, 4 already linked.\n";

static const char help_unlink[] =
	"Usage: netcell unlink A B\n\n"
	"Remove the veth link between cells A and B ('netcell link'), both ends\n"
	"and its saved record.\n\n"
	"Exit codes: 1 not linked, 2 invalid name, 3 no such cell.\n";

/**
 * cmd_link() - netcell link A B [--subnet CIDR]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_link(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subnet", required_argument, NULL, 's' }, { 0 } };
	const char *subnet = NULL;
	struct nc_ctx *ctx;
	int c, ret;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			return cli_usage("link", "unknown option or missing value \"%s\"", argv[optind - 1]);
		subnet = optarg;
	}
	if (argc - optind != 2)
		return cli_usage("link", "expected two cell names");
	ctx = cli_ctx();
	ret = nc_link(ctx, argv[optind], argv[optind + 1], subnet);
	ret = ret ? cli_fail(ctx) : (cli_notices(ctx), 0);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cmd_unlink() - netcell unlink A B
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_unlink(int argc, char **argv)
{
	struct nc_ctx *ctx;
	int ret;

	if (cli_help_requested(argc, argv, help_unlink))
		return 0;
	if (argc != 3)
		return cli_usage("unlink", "expected two cell names");
	ctx = cli_ctx();
	ret = nc_unlink(ctx, argv[1], argv[2]);
	ret = ret ? cli_fail(ctx) : (cli_notices(ctx), 0);
	nc_ctx_free(ctx);
	return ret;
}
