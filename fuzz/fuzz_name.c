// SPDX-License-Identifier: MIT
/* fuzz_name.c - cell names: no crash, and an accepted name is a safe file name */
#include <assert.h>
#include "fuzz.h"
#include "base/name.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	if (s && !name_problem(s))
		assert(!strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strlen(s) <= 64);
	free(s);
	return 0;
}
