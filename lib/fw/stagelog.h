/* SPDX-License-Identifier: MIT */
/* stagelog.h - fw stage's command log and its batched replay (stagerec.c
 * writes to it, stage.c runs the script, stageout.c writes the result) */
#ifndef NC_STAGELOG_H
#define NC_STAGELOG_H

#include <stddef.h>
#include "base/util.h"

#define STAGE_ERR 8192

/* files of the stage directory */
#define STAGE_LOG "log"		/* recorded commands, NUL-separated fields */
#define STAGE_DONE "done"	/* offset of the log already replayed */
#define STAGE_GEN "gen"		/* nf_tables generation after our last change */
#define STAGE_FAIL "fail"	/* why the batched run must be redone exactly */
#define STAGE_EXACT "exact"	/* present: run every command at once, for real */
#define STAGE_FAILURES "failures" /* exact run: commands that failed */
#define STAGE_RAN "ran"		/* exact run: commands with no known line, as run */
#define STAGE_REAL "real"	/* the real tools, bound here */
#define STAGE_LOCK "lock"

NC_INTERNAL char *stage_path(const char *dir, const char *name, char *buf,
			     size_t len);
NC_INTERNAL char *stage_read_file(const char *path, size_t *len);
NC_INTERNAL int stage_replay(const char *dir, char *err, size_t len);
NC_INTERNAL int stage_ruleset_unseen(const char *dir, char *why, size_t len);
NC_INTERNAL void stage_mark_gen(const char *dir);
NC_INTERNAL void stage_write_state(const char *dir, const char *name, const char *text);
NC_INTERNAL void stage_use_real_tools(const char *dir);
NC_INTERNAL int stage_log_check(char *buf, size_t len);

#endif /* NC_STAGELOG_H */
