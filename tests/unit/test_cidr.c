// SPDX-License-Identifier: MIT
/* test_cidr.c - address prefix parsing */
#include <string.h>
#include "base/cidr.h"
#include "unit.h"

/**
 * main() - check parsing, hosts, overlap
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	static const char *bad[] = { "", "/24", "10.0.0.0/", "10.0.0.0/33", "10.0.0/24",
		"10.0.0.0/24x", "fd00::/129", "x", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0 /24", "1.2.3.4.5", "::g" };
	struct cidr c, h, d;
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(cidr_parse(bad[i], &c) == -EINVAL, bad[i]);
	CHECK(cidr_parse("10.1.2.0/24", &c) == 0 && c.family == AF_INET && c.plen == 24, "v4");
	CHECK(cidr_host(&c, 1, &h) == 0, "host 1");
	cidr_format(&h, buf, sizeof(buf));
	CHECK(!strcmp(buf, "10.1.2.1/24"), buf);
	CHECK(cidr_host(&c, 255, &h) == -ERANGE, "broadcast is no host");
	CHECK(cidr_parse("10.1.2.77/30", &c) == 0 && cidr_host(&c, 2, &h) == 0, "/30");
	cidr_format(&h, buf, sizeof(buf));
	CHECK(!strcmp(buf, "10.1.2.78/30"), buf);
	CHECK(cidr_parse("fd00:1::/64", &c) == 0 && c.family == AF_INET6, "v6");
	CHECK(cidr_host(&c, 2, &h) == 0, "v6 host");
	cidr_format(&h, buf, sizeof(buf));
	CHECK(!strcmp(buf, "fd00:1::2/64"), buf);
	CHECK(cidr_parse("192.0.2.1", &c) == 0 && c.plen == 32, "bare address");
	cidr_parse("10.0.0.0/8", &c);
	cidr_parse("10.200.0.0/16", &d);
	CHECK(cidr_overlap(&c, &d), "overlap");
	cidr_parse("11.0.0.0/8", &d);
	CHECK(!cidr_overlap(&c, &d), "no overlap");
	return unit_done();
}
