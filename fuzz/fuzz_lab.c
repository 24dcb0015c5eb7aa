// SPDX-License-Identifier: MIT
/* fuzz_lab.c - lab files (libyaml, then the lab's own checks): no crash, no
 * leak; a file that parses is a consistent lab, one that does not says
 * where ("FILE:LINE:COL: ...", exit code 2 or the firewall file's reason) */
#include <assert.h>
#include <string.h>
#include "fuzz.h"
#include "lab/lab.h"

/**
 * LLVMFuzzerTestOneInput() - one input
 * @data:	bytes
 * @size:	length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct nc_lab *lab = NULL;
	struct lab_rec r;
	unsigned i;
	int ret;

	ret = lab_parse(&ctx, "fuzz.yaml", (const char *)data, size, "/nonexistent",
			size & 1 ? LAB_ROOTLESS : 0, &lab);
	if (ret) {
		assert(!lab);
		assert(!strncmp(ctx.msg, "fuzz.yaml:", 10) || ctx.kind == NC_ERR_FAILED);
		return 0;
	}
	assert(lab && lab->name[0] && lab->ncells >= 1 && lab->ncells <= LAB_CELLS_MAX);
	for (i = 0; i < lab->nlinks; i++)
		assert(lab->links[i].ca < lab->ncells && lab->links[i].cb < lab->ncells &&
		       lab->links[i].ca != lab->links[i].cb);
	for (i = 0; i < lab->ncells; i++)
		assert(!strncmp(lab->cells[i].full, lab->name, strlen(lab->name)));
	if (!lab_items(lab, &r))
		lab_rec_release(&r);
	nc_lab_free(lab);
	return 0;
}
