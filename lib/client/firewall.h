/* SPDX-License-Identifier: MIT */
/* firewall.h - a cell's firewall: generations, apply, confirm-or-revert */
#ifndef NC_FIREWALL_H
#define NC_FIREWALL_H

#include "base/ctx.h"

NC_INTERNAL int fw_revert_if_pending(const char *cell, const char *dir,
				     unsigned gen);
NC_INTERNAL int fw_drifted(struct nc_ctx *ctx, const char *cell, const char *dir,
			   unsigned gen);
NC_INTERNAL void fw_settle(struct nc_ctx *ctx, const char *state, const char *cell);

#endif /* NC_FIREWALL_H */
