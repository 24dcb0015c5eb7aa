// SPDX-License-Identifier: MIT
/* test_store.c - saved cell configuration: format, parse, durable save */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "store.h"
#include "unit.h"

/**
 * test_roundtrip() - format then parse gives the same configuration
 */
static void test_roundtrip(void)
{
	struct cell_conf a = { .created = 1795517594, .ephemeral = 1 }, b;
	char buf[4096];
	int n;

	snprintf(a.name, sizeof(a.name), "web-1");
	n = store_format(&a, buf, sizeof(buf));
	CHECK(n > 0, "format");
	CHECK(store_parse(buf, (size_t)n, &b) == 0, "parse");
	CHECK(!strcmp(b.name, "web-1") && b.created == a.created && b.ephemeral == 1,
	      "roundtrip");
}

/**
 * test_rejects() - damaged files are refused, not half-read
 */
static void test_rejects(void)
{
	static const char *bad[] = { "", "name=\n", "name=a/b\n", "name=x\nfoo=1\n",
		"name=x\ncreated=abc\n", "name=x\nephemeral=2\n", "garbage\n",
		"name=x\ncreated=-1\n", "created=5\n" };
	struct cell_conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(store_parse(bad[i], strlen(bad[i]), &c) == -EINVAL, bad[i]);
	CHECK(store_parse("name=x\0y\n", 9, &c) == -EINVAL, "NUL byte");
	CHECK(store_parse("# c\n\nname=ok\n", 13, &c) == 0, "comments, blank lines");
}

/**
 * test_save_load() - save is durable and load gives it back
 */
static void test_save_load(void)
{
	char dir[] = "/tmp/nc-unit-XXXXXX", sub[64];
	struct cell_conf a = { .created = 7 }, b;
	struct nc_ctx *ctx = nc_ctx_new();

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(sub, sizeof(sub), "%s/cells", dir);
	mkdir(sub, 0700);
	snprintf(a.name, sizeof(a.name), "db");
	CHECK(store_save(ctx, dir, &a) == 0, "save");
	CHECK(store_load(dir, "db", &b) == 0 && b.created == 7, "load");
	CHECK(store_load(dir, "nope", &b) == -ENOENT, "missing");
	CHECK(store_remove(dir, "db") == 0, "remove");
	CHECK(store_remove(dir, "db") == -ENOENT, "remove twice");
	rmdir(sub);
	rmdir(dir);
	nc_ctx_free(ctx);
}

/**
 * main() - run the store tests
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	test_roundtrip();
	test_rejects();
	test_save_load();
	return unit_done();
}
