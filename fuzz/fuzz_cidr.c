// SPDX-License-Identifier: MIT
/* fuzz_cidr.c - CIDR parsing: no crash; what parses formats and parses back */
#include <assert.h>
#include "base/cidr.h"
#include "fuzz.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[64];
	struct cidr c, d, h;

	if (s && !cidr_parse(s, &c)) {
		cidr_format(&c, buf, sizeof(buf));
		assert(!cidr_parse(buf, &d) && d.plen == c.plen && d.family == c.family);
		cidr_host(&c, 1, &h);
		cidr_host(&c, 2, &h);
		assert(cidr_overlap(&c, &c));
	}
	free(s);
	return 0;
}
