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
#include "client/client.h"
#include "base/diag.h"
#include "client/firewall.h"
#include "fw/fwgen.h"

/**
 * run_job() - fw_run_job() in a cell named by the user
 * @ctx:	context
 * @cell:	cell, NC_FW_HOST, or NULL for a scratch namespace
 * @job:	what to load, NULL to flush
 *
 * Return: 0, or -errno with a message
 */
static int run_job(struct nc_ctx *ctx, const char *cell, struct fw_job *job)
{
	struct cellns c;
	int ret = cellns_open(ctx, cell, &c);

	if (ret)
		return ret;
	ret = fw_run_job(ctx, cellns_at(&c), job);
	cellns_close(&c);
	return ret;
}

/**
 * nft_run_prefix_only() - remove from the host the tables netcell put there
 * @ctx:	context
 * @cell:	NC_FW_HOST
 * @dir:	its firewall directory
 * @job:	job whose prefix empties the tables in force
 *
 * Return: 0 or -errno with a message
 */
static int nft_run_prefix_only(struct nc_ctx *ctx, const char *cell, const char *dir,
			       struct fw_job *job)
{
	_cleanup_free_ char *out = NULL;
	int ret = incell_call_cell(ctx, cell, fw_prefix_in_ns, job, &out);

	if (ret)
		return ctx_err(ctx, ret, NC_ERR_RULESET, "cannot remove the tables: %s",
			       out ? out : "");
	return fwgen_set_current(dir, 0);
}

/**
 * switch_unmarked() - switch_to() without the "applying" mark
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	generation, 0 for "no rules"
 * @verify:	compare the cell's live ruleset with the views kept when the
 *		generation was applied (-EPROTO when they differ)
 *
 * Return: 0 or -errno with a message
 */
static int switch_unmarked(struct nc_ctx *ctx, const char *cell, const char *dir,
			   unsigned gen, int verify)
{
	struct fw_job job;
	int ret;

	struct fw_job cur;
	int has_cur;

	if (gen && fwgen_job(dir, gen, &job))
		return ctx_err(ctx, -ENOENT, NC_ERR_USAGE,
			       "\"%s\" has no firewall generation %u; 'netcell fw history' lists them",
			       cell, gen);
	if (fw_is_host(cell)) {
		has_cur = !fwgen_job(dir, fwgen_current(dir), &cur);
		if (!gen) {	/* nothing: empty the tables netcell put there */
			memset(&job, 0, sizeof(job));
			job.format = NC_FW_NFT;
		}
		job.host = 1;
		fw_host_prefix(&job, has_cur ? &cur : NULL);
		if (!gen)
			return nft_run_prefix_only(ctx, cell, dir, &job);
	}
	if (gen && verify) {
		fwgen_path(dir, gen, "live", job.expect, sizeof(job.expect));
		job.expect_mode = FW_EXPECT_CHECK;
	}
	ret = run_job(ctx, cell, gen ? &job : NULL);
	return ret ? ret : fwgen_set_current(dir, gen);
}

/**
 * mark_applying() - record that a ruleset is being loaded into a cell
 * @dir:	the cell's firewall directory
 * @gen:	the generation being loaded
 *
 * Between loading a ruleset and recording it in "current" a killed command
 * would leave the cell with one ruleset and "current" naming another; the
 * mark, removed once "current" is written, tells the next firewall
 * command (or inspect) to load the recorded generation again (settle()).
 */
static void mark_applying(const char *dir, unsigned gen)
{
	char text[32];

	snprintf(text, sizeof(text), "%u\n", gen);
	fwgen_write_state(dir, "applying", text);
}

/**
 * switch_to() - apply a kept generation to a cell and make it current
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	generation, 0 for "no rules"
 * @verify:	as switch_unmarked()'s (a rollback asks; putting the
 *		generation on record back does not: it must not fail on a
 *		doubt)
 *
 * Return: 0 or -errno with a message; the "applying" mark stays after a
 * failure, as the cell may have either ruleset
 */
static int switch_to(struct nc_ctx *ctx, const char *cell, const char *dir,
		     unsigned gen, int verify)
{
	int ret;

	mark_applying(dir, gen);
	ret = switch_unmarked(ctx, cell, dir, gen, verify);
	if (!ret)
		fwgen_remove_state(dir, "applying");
	return ret;
}

/**
 * settle() - after a firewall command was killed while loading, put the
 * recorded generation in force again, with the lock held
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 *
 * Loading is one transaction, so the cell has the old ruleset or the new
 * one; loading "current" again makes the cell and its record agree.  A
 * failure is left to the command that follows, which loads a generation
 * itself (the mark stays until one load succeeds).
 */
static void settle(struct nc_ctx *ctx, const char *cell, const char *dir)
{
	long long v[3] = { 0 };
	unsigned cur = fwgen_current(dir);
	int n = fwgen_read_num(dir, "applying", v);

	if (n < 1)
		return;
	if (n == 3 && (unsigned)v[0] != cur)	/* a new generation, never recorded */
		fw_remove_gen(dir, (unsigned)v[0]);
	if (!switch_to(ctx, cell, dir, cur, 0))
		ctx_notice(ctx, "an earlier firewall command on cell \"%s\" was killed while loading generation %lld; generation %u, the one on record, was loaded again",
			   cell, v[0], cur);
}

/**
 * fw_settle() - settle() a cell whose firewall command was killed, for a
 * reader such as inspect
 * @ctx:	context
 * @state:	state directory
 * @cell:	cell
 *
 * Costs one failed open() when nothing was interrupted.
 */
void fw_settle(struct nc_ctx *ctx, const char *state, const char *cell)
{
	char dir[PATH_MAX];
	long long v[3];
	int lock;

	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	if (fwgen_read_num(dir, "applying", v) < 1)
		return;
	lock = fw_lock(ctx, dir);
	if (lock < 0)
		return;
	settle(ctx, cell, dir);
	close(lock);
}

/**
 * spawn_watcher() - start the detached process that reverts unconfirmed rules
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	the pending generation
 * @deadline:	CLOCK_REALTIME seconds
 */
static void spawn_watcher(const char *cell, const char *dir, unsigned gen,
			  long long deadline)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	close_range(3, ~0U, 0);
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	while ((long long)time(NULL) < deadline)
		sleep(1);
	_exit(fw_revert_if_pending(cell, dir, gen) ? 1 : 0);
}

/**
 * fw_revert_if_pending() - at the deadline: roll back if still unconfirmed
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	the generation that had to be confirmed
 *
 * Return: 0 or -errno
 */
int fw_revert_if_pending(const char *cell, const char *dir, unsigned gen)
{
	struct nc_ctx *ctx = nc_ctx_new();
	long long v[3] = { 0 };
	int lock, ret = 0;

	if (!ctx)
		return -ENOMEM;
	lock = fw_lock(ctx, dir);
	if (lock >= 0 && fwgen_read_num(dir, "pending", v) == 3 && v[0] == gen) {
		ret = switch_to(ctx, cell, dir, (unsigned)v[1], 0);
		fwgen_mark_reverted(dir, gen);
	}
	if (lock >= 0)
		close(lock);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * check_cell() - fail early, with the right code, for an unknown cell
 * @ctx:	context
 * @cell:	cell name
 *
 * Return: 0 or -errno with a message
 */
static int check_cell(struct nc_ctx *ctx, const char *cell)
{
	struct nc_cell_info info;
	uid_t host;

	if (!fw_is_host(cell))
		return nc_inspect(ctx, cell, &info);
	if (getuid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "the host's firewall is root's: run 'fw ... --host' as root, or use a cell");
	/* uid 0 of a rootless cell would only reach the cell's own ruleset */
	if (diag_host_uid(0, &host))
		return diag_not_host_root(ctx, "change the host's firewall", -EPERM);
	return 0;
}

/**
 * ns_id() - a namespace's identity: its nsfs inode number
 * @fd:		its descriptor, -1 for the host
 *
 * Only meaningful while the namespace lives: the kernel gives a freed
 * namespace's number to the next one.
 *
 * Return: the inode number, 0 for the host
 */
static unsigned long long ns_id(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) ? (unsigned long long)st.st_ino : 0;
}

/**
 * cell_ns() - which network namespace a cell is now
 * @ctx:	context
 * @cell:	cell name
 * @id:		its nsfs inode (0 for the host)
 *
 * Return: 0 or -errno with a message
 */
static int cell_ns(struct nc_ctx *ctx, const char *cell, unsigned long long *id)
{
	struct nc_cell_info info;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	*id = 0;
	if (fw_is_host(cell))
		return 0;
	ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (!ret && nfds > 0)
		*id = ns_id(fds[nfds - 1]);
	while (nfds-- > 0)
		close(fds[nfds]);
	return ret;
}

/**
 * open_cell() - check a cell, find its firewall directory and lock it
 * @ctx:	context
 * @cell:	cell name
 * @dir:	result: the directory, PATH_MAX bytes
 *
 * Return: the lock's descriptor (close() it), or -errno with a message
 */
static int open_cell(struct nc_ctx *ctx, const char *cell, char *dir)
{
	int ret = check_cell(ctx, cell);

	if (!ret)
		ret = fw_dir(ctx, cell, dir, PATH_MAX);
	if (!ret)
		ret = fw_lock(ctx, dir);
	if (ret >= 0)
		settle(ctx, cell, dir);
	return ret;
}

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
	unsigned long long ns_before = 0, ns_after = 0;
	struct cellns held = { .ns = INCELL_HOST(cell) };
	unsigned prev = fwgen_current(dir);
	struct fw_job job;
	char text[96];
	int ret;

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
	ret = fw_stage_files(ctx, dir, *gen, files, format, &job);
	if (!ret && fw_is_host(cell) && job.format == NC_FW_MIXED)
		ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			      "the host takes an nft file or iptables-save files, not a file with both (fw stage's default); stage with --format nft or --format iptables for the host");
	if (!ret && fw_is_host(cell)) {
		struct fw_job cur;

		job.host = 1;
		fw_host_prefix(&job, fwgen_job(dir, prev, &cur) ? NULL : &cur);
	}
	if (!ret && !fw_is_host(cell) && (job.format != NC_FW_NFT || fw_job_bytes(&job) <= FW_VERIFY_MAX)) {
		/* the generation loaded into a throwaway namespace: what the cell
		 * must hold once it is in force (fwverify.c) */
		fwgen_path(dir, *gen, "live", job.expect, sizeof(job.expect));
		job.expect_mode = FW_EXPECT_WRITE;
	}
	if (!ret && (job.format != NC_FW_NFT || job.expect[0]))
		ret = run_job(ctx, NULL, &job);	/* every part, or none */
	if (!ret && !fw_is_host(cell) && !job.expect[0])
		ctx_notice(ctx, "generation %u (%zu KiB) is larger than netcell compares with the cell after loading (%d KiB: a second load); it was loaded in one transaction and checked by its loader only",
			   *gen, fw_job_bytes(&job) / 1024, FW_VERIFY_MAX / 1024);
	job.expect_mode = FW_EXPECT_CHECK;
	if (!ret) {
		/* the namespace loaded into is held until the cell is asked for
		 * again: a namespace freed meanwhile would give its inode
		 * number to the next one, and a rebuild would go unseen */
		ret = cellns_open(ctx, cell, &held);
		if (!ret) {
			ns_before = ns_id(held.ns.netfd);
			ret = fw_run_job(ctx, cellns_at(&held), &job);
		}
		if (!ret)
			ret = cell_ns(ctx, cell, &ns_after);
		/* a keeper that died meanwhile rebuilt the cell (rootless) or
		 * another command made a new cell of that name: what was loaded
		 * went into a namespace that is no longer this cell */
		if (!ret && ns_before != ns_after) {
			/* the load may have reached the new namespace: put the
			 * generation on record back there (the mark stays if
			 * that fails, for the next command to settle) */
			ret = ctx_err(ctx, -ESTALE, NC_ERR_FAILED,
				      "cell \"%s\" was rebuilt or replaced while generation %u was being loaded; nothing was recorded: apply it again",
				      cell, *gen);
			if (!switch_unmarked(ctx, cell, dir, prev, 0))
				fwgen_remove_state(dir, "applying");
			ctx_err(ctx, -ESTALE, NC_ERR_FAILED,
				"cell \"%s\" was rebuilt or replaced while generation %u was being loaded; nothing was recorded: apply it again",
				cell, *gen);
		} else if (ret == -EPROTO) {
			/* loaded, and the cell does not hold it: never report
			 * that as success; the generation on record goes back */
			char why[NC_MSG_MAX];

			snprintf(why, sizeof(why), "%s", ctx->msg);
			if (!switch_unmarked(ctx, cell, dir, prev, 0))
				fwgen_remove_state(dir, "applying");
			ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
				"%s; generation %u was not recorded and generation %u, the one on record, was loaded again: please report this with the file",
				why, *gen, prev);
		} else if (ret) {	/* the cell's record is unchanged */
			fwgen_remove_state(dir, "applying");
		}
	}
	cellns_close(&held);
	if (!ret)
		ret = fwgen_write_meta(dir, *gen, &job) ? ctx_err(ctx, -EIO, NC_ERR_FAILED,
				"cannot record generation %u", *gen) : 0;
	if (ret) {
		fw_remove_gen(dir, *gen);
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
	spawn_watcher(cell, dir, *gen, deadline);
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
	int ret, lock = open_cell(ctx, cell, dir);

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
	int ret, lock = open_cell(ctx, cell, dir);

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
	int ret, lock = open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	if (fwgen_read_num(dir, "pending", v) == 3) {
		ret = ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
			      "generation %lld of cell \"%s\" awaits confirmation; confirm it or let it revert first",
			      v[0], cell);
	} else {
		unsigned was = fwgen_current(dir);

		*now = gen != NC_FW_PREVIOUS ? gen : fwgen_previous(dir, was);
		ret = switch_to(ctx, cell, dir, *now, 1);
		if (ret == -EPROTO) {
			char why[NC_MSG_MAX];

			snprintf(why, sizeof(why), "%s", ctx->msg);
			if (!switch_to(ctx, cell, dir, was, 0))
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
 * nothing is claimed that was not seen.
 *
 * Return: 1 if drifted, else 0
 */
int fw_drifted(struct nc_ctx *ctx, const char *cell, const char *dir, unsigned gen)
{
	_cleanup_free_ char *out = NULL;
	struct nc_ctx quiet = { .kfd = -1 };
	char expect[PATH_MAX];

	if (!gen || fw_is_host(cell))
		return 0;
	fwgen_path(dir, gen, "live", expect, sizeof(expect));
	if (incell_call_cell(&quiet, cell, fw_drift_in_ns, expect, &out) != 1)
		return 0;
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
	ret = open_cell(ctx, cell, dir);	/* settles a killed apply first */
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
	int ret = open_cell(ctx, cell, dir);	/* settles a killed apply first */

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
