// SPDX-License-Identifier: MIT
/* cmd_pids.c - netcell pids NAME [-j], netcell identify PID [-j] */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help_pids[] =
	"Usage: netcell pids NAME [-j|--json]\n\n"
	"The processes in cell NAME, one PID a line, as 'ip netns pids' prints\n"
	"them, less the keeper's own helper there (netcell-sock, for published\n"
	"ports), which goes with the cell.  Root sees every process; an\n"
	"ordinary user its own, which\n"
	"are the only ones that can be in its cells.  --json: an array of PIDs.\n\n"
	"Exit codes: 3 no such cell.\n";

static const char help_identify[] =
	"Usage: netcell identify PID [-j|--json]\n\n"
	"The cell process PID is in, as 'ip netns identify' tells.  --json:\n"
	"{\"pid\": PID, \"cell\": NAME}.\n\n"
	"Exit codes: 1 no such process, 3 in no cell of the caller's,\n"
	"5 its namespace cannot be read.\n";

/**
 * one_arg() - parse [-j|--json] and exactly one argument
 * @argc:	argument count
 * @argv:	arguments, argv[0] being the command
 * @cmd:	command, for messages
 * @what:	what the argument is, for messages
 * @json:	result: -j given
 *
 * Return: the argument, or NULL after a usage message
 */
static const char *one_arg(int argc, char **argv, const char *cmd, const char *what, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	int c;

	*json = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j') {
			cli_usage(cmd, "unknown option \"%s\"", argv[optind - 1]);
			return NULL;
		}
		*json = 1;
	}
	if (argc - optind != 1) {
		cli_usage(cmd, "expected one %s", what);
		return NULL;
	}
	return argv[optind];
}

/**
 * cmd_pids() - netcell pids NAME [-j]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_pids(int argc, char **argv)
{
	const char *name;
	struct nc_ctx *ctx;
	pid_t *pids = NULL;
	size_t i, n;
	int json, ret;

	if (cli_help_requested(argc, argv, help_pids))
		return 0;
	name = one_arg(argc, argv, "pids", "cell name", &json);
	if (!name)
		return NC_ERR_USAGE;
	ctx = cli_ctx();
	ret = nc_pids(ctx, name, &pids, &n);
	if (ret) {
		ret = cli_fail(ctx);
		nc_ctx_free(ctx);
		return ret;
	}
	cli_notices(ctx);
	if (json)
		putchar('[');
	for (i = 0; i < n; i++) {
		if (json)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		else
			printf("%d\n", (int)pids[i]);
	}
	if (json)
		puts("]");
	free(pids);
	nc_ctx_free(ctx);
	return 0;
}

/**
 * cmd_identify() - netcell identify PID [-j]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_identify(int argc, char **argv)
{
	char cell[NC_NAME_MAX + 1], *end;
	const char *arg;
	struct nc_ctx *ctx;
	int json, ret;
	long pid;

	if (cli_help_requested(argc, argv, help_identify))
		return 0;
	arg = one_arg(argc, argv, "identify", "PID", &json);
	if (!arg)
		return NC_ERR_USAGE;
	pid = strtol(arg, &end, 10);
	if (*end || !*arg || pid <= 0 || pid > 0x3fffffff)
		return cli_usage("identify", "\"%s\" is not a PID", arg);
	ctx = cli_ctx();
	ret = nc_identify(ctx, (pid_t)pid, cell, sizeof(cell));
	if (ret) {
		ret = cli_fail(ctx);
		nc_ctx_free(ctx);
		return ret;
	}
	cli_notices(ctx);
	if (json) {
		printf("{\"pid\":%ld,\"cell\":", pid);
		cli_json_str(stdout, cell);
		puts("}");
	} else {
		puts(cell);
	}
	nc_ctx_free(ctx);
	return 0;
}
