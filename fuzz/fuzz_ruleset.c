// SPDX-License-Identifier: MIT
/* fuzz_ruleset.c - ruleset files: format detection, the iptables family,
 * the sections of a combined file, the splitter's parser, the scan
 * and listing cut of netcell's reserved table, and include statements
 * (a generation's includes are copied before its load, expanded after:
 * an input whose includes name no glob is written to a file and put
 * through both, and the copies' root cut out of a text) */
#include <unistd.h>
#include "fuzz.h"
#include "fw/fwformat.h"
#include "fw/fwgen.h"
#include "kernel/nft.h"
#include "kernel/nftsplit.h"

/**
 * snapshot() - an input as a generation file: its includes copied, then
 * expanded, the copies removed
 * @s:		the input, NUL-terminated
 */
static void snapshot(const char *s)
{
	char dir[] = "/tmp/fuzz_ruleset.XXXXXX", path[64], name[256], *text = NULL;
	const char *l;
	FILE *f;

	/* a glob could copy a whole directory of the machine each run */
	for (l = s; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (nft_include_line(l, name, sizeof(name)) && strpbrk(name, "*?["))
			return;
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/1.nft", dir);
	f = fopen(path, "we");
	if (f) {
		fputs(s, f);
		fclose(f);
		if (nft_snapshot_includes(path) > 0 && !nft_expand_file(path, &text)) {
			nft_unroot(text, path);
			free(text);
		}
		nft_drop_snapshot(path);
		unlink(path);
	}
	rmdir(dir);
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
		snapshot(s);
	}
	free(s);
	return 0;
}
