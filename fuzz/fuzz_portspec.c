// SPDX-License-Identifier: MIT
/* fuzz_portspec.c - published port specs: no crash; what parses formats to
 * a canonical text that parses back to the same spec */
#include <assert.h>
#include <string.h>
#include "fuzz.h"
#include "portspec.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[PORTSPEC_TEXT_MAX], again[PORTSPEC_TEXT_MAX];
	struct portspec p, q;
	const char *why = NULL;

	if (s && !portspec_parse(s, &p, &why)) {
		assert(p.hport >= 1 && p.cport >= 1);
		assert(portspec_format(&p, buf, sizeof(buf)) >= 0);
		assert(!portspec_parse(buf, &q, &why) && portspec_equal(&p, &q));
		assert(portspec_clash(&p, &q));
		portspec_format(&q, again, sizeof(again));
		assert(!strcmp(buf, again));
	} else if (s) {
		assert(why && *why);
	}
	free(s);
	return 0;
}
