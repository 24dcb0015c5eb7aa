// SPDX-License-Identifier: MIT
/* test_store.c - saved cell configuration: format, parse, durable save */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "base/store.h"
#include "unit.h"

/**
 * test_roundtrip() - format then parse gives the same configuration
 */
static void test_roundtrip(void)
{
	struct cell_conf a = { .created = 1795517594, .ephemeral = 1,
			       .id = 18446744073709551557ull }, b;
	char buf[4096];
	int n;

	snprintf(a.name, sizeof(a.name), "web-1");
	n = store_format(&a, buf, sizeof(buf));
	CHECK(n > 0, "format");
	CHECK(store_parse(buf, (size_t)n, &b) == 0, "parse");
	CHECK(!strcmp(b.name, "web-1") && b.created == a.created && b.ephemeral == 1,
	      "roundtrip");
	CHECK(b.id == a.id, "the creation identity survives (a lost KEEP reply)");
}

/**
 * test_rejects() - damaged files are refused, not half-read
 */
static void test_rejects(void)
{
	static const char *bad[] = { "", "name=\n", "name=a/b\n", "name=x\nfoo=1\n",
		"name=x\ncreated=abc\n", "name=x\nephemeral=2\n", "garbage\n",
		"name=x\ncreated=-1\n", "created=5\n", "name=x\nid=-3\n", "name=x\nid=\n",
		"name=x\nid=12z\n", "name=x\nid=99999999999999999999999\n" };
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
 * test_ports() - published ports are saved, read back and checked
 */
static void test_ports(void)
{
	static const char *bad[] = { "name=x\nport=8080\n",
		"name=x\nport=8080:80\nport=0.0.0.0:8080:81\n",
		"name=x\nport=8080:80\nport=8080:80\n",
		"name=x\nport=[::1]:80:80/sctp\n" };
	struct cell_conf a = { .created = 1 }, b;
	char buf[STORE_MAX], *text = buf;
	size_t i;
	int n;

	snprintf(a.name, sizeof(a.name), "web");
	CHECK(!portspec_parse("8080:80", &a.ports[0], NULL) &&
	      !portspec_parse("[::]:5353:53/udp", &a.ports[1], NULL), "specs");
	a.nports = 2;
	n = store_format(&a, buf, sizeof(buf));
	CHECK(n > 0 && strstr(buf, "port=127.0.0.1:8080:80/tcp\nport=[::]:5353:53/udp\n"),
	      "port lines");
	CHECK(store_parse(buf, (size_t)n, &b) == 0 && b.nports == 2 &&
	      portspec_equal(&b.ports[0], &a.ports[0]) &&
	      portspec_equal(&b.ports[1], &a.ports[1]), "ports roundtrip");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(store_parse(bad[i], strlen(bad[i]), &b) == -EINVAL, bad[i]);
	/* the most ports a cell may have fit, one more is refused */
	for (i = 0; i < NC_PORTS_MAX; i++) {
		a.ports[i] = a.ports[1];
		a.ports[i].family = AF_INET6;
		memset(a.ports[i].addr, 0xff, 16);
		a.ports[i].hport = (unsigned short)(60000 + i);
	}
	a.nports = NC_PORTS_MAX;
	n = store_format(&a, buf, sizeof(buf));
	CHECK(n > 0 && store_parse(buf, (size_t)n, &b) == 0 &&
	      b.nports == NC_PORTS_MAX, "NC_PORTS_MAX ports fit");
	text = malloc(STORE_MAX + 64);
	if (text && n > 0) {
		snprintf(text, STORE_MAX + 64, "%sport=1:1\n", buf);
		CHECK(store_parse(text, strlen(text), &b) == -EINVAL, "one port too many");
	}
	free(text);
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
	test_ports();
	return unit_done();
}
