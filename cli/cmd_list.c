// SPDX-License-Identifier: MIT
/* cmd_list.c - netcell list [--json] */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell list [-j|--json]\n\n"
	"List the caller's cells.  --json prints an array of objects with the\n"
	"keys name, mode (\"root\"|\"rootless\"), ephemeral, created (epoch\n"
	"seconds), keeper_pid, netns (a path to open), userns (or null) and\n"
	"ports (the objects of 'netcell port list --json').\n";

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
	struct nc_port *ports = NULL;
	struct json_object *arr;
	struct nc_ctx *ctx;
	char when[32];
	int c, json = 0;
	size_t i, n, np = 0;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("list", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (optind < argc)
		return cli_usage("list", "unexpected argument \"%s\"", argv[optind]);
	ctx = cli_ctx();
	if (nc_list(ctx, &cells, &n) ||
	    (n && nc_port_list(ctx, NULL, &ports, &np))) {
		c = cli_fail(ctx);
		nc_ctx_free(ctx);
		return c;
	}
	cli_notices(ctx);
	if (json) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, cli_info_json(&cells[i], ports, np, NULL));
		cli_json_print(stdout, arr);
		putchar('\n');
	} else if (n) {
		printf("%-18s %-8s %-19s %-24s %s\n", "NAME", "MODE", "CREATED",
		       "NETNS", "PORTS");	/* 78 columns */
		for (i = 0; i < n; i++) {
			printf("%-18s %-8s %-19s %-24s ", cells[i].name,
			       cells[i].rootless ? "rootless" : "root",
			       cli_time(cells[i].created, when, sizeof(when)), cells[i].netns);
			cli_print_ports_short(stdout, cells[i].name, ports, np);
			putchar('\n');
		}
	}
	free(cells);
	free(ports);
	nc_ctx_free(ctx);
	return 0;
}
