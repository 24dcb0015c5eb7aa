/* SPDX-License-Identifier: MIT */
/* fwrestore.h - the keeper puts a rebuilt cell's firewall back */
#ifndef NC_FWRESTORE_H
#define NC_FWRESTORE_H

#include "base/ctx.h"

NC_INTERNAL int fw_restore_fd(struct nc_ctx *ctx, const char *state,
			      const char *run, const char *cell, int netfd,
			      int *locked, unsigned *reverted);

#endif /* NC_FWRESTORE_H */
