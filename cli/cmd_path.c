// SPDX-License-Identifier: MIT
/* cmd_path.c - netcell path NAME [--user] */
#include <getopt.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell path [--user] [-j|--json] NAME\n\n"
	"Print a path that opens the cell's network namespace (with --user: its\n"
	"user namespace), for other tools:\n"
	"  root:      nsenter --net=$(netcell path NAME) CMD\n"
	"  rootless:  nsenter --preserve-credentials \\\n"
	"                     --user=$(netcell path --user NAME) \\\n"
	"                     --net=$(netcell path NAME) CMD\n"
	"(without --preserve-credentials nsenter calls setgroups(), which the\n"
	"cell's user namespace refuses: \"setgroups failed\")\n"
	"A rootless path is valid while the keeper that printed it runs; a new\n"
	"keeper (after a crash) holds the cells at new paths: ask again.  A root\n"
	"cell whose /run/netns entry was removed behind netcell's back gets the\n"
	"same kind of path, with a notice.\n"
	"--json: {\"name\",\"netns\",\"userns\"} (userns null for a root cell).\n";

/**
 * print_json() - path --json: both paths of a cell
 * @c:		the cell
 */
static void print_json(const struct nc_cell_info *c)
{
	struct json_object *j = json_object_new_object();

	cli_json_add(j, "name", json_object_new_string(c->name));
	cli_json_add(j, "netns", json_object_new_string(c->netns));
	cli_json_add(j, "userns", c->userns[0] ? json_object_new_string(c->userns) : NULL);
	cli_json_print(stdout, j);
	putchar('\n');
}

/**
 * cmd_path() - netcell path [--user] NAME
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_path(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", no_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct nc_cell_info c;
	struct nc_ctx *ctx;
	int o, user = 0, json = 0;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (o != 'u' && o != 'j')
			return cli_usage("path", "unknown option \"%s\"", argv[optind - 1]);
		*(o == 'u' ? &user : &json) = 1;
	}
	if (argc - optind != 1)
		return cli_usage("path", "expected one cell name");
	ctx = cli_ctx();
	if (nc_inspect(ctx, argv[optind], &c)) {
		o = cli_fail(ctx);
		nc_ctx_free(ctx);
		return o;
	}
	cli_notices(ctx);
	if (json) {
		print_json(&c);
		nc_ctx_free(ctx);
		return 0;
	}
	if (user && !c.userns[0]) {
		fprintf(stderr, "netcell: cell \"%s\" is a root cell in the initial user namespace; it has no user namespace path\n",
			c.name);
		nc_ctx_free(ctx);
		return 1;
	}
	puts(user ? c.userns : c.netns);
	nc_ctx_free(ctx);
	return 0;
}
