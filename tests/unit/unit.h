/* SPDX-License-Identifier: MIT */
/* unit.h - a minimal test harness: CHECK() and a closing summary line */
#ifndef NC_UNIT_H
#define NC_UNIT_H

#include <stdio.h>

static int unit_pass, unit_fail;

#define CHECK(cond, what)                                                     \
	do {                                                                  \
		if (cond) {                                                   \
			unit_pass++;                                          \
		} else {                                                      \
			unit_fail++;                                          \
			fprintf(stderr, "FAIL %s:%d: %s (%s)\n", __FILE__,    \
				__LINE__, what, #cond);                       \
		}                                                             \
	} while (0)

/**
 * unit_done() - print the summary line and give the exit status
 *
 * Return: 0 if nothing failed
 */
static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif /* NC_UNIT_H */
