// SPDX-License-Identifier: MIT
/* fuzz_iptjson.c - fw stage's reading of nft's JSON listing of the tables
 * iptables made (fwsnapdiff.c), whose names, comments and prefixes the staged
 * script chose */
#include <string.h>
#include "fuzz.h"
#include "fw/fwsnapdiff.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes: two listings, separated by the first NUL byte
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), v4[] = "*filter\nCOMMIT\n*nat\nCOMMIT\n",
	     v6[] = "*filter\nCOMMIT\n", table[300], la[201], lb[201];
	struct fw_snap a = { .nft = NULL, .v4 = v4, .v6 = v6 };
	size_t half;

	if (buf) {
		memcpy(buf, data, size);
		buf[size] = buf[size + 1] = '\0';
		half = strlen(buf);
		fw_ipt_nft_diff(&a, buf, buf + half + (half < size), table, sizeof(table), la, lb,
				sizeof(la));
	}
	free(buf);
	return 0;
}
