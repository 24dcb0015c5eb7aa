/* SPDX-License-Identifier: MIT */
/* safefile.h - every file netcell writes: random temp name, fsync, rename */
#ifndef NC_SAFEFILE_H
#define NC_SAFEFILE_H

#include <sys/types.h>
#include "base/ctx.h"

NC_INTERNAL int safefile_write(const char *path, const char *data, size_t len,
			       mode_t mode);
NC_INTERNAL int safefile_leftover(const char *name, pid_t *pid);

#endif /* NC_SAFEFILE_H */
