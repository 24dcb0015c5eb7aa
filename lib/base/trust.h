/* SPDX-License-Identifier: MIT */
/* trust.h - may another user change what a path leads to */
#ifndef NC_TRUST_H
#define NC_TRUST_H

#include <sys/types.h>
#include "base/ctx.h"

NC_INTERNAL int trust_path(struct nc_ctx *ctx, const char *path, const char *what,
			    uid_t uid, gid_t gid);

#endif /* NC_TRUST_H */
