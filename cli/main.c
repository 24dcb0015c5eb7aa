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
#define NETCELL_VERSION "0.1.0"
#endif

/**
 * cmd_version() - netcell version [-j|--json], also -V and --version
 * @argc:	argument count
 * @argv:	arguments, argv[0] being the command
 *
 * Return: exit status
 */
static int cmd_version(int argc, char **argv)
{
	struct json_object *j;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("Usage: netcell version [-j|--json]   (also netcell -V, --version)\n\n"
		     "netcell's version.  --json: {\"name\":\"netcell\",\"version\":\"X.Y.Z\"}.");
		return 0;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-j") && strcmp(argv[1], "--json")))
		return cli_usage("version", "the only option is -j, --json");
	if (argc < 2) {
		puts("netcell " NETCELL_VERSION);
		return 0;
	}
	j = json_object_new_object();
	cli_json_add(j, "name", json_object_new_string("netcell"));
	cli_json_add(j, "version", json_object_new_string(NETCELL_VERSION));
	cli_json_print(stdout, j);
	putchar('\n');
	return 0;
}

static const struct cli_cmd cmds[] = {
	{ "create", cmd_create, "make a cell (loopback up) that persists until deleted" },
	{ "run", cmd_run, "run a command in a new cell that goes when it ends" },
	{ "exec", cmd_exec, "run a command inside an existing cell" },
	{ "list", cmd_list, "list cells" },
	{ "inspect", cmd_inspect, "everything about one cell" },
	{ "delete", cmd_delete, "remove cells and everything they made" },
	{ "path", cmd_path, "a namespace path for nsenter and other tools" },
	{ "pids", cmd_pids, "the processes in a cell (as ip netns pids)" },
	{ "identify", cmd_identify, "the cell a process is in (as ip netns identify)" },
	{ "link", cmd_link, "a veth link between two cells" },
	{ "unlink", cmd_unlink, "remove the link between two cells" },
	{ "up", cmd_up, "bring a lab of cells up from a YAML file, incrementally" },
	{ "down", cmd_down, "remove exactly what a lab made" },
	{ "status", cmd_status, "what of a lab is up and what drifted" },
	{ "port", cmd_port, "publish ports from the host into a cell: add, rm, list" },
	{ "fw", cmd_fw, "a cell's firewall: apply, check, show, history, rollback, confirm" },
	{ "fw stage", cmd_fw, "build a ruleset from an iptables/nft script in a throwaway namespace" },
	{ "doctor", cmd_doctor, "check every prerequisite and say how to fix it" },
	{ "gc", cmd_gc, "remove leftovers of interrupted operations" },
	{ "keeper", cmd_keeper, "run the keeper in the foreground (netcell.service)" },
	{ "version", cmd_version, "netcell's version (also -V, --version)" },
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
	fputs("\nGlobal options, before COMMAND: -q, --quiet: no notices and no progress\n"
	      "(errors still); -v, --verbose: also say what was done (cells made and\n"
	      "deleted, with their names and paths).\n"
	      "\n'netcell help COMMAND' or 'netcell COMMAND --help' describes each command\n"
	      "(and 'netcell help fw stage', 'netcell port add --help' each verb);\n"
	      "man netcell(1) has the rest.  -V, --version: the version.\n"
	      "Exit codes: 0 ok, 1 failed, 2 usage, 3 no such cell, 4 cell exists,\n"
	      "5 missing permission or prerequisite, 6 ruleset rejected, 7 reverted.\n", f);
}

/**
 * find() - the handler of a command
 * @name:	as typed
 *
 * Return: the table entry, or NULL
 */
static const struct cli_cmd *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/**
 * help_cmd() - netcell help [COMMAND [VERB]]: that command's own page
 * @argc:	argument count, argv[0] being "help"
 * @argv:	arguments
 *
 * Return: exit status
 */
static int help_cmd(int argc, char **argv)
{
	char *args[4] = { NULL };
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c || argc > 3) {
		fprintf(stderr, "netcell: no help for \"%s\"; see 'netcell help' for the commands\n",
			argv[1]);
		return NC_ERR_USAGE;
	}
	args[0] = argv[1];
	args[1] = argc == 3 ? argv[2] : "--help";
	args[2] = argc == 3 ? "--help" : NULL;
	return c->fn(argc == 3 ? 3 : 2, args);
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
	const struct cli_cmd *c;

	for (; argc >= 2; argc--, argv++) {
		if (!strcmp(argv[1], "-q") || !strcmp(argv[1], "--quiet"))
			cli_verbosity = -1;
		else if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))
			cli_verbosity = 1;
		else
			break;
		argv[1] = argv[0];
	}
	if (argc < 2) {
		usage(stderr);
		return NC_ERR_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return help_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(argc - 1, argv + 1);
	c = find(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "netcell: unknown command \"%s\"; see 'netcell --help'\n",
		argv[1]);
	return NC_ERR_USAGE;
}
