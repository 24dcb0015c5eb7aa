// SPDX-License-Identifier: MIT
/* cmd_doctor.c - netcell doctor [--json] */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char help[] =
	"Usage: netcell doctor [-j|--json]\n\n"
	"Check everything cells need on this machine, for the calling user, and\n"
	"say how to fix what is missing: user and network namespaces (sysctls,\n"
	"AppArmor), nftables in a namespace the user owns, the largest netlink\n"
	"transaction (net.core.wmem_max), /dev/net/tun, pasta and slirp4netns,\n"
	"which host ports ordinary users can publish, the runtime directory\n"
	"(XDG_RUNTIME_DIR) and /etc/subuid.  Each check prints OK, WARN or FAIL,\n"
	"what it read, and for WARN and FAIL the exact fix.  Run as root, it also\n"
	"tries what an ordinary user would get; problems only they have are WARN.\n\n"
	"--json prints {\"checks\":[{\"id\",\"title\",\"status\":\"ok\"|\"warn\"|\"fail\",\n"
	"\"evidence\",\"fix\"}...],\"ok\":true|false}.\n\n"
	"Exit codes: 0 nothing failed (warnings allowed), 5 a check failed.\n";

/**
 * status_name() - a check status as printed
 * @s:		status
 * @json:	lower case for JSON
 *
 * Return: a constant string
 */
static const char *status_name(enum nc_check_status s, int json)
{
	switch (s) {
	case NC_CHECK_OK:
		return json ? "ok" : "OK";
	case NC_CHECK_WARN:
		return json ? "warn" : "WARN";
	case NC_CHECK_FAIL:
		return json ? "fail" : "FAIL";
	default:
		return json ? "fail" : "????";
	}
}

/**
 * print_json() - the checks as one JSON object
 * @c:		checks
 * @n:		their number
 * @ok:		1 when none failed
 */
static void print_json(const struct nc_check *c, size_t n, int ok)
{
	struct json_object *o = json_object_new_object(), *arr, *chk;
	size_t i;

	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		chk = json_object_new_object();
		cli_json_add(chk, "id", json_object_new_string(c[i].id));
		cli_json_add(chk, "title", json_object_new_string(c[i].title));
		cli_json_add(chk, "status", json_object_new_string(status_name(c[i].status, 1)));
		cli_json_add(chk, "evidence", json_object_new_string(c[i].evidence));
		cli_json_add(chk, "fix", json_object_new_string(c[i].fix));
		json_object_array_add(arr, chk);
	}
	cli_json_add(o, "checks", arr);
	cli_json_add(o, "ok", json_object_new_boolean(ok));
	cli_json_print(stdout, o);
	putchar('\n');
}

/**
 * print_text() - one line per check, and its fix below when it has one
 * @c:		checks
 * @n:		their number
 */
static void print_text(const struct nc_check *c, size_t n)
{
	size_t i, count[3] = { 0, 0, 0 };

	for (i = 0; i < n; i++) {
		printf("%-4s %-11s %s: %s\n", status_name(c[i].status, 0),
		       c[i].id, c[i].title, c[i].evidence);
		if (c[i].fix[0])
			printf("     fix: %s\n", c[i].fix);
		if ((unsigned)c[i].status < 3)
			count[c[i].status]++;
	}
	printf("%zu checks: %zu ok, %zu warn, %zu fail\n", n, count[NC_CHECK_OK],
	       count[NC_CHECK_WARN], count[NC_CHECK_FAIL]);
}

/**
 * cmd_doctor() - netcell doctor [--json]
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 0 when no check failed, 5 when one did, other codes on errors
 */
int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct nc_check *checks;
	struct nc_ctx *ctx;
	int c, json = 0, ok = 1;
	size_t i, n;

	if (cli_help_requested(argc, argv, help))
		return 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("doctor", "unknown option \"%s\"", argv[optind - 1]);
		json = 1;
	}
	if (optind < argc)
		return cli_usage("doctor", "unexpected argument \"%s\"", argv[optind]);
	ctx = cli_ctx();
	if (nc_doctor(ctx, &checks, &n)) {
		c = cli_fail(ctx);
		nc_ctx_free(ctx);
		return c;
	}
	for (i = 0; i < n; i++)
		ok &= checks[i].status != NC_CHECK_FAIL;
	if (json)
		print_json(checks, n, ok);
	else
		print_text(checks, n);
	free(checks);
	nc_ctx_free(ctx);
	return ok ? 0 : NC_ERR_PERM;
}
