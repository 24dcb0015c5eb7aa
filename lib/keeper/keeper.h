/* SPDX-License-Identifier: MIT */
/* keeper.h - the per-user process that holds cells alive */
#ifndef NC_KEEPER_H
#define NC_KEEPER_H

#include "base/paths.h"

NC_INTERNAL int keeper_run(const struct nc_paths *p, int ready);
NC_INTERNAL int keeper_stay(struct nc_ctx *ctx, const struct nc_paths *p, int lock,
			    nc_keeper_event_fn event, void *arg);

#endif /* NC_KEEPER_H */
