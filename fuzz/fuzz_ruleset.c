// SPDX-License-Identifier: MIT
/* fuzz_ruleset.c - ruleset files: format detection, the iptables family,
 * the sections of a combined file, and the splitter's parser */
#include "fuzz.h"
#include "fw/fwformat.h"
#include "fw/fwgen.h"
#include "kernel/nftsplit.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *c, err[512], *nft, *v4, *v6;

	if (s) {
		fw_detect_format(s);
		fw_ipt_family(s, "fuzz.rules");
		nftsplit_check(s, err, sizeof(err));
		c = strdup(s);
		if (c)
			fw_sections(c, &nft, &v4, &v6);
		free(c);
	}
	free(s);
	return 0;
}
