/* SPDX-License-Identifier: MIT */
/* kpeer.h - who may talk to the keeper */
#ifndef NC_KPEER_H
#define NC_KPEER_H

#include "base/ctx.h"

struct keeper;
NC_INTERNAL int kpeer_helper_start(struct keeper *k);
NC_INTERNAL int kpeer_err_nofd(const struct keeper *k, struct nc_ctx *ctx);
NC_INTERNAL int kpeer_check(const struct keeper *k, struct nc_ctx *ctx, int sock);

#endif /* NC_KPEER_H */
