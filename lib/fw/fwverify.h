/* SPDX-License-Identifier: MIT */
/* fwverify.h - is the live ruleset the generation that was loaded */
#ifndef NC_FWVERIFY_H
#define NC_FWVERIFY_H

#include <stddef.h>
#include "base/util.h"

/* what a load does with a generation's expected views (struct fw_job) */
enum fw_expect {
	FW_EXPECT_NONE,		/* nothing */
	FW_EXPECT_WRITE,	/* a throwaway namespace's load writes them */
	FW_EXPECT_CHECK,	/* a cell's load is compared with them */
	FW_EXPECT_TAKE,		/* a cell's load writes its own, for the caller */
};

/* generations up to this size (with their includes) are compared with the
 * cell after loading (fwverify.c costs a second load, in a throwaway
 * namespace, and a listing of both): every file fw apply takes (16 MiB)
 * unless its includes make it larger */
#ifndef FW_VERIFY_MAX
#define FW_VERIFY_MAX (64 << 20)
#endif

/* how an in-namespace success hands a notice back (fw_run_job()) */
#define FW_NOTICE "notice: "

NC_INTERNAL int fw_verify_in_ns(const char *expect, enum fw_expect mode, int only,
				char *out, size_t len);
NC_INTERNAL void fw_expect_remove(const char *expect);
NC_INTERNAL int fw_views_diff(const char *want, const char *got, int only, char *out,
			      size_t len);
NC_INTERNAL int fw_views_link(const char *from, const char *to);
/**
 * struct fw_drift - what fw_drift_in_ns() compares
 * @expect:	the generation's kept views' base path
 * @only:	the host: only the tables the generation defines count
 */
struct fw_drift {
	const char *expect;
	int only;
};

NC_INTERNAL int fw_drift_in_ns(void *arg, char *out, size_t len);

#endif /* NC_FWVERIFY_H */
