// SPDX-License-Identifier: MIT
/* cmd_lab.c - netcell up|down|status -f LAB.yaml: labs (docs/labs.md) */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static const char help_up[] =
	"Usage: netcell up [-f LAB.yaml] [--dry-run] [-j|--json]\n\n"
	"Bring a lab up: every cell, link, address, route, sysctl, firewall and\n"
	"published port of the file (default ./lab.yaml; docs/labs.md).  Cells are\n"
	"named LAB-CELL.  Incremental: only what differs from the live lab is done\n"
	"(an unchanged lab: nothing); a failed up undoes what it did.\n"
	"  --dry-run   print the plan, change nothing\n\n"
	"Exit codes: 2 error in the file (FILE:LINE:COL), 4 a cell of the lab's\n"
	"names exists that the lab did not make, 6 a firewall file rejected,\n"
	"1 a step failed (undone).\n";

static const char help_down[] =
	"Usage: netcell down [-f LAB.yaml]\n\n"
	"Remove exactly the cells the lab made (their links, firewalls and ports go\n"
	"with them; processes in them are ended) and the lab's record.\n";

static const char help_status[] =
	"Usage: netcell status [-f LAB.yaml] [-j|--json]\n\n"
	"Each cell of the lab (up, missing, drift) and every difference between the\n"
	"file and the live lab: what 'netcell up' would do.\n";

/**
 * struct lab_args - options of the lab commands
 * @file:	-f
 * @dry_run:	--dry-run
 * @json:	--json
 */
struct lab_args {
	const char *file;
	int dry_run;
	int json;
};

/**
 * parse() - options of up, down and status
 * @cmd:	command
 * @argc:	argument count
 * @argv:	arguments
 * @a:		result
 * @allow:	allowed long options besides -f: "dj" (dry-run, json)
 *
 * Return: -1 when parsed, else an exit status
 */
static int parse(const char *cmd, int argc, char **argv, struct lab_args *a, const char *allow)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' }, { "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	int c;

	a->file = "lab.yaml";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:j", opts, NULL)) != -1) {
		if (c == 'f')
			a->file = optarg;
		else if (c == 'd' && strchr(allow, 'd'))
			a->dry_run = 1;
		else if (c == 'j' && strchr(allow, 'j'))
			a->json = 1;
		else
			return cli_usage(cmd, "unknown option or missing value \"%s\"", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	return -1;
}

/**
 * print_items() - steps or status lines, as text or JSON
 * @items:	items
 * @n:		how many
 * @json:	1 for a JSON array
 * @prefix:	text before each line
 */
static void print_items(const struct nc_lab_item *items, size_t n, int json, const char *prefix)
{
	struct json_object *arr = json ? json_object_new_array() : NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct nc_lab_item *it = &items[i];

		if (arr) {
			struct json_object *o = json_object_new_object();

			cli_json_add(o, "action", json_object_new_string(it->action));
			cli_json_add(o, "kind", json_object_new_string(it->kind));
			cli_json_add(o, "object", json_object_new_string(it->object));
			cli_json_add(o, "reason", json_object_new_string(it->reason));
			json_object_array_add(arr, o);
			continue;
		}
		printf("%s%-7s %-8s %s%s%s%s\n", prefix, it->action, it->kind, it->object,
		       it->reason[0] ? " (" : "", it->reason, it->reason[0] ? ")" : "");
	}
	if (arr) {
		cli_json_print(stdout, arr);
		putchar('\n');
	}
}

/**
 * load() - a context and the lab
 * @file:	lab file
 * @flags:	nc_lab_load()'s
 * @ctx:	result
 * @lab:	result
 *
 * Return: -1 when loaded, else an exit status (the error printed)
 */
static int load(const char *file, unsigned flags, struct nc_ctx **ctx, struct nc_lab **lab)
{
	int ret;

	*ctx = cli_ctx();
	if (!nc_lab_load(*ctx, file, flags, lab))
		return -1;
	ret = cli_fail(*ctx);
	nc_ctx_free(*ctx);
	return ret;
}

/**
 * cmd_up() - netcell up [-f FILE] [--dry-run] [--json]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_up(int argc, char **argv)
{
	struct nc_lab_item *items = NULL;
	struct lab_args a = { 0 };
	struct nc_lab *lab;
	struct nc_ctx *ctx;
	size_t n = 0;
	int ret;

	if (cli_help_requested(argc, argv, help_up))
		return 0;
	ret = parse("up", argc, argv, &a, "dj");
	if (ret >= 0 || (ret = load(a.file, 0, &ctx, &lab)) >= 0)
		return ret;
	ret = a.dry_run ? nc_lab_plan(ctx, lab, &items, &n) : nc_lab_up(ctx, lab, &items, &n);
	if (ret) {
		ret = cli_fail(ctx);	/* the message says what was undone */
	} else if (a.json) {
		print_items(items, n, 1, "");
	} else if (!n) {
		printf("lab %s: up to date, nothing %s\n", nc_lab_name(lab), a.dry_run ? "to do" : "changed");
	} else {
		print_items(items, n, 0, "  ");
		printf("lab %s: %s%zu change%s\n", nc_lab_name(lab), a.dry_run ? "plan (nothing done): " : "up, ",
		       n, n == 1 ? "" : "s");
	}
	if (!ret)
		cli_notices(ctx);
	free(items);
	nc_lab_free(lab);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cmd_down() - netcell down [-f FILE]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_down(int argc, char **argv)
{
	struct lab_args a = { 0 };
	struct nc_lab *lab;
	struct nc_ctx *ctx;
	unsigned removed = 0;
	int ret;

	if (cli_help_requested(argc, argv, help_down))
		return 0;
	ret = parse("down", argc, argv, &a, "");
	if (ret >= 0 || (ret = load(a.file, NC_LAB_NAME_ONLY, &ctx, &lab)) >= 0)
		return ret;
	ret = nc_lab_down(ctx, lab, &removed);
	if (ret) {
		ret = cli_fail(ctx);
	} else {
		cli_notices(ctx);
		printf("lab %s: down, %u cell%s removed\n", nc_lab_name(lab), removed, removed == 1 ? "" : "s");
	}
	nc_lab_free(lab);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cmd_status() - netcell status [-f FILE] [--json]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_status(int argc, char **argv)
{
	struct nc_lab_item *items = NULL;
	struct lab_args a = { 0 };
	size_t n = 0, i, cells = 0, up = 0;
	struct nc_lab *lab;
	struct nc_ctx *ctx;
	int ret;

	if (cli_help_requested(argc, argv, help_status))
		return 0;
	ret = parse("status", argc, argv, &a, "j");
	if (ret >= 0 || (ret = load(a.file, 0, &ctx, &lab)) >= 0)
		return ret;
	ret = nc_lab_status(ctx, lab, &items, &n);
	if (ret) {
		ret = cli_fail(ctx);
		goto out;
	}
	/* the cells' lines come first; the differences (add, remove, change) follow */
	for (i = 0; i < n && (!strcmp(items[i].action, "up") || !strcmp(items[i].action, "missing") ||
			      !strcmp(items[i].action, "drift")); i++) {
		cells++;
		up += !strcmp(items[i].action, "up");
	}
	if (a.json) {
		struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
		size_t k;

		cli_json_add(o, "lab", json_object_new_string(nc_lab_name(lab)));
		cli_json_add(o, "up", json_object_new_boolean(up == cells && n == cells));
		for (k = 0; k < n; k++) {
			struct json_object *e = json_object_new_object();

			cli_json_add(e, "action", json_object_new_string(items[k].action));
			cli_json_add(e, "kind", json_object_new_string(items[k].kind));
			cli_json_add(e, "object", json_object_new_string(items[k].object));
			cli_json_add(e, "reason", json_object_new_string(items[k].reason));
			json_object_array_add(arr, e);
		}
		cli_json_add(o, "items", arr);
		cli_json_print(stdout, o);
		putchar('\n');
		goto out;
	}
	print_items(items, cells, 0, "");
	if (n > cells) {
		printf("differences (what 'netcell up -f %s' would do):\n", a.file);
		print_items(items + cells, n - cells, 0, "  ");
	}
	printf("lab %s: %zu of %zu cells up, %zu difference%s\n", nc_lab_name(lab), up, cells, n - cells,
	       n - cells == 1 ? "" : "s");
	cli_notices(ctx);
out:
	free(items);
	nc_lab_free(lab);
	nc_ctx_free(ctx);
	return ret;
}
