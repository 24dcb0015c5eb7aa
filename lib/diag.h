/* SPDX-License-Identifier: MIT */
/* diag.h - name the cause of a rootless networking failure */
#ifndef NC_DIAG_H
#define NC_DIAG_H

#include "ctx.h"

NC_INTERNAL const char *diag_sysroot(void);
NC_INTERNAL int diag_read_sysctl(const char *name, long *val);
NC_INTERNAL int diag_userns_failure(struct nc_ctx *ctx, int err);

#endif /* NC_DIAG_H */
