// SPDX-License-Identifier: MIT
/* fuzz_ruleset.c - ruleset files: format detection and the splitter's parser */
#include "firewall.h"
#include "fuzz.h"
#include "nftsplit.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[512];

	if (s) {
		fw_detect_format(s);
		fw_ipt_family(s);
		nftsplit_check(s, err, sizeof(err));
	}
	free(s);
	return 0;
}
