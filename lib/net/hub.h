/* SPDX-License-Identifier: MIT */
/* hub.h - one pasta for all of a user's cells: the hub namespace */
#ifndef NC_HUB_H
#define NC_HUB_H

#include <stddef.h>
#include "base/ctx.h"

/* the hub's files in STATE/net (a name no cell can have) */
#define HUB_NAME ":hub"

NC_INTERNAL int hub_pick(const char *state, char *addr, size_t len);
NC_INTERNAL int hub_start(struct nc_ctx *ctx, const char *state, int *hubfd);
NC_INTERNAL void hub_stop(const char *state, int *hubfd);
NC_INTERNAL int hub_attach(struct nc_ctx *ctx, int hubfd, int cellfd,
			   const char *addr);
NC_INTERNAL void hub_detach(int hubfd, const char *addr);

#endif /* NC_HUB_H */
