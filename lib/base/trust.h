/* SPDX-License-Identifier: MIT */
/* trust.h - may another user change what a path leads to */
#ifndef NC_TRUST_H
#define NC_TRUST_H

#include <sys/types.h>
#include "base/ctx.h"

NC_INTERNAL int trust_path(struct nc_ctx *ctx, const char *path, const char *what,
			    uid_t uid, gid_t gid, const char *fix);

NC_INTERNAL int trust_link(struct nc_ctx *ctx, const char *link, const char *what,
			    uid_t owner, uid_t uid, const char *fix);
NC_INTERNAL int trust_acl_check(const void *buf, size_t n, uid_t uid, gid_t gid,
				 int *gwrite, char *why, size_t len);

#endif /* NC_TRUST_H */
