// SPDX-License-Identifier: MIT
/*
 * cellfw.c - a program that uses libnetcell, not netcell's CLI: it makes a
 * cell, applies a firewall to it, stages an iptables script into a second
 * ruleset and applies that, publishes a port, runs a command, and deletes
 * the cell.
 *
 * Build against the installed library:
 *	cc -o cellfw cellfw.c $(pkg-config --cflags --libs libnetcell)
 * Run (as root, or as any user for rootless cells):
 *	./cellfw CELL RULES.nft SCRIPT.sh HOSTPORT:CELLPORT [CMD]
 * CMD runs (sh -c) once all is in place, with NETCELL_EXAMPLE_CELL set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netcell.h>

/**
 * fail() - print the library's last error with what failed
 * @ctx:	context
 * @what:	the step that failed
 *
 * Return: the error kind, netcell's exit code
 */
static int fail(struct nc_ctx *ctx, const char *what)
{
	const char *n;

	while ((n = nc_notice_next(ctx)))
		fprintf(stderr, "cellfw: notice: %s\n", n);
	fprintf(stderr, "cellfw: %s: %s\n", what, nc_errmsg(ctx));
	return nc_errkind(ctx) ? (int)nc_errkind(ctx) : 1;
}

/**
 * setup() - everything between create and delete
 * @ctx:	context
 * @argv:	CELL RULES SCRIPT PORTSPEC
 *
 * Return: 0 or an exit code
 */
static int setup(struct nc_ctx *ctx, char **argv)
{
	const char *cell = argv[1], *spec = argv[4];
	char *script[] = { argv[3], NULL }, *text = NULL, staged[] = "/tmp/cellfw-XXXXXX";
	unsigned gen = 0;
	FILE *f;
	int fd;

	if (nc_fw_apply(ctx, cell, argv[2], NC_FW_AUTO, 0, &gen))
		return fail(ctx, "fw apply");
	printf("applied %s as generation %u\n", argv[2], gen);
	if (nc_fw_stage(ctx, script, NC_FW_AUTO, 0, &text))
		return fail(ctx, "fw stage");
	fd = mkstemp(staged);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		free(text);
		perror("cellfw: staged ruleset");
		return 1;
	}
	free(text);
	printf("staged %s\n", argv[3]);
	if (nc_fw_apply(ctx, cell, staged, NC_FW_AUTO, 0, &gen)) {
		remove(staged);
		return fail(ctx, "fw apply (staged)");
	}
	remove(staged);
	printf("applied the staged ruleset as generation %u\n", gen);
	if (nc_port_add(ctx, cell, &spec, 1))
		return fail(ctx, "port add");
	printf("published %s\n", spec);
	return 0;
}

/**
 * main() - create, set up, run CMD, delete
 * @argc:	argument count
 * @argv:	CELL RULES SCRIPT PORTSPEC [CMD]
 *
 * Return: 0, or netcell's exit code of the step that failed
 */
int main(int argc, char **argv)
{
	struct nc_ctx *ctx;
	int ret;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: cellfw CELL RULES.nft SCRIPT.sh HOSTPORT:CELLPORT [CMD]\n");
		return 2;
	}
	ctx = nc_ctx_new();
	if (!ctx) {
		fprintf(stderr, "cellfw: out of memory\n");
		return 1;
	}
	if (nc_create(ctx, argv[1], 0)) {
		ret = fail(ctx, "create");
		nc_ctx_free(ctx);
		return ret;
	}
	printf("created %s\n", argv[1]);
	ret = setup(ctx, argv);
	if (!ret && argc == 6) {
		setenv("NETCELL_EXAMPLE_CELL", argv[1], 1);
		fflush(stdout);
		ret = system(argv[5]) ? 1 : 0;
		printf("command %s\n", ret ? "failed" : "succeeded");
	}
	if (nc_delete(ctx, argv[1]))
		ret = fail(ctx, "delete");
	else
		printf("deleted %s\n", argv[1]);
	nc_ctx_free(ctx);
	return ret;
}
