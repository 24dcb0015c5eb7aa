/* SPDX-License-Identifier: MIT */
/* tool.h - running an external tool where no library does the job */
#ifndef NC_TOOL_H
#define NC_TOOL_H

#include <stddef.h>
#include "base/util.h"

NC_INTERNAL int tool_run(const char *const *argv, const char *in,
			 const char *out, char *err, size_t len);

NC_INTERNAL void tool_set_xtables(const char *multi);
NC_INTERNAL const char *tool_xtables_name(const char *name);

#endif /* NC_TOOL_H */
