// SPDX-License-Identifier: MIT
/* fuzz_store.c - saved cell files: no crash; what parses formats and parses back */
#include <assert.h>
#include "fuzz.h"
#include "base/store.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cell_conf c, d;
	char buf[8192];
	int n;

	if (store_parse((const char *)data, size, &c))
		return 0;
	n = store_format(&c, buf, sizeof(buf));
	assert(n > 0 && !store_parse(buf, (size_t)n, &d));
	assert(!strcmp(c.name, d.name) && c.created == d.created);
	return 0;
}
