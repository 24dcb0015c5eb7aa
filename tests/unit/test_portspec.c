// SPDX-License-Identifier: MIT
/* test_portspec.c - published port specs: parse, canonical form, clashes */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "base/portspec.h"
#include "unit.h"

/**
 * canonical() - parse @in and compare its canonical text with @want
 * @in:		what a user writes
 * @want:	expected canonical text
 *
 * Return: 1 if it parses and formats to @want
 */
static int canonical(const char *in, const char *want)
{
	char buf[PORTSPEC_TEXT_MAX + 1];
	struct portspec s;

	if (portspec_parse(in, &s, NULL) || portspec_format(&s, buf, sizeof(buf)) < 0)
		return 0;
	if (strcmp(buf, want)) {
		fprintf(stderr, "%s -> %s, wanted %s\n", in, buf, want);
		return 0;
	}
	return 1;
}

/**
 * test_accepts() - the accepted forms and their canonical text
 */
static void test_accepts(void)
{
	struct portspec s;

	CHECK(canonical("8080:80", "127.0.0.1:8080:80/tcp"), "default address and proto");
	CHECK(canonical("8080:80/udp", "127.0.0.1:8080:80/udp"), "udp");
	CHECK(canonical("0.0.0.0:5353:53/udp", "0.0.0.0:5353:53/udp"), "wildcard v4");
	CHECK(canonical("[::1]:8080:80", "[::1]:8080:80/tcp"), "IPv6 in brackets");
	CHECK(canonical("[0:0::0:1]:8080:80/tcp", "[::1]:8080:80/tcp"), "IPv6 canonical");
	CHECK(canonical("[::]:1:65535", "[::]:1:65535/tcp"), "wildcard v6, port range ends");
	CHECK(canonical("127.0.0.2:00080:8", "127.0.0.2:80:8/tcp"), "leading zeros");
	CHECK(!portspec_parse("[::1]:8080:80/udp", &s, NULL) && s.family == AF_INET6 &&
	      s.proto == IPPROTO_UDP && s.hport == 8080 && s.cport == 80, "fields");
	CHECK(!portspec_parse("8080:80", &s, NULL) && s.family == AF_INET &&
	      s.addr[0] == 127 && s.addr[3] == 1, "127.0.0.1 bytes");
}

/**
 * test_rejects() - everything else is refused, with a reason
 */
static void test_rejects(void)
{
	static const char *bad[] = { "", "80", ":80", "80:", "0:80", "80:0",
		"65536:80", "80:65536", "123456:80", "a:b", "+80:80", "-1:80",
		" 8080:80", "8080:80 ", "8080:80/", "8080:80/sctp",
		"8080:80/tcp/udp", "::1:8080:80", "[::1]8080:80", "[::1:8080:80",
		"[::1]:8080", "localhostx:8080:80", "1.2.3:8080:80", "1.2.3.4.5:80:80",
		"[fe80::1%eth0]:80:80", "[127.0.0.1]:80:80", "0x50:80",
		"127.0.0.1:8080:80:90",
		"[1111:2222:3333:4444:5555:6666:7777:8888]:65535:65535/udpxxxxxxxxxxxxxxx" };
	struct portspec s;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK(portspec_parse(bad[i], &s, &why) == -EINVAL && why && *why, bad[i]);
	}
}

/**
 * spec() - parse a spec known to be good
 * @text:	spec
 *
 * Return: the spec
 */
static struct portspec spec(const char *text)
{
	struct portspec s;

	if (portspec_parse(text, &s, NULL))
		fprintf(stderr, "bad test spec %s\n", text);
	return s;
}

/**
 * test_clash() - which forwards want the same host socket
 */
static void test_clash(void)
{
	struct portspec a = spec("8080:80"), b = spec("0.0.0.0:8080:81");
	struct portspec c = spec("8080:81"), d = spec("8080:80/udp");
	struct portspec e = spec("[::]:8080:80"), g = spec("[::1]:8080:80");
	struct portspec h = spec("127.0.0.2:8080:80"), i = spec("8081:80");

	CHECK(portspec_clash(&a, &c) == 2, "same host socket");
	CHECK(portspec_equal(&a, &a) && !portspec_equal(&a, &c), "equal needs the cell port");
	CHECK(portspec_clash(&a, &b) == 1 && portspec_clash(&b, &a) == 1, "wildcard overlaps");
	CHECK(!portspec_clash(&a, &d), "tcp and udp are apart");
	CHECK(!portspec_clash(&b, &e), "0.0.0.0 and [::] are apart (V6ONLY)");
	CHECK(portspec_clash(&e, &g) == 1, "[::] overlaps [::1]");
	CHECK(!portspec_clash(&a, &h), "two loopback addresses are apart");
	CHECK(!portspec_clash(&a, &i), "two ports are apart");
	CHECK(portspec_wildcard(&b) && portspec_wildcard(&e) && !portspec_wildcard(&g),
	      "wildcards");
}

/**
 * test_public() - nc_port_parse() and nc_port_format()
 */
static void test_public(void)
{
	struct nc_ctx *ctx = nc_ctx_new();
	struct nc_port p;
	char buf[96];

	CHECK(nc_port_parse(ctx, "[::1]:8443:443/udp", &p) == 0 &&
	      !strcmp(p.host_addr, "::1") && p.host_port == 8443 &&
	      p.cell_port == 443 && !strcmp(p.proto, "udp"), "nc_port_parse");
	CHECK(nc_port_format(&p, buf, sizeof(buf)) > 0 &&
	      !strcmp(buf, "[::1]:8443:443/udp"), "nc_port_format");
	CHECK(nc_port_format(&p, buf, 4) == -ENOSPC, "nc_port_format short buffer");
	CHECK(nc_port_parse(ctx, "8080", &p) == -EINVAL &&
	      nc_errkind(ctx) == NC_ERR_USAGE, "usage error");
	CHECK(strstr(nc_errmsg(ctx), "[HOSTADDR:][HOSTPORT:]CELLPORT[/tcp|/udp]") != NULL,
	      "message shows the accepted form");
	CHECK(nc_port_parse(ctx, "::1:80:80", &p) == -EINVAL &&
	      strstr(nc_errmsg(ctx), "brackets") != NULL, "message says why");
	nc_ctx_free(ctx);
}

/**
 * test_to_host() - "host:HOSTPORT[:CELLPORT]", the other way round
 */
static void test_to_host(void)
{
	struct portspec a, b, s;

	CHECK(canonical("host:5432", "host:5432:5432/tcp"), "host: default cell port");
	CHECK(canonical("localhost:8080:80/TCP", "127.0.0.1:8080:80/tcp"), "localhost, /TCP");
	CHECK(canonical("LocalHost:53:53/Udp", "127.0.0.1:53:53/udp"), "any case");
	CHECK(canonical("host:5432:15432/tcp", "host:5432:15432/tcp"), "host: cell port");
	CHECK(!portspec_parse("host:5432", &s, NULL) && s.to_host && s.family == AF_INET &&
	      s.addr[0] == 127 && s.addr[3] == 1, "host: is the host's 127.0.0.1");
	CHECK(portspec_parse("host:5432/udp", &s, NULL) == -EINVAL, "host: is TCP");
	CHECK(portspec_parse("host:0", &s, NULL) == -EINVAL, "host: port 0");
	CHECK(portspec_parse("host:", &s, NULL) == -EINVAL, "host: no port");
	portspec_parse("host:5432", &a, NULL);
	portspec_parse("127.0.0.1:5432:5432", &b, NULL);
	CHECK(!portspec_clash(&a, &b) && !portspec_clash(&b, &a), "the two ways never clash");
	portspec_parse("host:6000:5432", &b, NULL);
	CHECK(portspec_clash(&a, &b) == 1 && !portspec_equal(&a, &b), "same cell port clashes");
	portspec_parse("host:5432:6000", &b, NULL);
	CHECK(!portspec_clash(&a, &b), "another cell port does not");
}

/**
 * main() - run the port spec tests
 *
 * Return: 0 if all checks pass
 */
/**
 * test_expand() - ranges and a missing host port, as podman users write
 * them; everything parse takes expands to itself
 */
static void test_expand(void)
{
	static const char *bad[] = { "8000-8010:80", "8000-8001:80-82", "80-79",
		"-80", "80-", "1-65535", "::80x", "1-2-3:1-2", "0-1:1-2", "a-b" };
	struct portspec s[NC_PORTS_MAX], one;
	const char *why;
	size_t n, i;

	CHECK(!portspec_expand("8000-8010:9000-9010/UDP", s, NC_PORTS_MAX, &n, &why) &&
	      n == 11 && s[0].hport == 8000 && s[0].cport == 9000 && s[10].hport == 8010 &&
	      s[10].cport == 9010 && s[10].proto == IPPROTO_UDP && s[3].addr[0] == 127, "range");
	CHECK(!portspec_expand("80", s, NC_PORTS_MAX, &n, &why) && n == 1 &&
	      s[0].hport == 0 && s[0].cport == 80 && s[0].proto == IPPROTO_TCP, "no host port");
	CHECK(!portspec_expand("[::1]::53/udp", s, NC_PORTS_MAX, &n, &why) && n == 1 &&
	      s[0].hport == 0 && s[0].cport == 53 && s[0].family == AF_INET6, "ADDR::PORT");
	CHECK(!portspec_expand("0.0.0.0::80-81", s, NC_PORTS_MAX, &n, &why) && n == 2 &&
	      s[1].hport == 0 && s[1].cport == 81 && s[1].addr[0] == 0, "cell range, no host port");
	CHECK(!portspec_expand("8080:80", s, NC_PORTS_MAX, &n, &why) && n == 1 &&
	      !portspec_parse("8080:80", &one, NULL) && portspec_equal(&s[0], &one), "plain");
	CHECK(!portspec_expand("host:5432", s, NC_PORTS_MAX, &n, &why) && n == 1 && s[0].to_host, "host:");
	CHECK(portspec_expand("1000-1099:1000-1099", s, NC_PORTS_MAX, &n, &why) == -EINVAL, "over the room");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK(portspec_expand(bad[i], s, NC_PORTS_MAX, &n, &why) == -EINVAL && why && *why, bad[i]);
	}
}

int main(void)
{
	test_expand();
	test_accepts();
	test_rejects();
	test_clash();
	test_public();
	test_to_host();
	return unit_done();
}
