/* SPDX-License-Identifier: MIT */
/* firewall.h - a cell's firewall: generations, apply, confirm-or-revert */
#ifndef NC_FIREWALL_H
#define NC_FIREWALL_H

#include "base/ctx.h"

NC_INTERNAL int fw_drifted(struct nc_ctx *ctx, const char *cell, const char *dir,
			   unsigned gen);

#endif /* NC_FIREWALL_H */
