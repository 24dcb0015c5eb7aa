/* SPDX-License-Identifier: MIT */
/* stage.h - fw stage's output: the ruleset a script built, as one file,
 * loaded again and compared before it is given out (stageout.c) */
#ifndef NC_STAGE_H
#define NC_STAGE_H

#include <stddef.h>
#include "base/ctx.h"

NC_INTERNAL int stage_output(const char *dir, const char *script, enum nc_fw_format format,
			     char *err, size_t len);

#endif /* NC_STAGE_H */
