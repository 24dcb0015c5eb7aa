// SPDX-License-Identifier: MIT
/*
 * main.c - netcell's command line: dispatch to one file per subcommand
 *
 * Every subcommand is a thin layer over one or two libnetcell calls; the
 * library decides nothing about output or exit, the CLI decides nothing
 * about namespaces.
 */
#include <string.h>
#include "cli.h"

#ifndef NETCELL_VERSION
#define NETCELL_VERSION "0.1"
#endif

static const struct cli_cmd cmds[] = {
	{ "create", cmd_create, "make a cell (loopback up) that persists until deleted" },
	{ "run", cmd_run, "run a command in a new cell that goes when it ends" },
	{ "exec", cmd_exec, "run a command inside an existing cell" },
	{ "list", cmd_list, "list cells" },
	{ "inspect", cmd_inspect, "everything about one cell" },
	{ "delete", cmd_delete, "remove cells and everything they made" },
	{ "path", cmd_path, "a namespace path for nsenter and other tools" },
	{ "link", cmd_link, "a veth link between two cells" },
	{ "unlink", cmd_unlink, "remove the link between two cells" },
	{ "port", cmd_port, "publish ports from the host into a cell: add, rm, list" },
	{ "fw", cmd_fw, "a cell's firewall: apply, check, show, history, rollback, confirm" },
	{ "doctor", cmd_doctor, "check every prerequisite and say how to fix it" },
	{ "gc", cmd_gc, "remove leftovers of interrupted operations" },
	{ "keeper", cmd_keeper, "run the keeper in the foreground (netcell.service)" },
};

/**
 * usage() - print the top-level help
 * @f:		stream
 */
static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: netcell COMMAND [ARGS...]\n\n"
	      "Private, named network namespaces (cells) for root and ordinary users.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n'netcell COMMAND --help' describes each command; man netcell(1) has the rest.\n"
	      "Exit codes: 0 ok, 1 failed, 2 usage, 3 no such cell, 4 cell exists,\n"
	      "5 missing permission or prerequisite, 6 ruleset rejected, 7 reverted.\n", f);
}

/**
 * main() - find the subcommand and run it
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return NC_ERR_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("netcell " NETCELL_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netcell: unknown command \"%s\"; see 'netcell --help'\n",
		argv[1]);
	return NC_ERR_USAGE;
}
