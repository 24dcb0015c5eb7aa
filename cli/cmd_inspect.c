// SPDX-License-Identifier: MIT
/* cmd_inspect.c - netcell inspect NAME [--json] */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell inspect NAME [--json]\n\n"
	"Everything about one cell.  --json prints one object with the keys of\n"
	"'netcell list --json'.\n\nExit codes: 2 invalid name, 3 no such cell.\n";

/**
 * cmd_inspect() - netcell inspect NAME [--json]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct nc_cell_info c;
	struct nc_port *ports = NULL;
	struct nc_ctx *ctx;
	size_t np = 0;
	char when[32];
	int o, json = 0;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'j')
			return cli_usage("inspect", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (argc - optind != 1)
		return cli_usage("inspect", "expected one cell name");
	ctx = cli_ctx();
	if (nc_inspect(ctx, argv[optind], &c) ||
	    nc_port_list(ctx, argv[optind], &ports, &np)) {
		o = cli_fail(ctx);
		nc_ctx_free(ctx);
		return o;
	}
	cli_notices(ctx);
	if (json) {
		cli_print_info_json(stdout, &c, ports, np);
		putchar('\n');
	} else {
		printf("name:      %s\nmode:      %s%s\ncreated:   %s\nkeeper:    %d\nnetns:     %s\n",
		       c.name, c.rootless ? "rootless" : "root",
		       c.ephemeral ? " (ephemeral)" : "",
		       cli_time(c.created, when, sizeof(when)), (int)c.keeper, c.netns);
		if (c.userns[0])
			printf("userns:    %s\n", c.userns);
		fputs("ports:     ", stdout);
		cli_print_ports_short(stdout, c.name, ports, np);
		putchar('\n');
	}
	free(ports);
	nc_ctx_free(ctx);
	return 0;
}
