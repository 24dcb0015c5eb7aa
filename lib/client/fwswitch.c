// SPDX-License-Identifier: MIT
/*
 * fwswitch.c - switching a cell's firewall generation, by cell name
 *
 * Theory of operation: every firewall operation of the client layer
 * (client/firewall.c's nc_fw_*) opens the cell's firewall directory under
 * its lock (fw_open_cell()), which first settles a command that was killed
 * while loading: an "applying" mark left behind means the cell may hold
 * anything, so the generation on record is loaded again.  Switching to a
 * kept generation writes that mark, loads the generation (fwload.c, in a
 * child in the cell), makes it current and removes the mark; with a
 * verify request the cell's live ruleset is compared with the views kept
 * when the generation was applied (fwverify.c).  A --confirm window is
 * watched by a detached process (not the CLI, not the keeper: either may
 * die) that reverts the generation at its deadline unless confirmed.
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
#include "fw/fwgen.h"
#include "client/fwswitch.h"
#include "fw/fwhostkeep.h"

/**
 * host_prefix_error() - the message for a host generation whose tables
 * could not be listed (fw_host_prefix())
 * @ctx:	context
 * @err:	its -errno
 *
 * Return: @err (kind NC_ERR_RULESET)
 */
int host_prefix_error(struct nc_ctx *ctx, int err)
{
	if (err == -E2BIG)
		return ctx_err(ctx, err, NC_ERR_RULESET,
			       "the host's change names more tables than netcell replaces at once (their 'add table'/'delete table' lines take over %zu bytes); split the ruleset into fewer tables; nothing was changed",
			       sizeof(((struct fw_job *)0)->prefix));
	return ctx_err(ctx, err, NC_ERR_RULESET,
		       "cannot read the tables the host's ruleset defines: %s; nothing was changed",
		       strerror(-err));
}

/**
 * fw_run_job_cell() - fw_run_job() in a cell named by the user
 * @ctx:	context
 * @cell:	cell, NC_FW_HOST, or NULL for a scratch namespace
 * @job:	what to load, NULL to flush
 *
 * Return: 0, or -errno with a message
 */
int fw_run_job_cell(struct nc_ctx *ctx, const char *cell, struct fw_job *job)
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
 * no_generation() - the error for a generation the cell does not have
 * @ctx:	context
 * @cell:	cell
 * @gen:	the generation asked for
 *
 * Return: -ENOENT (kind NC_ERR_USAGE)
 */
static int no_generation(struct nc_ctx *ctx, const char *cell, unsigned gen)
{
	return ctx_err(ctx, -ENOENT, NC_ERR_USAGE,
		       "\"%s\" has no firewall generation %u; 'netcell fw history' lists them",
		       cell, gen);
}

/**
 * fw_switch_unmarked() - fw_switch_to() without the "applying" mark
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	generation, 0 for "no rules"
 * @verify:	compare the cell's live ruleset with the views kept when the
 *		generation was applied (-EPROTO when they differ)
 *
 * Return: 0 or -errno with a message
 */
int fw_switch_unmarked(struct nc_ctx *ctx, const char *cell, const char *dir,
			   unsigned gen, int verify)
{
	struct fw_job job;
	int ret;

	struct fw_job cur;
	int has_cur;

	if (gen && fwgen_job(dir, gen, &job))
		return no_generation(ctx, cell, gen);
	if (fw_is_host(cell)) {
		has_cur = !fwgen_job(dir, fwgen_current(dir), &cur);
		if (!gen) {	/* nothing: empty the tables netcell put there */
			memset(&job, 0, sizeof(job));
			job.format = NC_FW_NFT;
		}
		job.host = 1;
		ret = fw_host_prefix(&job, has_cur ? &cur : NULL);
		if (ret)
			return host_prefix_error(ctx, ret);
		if (!gen)
			return nft_run_prefix_only(ctx, cell, dir, &job);
	}
	if (gen && verify) {
		fwgen_path(dir, gen, "live", job.expect, sizeof(job.expect));
		job.expect_mode = FW_EXPECT_CHECK;
	}
	ret = fw_run_job_cell(ctx, cell, gen ? &job : NULL);
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
 * fw_switch_to() - apply a kept generation to a cell and make it current
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	generation, 0 for "no rules"
 * @verify:	as fw_switch_unmarked()'s (a rollback asks; putting the
 *		generation on record back does not: it must not fail on a
 *		doubt)
 *
 * Return: 0 or -errno with a message; the "applying" mark stays after a
 * failure, as the cell may have either ruleset
 */
int fw_switch_to(struct nc_ctx *ctx, const char *cell, const char *dir,
		     unsigned gen, int verify)
{
	struct fw_job job;
	int ret;

	/* no such generation: nothing is loaded, so nothing to mark (a mark
	 * left here made the next command report a killed load) */
	if (gen && fwgen_job(dir, gen, &job))
		return no_generation(ctx, cell, gen);
	mark_applying(dir, gen);
	ret = fw_switch_unmarked(ctx, cell, dir, gen, verify);
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
	if (!fw_switch_to(ctx, cell, dir, cur, 0))
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
 * fw_spawn_watcher() - start the detached process that reverts unconfirmed rules
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	the pending generation
 * @deadline:	CLOCK_REALTIME seconds
 */
void fw_spawn_watcher(const char *cell, const char *dir, unsigned gen,
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
	/* a confirmed generation pends no more: nothing left to watch */
	while ((long long)time(NULL) < deadline) {
		long long v[3] = { 0 };

		if (fwgen_read_num(dir, "pending", v) != 3 || v[0] != gen)
			_exit(0);
		sleep(1);
	}
	_exit(fw_revert_if_pending(cell, dir, gen) ? 1 : 0);
}

/**
 * put_back_host_tables() - revert a host generation: its tables as they
 * were kept before its apply (fw/fwhostkeep.c), @prev on record
 * @ctx:	context
 * @dir:	the host's firewall directory
 * @gen:	the generation reverted
 * @prev:	the one before it
 *
 * Return: 0, 1 when nothing was kept (the caller loads @prev), or -errno
 * with a message (@gen stays on record)
 */
static int put_back_host_tables(struct nc_ctx *ctx, const char *dir, unsigned gen,
				unsigned prev)
{
	_cleanup_free_ char *out = NULL;
	char kept[PATH_MAX];
	int ret;

	fwgen_path(dir, gen, "displaced", kept, sizeof(kept));
	if (access(kept, F_OK))
		return 1;
	ret = incell_call_cell(ctx, NC_FW_HOST, fw_host_putback_in_ns, kept, &out);
	if (ret) {
		/* for the waiting apply to say (nc_fw_wait()) */
		ctx_err(ctx, ret, NC_ERR_FAILED, "the host's tables could not all be put back: %s",
			out && out[0] ? out : strerror(-ret));
		fwgen_write_state(dir, "revert-error", nc_errmsg(ctx));
		return ret;
	}
	fw_drop_kept_tables(dir, gen);
	fwgen_remove_state(dir, "revert-error");
	return fwgen_set_current(dir, prev);
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
		/* the host: its tables as they were kept before the apply */
		ret = fw_is_host(cell) ? put_back_host_tables(ctx, dir, gen, (unsigned)v[1]) : 1;
		if (ret == 1)
			ret = fw_switch_to(ctx, cell, dir, (unsigned)v[1], 0);
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
 * fw_ns_id() - a namespace's identity: its nsfs inode number
 * @fd:		its descriptor, -1 for the host
 *
 * Only meaningful while the namespace lives: the kernel gives a freed
 * namespace's number to the next one.
 *
 * Return: the inode number, 0 for the host
 */
unsigned long long fw_ns_id(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) ? (unsigned long long)st.st_ino : 0;
}

/**
 * fw_cell_ns() - which network namespace a cell is now
 * @ctx:	context
 * @cell:	cell name
 * @id:		its nsfs inode (0 for the host)
 *
 * Return: 0 or -errno with a message
 */
int fw_cell_ns(struct nc_ctx *ctx, const char *cell, unsigned long long *id)
{
	struct nc_cell_info info;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	*id = 0;
	if (fw_is_host(cell))
		return 0;
	ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (!ret && nfds > 0)
		*id = fw_ns_id(fds[nfds - 1]);
	while (nfds-- > 0)
		close(fds[nfds]);
	return ret;
}

/**
 * fw_open_cell() - check a cell, find its firewall directory and lock it
 * @ctx:	context
 * @cell:	cell name
 * @dir:	result: the directory, PATH_MAX bytes
 *
 * Return: the lock's descriptor (close() it), or -errno with a message
 */
int fw_open_cell(struct nc_ctx *ctx, const char *cell, char *dir)
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
