/* SPDX-License-Identifier: MIT */
/* fwgen.h - a cell's firewall generations on disk (fwgen.c) */
#ifndef NC_FWGEN_H
#define NC_FWGEN_H

#include <stddef.h>
#include "base/ctx.h"
#include "fw/fwload.h"

NC_INTERNAL int fw_dir(struct nc_ctx *ctx, const char *cell, char *dir, size_t len);
NC_INTERNAL int fw_lock(struct nc_ctx *ctx, const char *dir);
NC_INTERNAL int fwgen_read_num(const char *dir, const char *name, long long v[3]);
NC_INTERNAL int fwgen_write_state(const char *dir, const char *name, const char *text);
NC_INTERNAL void fwgen_remove_state(const char *dir, const char *name);
NC_INTERNAL int fwgen_locked(const char *dir, unsigned cur);
NC_INTERNAL void fwgen_mark_reverted(const char *dir, unsigned gen);
NC_INTERNAL unsigned fwgen_current(const char *dir);
NC_INTERNAL void fwgen_path(const char *dir, unsigned gen, const char *ext, char *buf, size_t len);
NC_INTERNAL int fwgen_job(const char *dir, unsigned gen, struct fw_job *job);
NC_INTERNAL unsigned fwgen_next(const char *dir);
NC_INTERNAL int fwgen_freeze_includes(const struct fw_job *job);
NC_INTERNAL int fwgen_seal_includes(const struct fw_job *job);
NC_INTERNAL int fwgen_write_meta(const char *dir, unsigned gen, const struct fw_job *job);
NC_INTERNAL int fwgen_set_current(const char *dir, unsigned gen);
NC_INTERNAL unsigned fwgen_previous(const char *dir, unsigned cur);
NC_INTERNAL int fwgen_was_reverted(const char *dir, unsigned gen);
NC_INTERNAL int fwgen_read_meta(const char *dir, struct nc_fw_gen *g);

/* a new generation's files, and their removal */
NC_INTERNAL int fw_stage_files(struct nc_ctx *ctx, const char *dir,
			       unsigned gen, const char *const *files,
			       enum nc_fw_format format, struct fw_job *job);
NC_INTERNAL void fw_remove_gen(const char *dir, unsigned gen);
NC_INTERNAL void fw_drop_kept_tables(const char *dir, unsigned gen);
NC_INTERNAL int fw_sections(char *text, char **nft, char **v4, char **v6);
NC_INTERNAL int fw_split_combined(const char *dir, unsigned gen, const char *file,
				  char *text, struct fw_job *job);

NC_INTERNAL void fw_current(const char *state, const char *cell,
			    unsigned *gen, int *pending, int *locked);
NC_INTERNAL void fw_forget(const char *state, const char *cell);

#endif /* NC_FWGEN_H */
