// SPDX-License-Identifier: MIT
/* test_lab.c - lab files: the model of a good file, the position and words
 * of each error, canonical items and the record's round trip */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lab/lab.h"
#include "unit.h"

static const char good[] =
	"name: demo\n"
	"cells:\n"
	"  a:\n"
	"    interfaces: { e1: [10.0.1.1/24, \"fd00:1::1/64\"] }\n"
	"    routes: [\"default via 10.0.1.2\", \"default via fd00:1::2\", \"10.9.0.0/16 dev e1\"]\n"
	"  r:\n"
	"    interfaces: { e1: [10.0.1.2/24] }\n"
	"    sysctl: { net.ipv4.ip_forward: \"1\" }\n"
	"    uplink: pasta\n"
	"    publish: [\"18080:80\"]\n"
	"  c:\n"
	"links:\n"
	"  - [r:e1, a:e1]\n"
	"  - [c:x, r:y]\n";

/**
 * parse() - lab_parse() of a text, the error message kept
 * @text:	file content
 * @ctx:	context (its message)
 * @lab:	result
 *
 * Return: lab_parse()'s result
 */
static int parse(const char *text, struct nc_ctx *ctx, struct nc_lab **lab)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->kfd = -1;
	return lab_parse(ctx, "lab.yaml", text, strlen(text), ".", LAB_ROOTLESS, lab);
}

/**
 * test_good() - the model of a good file
 */
static void test_good(void)
{
	struct nc_ctx ctx;
	struct nc_lab *lab;
	struct lab_rec r;
	int i;

	CHECK(parse(good, &ctx, &lab) == 0, ctx.msg);
	if (!lab)
		return;
	CHECK(!strcmp(lab->name, "demo") && lab->ncells == 3 && lab->nlinks == 2, "sizes");
	CHECK(!strcmp(lab->cells[0].full, "demo-a") && lab->cells[0].nroutes == 3, "cell a");
	CHECK(lab->cells[0].routes[1].family == AF_INET6 && lab->cells[0].routes[1].dst.plen == 0,
	      "an IPv6 default route by its gateway");
	CHECK(!strcmp(lab->cells[1].uplink, "pasta") && !strcmp(lab->cells[2].uplink, "none"),
	      "uplinks (none by default)");
	CHECK(!strcmp(lab->cells[1].ports[0], "127.0.0.1:18080:80/tcp"), "canonical port");
	CHECK(lab->cells[2].nifs == 1 && lab->cells[2].ifs[0].naddr == 0, "a link end without addresses");
	CHECK(lab_items(lab, &r) == 0, "items");
	CHECK(lab_rec_has(&r, "link a:e1 r:e1"), "a link's ends in the order of their cells");
	CHECK(lab_rec_has(&r, "a route default6 fd00:1::2 -"), "IPv6 default route item");
	CHECK(lab_rec_has(&r, "a route 10.9.0.0/16 - e1"), "link route item");
	CHECK(lab_rec_has(&r, "r sysctl net.ipv4.ip_forward 1"), "sysctl item");
	CHECK(lab_rec_has(&r, "c uplink none"), "uplink item");
	i = lab_find_cell(lab, "r");
	CHECK(i == 1 && lab_find_cell(lab, "zz") == -1, "lab_find_cell");
	lab_rec_release(&r);
	nc_lab_free(lab);
}

/**
 * test_errors() - each mistake at its line and column, nothing returned
 */
static void test_errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "name: x\ncells:\n  a: { interfaces: { e1: [10.0.1.1/24] } }\nlinks:\n  - [a:e1, r:e3]\n",
		  "lab.yaml:5:12: link endpoint \"r:e3\": no such cell \"r\"" },
		{ "name: x\ncells:\n  a: { colour: red }\n", "lab.yaml:3:8: cell \"a\": unknown key \"colour\"" },
		{ "name: x\ncells:\n  a: { interfaces: { e1: [], e1: [] } }\n",
		  "lab.yaml:3:30: interface \"e1\" of cell \"a\": duplicate interface" },
		{ "name: x\ncells:\n  a: { interfaces: { e1: [10.0.1/24] } }\n", "lab.yaml:3:27: address" },
		{ "name: x\ncells:\n  a: { interfaces: { e1: [1.2.3.4/24] } }\n",
		  "lab.yaml:3:22: interface \"e1\" of cell \"a\": on no link" },
		{ "name: x\ncells:\n  a: { routes: [\"default\"] }\n", "lab.yaml:3:17: route \"default\"" },
		{ "name: x\ncells:\n  a: { routes: [\"default via fd00::1 dev e1\"] }\n",
		  "lab.yaml:3:17: route of cell \"a\": no interface \"e1\"" },
		{ "name: x\ncells:\n  a: { sysctl: { kernel.hostname: y } }\n", "lab.yaml:3:18: sysctl \"kernel.hostname\"" },
		{ "name: x\ncells:\n  a: { uplink: veth }\n", "lab.yaml:3:16: uplink \"veth\" of cell \"a\": only root" },
		{ "name: x\ncells:\n  a: { publish: [\"80\"] }\n", "lab.yaml:3:18: port \"80\"" },
		{ "name: x\ncells:\n  a:\n  b:\nlinks: [[a:e1, b:e1], [b:e2, a:e2]]\n",
		  "lab.yaml:5:23: link: cells \"b\" and \"a\" are linked twice" },
		{ "name: x\ncells:\n  a:\nlinks: [[a:e1, a:e2]]\n", "lab.yaml:4:9: link: both ends are in cell \"a\"" },
		{ "name: x\ncells:\n  a: { interfaces: { lo: [] } }\n", "lab.yaml:3:22: interface \"lo\"" },
		{ "cells: { a: }\n", "lab.yaml:1:1: the lab has no name" },
		{ "name: a/b\ncells: { a: }\n", "lab.yaml:1:7: name \"a/b\"" },
		{ "name: x\ncells: {}\n", "lab.yaml:2:8: cells: a lab needs at least one cell" },
		{ "name: x\ncells:\n  a: [\n", "lab.yaml:4:1: invalid YAML" },
		{ "", "lab.yaml:1:1: the file is empty" },
		{ "- 1\n", "lab.yaml:1:1: lab file: expected a mapping" },
	};
	struct nc_ctx ctx;
	struct nc_lab *lab;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		lab = (struct nc_lab *)1;
		CHECK(parse(bad[i].text, &ctx, &lab) == -EINVAL && !lab && ctx.kind == NC_ERR_USAGE,
		      bad[i].want);
		CHECK(!strncmp(ctx.msg, bad[i].want, strlen(bad[i].want)), ctx.msg);
	}
}

/**
 * test_record() - a record saved and read back holds its cells and items
 */
static void test_record(void)
{
	char dir[] = "/tmp/nclabunit.XXXXXX", path[256];
	struct lab_rec a = { 0 }, b;
	struct nc_ctx ctx = { .kfd = -1 };

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/demo.lab", dir);
	snprintf(a.cell[0].name, sizeof(a.cell[0].name), "a");
	snprintf(a.cell[0].full, sizeof(a.cell[0].full), "demo-a");
	a.cell[0].created = 1795517594;
	a.cell[0].fwgen = 3;
	a.ncells = 1;
	CHECK(lab_rec_add(&a, "a addr e1 10.0.1.1/24") == 0 && lab_rec_add(&a, "link a:e1 r:e1") == 0,
	      "add items");
	CHECK(lab_rec_save(&ctx, path, "demo", &a) == 0, ctx.msg);
	CHECK(lab_rec_load(path, &b) == 0, "load");
	CHECK(b.ncells == 1 && !strcmp(b.cell[0].full, "demo-a") && b.cell[0].created == 1795517594 &&
	      b.cell[0].fwgen == 3, "cells back");
	CHECK(b.nitems == 2 && lab_rec_has(&b, "link a:e1 r:e1"), "items back");
	lab_rec_release(&b);
	a.ncells = 0;	/* an empty record is no file */
	CHECK(lab_rec_save(&ctx, path, "demo", &a) == 0 && access(path, F_OK) != 0, "empty record removed");
	CHECK(lab_rec_load(path, &b) == -ENOENT, "no record");
	lab_rec_release(&a);
	rmdir(dir);
}

/**
 * main() - run the lab tests
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	test_good();
	test_errors();
	test_record();
	return unit_done();
}
