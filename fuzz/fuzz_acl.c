// SPDX-License-Identifier: MIT
/* fuzz_acl.c - a directory's POSIX ACL attribute (another user's bytes):
 * no crash; a malformed one is never trusted; the reason is a string */
#include <assert.h>
#include <string.h>
#include "base/trust.h"
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
	char why[96];
	int gwrite = -1, r;

	memset(why, 'x', sizeof(why));
	why[0] = '\0';
	r = trust_acl_check(data, size, 1000, 1000, &gwrite, why, sizeof(why));
	assert(r == 0 || r == 1);
	if (size < 4 || (size - 4) % 8)
		assert(r == 1 && gwrite == -1);
	assert(memchr(why, '\0', sizeof(why)));
	assert(r == 0 || why[0]);
	return 0;
}
