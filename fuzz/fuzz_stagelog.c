// SPDX-License-Identifier: MIT
/* fuzz_stagelog.c - fw stage's command log, which the staged script can
 * write to as it likes */
#include <string.h>
#include "fuzz.h"
#include "fw/stagelog.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes (NUL bytes separate the fields, as in the log)
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);

	if (buf) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		stage_log_check(buf, size);
	}
	free(buf);
	return 0;
}
