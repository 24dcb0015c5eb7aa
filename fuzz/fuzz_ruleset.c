// SPDX-License-Identifier: MIT
/* fuzz_ruleset.c - ruleset files: format detection, the iptables family,
 * the sections of a combined file, the splitter's parser, the scan
 * and listing cut of netcell's reserved table, and include statements
 * (a generation's includes are expanded once it is loaded) */
#include "fuzz.h"
#include "fw/fwformat.h"
#include "fw/fwgen.h"
#include "kernel/nft.h"
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
	char *s = fuzz_str(data, size), *c, err[512], *nft, *v4, *v6, name[64], *l;

	if (s) {
		fw_detect_format(s);
		fw_ipt_family(s, "fuzz.rules");
		nftsplit_check(s, err, sizeof(err));
		nft_line_defines_reserved(s);
		c = strdup(s);
		if (c)
			nft_strip_reserved(c);
		free(c);
		c = strdup(s);
		if (c)
			fw_sections(c, &nft, &v4, &v6);
		free(c);
		for (l = s; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
			nft_include_line(l, name, sizeof(name));
	}
	free(s);
	return 0;
}
