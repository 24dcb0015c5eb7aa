// SPDX-License-Identifier: MIT
/* cmd_create.c - netcell create NAME */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell create NAME [options]\n\n"
	"Make a cell: a private network namespace with loopback up, kept alive\n"
	"until 'netcell delete NAME'.  As root it is also an ordinary named\n"
	"namespace ('ip netns list', 'ip netns exec NAME').  As an ordinary user\n"
	"it lives in the user's own user namespace, held by the user's keeper.\n\n"
	"Options:\n" CLI_NET_HELP
	"  -j, --json        print the cell made as 'netcell inspect NAME --json'\n"
	"                    would without its live network: name, paths, and\n"
	"                    published ports, a host port chosen for -p 80 included\n\n"
	"Exit codes: 2 invalid name, 4 the cell exists, 5 missing permission.\n";

/**
 * setup_failed() - report a failed setup and undo this command's cell
 * @ctx:	context holding the error
 * @name:	cell name
 * @id:		this creation, from nc_create_id()
 *
 * Only the cell this command made is deleted, never another command's
 * cell of the same name.  A cell gone meanwhile went with a keeper that
 * restarted (no other command can delete it during its setup).
 *
 * Return: exit status
 */
static int setup_failed(struct nc_ctx *ctx, const char *name, unsigned long long id)
{
	int ret;

	if (nc_errkind(ctx) == NC_ERR_NOCELL) {
		cli_notices(ctx);
		fprintf(stderr, "netcell: cell \"%s\" was lost before its setup finished (its keeper restarted); nothing of it is left; run the create again\n",
			name);
		return NC_ERR_FAILED;
	}
	ret = cli_fail(ctx);
	nc_delete_id(ctx, name, id);
	return ret;
}

/**
 * print_json() - create --json: the cell made, as list --json shows it
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0, or the exit status after an error message
 */
static int print_json(struct nc_ctx *ctx, const char *name)
{
	struct nc_port *ports = NULL;
	struct nc_cell_info c;
	size_t np = 0;

	if (nc_inspect(ctx, name, &c) || nc_port_list(ctx, name, &ports, &np))
		return cli_fail(ctx);
	cli_json_print(stdout, cli_info_json(&c, ports, np, NULL));
	putchar('\n');
	free(ports);
	return 0;
}

/**
 * said_made() - -v: the cell made, and where its namespace is
 * @ctx:	context
 * @name:	cell name
 */
static void said_made(struct nc_ctx *ctx, const char *name)
{
	struct nc_cell_info c;

	if (cli_verbosity <= 0)
		return;
	if (nc_inspect(ctx, name, &c))
		cli_verbose("created cell \"%s\"", name);
	else
		cli_verbose("created cell \"%s\" (%s), network namespace %s", name,
			    c.userns[0] ? "rootless" : "root", c.netns);
}

/**
 * cmd_create() - netcell create NAME
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, CLI_NET_OPTIONS, { 0 } };
	struct cli_net net = { 0 };
	unsigned long long id = 0;
	struct nc_ctx *ctx;
	int tries;
	sigset_t old;
	const char *name;
	int c, ret, plain, json = 0;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jp:", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (!cli_net_opt(c, optarg, &net))
			return cli_usage("create", "unknown option or missing value \"%s\"", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_usage("create", "expected one cell name");
	if (cli_net_check("create", &net))
		return NC_ERR_USAGE;
	name = argv[optind];
	ctx = cli_ctx();
	cli_hold_signals(&old);		/* the whole cell, or none of it */
	/* with nothing to set up (--uplink none, no firewall, port, address,
	 * DNS or host port) the one request makes the cell, kept at once: a
	 * save and a round trip fewer */
	plain = net.uplink && !strcmp(net.uplink, "none") && !net.firewall && !net.host_loopback &&
		!net.npublish && !net.addr && !net.dns && !net.hostport[0][0];
	/* else it is bound to this command until kept: killed, it leaves
	 * nothing; a setup lost with its keeper left nothing either, so it
	 * starts over */
	for (tries = 0;; tries++) {
		if (nc_create_id(ctx, name, plain ? 0 : NC_CREATE_SETUP, &id)) {
			ret = cli_fail(ctx);
			break;
		}
		if (plain || (!cli_net_apply(ctx, name, &net) && !nc_create_keep(ctx, name, id))) {
			cli_notices(ctx);
			said_made(ctx, name);
			ret = json ? print_json(ctx, name) : 0;
			break;
		}
		if (nc_errkind(ctx) != NC_ERR_NOCELL || tries == 4) {
			ret = setup_failed(ctx, name, id);
			break;
		}
	}
	nc_ctx_free(ctx);
	cli_release_signals(&old);
	return ret;
}
