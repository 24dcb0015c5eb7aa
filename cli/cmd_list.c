// SPDX-License-Identifier: MIT
/* cmd_list.c - netcell list [--json] */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell list [--json]\n\n"
	"List the caller's cells.  --json prints an array of objects with the\n"
	"keys name, mode (\"root\"|\"rootless\"), ephemeral, created (epoch\n"
	"seconds), keeper_pid, netns (a path to open) and userns (or null).\n";

/**
 * cmd_list() - netcell list [--json]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct nc_cell_info *cells;
	struct nc_ctx *ctx;
	char when[32];
	int c, json = 0;
	size_t i, n;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("list", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (optind < argc)
		return cli_usage("list", "unexpected argument \"%s\"", argv[optind]);
	ctx = cli_ctx();
	if (nc_list(ctx, &cells, &n)) {
		c = cli_fail(ctx);
		nc_ctx_free(ctx);
		return c;
	}
	cli_notices(ctx);
	if (json)
		putchar('[');
	else if (n)
		printf("%-20s %-9s %-19s %s\n", "NAME", "MODE", "CREATED", "NETNS");
	for (i = 0; i < n; i++) {
		if (json) {
			if (i)
				putchar(',');
			cli_print_info_json(stdout, &cells[i]);
			continue;
		}
		printf("%-20s %-9s %-19s %s\n", cells[i].name,
		       cells[i].rootless ? "rootless" : "root",
		       cli_time(cells[i].created, when, sizeof(when)), cells[i].netns);
	}
	if (json)
		puts("]");
	free(cells);
	nc_ctx_free(ctx);
	return 0;
}
