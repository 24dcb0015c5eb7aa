/* SPDX-License-Identifier: MIT */
/* fwswitch.h - switching a cell's firewall generation, by cell name */
#ifndef NC_FWSWITCH_H
#define NC_FWSWITCH_H

#include "fw/fwload.h"

NC_INTERNAL int host_prefix_error(struct nc_ctx *ctx, int err);
NC_INTERNAL int fw_run_job_cell(struct nc_ctx *ctx, const char *cell, struct fw_job *job);
NC_INTERNAL int fw_switch_unmarked(struct nc_ctx *ctx, const char *cell, const char *dir,
				   unsigned gen, int verify);
NC_INTERNAL int fw_switch_to(struct nc_ctx *ctx, const char *cell, const char *dir,
			     unsigned gen, int verify);
NC_INTERNAL void fw_spawn_watcher(const char *cell, const char *dir, unsigned gen,
				  long long deadline);
NC_INTERNAL unsigned long long fw_ns_id(int fd);
NC_INTERNAL int fw_cell_ns(struct nc_ctx *ctx, const char *cell, unsigned long long *id);
NC_INTERNAL int fw_open_cell(struct nc_ctx *ctx, const char *cell, char *dir);
NC_INTERNAL int fw_revert_if_pending(const char *cell, const char *dir, unsigned gen);
NC_INTERNAL void fw_settle(struct nc_ctx *ctx, const char *state, const char *cell);

#endif /* NC_FWSWITCH_H */
