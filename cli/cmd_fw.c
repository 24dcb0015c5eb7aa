// SPDX-License-Identifier: MIT
/*
 * cmd_fw.c - netcell fw apply|check|confirm|show|history|rollback
 *
 * One table maps each verb to a handler; every handler is one library call
 * plus output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char help[] =
	"Usage:\n"
	"  netcell fw apply NAME FILE [FILE6] [--format nft|iptables] [--confirm SECONDS]\n"
	"  netcell fw check FILE [FILE6] [--format nft|iptables]\n"
	"  netcell fw confirm NAME\n"
	"  netcell fw show NAME\n"
	"  netcell fw history NAME\n"
	"  netcell fw rollback NAME [GENERATION]\n"
	"  netcell fw apply|confirm|show|history|rollback --host ...   (root: the host itself)\n"
	"  netcell fw stage [-o FILE] [--format nft|iptables] [--timeout SECONDS] -- SCRIPT [ARG...]\n\n"
	"apply: the whole ruleset goes in as one transaction, or nothing changes.\n"
	"  nft syntax replaces the cell's whole ruleset; iptables-save syntax (one\n"
	"  IPv4 and/or one IPv6 file, told apart by their header or content) is\n"
	"  loaded with iptables-restore, both families or neither.  --format\n"
	"  defaults from the content.  With --confirm, the command waits: the\n"
	"  ruleset is reverted unless 'netcell fw confirm NAME' comes in time\n"
	"  (from any shell; the revert happens even if this command is killed).\n"
	"check: validate without root and without touching any cell.\n"
	"rollback: put a kept generation back (default: the one in force before the\n"
	"current one; 0: no rules).  history marks * in force, ? awaiting confirm,\n"
	"r reverted for want of confirmation, ! did not load after a rebuild,\n"
	"*~ in force on record but changed inside the cell since (on the host:\n"
	"  in the tables its generation defines).\n"
	"--host (root): the same on the host's own ruleset, replacing only the\n"
	"  tables the file (with the files it includes) defines and those the\n"
	"  generation in force defined (all of them if it says 'flush ruleset',\n"
	"  but netcell's own ip netcell_ports_* tables), so other tools' tables\n"
	"  survive; iptables-apply for both syntaxes.\n"
	"stage: run a firewall script (iptables, ip6tables, nft commands) in a\n"
	"  throwaway namespace, with errexit on and NETCELL_STAGE=1 set; print the\n"
	"  ruleset it built as one file (nft -f loads it in one transaction; with\n"
	"  --format iptables, iptables-save and ip6tables-save parts that\n"
	"  'netcell fw apply' takes as one file), or print nothing and name the\n"
	"  script line and command that failed.  --timeout (seconds, fractions\n"
	"  allowed) bounds each run of the script from its start; default 60.\n\n"
	"'netcell fw VERB --help' describes one verb.\n\n"
	"Exit codes: 2 usage or missing file, 3 no such cell, 6 ruleset rejected\n"
	"(errors as FILE:LINE:COL), 7 reverted (no confirm in time).\n";

static const char help_apply[] =
	"Usage: netcell fw apply NAME FILE [FILE6] [--format nft|iptables] [--confirm SECONDS]\n"
	"       netcell fw apply --host FILE [FILE6] [...]   (root: the host itself)\n\n"
	"Replace the firewall of cell NAME with FILE in one transaction, or change\n"
	"nothing.  nft syntax replaces the whole ruleset; iptables-save syntax\n"
	"(one IPv4 and/or one IPv6 file) is loaded with iptables-restore, both\n"
	"families or neither.  Each apply is kept as a numbered generation.\n"
	"--confirm SECONDS: wait; the ruleset is reverted unless 'netcell fw\n"
	"confirm NAME' comes in time (the revert happens even if this command is\n"
	"killed).  --host replaces only the tables FILE (with its includes)\n"
	"defines and those the generation in force defined.\n\n"
	"Exit codes: 2 usage or missing file, 3 no such cell, 6 ruleset rejected\n"
	"(errors as FILE:LINE:COL), 7 reverted (no confirm in time).\n";

static const char help_check[] =
	"Usage: netcell fw check FILE [FILE6] [--format nft|iptables]\n\n"
	"Validate a ruleset without root and without touching any cell: it is\n"
	"loaded into a throwaway namespace.\n\n"
	"Exit codes: 2 usage or missing file, 6 ruleset rejected (FILE:LINE:COL).\n";

static const char help_confirm[] =
	"Usage: netcell fw confirm NAME\n"
	"       netcell fw confirm --host\n\n"
	"Keep the generation that 'fw apply --confirm' put in force; without it\n"
	"that generation is reverted at its deadline.\n\n"
	"Exit codes: 1 nothing awaits confirmation or too late, 3 no such cell.\n";

static const char help_show[] =
	"Usage: netcell fw show NAME [-j|--json]\n"
	"       netcell fw show --host [-j|--json]\n\n"
	"Print the ruleset in force in cell NAME, as nft lists it.  --json:\n"
	"{\"generation\":N,\"ruleset\":TEXT}, N the generation in force (0: none).\n\n"
	"Exit codes: 3 no such cell.\n";

static const char help_history[] =
	"Usage: netcell fw history NAME [-j|--json]\n"
	"       netcell fw history --host [-j|--json]\n\n"
	"The kept generations: GEN, a mark (* in force, ? awaiting confirm,\n"
	"r reverted for want of confirmation, ! did not load after a rebuild,\n"
	"*~ in force on record but changed inside the cell since it was applied;\n"
	"on the host: in the tables its generation defines),\n"
	"FORMAT, when it was applied and the file it came from.  --json: an array\n"
	"of objects (docs/json.md).\n\n"
	"Exit codes: 3 no such cell.\n";

static const char help_rollback[] =
	"Usage: netcell fw rollback NAME [GENERATION]\n"
	"       netcell fw rollback --host [GENERATION]\n\n"
	"Put a kept generation back in one transaction: by default the one in\n"
	"force before the current one; 0 means no rules.\n\n"
	"Exit codes: 1 no such generation, 3 no such cell.\n";

static const char help_stage[] =
	"Usage: netcell fw stage [-o FILE] [--format nft|iptables] [--timeout SECONDS] -- SCRIPT [ARG...]\n\n"
	"Run a firewall script (iptables, ip6tables, nft commands) in a throwaway\n"
	"namespace, as root there, with errexit on and NETCELL_STAGE=1 set, and\n"
	"print the ruleset it built as one file (or write it to FILE): nft syntax\n"
	"for tables nft made, iptables-restore sections for those iptables made;\n"
	"'netcell fw apply' takes it as it is.  --format nft or iptables forces\n"
	"one syntax.  On failure nothing is printed and the script line and the\n"
	"command that failed are named.  Whatever the script leaves running dies\n"
	"with it.  --timeout SECONDS (fractions allowed, default 60) bounds each\n"
	"run of the script, counted from its start.\n\n"
	"Exit codes: 1 timeout or failure, 2 usage or missing script, 6 a command\n"
	"of the script failed.\n";

/**
 * struct fw_opts - options shared by the verbs
 * @format:	--format
 * @confirm:	--confirm seconds
 * @args:	positional arguments after the verb
 * @nargs:	their number
 * @json:	-j, --json (show and history)
 */
struct fw_opts {
	enum nc_fw_format format;
	unsigned confirm;
	int json;
	char **args;
	int nargs;
};

/**
 * parse() - options of every verb
 * @argc:	argument count, argv[0] being the verb
 * @argv:	arguments
 * @o:		result
 *
 * Return: 0, or 2 after a usage message
 */
static int parse(int argc, char **argv, struct fw_opts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "host", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	static char *hostargs[8];
	int host = 0, i;
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c == 'j' && (!strcmp(argv[0], "show") || !strcmp(argv[0], "history"))) {
			o->json = 1;
		} else if (c == 'f' && !strcmp(optarg, "nft")) {
			o->format = NC_FW_NFT;
		} else if (c == 'f' && !strcmp(optarg, "iptables")) {
			o->format = NC_FW_IPTABLES;
		} else if (c == 'f') {
			return cli_usage("fw", "unknown format \"%s\"; use nft or iptables", optarg);
		} else if (c == 'H') {
			host = 1;
		} else if (c == 'c') {
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 86400)
				return cli_usage("fw", "--confirm takes seconds from 1 to 86400, not \"%s\"", optarg);
			o->confirm = (unsigned)v;
		} else {
			return cli_usage("fw", "unknown option or missing value \"%s\"", argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (!host)
		return 0;
	/* --host stands where the cell name would */
	if (o->nargs > 6)
		return cli_usage("fw", "too many arguments");
	hostargs[0] = (char *)NC_FW_HOST;
	for (i = 0; i < o->nargs; i++)
		hostargs[i + 1] = o->args[i];
	o->args = hostargs;
	o->nargs++;
	return 0;
}

/**
 * is_host() - whether the verb works on the host (--host)
 * @o:		options
 *
 * Return: true for the host's own ruleset
 */
static bool is_host(const struct fw_opts *o)
{
	return o->nargs > 0 && !strcmp(o->args[0], NC_FW_HOST);
}

/**
 * target() - how messages name what a verb works on
 * @o:		options
 * @buf:	room for "cell NAME"
 * @len:	its size
 *
 * Return: "the host", or "cell NAME" in @buf
 */
static const char *target(const struct fw_opts *o, char *buf, size_t len)
{
	if (is_host(o))
		return "the host";
	snprintf(buf, len, "cell %s", o->args[0]);
	return buf;
}

/**
 * done() - finish a verb: print the error if any, free the context
 * @ctx:	context
 * @ret:	the library call's result
 *
 * Return: exit status
 */
static int done(struct nc_ctx *ctx, int ret)
{
	int status = ret ? cli_fail(ctx) : 0;

	if (!ret)
		cli_notices(ctx);
	nc_ctx_free(ctx);
	return status;
}

/**
 * fw_apply() - netcell fw apply NAME FILE [FILE6]
 * @o:		options
 *
 * Return: exit status
 */
static int fw_apply(struct fw_opts *o)
{
	const char *files[3] = { NULL, NULL, NULL };
	char what[NC_NAME_MAX + 8];
	struct nc_ctx *ctx;
	unsigned gen = 0;
	int ret;

	if (o->nargs < 2 || o->nargs > 3)
		return cli_usage("fw", "apply takes a cell name and one or two files");
	files[0] = o->args[1];
	files[1] = o->nargs == 3 ? o->args[2] : NULL;
	ctx = cli_ctx();
	cli_progress_start("applying the ruleset");
	ret = nc_fw_apply_files(ctx, o->args[0], files, o->format, o->confirm, &gen);
	cli_progress_stop();
	if (!ret && o->confirm && is_host(o)) {
		fprintf(stderr, "netcell: generation %u applied to the host; run 'netcell fw confirm --host' within %u s or it is reverted\n",
			gen, o->confirm);
	} else if (!ret && o->confirm) {
		fprintf(stderr, "netcell: generation %u applied to cell \"%s\"; run 'netcell fw confirm %s' within %u s or it is reverted\n",
			gen, o->args[0], o->args[0], o->confirm);
	}
	if (!ret && o->confirm)
		ret = nc_fw_wait(ctx, o->args[0], gen);
	if (!ret)
		printf("%s: firewall generation %u in force\n",
		       target(o, what, sizeof(what)), gen);
	return done(ctx, ret);
}

/**
 * fw_check() - netcell fw check FILE [FILE6]
 * @o:		options
 *
 * Return: exit status
 */
static int fw_check(struct fw_opts *o)
{
	const char *files[3] = { NULL, NULL, NULL };
	struct nc_ctx *ctx;
	int ret;

	if (o->nargs < 1 || o->nargs > 2)
		return cli_usage("fw", "check takes one or two files");
	files[0] = o->args[0];
	files[1] = o->nargs == 2 ? o->args[1] : NULL;
	ctx = cli_ctx();
	ret = nc_fw_check_files(ctx, files, o->format);
	if (!ret)
		printf("%s: ruleset is valid\n", files[0]);
	return done(ctx, ret);
}

/**
 * fw_confirm() - netcell fw confirm NAME
 * @o:		options
 *
 * Return: exit status
 */
static int fw_confirm(struct fw_opts *o)
{
	struct nc_ctx *ctx;

	if (o->nargs != 1)
		return cli_usage("fw", "confirm takes a cell name");
	ctx = cli_ctx();
	return done(ctx, nc_fw_confirm(ctx, o->args[0]));
}

/**
 * format_name() - how output names a generation's format
 * @f:		format
 *
 * Return: "nft", "mixed" or "iptables"
 */
static const char *format_name(enum nc_fw_format f)
{
	return f == NC_FW_NFT ? "nft" : f == NC_FW_MIXED ? "mixed" : "iptables";
}

/**
 * in_force() - the generation in force, from the history
 * @ctx:	context
 * @cell:	cell name, or NC_FW_HOST
 * @gen:	result, 0 when none
 *
 * Return: 0 or -errno with a message
 */
static int in_force(struct nc_ctx *ctx, const char *cell, unsigned *gen)
{
	struct nc_fw_gen *g = NULL;
	size_t i, n;
	int ret;

	*gen = 0;
	ret = nc_fw_history(ctx, cell, &g, &n);
	for (i = 0; !ret && i < n; i++)
		if (g[i].current)
			*gen = g[i].gen;
	free(g);
	return ret;
}

/**
 * fw_show() - netcell fw show NAME [--json]
 * @o:		options
 *
 * Return: exit status
 */
static int fw_show(struct fw_opts *o)
{
	struct json_object *j;
	struct nc_ctx *ctx;
	char *text = NULL;
	unsigned gen = 0;
	int ret;

	if (o->nargs != 1)
		return cli_usage("fw", "show takes a cell name");
	ctx = cli_ctx();
	ret = nc_fw_show(ctx, o->args[0], &text);
	if (!ret && o->json)
		ret = in_force(ctx, o->args[0], &gen);
	if (!ret && o->json) {
		j = json_object_new_object();
		cli_json_add(j, "generation", json_object_new_int64(gen));
		cli_json_add(j, "ruleset", json_object_new_string(text));
		cli_json_print(stdout, j);
		putchar('\n');
	} else if (!ret) {
		fputs(text, stdout);
	}
	free(text);
	return done(ctx, ret);
}

/**
 * gen_json() - one generation of "fw history --json"
 * @g:		generation
 *
 * Return: new JSON object
 */
static struct json_object *gen_json(const struct nc_fw_gen *g)
{
	struct json_object *j = json_object_new_object();

	cli_json_add(j, "generation", json_object_new_int64(g->gen));
	cli_json_add(j, "format", json_object_new_string(format_name(g->format)));
	cli_json_add(j, "applied", json_object_new_int64(g->applied));
	cli_json_add(j, "source", json_object_new_string(g->source));
	cli_json_add(j, "current", json_object_new_boolean(g->current));
	cli_json_add(j, "pending", json_object_new_boolean(g->pending));
	cli_json_add(j, "reverted", json_object_new_boolean(g->reverted));
	cli_json_add(j, "locked", json_object_new_boolean(g->locked));
	cli_json_add(j, "drifted", json_object_new_boolean(g->drifted));
	return j;
}

/**
 * fw_history() - netcell fw history NAME [--json]
 * @o:		options
 *
 * Return: exit status
 */
static int fw_history(struct fw_opts *o)
{
	char when[32], what[NC_NAME_MAX + 8];
	struct json_object *arr = NULL;
	struct nc_fw_gen *g = NULL;
	struct nc_ctx *ctx;
	size_t i, n;
	int ret;

	if (o->nargs != 1)
		return cli_usage("fw", "history takes a cell name");
	ctx = cli_ctx();
	ret = nc_fw_history(ctx, o->args[0], &g, &n);
	if (!ret && o->json)
		arr = json_object_new_array();
	else if (!ret && n)
		printf("%-4s %-3s %-8s %-19s %s\n", "GEN", "", "FORMAT", "APPLIED", "SOURCE");
	for (i = 0; !ret && i < n; i++) {
		if (arr)
			json_object_array_add(arr, gen_json(&g[i]));
		else
			printf("%-4u %-3s %-8s %-19s %s\n", g[i].gen,
			       g[i].locked ? "!" : g[i].pending ? "?" : g[i].drifted ? "*~" :
			       g[i].current ? "*" : g[i].reverted ? "r" : "",
			       format_name(g[i].format),
			       cli_time(g[i].applied, when, sizeof(when)), g[i].source);
		if (g[i].locked)
			fprintf(stderr, "netcell: generation %u did not load when %s was rebuilt (marked !): all its traffic is blocked by a drop-all table; apply a ruleset or roll back to open it\n",
				g[i].gen, target(o, what, sizeof(what)));
	}
	if (arr) {
		cli_json_print(stdout, arr);
		putchar('\n');
	}
	free(g);
	return done(ctx, ret);
}

/**
 * fw_rollback() - netcell fw rollback NAME [GENERATION]
 * @o:		options
 *
 * Return: exit status
 */
static int fw_rollback(struct fw_opts *o)
{
	unsigned gen = NC_FW_PREVIOUS, now = 0;
	char what[NC_NAME_MAX + 8];
	struct nc_ctx *ctx;
	char *end;
	int ret;

	if (o->nargs < 1 || o->nargs > 2)
		return cli_usage("fw", "rollback takes a cell name and an optional generation");
	if (o->nargs == 2) {
		gen = (unsigned)strtoul(o->args[1], &end, 10);
		if (*end || !o->args[1][0] || o->args[1][0] == '-' || gen == NC_FW_PREVIOUS)
			return cli_usage("fw", "generation \"%s\" is not a number", o->args[1]);
	}
	ctx = cli_ctx();
	ret = nc_fw_rollback(ctx, o->args[0], gen, &now);
	if (!ret)
		printf("%s: firewall generation %u in force\n",
		       target(o, what, sizeof(what)), now);
	return done(ctx, ret);
}

/**
 * write_out() - write staged output to FILE safely and atomically, or to stdout
 * @ctx:	context, for the message
 * @file:	path, or NULL for stdout
 * @text:	ruleset
 *
 * Return: 0, -EIO for stdout (no message), or -errno with a message
 */
static int write_out(struct nc_ctx *ctx, const char *file, const char *text)
{
	if (!file)
		return fputs(text, stdout) < 0 ? -EIO : 0;
	return nc_write_file(ctx, file, text, strlen(text));
}

/**
 * parse_seconds() - a duration in seconds, fractions allowed, as milliseconds
 * @s:		text such as "1", "0.5", "2.25"
 * @ms:		result, at least 1
 *
 * Return: 0, or -EINVAL for anything else, zero, or over a day
 */
static int parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v;

	if (!*s || *s == '-' || *s == '+' || strpbrk(s, "xXpPeEnN"))
		return -EINVAL;	/* no hex, exponents, inf or nan */
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !(v > 0) || v > 86400)
		return -EINVAL;
	*ms = (unsigned)(v * 1000 + 0.5);
	if (!*ms)
		*ms = 1;
	return 0;
}

/**
 * fw_stage() - netcell fw stage [-o FILE] [--format F] [--timeout S] -- SCRIPT
 * @argc:	argument count, argv[0] being "stage"
 * @argv:	arguments
 *
 * Return: exit status
 */
static int fw_stage(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' }, { 0 } };
	enum nc_fw_format format = NC_FW_AUTO;
	const char *file = NULL;
	unsigned timeout_ms = 60000;
	struct nc_ctx *ctx;
	char *text = NULL;
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", opts, NULL)) != -1) {
		if (c == 'o')
			file = optarg;
		else if (c == 'f' && (!strcmp(optarg, "nft") || !strcmp(optarg, "iptables") ||
				      !strcmp(optarg, "auto")))
			format = !strcmp(optarg, "nft") ? NC_FW_NFT :
				 !strcmp(optarg, "iptables") ? NC_FW_IPTABLES : NC_FW_AUTO;
		else if (c == 't' && !parse_seconds(optarg, &timeout_ms))
			continue;
		else if (c == 't')
			return cli_usage("fw", "--timeout takes seconds, fractions allowed (0.5, 90), up to 86400, not \"%s\"", optarg);
		else
			return cli_usage("fw", "bad option or value \"%s\" for stage", argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage("fw", "stage needs a script: netcell fw stage -- ./firewall.sh");
	ctx = cli_ctx();
	cli_progress_start("staging the script");
	ret = nc_fw_stage_ms(ctx, argv + optind, format, timeout_ms, &text);
	cli_progress_stop();
	if (!ret)
		ret = write_out(ctx, file, text);
	free(text);
	if (ret == -EIO && !nc_errmsg(ctx)[0]) {
		nc_ctx_free(ctx);
		return 1;
	}
	return done(ctx, ret);
}


/**
 * cmd_fw() - netcell fw VERB ...
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_fw(int argc, char **argv)
{
	static const struct {
		const char *verb;
		int (*fn)(struct fw_opts *o);
		const char *help;
	} verbs[] = {
		{ "apply", fw_apply, help_apply }, { "check", fw_check, help_check },
		{ "confirm", fw_confirm, help_confirm }, { "show", fw_show, help_show },
		{ "history", fw_history, help_history },
		{ "rollback", fw_rollback, help_rollback },
	};
	struct fw_opts o;
	size_t i;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "stage"))
		return cli_help_requested(argc - 1, argv + 1, help_stage) ? 0 : fw_stage(argc - 1, argv + 1);
	for (i = 0; argc >= 2 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].verb) &&
		    cli_help_requested(argc - 1, argv + 1, verbs[i].help))
			return 0;
	if (argc < 2 || cli_help_requested(argc, argv, help)) {
		if (argc < 2)
			return cli_usage("fw", "expected a verb: apply, check, confirm, show, history, rollback, stage");
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb))
			continue;
		ret = parse(argc - 1, argv + 1, &o);
		return ret ? ret : verbs[i].fn(&o);
	}
	return cli_usage("fw", "unknown verb \"%s\"", argv[1]);
}
