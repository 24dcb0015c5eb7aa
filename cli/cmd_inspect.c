// SPDX-License-Identifier: MIT
/* cmd_inspect.c - netcell inspect NAME [--json] */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell inspect NAME [-j|--json]\n\n"
	"Everything about one cell: mode, namespaces, uplink, addresses and\n"
	"routes (live), DNS, links to other cells, firewall generation, published\n"
	"ports.  --json prints one object: the keys of 'netcell list --json' and\n"
	"uplink, uplink_shared, host_loopback, dns, addresses, routes, links,\n"
	"firewall.\n\n"
	"Exit codes: 2 invalid name, 3 no such cell.\n";

/**
 * indent() - the label of a block's first line, blanks for the others
 * @label:	label, padded to the value column
 * @i:		line number in the block
 *
 * Return: what to print before line @i
 */
static const char *indent(const char *label, size_t i)
{
	return i ? "           " : label;
}

/**
 * print_net() - the network part of "inspect"
 * @n:		the cell's network
 */
static void print_net(const struct nc_net_info *n)
{
	size_t i;

	printf("uplink:    %s%s%s\n", n->uplink, n->shared ? ", shared by the user's cells" : "",
	       !strcmp(n->uplink, "none") ? "" :
	       n->host_loopback ? " (host loopback reachable)" : " (host loopback closed)");
	if (!n->naddrs)
		puts("addresses: -");
	for (i = 0; i < n->naddrs; i++)
		printf("%s%s %s\n", indent("addresses: ", i), n->addrs[i].dev, n->addrs[i].addr);
	if (!n->nroutes)
		puts("routes:    -");
	for (i = 0; i < n->nroutes; i++)
		printf("%s%s%s%s%s%s\n", indent("routes:    ", i), n->routes[i].dst,
		       n->routes[i].via[0] ? " via " : "", n->routes[i].via,
		       n->routes[i].dev[0] ? " dev " : "", n->routes[i].dev);
	printf("dns:       %s\n", n->dns[0] ? n->dns : "the host's /etc/resolv.conf");
	if (!n->nlinks)
		puts("links:     -");
	for (i = 0; i < n->nlinks; i++)
		printf("%s%s %s\n", indent("links:     ", i), n->links[i].peer, n->links[i].addr);
	if (n->fw_locked)
		printf("firewall:  generation %u DID NOT LOAD when the cell was rebuilt: all traffic blocked by a drop-all table until fw apply or fw rollback\n",
		       n->fw_gen);
	else if (n->fw_gen)
		printf("firewall:  generation %u%s%s\n", n->fw_gen,
		       n->fw_pending ? " (awaiting fw confirm)" : "",
		       n->fw_drifted ? " (CHANGED inside the cell since it was applied)" : "");
	else
		puts("firewall:  none (no ruleset applied with fw apply)");
}

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
	struct nc_net_info net;
	struct nc_ctx *ctx;
	size_t np = 0;
	char when[32];
	int o, json = 0;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (o != 'j')
			return cli_usage("inspect", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (argc - optind != 1)
		return cli_usage("inspect", "expected one cell name");
	ctx = cli_ctx();
	memset(&net, 0, sizeof(net));
	if (nc_inspect(ctx, argv[optind], &c) ||
	    nc_port_list(ctx, argv[optind], &ports, &np) ||
	    nc_inspect_net(ctx, argv[optind], &net)) {
		o = cli_fail(ctx);
		free(ports);
		nc_ctx_free(ctx);
		return o;
	}
	cli_notices(ctx);
	if (json) {
		cli_print_info_json(stdout, &c, ports, np, &net);
		putchar('\n');
	} else {
		printf("name:      %s\nmode:      %s%s\ncreated:   %s\nkeeper:    %d\nnetns:     %s\n",
		       c.name, c.rootless ? "rootless" : "root",
		       c.ephemeral ? " (ephemeral)" : "",
		       cli_time(c.created, when, sizeof(when)), (int)c.keeper, c.netns);
		if (c.userns[0])
			printf("userns:    %s\n", c.userns);
		print_net(&net);
		fputs("ports:     ", stdout);
		cli_print_ports_short(stdout, c.name, ports, np);
		putchar('\n');
		cli_print_port_paths(stdout, c.name, ports, np);
	}
	free(ports);
	nc_net_info_release(&net);
	nc_ctx_free(ctx);
	return 0;
}
