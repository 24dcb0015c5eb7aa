/* SPDX-License-Identifier: MIT */
/* stage_int.h - fw stage's run, shared by stage.c, stagerun.c, stagefail.c */
#ifndef NC_STAGE_INT_H
#define NC_STAGE_INT_H

#include <limits.h>
#include <sys/types.h>
#include "base/ctx.h"

/* how long netcell's own work around the script may take: mounts, replay,
 * output check (50,000 rules take seconds) */
#define STAGE_OWN_MS 300000

enum interp { INTERP_BASH, INTERP_SH, INTERP_DIRECT };

/**
 * struct stage - a staging run
 * @dir:	private directory: preamble, log, state, real tools, output
 * @script:	absolute path of the script
 * @argv:	script and arguments
 * @interp:	how the script runs
 * @shell:	the interpreter (INTERP_BASH, INTERP_SH)
 * @opts:	options from the script's #! line, NULL-terminated
 * @helper:	the recorder binary
 * @format:	output format
 * @timeout_ms:	milliseconds each run of the script may take, counted from
 *		its start
 * @clockfd:	stage_init()'s end of the pipe that tells wait_bounded()
 *		when a run of the script starts ('S') and ends ('E')
 */
struct stage {
	char dir[PATH_MAX];
	char script[PATH_MAX];
	char *const *argv;
	enum interp interp;
	char shell[PATH_MAX];
	char optbuf[128];
	char *opts[8];
	char helper[PATH_MAX];
	enum nc_fw_format format;
	unsigned timeout_ms;
	int clockfd;
};

/* stagerun.c */
NC_INTERNAL const char *stage_preamble(const struct stage *s);
NC_INTERNAL int stage_find_helper(struct nc_ctx *ctx, char *buf, size_t len);
NC_INTERNAL void stage_kill_rest(void);
NC_INTERNAL int stage_private_mounts(const struct stage *s, char *err, size_t len);
NC_INTERNAL void stage_read_shebang(struct stage *s);
NC_INTERNAL int stage_run_script(const struct stage *s);

/* stagefail.c */
NC_INTERNAL int stage_batched_outcome(const struct stage *s, int status, char *why, size_t len);
NC_INTERNAL int stage_read_failures(const struct stage *s, char *last, size_t llen, char *notes,
			 size_t nlen);
NC_INTERNAL int stage_reset_for_exact(const struct stage *s, const char *why);
NC_INTERNAL int stage_script_failed(const struct stage *s, int status, char *out, size_t len);

#endif /* NC_STAGE_INT_H */
