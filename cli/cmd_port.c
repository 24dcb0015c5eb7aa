// SPDX-License-Identifier: MIT
/* cmd_port.c - netcell port add|rm NAME SPEC..., netcell port list [NAME] [--json] */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell port add NAME SPEC...\n"
	"       netcell port rm NAME SPEC...\n"
	"       netcell port list [NAME] [-j|--json]\n\n"
	"Publish ports of a cell on the host.  SPEC is\n"
	"  [HOSTADDR:][HOSTPORT:]CELLPORT[/tcp|/udp]\n"
	"e.g. 8080:80, 0.0.0.0:5353:53/udp, [::1]:8443:443; ranges of one\n"
	"length, 8000-8010:8000-8010; without HOSTPORT (80, 127.0.0.1::80) a\n"
	"free host port is chosen and shown, as podman does.  Connections to\n"
	"HOSTADDR:HOSTPORT on the host go to CELLPORT on the cell's loopback\n"
	"(127.0.0.1, or ::1 for an IPv6 host address).  HOSTADDR defaults to\n"
	"127.0.0.1; other machines reach the port only with 0.0.0.0 or [::].\n"
	"The server in the cell sees the client's real address and port.\n"
	"The other way: host:HOSTPORT[:CELLPORT] (TCP) makes the host's\n"
	"127.0.0.1:HOSTPORT reachable in the cell at its own 127.0.0.1:CELLPORT\n"
	"(default HOSTPORT), e.g. host:5432 for the host's database; this is\n"
	"what --host-port does at create and run.\n\n"
	"Ports can be added and removed while the cell runs; other forwards are\n"
	"not disturbed.  Several SPECs are added or removed all or none.  They\n"
	"are saved with the cell and come back after a keeper crash; removing a\n"
	"port (or deleting the cell) resets its connections and frees the host\n"
	"port at once.\n\n"
	"As an ordinary user, host ports below net.ipv4.ip_unprivileged_port_start\n"
	"(usually 1024) are refused: publish a high host port (8080:80); port 80\n"
	"inside the cell is fine.\n\n"
	"list --json prints an array of objects with the keys cell, host_addr,\n"
	"host_port, cell_port, proto (\"tcp\"|\"udp\") and active (false for a\n"
	"saved port whose host port another program took while no keeper ran).\n"
	"'netcell port add --help' (rm, list) describes one verb.\n\n"
	"Exit codes: 1 host port in use or no such forward, 2 bad SPEC, 3 no such\n"
	"cell, 4 host port published already, 5 privileged host port.\n";

static const char help_add[] =
	"Usage: netcell port add NAME SPEC...\n\n"
	"Publish ports of cell NAME on the host, all or none.  SPEC is\n"
	"  [HOSTADDR:][HOSTPORT:]CELLPORT[/tcp|/udp]\n"
	"(ranges of one length, 8000-8010:8000-8010; no HOSTPORT: a free one is\n"
	"chosen and shown in a notice)\n"
	"or host:HOSTPORT[:CELLPORT] to bring the host's 127.0.0.1:HOSTPORT\n"
	"into the cell at its 127.0.0.1:CELLPORT (TCP).\n"
	"e.g. 8080:80, 0.0.0.0:5353:53/udp, [::1]:8443:443.  HOSTADDR defaults\n"
	"to 127.0.0.1; other machines reach the port only with 0.0.0.0 or [::].\n"
	"Connections go to CELLPORT on the cell's loopback; the server sees the\n"
	"client's real address.  Saved with the cell.\n\n"
	"Exit codes: 1 host port in use, 2 bad SPEC, 3 no such cell, 4 host port\n"
	"published already, 5 privileged host port (rootless: below\n"
	"net.ipv4.ip_unprivileged_port_start).\n";

static const char help_rm[] =
	"Usage: netcell port rm NAME SPEC...\n\n"
	"Stop publishing ports of cell NAME, all or none, written as they were\n"
	"added (see 'netcell port list NAME').  Their connections are reset and\n"
	"the host ports are free when the command returns.\n\n"
	"Exit codes: 1 no such forward, 2 bad SPEC, 3 no such cell.\n";

static const char help_list[] =
	"Usage: netcell port list [NAME] [-j|--json]\n\n"
	"The published ports of cell NAME, or of all the caller's cells: CELL,\n"
	"HOST (address:port), PROTO, CELLPORT, PATH; a saved port whose host port\n"
	"another program took while no keeper ran is marked inactive.  PATH is\n"
	"what carries the connections of clients on the host: kernel (root\n"
	"cells' IPv4 ports, their rules read back as netcell wrote them),\n"
	"forwarder (the keeper's), none (inactive); what is wrong with it, or why\n"
	"the forwarder carries a port the kernel should, follows in brackets.\n"
	"--json prints an array of objects with the keys cell, host_addr,\n"
	"host_port, cell_port, proto (\"tcp\"|\"udp\"), active, to_host, path\n"
	"and path_note (\"\" when nothing is wrong).\n\n"
	"Exit codes: 3 no such cell.\n";

/**
 * port_change() - netcell port add|rm NAME SPEC...
 * @argc:	argument count, argv[0] being "add" or "rm"
 * @argv:	arguments
 *
 * Return: exit status
 */
static int port_change(int argc, char **argv)
{
	int add = !strcmp(argv[0], "add"), ret;
	struct nc_ctx *ctx;

	if (argc < 3)
		return cli_usage("port", "expected 'port %s NAME SPEC...'", argv[0]);
	ctx = cli_ctx();
	if (add)
		ret = nc_port_add(ctx, argv[1], (const char *const *)argv + 2,
				  (size_t)argc - 2);
	else
		ret = nc_port_rm(ctx, argv[1], (const char *const *)argv + 2,
				 (size_t)argc - 2);
	ret = ret ? cli_fail(ctx) : (cli_notices(ctx), 0);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * print_ports() - the human listing: CELL HOST PROTO CELLPORT PATH, and
 * what is wrong with the path
 * @ports:	ports
 * @n:		how many
 */
static void print_ports(const struct nc_port *ports, size_t n)
{
	char host[64];
	size_t i;

	if (n)
		printf("%-20s %-28s %-5s %-8s %s\n", "CELL", "HOST", "PROTO", "CELLPORT", "PATH");
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host),
			 strchr(ports[i].host_addr, ':') ? "[%s]:%u" : "%s:%u",
			 ports[i].host_addr, ports[i].host_port);
		printf("%-20s %-28s %-5s %-8u %s%s%s%s%s%s\n", ports[i].cell, host,
		       ports[i].proto, ports[i].cell_port,
		       ports[i].path[0] ? ports[i].path : "-",
		       ports[i].to_host ? "  (the host's service, in the cell)" : "",
		       ports[i].active ? "" : "  (inactive: host port taken)",
		       ports[i].path_note[0] ? "  (" : "", ports[i].path_note,
		       ports[i].path_note[0] ? ")" : "");
	}
}

/**
 * print_ports_json() - the JSON listing: an array of port objects
 * @ports:	ports
 * @n:		how many
 */
static void print_ports_json(const struct nc_port *ports, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, cli_port_json(&ports[i]));
	cli_json_print(stdout, arr);
	putchar('\n');
}

/**
 * port_list() - netcell port list [NAME] [--json]
 * @argc:	argument count, argv[0] being "list"
 * @argv:	arguments
 *
 * Return: exit status
 */
static int port_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct nc_port *ports;
	struct nc_ctx *ctx;
	int c, json = 0;
	size_t n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("port", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (argc - optind > 1)
		return cli_usage("port", "unexpected argument \"%s\"", argv[optind + 1]);
	ctx = cli_ctx();
	if (nc_port_list(ctx, optind < argc ? argv[optind] : NULL, &ports, &n)) {
		c = cli_fail(ctx);
		nc_ctx_free(ctx);
		return c;
	}
	cli_notices(ctx);
	if (json)
		print_ports_json(ports, n);
	else
		print_ports(ports, n);
	free(ports);
	nc_ctx_free(ctx);
	return 0;
}

/**
 * cmd_port() - netcell port add|rm|list ...
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_port(int argc, char **argv)
{
	if (argc >= 2 && cli_help_requested(argc - 1, argv + 1,
					    !strcmp(argv[1], "add") ? help_add :
					    !strcmp(argv[1], "rm") ? help_rm :
					    !strcmp(argv[1], "list") ? help_list : help))
		return 0;
	if (cli_help_requested(argc, argv, help))
		return 0;
	if (argc < 2)
		return cli_usage("port", "expected add, rm or list");
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "rm"))
		return port_change(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return port_list(argc - 1, argv + 1);
	return cli_usage("port", "unknown subcommand \"%s\"; expected add, rm or list",
			 argv[1]);
}
