/* SPDX-License-Identifier: MIT */
/* fuzz.h - shared by the libFuzzer targets: a NUL-terminated copy of input */
#ifndef NC_FUZZ_H
#define NC_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * fuzz_str() - the input as a C string (heap), cut at the first NUL
 * @data:	input
 * @size:	its length
 *
 * Return: string to free(), or NULL
 */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif /* NC_FUZZ_H */
