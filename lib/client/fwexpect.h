/* SPDX-License-Identifier: MIT */
/* fwexpect.h - fw apply's check of the cell's live ruleset, arranged */
#ifndef NC_FWEXPECT_H
#define NC_FWEXPECT_H

#include <sys/types.h>
#include "fw/fwload.h"

/**
 * struct fw_expect_run - one apply's check
 * @want:	base path of the generation's views (G.live), "" for none
 * @got:	base path of the cell's views (G.cell)
 * @pid:	a throwaway load running beside the cell's, or 0
 * @err:	where that load leaves its message
 */
struct fw_expect_run {
	char want[PATH_MAX];
	char got[PATH_MAX];
	pid_t pid;
	char err[PATH_MAX];
	int only;
};

NC_INTERNAL int fw_expect_begin(struct nc_ctx *ctx, const char *cell, const char *dir,
				unsigned gen, struct fw_job *job, struct fw_expect_run *r);
NC_INTERNAL int fw_expect_end(struct nc_ctx *ctx, struct fw_expect_run *r, int loaded);

#endif /* NC_FWEXPECT_H */
