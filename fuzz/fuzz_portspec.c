// SPDX-License-Identifier: MIT
/* fuzz_portspec.c - published port specs: no crash; what parses formats to
 * a canonical text that parses back to the same spec */
#include <assert.h>
#include <string.h>
#include "fuzz.h"
#include "base/portspec.h"

/**
 * expand() - what expands gives single specs that format and parse back
 * @s:		input text
 */
static void expand(const char *s)
{
	char buf[PORTSPEC_TEXT_MAX];
	struct portspec out[8], q;
	const char *why = NULL;
	size_t n, i;

	if (portspec_expand(s, out, 8, &n, &why)) {
		assert(why && *why);
		return;
	}
	assert(n >= 1 && n <= 8);
	for (i = 0; i < n; i++) {
		assert(out[i].cport >= 1);
		if (!out[i].hport)
			out[i].hport = 1;	/* as if chosen */
		assert(portspec_format(&out[i], buf, sizeof(buf)) >= 0);
		assert(!portspec_parse(buf, &q, &why) && portspec_equal(&out[i], &q));
	}
}

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
	if (s)
		expand(s);
	free(s);
	return 0;
}
