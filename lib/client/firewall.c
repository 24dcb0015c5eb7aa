// SPDX-License-Identifier: MIT
/*
 * firewall.c - a cell's firewall: atomic apply, generations, confirm-or-revert
 *
 * Theory of operation: a cell's firewall is its nftables ruleset.  Every
 * ruleset netcell applies is kept as a numbered generation in
 * STATE/fw/CELL/ (G.nft, or G.v4 / G.v6 for iptables-save syntax, plus
 * G.meta), and "current" names the generation in force (fwgen.c keeps
 * these files).  All operations on one cell's firewall hold
 * STATE/fw/CELL/lock (flock), so they never interleave.
 *
 * Apply: the user's file is copied into the new generation first (what is
 * applied is exactly what is kept), then loaded inside the cell (fwload.c
 * says how: one transaction per syntax, nothing changed on rejection).  On
 * failure the new generation's files are removed and nothing else moved.
 *
 * Confirm-or-revert: with --confirm, "pending" records the new and the
 * previous generation and a deadline, and a detached watcher process (not
 * the CLI, not the keeper: either may die) sleeps until the deadline and
 * rolls back unless "fw confirm" removed "pending" first.  The watcher asks
 * the keeper for the cell afresh at the deadline, so a keeper that died and
 * rebuilt the cell meanwhile is handled; "reverted" tells waiting commands.
 *
 * The shared steps (switching generations, settling a killed command, the
 * watcher, opening a cell's firewall under its lock) are fwswitch.c's; the
 * check of the live ruleset is fw/fwverify.c's.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "client/cellns.h"
#include "client/firewall.h"
#include "client/fwexpect.h"
#include "client/fwswitch.h"
#include "fw/fwgen.h"

/**
 * nc_fw_apply() - apply a ruleset to a cell as one transaction
 * @ctx:	context
 * @cell:	cell name
 * @file:	ruleset file (for IPv4 and IPv6 iptables files together,
 *		use nc_fw_apply_files())
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @confirm_secs: 0, or seconds within which nc_fw_confirm() must come
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message (NC_ERR_RULESET for a rejected file)
 */
int nc_fw_apply(struct nc_ctx *ctx, const char *cell, const char *file,
		enum nc_fw_format format, unsigned confirm_secs, unsigned *gen)
{
	const char *files[2] = { file, NULL };

	return nc_fw_apply_files(ctx, cell, files, format, confirm_secs, gen);
}

/**
 * stage_job() - a new generation's files and job, its includes frozen
 * @ctx:	context
 * @cell:	cell, or NC_FW_HOST
 * @dir:	the cell's firewall directory
 * @files:	the user's files
 * @format:	format
 * @gen:	the new generation
 * @prev:	the generation on record
 * @job:	out: the job
 * @frozen:	out: fwgen_freeze_includes()'s result
 *
 * Return: 0 or -errno with a message (nothing left of @gen)
 */
static int stage_job(struct nc_ctx *ctx, const char *cell, const char *dir,
		     const char *const *files, enum nc_fw_format format, unsigned gen,
		     unsigned prev, struct fw_job *job, int *frozen)
{
	int ret = fw_stage_files(ctx, dir, gen, files, format, job);

	if (!ret && fw_is_host(cell) && job->format == NC_FW_MIXED)
		ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			      "the host takes an nft file or iptables-save files, not a file with both (fw stage's default); stage with --format nft or --format iptables for the host");
	if (!ret && fw_is_host(cell)) {
		struct fw_job cur;

		job->host = 1;
		fw_host_prefix(job, fwgen_job(dir, prev, &cur) ? NULL : &cur);
	}
	/* include statements name copies taken now: every load reads the
	 * same text, which the sealed generation is (fwgen.c) */
	if (!ret)
		*frozen = fwgen_freeze_includes(job);
	return ret;
}

/**
 * load_checked() - load a new generation into the cell and compare the
 * cell with what it must hold
 * @ctx:	context
 * @cell:	cell, or NC_FW_HOST
 * @dir:	the cell's firewall directory
 * @gen:	the new generation
 * @prev:	the generation on record (loaded again when the check fails)
 * @job:	its job
 * @unsettled:	out: 1 when the generation on record could not be loaded
 *		back after a failed check (the "applying" mark must stay for
 *		the next command to settle)
 *
 * Return: 0 (in force and checked), or -errno with a message: the cell
 * holds the generation on record again, or @unsettled says it may not
 */
static int load_checked(struct nc_ctx *ctx, const char *cell, const char *dir, unsigned gen,
			unsigned prev, struct fw_job *job, int *unsettled)
{
	unsigned long long ns_before = 0, ns_after = 0;
	struct cellns held = { .ns = INCELL_HOST(cell) };
	struct fw_expect_run er = { .pid = 0 };
	char why[NC_MSG_MAX];
	/* the check of the cell's live ruleset after its load: the views it
	 * must have (fwexpect.c); an iptables generation is loaded into a
	 * throwaway namespace first (every part, or none) */
	int ret = fw_expect_begin(ctx, cell, dir, gen, job, &er);

	if (ret)
		goto out;
	/* the namespace loaded into is held until the cell is asked for
	 * again: a namespace freed meanwhile would give its inode number to
	 * the next one, and a rebuild would go unseen */
	ret = cellns_open(ctx, cell, &held);
	if (!ret) {
		ns_before = fw_ns_id(held.ns.netfd);
		ret = fw_run_job(ctx, cellns_at(&held), job);
	}
	if (!ret)
		ret = fw_cell_ns(ctx, cell, &ns_after);
	if (!ret && ns_before == ns_after)
		ret = fw_expect_end(ctx, &er, 1);
	if (!ret && ns_before != ns_after) {
		/* a keeper that died meanwhile rebuilt the cell (rootless) or
		 * another command made a new cell of that name: the load may
		 * have reached the new namespace, so the generation on record
		 * goes back there (the mark stays if that fails) */
		snprintf(why, sizeof(why),
			 "cell \"%s\" was rebuilt or replaced while generation %u was being loaded; nothing was recorded: apply it again",
			 cell, gen);
		ret = -ESTALE;
	} else if (ret == -EPROTO) {
		/* loaded, and the cell does not hold it: never report that as
		 * success; the generation on record goes back */
		snprintf(why, sizeof(why),
			 "%s; generation %u was not recorded and generation %u, the one on record, was loaded again: please report this with the file",
			 ctx->msg, gen, prev);
	}
	if (ret == -ESTALE || ret == -EPROTO) {
		*unsettled = fw_switch_unmarked(ctx, cell, dir, prev, 0) != 0;
		if (*unsettled) {	/* "was loaded again" would be false */
			char *cut = strstr(why, "; generation");
			char sw[256];

			snprintf(sw, sizeof(sw), "%s", ctx->msg);
			if (cut)
				*cut = '\0';
			ctx_err(ctx, ret, NC_ERR_FAILED,
				"%s; putting generation %u back failed too (%s): the next netcell command on cell \"%s\" loads it",
				why, prev, sw, cell);
		} else {
			ctx_err(ctx, ret, NC_ERR_FAILED, "%s", why);
		}
	}
out:
	cellns_close(&held);
	fw_expect_end(ctx, &er, 0);	/* waits for, and removes, what is left */
	return ret;
}

/**
 * apply_locked() - nc_fw_apply_files() with the lock held
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @files:	the user's files
 * @format:	format
 * @confirm_secs: confirm window or 0
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message
 */
static int apply_locked(struct nc_ctx *ctx, const char *cell, const char *dir,
			const char *const *files, enum nc_fw_format format,
			unsigned confirm_secs, unsigned *gen)
{
	long long v[3] = { 0 }, deadline;
	unsigned prev = fwgen_current(dir);
	struct fw_job job;
	char text[96];
	int ret, frozen = 0, unsettled = 0;

	if (fwgen_read_num(dir, "pending", v) == 3)
		return ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
			       "generation %lld of cell \"%s\" awaits confirmation; run 'netcell fw confirm %s' or wait for it to be reverted",
			       v[0], cell, cell);
	*gen = fwgen_next(dir);
	/* "NEW PREV PID", before the generation's first file: settle() also
	 * removes the files of a new generation whose apply was killed
	 * before it was recorded */
	snprintf(text, sizeof(text), "%u %u %d\n", *gen, prev, (int)getpid());
	ret = fwgen_write_state(dir, "applying", text);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot record generation %u: %s", *gen,
			       strerror(-ret));
	ret = stage_job(ctx, cell, dir, files, format, *gen, prev, &job, &frozen);
	if (!ret)
		ret = load_checked(ctx, cell, dir, *gen, prev, &job, &unsettled);
	/* statements that could not be copied are read as nft finds them at
	 * each load: expanding them now would be a guess at what was loaded */
	if (!ret && (frozen < 0 || fwgen_seal_includes(&job)))
		ctx_notice(ctx, "generation %u keeps its include statements (one is not alone on its line, names no regular file, has a \"..\" in its path, or could not be read): each load of it, a rollback or a rebuilt cell, reads the included files as they are then",
			   *gen);
	if (!ret)
		ret = fwgen_write_meta(dir, *gen, &job) ? ctx_err(ctx, -EIO, NC_ERR_FAILED,
				"cannot record generation %u", *gen) : 0;
	if (ret) {
		/* the cell holds the generation on record, or the mark tells
		 * the next command to put it back (settle()) */
		fw_remove_gen(dir, *gen);
		if (!unsettled)
			fwgen_remove_state(dir, "applying");
		return ret;
	}
	fwgen_set_current(dir, *gen);
	fwgen_remove_state(dir, "applying");
	fwgen_remove_state(dir, "reverted");
	if (!confirm_secs)
		return 0;
	deadline = (long long)time(NULL) + confirm_secs;
	snprintf(text, sizeof(text), "%u %u %lld\n", *gen, prev, deadline);
	fwgen_write_state(dir, "pending", text);
	fw_spawn_watcher(cell, dir, *gen, deadline);
	return 0;
}

/**
 * nc_fw_apply_files() - apply one nft file, or iptables-save files (one per
 * family), to a cell; all of it or nothing
 * @ctx:	context
 * @cell:	cell name
 * @files:	NULL-terminated list, at most two
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @confirm_secs: 0, or seconds within which nc_fw_confirm() must come
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message (NC_ERR_RULESET for a rejected file)
 */
int nc_fw_apply_files(struct nc_ctx *ctx, const char *cell,
		      const char *const *files, enum nc_fw_format format,
		      unsigned confirm_secs, unsigned *gen)
{
	sigset_t hold, old;
	char dir[PATH_MAX];
	int ret, lock = fw_open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	/* an apply is one step for every signal but SIGKILL: those that
	 * would end the process wait until the generation is both in force
	 * and recorded, or was refused (settle() covers SIGKILL) */
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigaddset(&hold, SIGPIPE);
	sigprocmask(SIG_BLOCK, &hold, &old);
	ret = apply_locked(ctx, cell, dir, files, format, confirm_secs, gen);
	close(lock);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/**
 * nc_fw_confirm() - keep the generation that awaits confirmation
 * @ctx:	context
 * @cell:	cell name
 *
 * Return: 0, or -ENOENT when nothing awaits confirmation (or it was already
 * reverted: then NC_ERR_REVERTED)
 */
int nc_fw_confirm(struct nc_ctx *ctx, const char *cell)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	int ret, lock = fw_open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	if (fwgen_read_num(dir, "pending", v) == 3) {
		fwgen_remove_state(dir, "pending");
		ret = 0;
	} else if (fwgen_read_num(dir, "reverted", v) >= 1) {
		ret = ctx_err(ctx, -ETIMEDOUT, NC_ERR_REVERTED,
			      "too late: generation %lld of cell \"%s\" was already reverted",
			      v[0], cell);
	} else {
		ret = ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
			      "nothing awaits confirmation on cell \"%s\"", cell);
	}
	close(lock);
	return ret;
}

/**
 * nc_fw_wait() - wait until a pending generation is confirmed or reverted
 * @ctx:	context
 * @cell:	cell name
 * @gen:	generation applied with a confirm window
 *
 * Return: 0 when confirmed, -ETIMEDOUT (NC_ERR_REVERTED) when reverted
 */
int nc_fw_wait(struct nc_ctx *ctx, const char *cell, unsigned gen)
{
	long long v[3];
	char dir[PATH_MAX];
	int ret = fw_dir(ctx, cell, dir, sizeof(dir));

	while (!ret) {
		v[0] = 0;
		if (fwgen_read_num(dir, "reverted", v) >= 1 && v[0] == gen)
			return ctx_err(ctx, -ETIMEDOUT, NC_ERR_REVERTED,
				       "generation %u of cell \"%s\" was not confirmed in time and was reverted to generation %u",
				       gen, cell, fwgen_current(dir));
		v[0] = 0;
		if (fwgen_read_num(dir, "pending", v) != 3 || v[0] != gen)
			return 0;
		usleep(100 * 1000);
	}
	return ret;
}

/**
 * nc_fw_rollback() - put a kept generation back in force, atomically
 * @ctx:	context
 * @cell:	cell name
 * @gen:	generation, 0 for no rules, NC_FW_PREVIOUS for the one in force
 *		before the current one
 * @now:	the generation now in force
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_rollback(struct nc_ctx *ctx, const char *cell, unsigned gen,
		   unsigned *now)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	int ret, lock = fw_open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	if (fwgen_read_num(dir, "pending", v) == 3) {
		ret = ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
			      "generation %lld of cell \"%s\" awaits confirmation; confirm it or let it revert first",
			      v[0], cell);
	} else {
		unsigned was = fwgen_current(dir);

		*now = gen != NC_FW_PREVIOUS ? gen : fwgen_previous(dir, was);
		ret = fw_switch_to(ctx, cell, dir, *now, 1);
		if (ret == -EPROTO) {
			char why[NC_MSG_MAX];

			snprintf(why, sizeof(why), "%s", ctx->msg);
			if (!fw_switch_to(ctx, cell, dir, was, 0))
				ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
					"%s; generation %u, the one on record, was loaded again: please report this with the generation's file",
					why, was);
		}
	}
	close(lock);
	return ret;
}

/**
 * fw_drifted() - has a cell's ruleset changed since its generation was
 * applied; a notice says where
 * @ctx:	context (the notice)
 * @cell:	cell
 * @dir:	its firewall directory
 * @gen:	the generation in force on record
 *
 * Unknown (no views kept, the cell unreachable) counts as not drifted:
 * nothing is claimed that was not seen.  On the host only the tables the
 * generation defines count: other tools change theirs all the time.
 *
 * Return: 1 if drifted, else 0
 */
int fw_drifted(struct nc_ctx *ctx, const char *cell, const char *dir, unsigned gen)
{
	_cleanup_free_ char *out = NULL;
	struct nc_ctx quiet = { .kfd = -1 };
	char expect[PATH_MAX];
	struct fw_drift d = { expect, fw_is_host(cell) };

	if (!gen)
		return 0;
	fwgen_path(dir, gen, "live", expect, sizeof(expect));
	if (incell_call_cell(&quiet, cell, fw_drift_in_ns, &d, &out) != 1)
		return 0;
	if (d.only)
		ctx_notice(ctx, "generation %u of the host is on record, but the tables it defines were changed since it was applied (%s); 'netcell fw rollback --host %u' puts them back",
			   gen, out ? out : "", gen);
	else
		ctx_notice(ctx, "generation %u of cell \"%s\" is on record, but the cell's ruleset was changed inside the cell since it was applied (%s); 'netcell fw rollback %s %u' puts it back",
			   gen, cell, out ? out : "", cell, gen);
	return 1;
}

/**
 * nc_fw_history() - the kept generations of a cell, oldest first
 * @ctx:	context
 * @cell:	cell name
 * @gens:	array (free() it)
 * @n:		its length
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_history(struct nc_ctx *ctx, const char *cell, struct nc_fw_gen **gens,
		  size_t *n)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	unsigned g, last, cur;
	int ret;

	*gens = NULL;
	*n = 0;
	ret = fw_open_cell(ctx, cell, dir);	/* settles a killed apply first */
	if (ret < 0)
		return ret;
	close(ret);
	last = fwgen_next(dir);
	cur = fwgen_current(dir);
	fwgen_read_num(dir, "pending", v);
	*gens = calloc(last, sizeof(**gens));
	if (!*gens)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (g = 1; g < last; g++) {
		struct nc_fw_gen *e = &(*gens)[*n];

		e->gen = g;
		if (fwgen_read_meta(dir, e))
			continue;
		e->current = g == cur;
		e->pending = v[0] == g;
		e->locked = e->current && fwgen_locked(dir, g);
		e->reverted = fwgen_was_reverted(dir, g);
		e->drifted = e->current && !e->locked && fw_drifted(ctx, cell, dir, g);
		(*n)++;
	}
	return 0;
}

/**
 * nc_fw_show() - the ruleset in force in a cell, as nft lists it
 * @ctx:	context
 * @cell:	cell name
 * @text:	heap string
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_show(struct nc_ctx *ctx, const char *cell, char **text)
{
	char dir[PATH_MAX];
	int ret = fw_open_cell(ctx, cell, dir);	/* settles a killed apply first */

	*text = NULL;
	if (ret < 0)
		return ret;
	close(ret);
	ret = incell_call_text_cell(ctx, cell, fw_list_in_ns, NULL, text);
	if (ret && *text)
		free(steal_ptr(text));
	return ret && !ctx->msg[0] ? ctx_err(ctx, ret, NC_ERR_FAILED,
					     "cannot list the ruleset of cell \"%s\"", cell) : ret;
}
