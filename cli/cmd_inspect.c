// SPDX-License-Identifier: MIT
/* cmd_inspect.c - netcell inspect NAME [--json] */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell inspect NAME [--json]\n\n"
	"Everything about one cell: mode, namespaces, uplink, addresses and\n"
	"routes (live), DNS, links to other cells, firewall generation, published\n"
	"ports.  --json prints one object: the keys of 'netcell list --json' and\n"
	"uplink, uplink_shared, host_loopback, dns, addresses, routes, links,\n"
	"firewall.\n\n"
	"Exit codes: 2 invalid name, 3 no such cell.\n";

/**
 * print_block() - "label:     line" then further lines indented, or "-"
 * @label:	label with colon, padded
 * @text:	lines
 */
static void print_block(const char *label, const char *text)
{
	const char *l = text, *e;

	fputs(label, stdout);
	if (!*text)
		fputs("-\n", stdout);
	for (; *l; l = *e ? e + 1 : e) {
		e = strchrnul(l, '\n');
		printf("%s%.*s\n", l == text ? "" : "           ", (int)(e - l), l);
	}
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
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
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
		printf("uplink:    %s%s%s\n", net.uplink, net.shared ? ", shared by the user's cells" : "",
		       !strcmp(net.uplink, "none") ? "" :
		       net.host_loopback ? " (host loopback reachable)" : " (host loopback closed)");
		print_block("addresses: ", net.addrs);
		print_block("routes:    ", net.routes);
		printf("dns:       %s\n", net.dns[0] ? net.dns : "the host's /etc/resolv.conf");
		print_block("links:     ", net.links);
		if (net.fw_gen)
			printf("firewall:  generation %u%s\n", net.fw_gen,
			       net.fw_pending ? " (awaiting fw confirm)" : "");
		else
			printf("firewall:  none (no ruleset applied with fw apply)\n");
		fputs("ports:     ", stdout);
		cli_print_ports_short(stdout, c.name, ports, np);
		putchar('\n');
	}
	free(ports);
	nc_net_info_release(&net);
	nc_ctx_free(ctx);
	return 0;
}
