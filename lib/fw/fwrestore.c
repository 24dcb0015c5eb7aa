// SPDX-License-Identifier: MIT
/*
 * fwrestore.c - the keeper puts a rebuilt cell's firewall back
 *
 * Theory of operation: when the keeper rebuilds a cell in a new namespace
 * (after a crash or a restart), the cell gets the generation that was in
 * force, loaded by fwload.c in a child that joins the namespace by its
 * descriptor: the keeper needs no cell name lookup, and this module none
 * of the client's.  A large generation loads in a process of its own
 * behind the keeper's back, so a rebuild of many cells is not held up; a
 * generation that no longer loads leaves the cell closed (a drop-all
 * table), never open, and says so in the generation's directory.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fw/fwgen.h"
#include "fw/fwrestore.h"

/**
 * struct restore_job - restore_in_ns()'s arguments
 * @run:	runtime directory (for the xtables lock)
 * @netfd:	the cell's network namespace
 * @job:	the generation's ruleset; NULL for the drop-all lockdown
 */
struct restore_job {
	const char *run;
	int netfd;
	struct fw_job *job;
};

/**
 * restore_in_ns() - in a child: join the namespace, load the ruleset
 * @ctx:	context
 * @arg:	struct restore_job
 *
 * Return: 0 or -errno with a message
 */
static int restore_in_ns(struct nc_ctx *ctx, void *arg)
{
	const struct restore_job *j = arg;
	char lock[PATH_MAX], err[NC_MSG_MAX] = "";
	int ret;

	snprintf(lock, sizeof(lock), "%s/xtables.lock", j->run);
	setenv("XTABLES_LOCKFILE", lock, 1);
	if (setns(j->netfd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the cell: %s", strerror(errno));
	ret = j->job ? fw_job_in_ns(j->job, err, sizeof(err)) :
		fw_lockdown_in_ns(NULL, err, sizeof(err));
	return ret ? ctx_err(ctx, ret, NC_ERR_RULESET, "%s", err[0] ? err : strerror(-ret)) : 0;
}

/* a generation larger than this is restored behind the keeper's back (a
 * ruleset of some 10,000 rules: loading takes over a tenth of a second) */
#define FW_RESTORE_SYNC_MAX (512 * 1024)

/**
 * restore_child() - the background restore's own process: load the
 * generation, and say so on disk
 * @dir:	the cell's firewall directory
 * @cell:	cell
 * @gen:	generation
 * @j:		restore job
 */
static void __attribute__((noreturn)) restore_child(const char *dir, const char *cell,
						    unsigned gen, const struct restore_job *j)
{
	struct nc_ctx c = { .kfd = -1 };

	(void)cell;
	(void)gen;
	if (!restore_in_ns(&c, (void *)j))
		fwgen_remove_state(dir, "lockdown");
	/* else the cell stays closed, its "lockdown" mark on record for fw
	 * history ('!') and inspect (DID NOT LOAD) */
	_exit(0);
}

/**
 * restore_behind() - restore a large generation without holding up the
 * keeper: the cell is closed at once (the drop-all tables), and a process
 * of its own loads the generation, holding the cell's firewall lock, so
 * every fw command on the cell waits for it while other cells are served
 * @ctx:	context
 * @dir:	the cell's firewall directory
 * @cell:	cell
 * @gen:	generation
 * @j:		restore job (its @job the generation)
 * @locked:	out: 1 (the cell is closed until the load completes)
 *
 * Return: 0, or -errno with a message when not even the drop-all tables
 * loaded (then nothing runs behind)
 */
static int restore_behind(struct nc_ctx *ctx, const char *dir, const char *cell,
			  unsigned gen, struct restore_job *j, int *locked)
{
	struct fw_job *job = j->job;
	struct restore_job lock_j = { j->run, j->netfd, NULL };
	int lock = fw_lock(ctx, dir), ret, ferr;
	char text[32];
	pid_t pid;

	if (lock < 0)
		return lock;
	ret = incell_fork(ctx, restore_in_ns, &lock_j);	/* closed at once */
	if (ret) {
		close(lock);
		return ctx_wrap(ctx, ret, "firewall generation %u of cell \"%s\"", gen, cell);
	}
	snprintf(text, sizeof(text), "%u\n", gen);
	fwgen_write_state(dir, "lockdown", text);
	pid = fork();
	ferr = errno;
	if (pid == 0) {
		/* detached (the keeper reaps no one), keeping only the
		 * namespace and the lock: not the keeper's socket or its
		 * lifetime lock, whose holders must be the keeper alone */
		if (fork())
			_exit(0);
		if (dup2(j->netfd, 3) < 0 || dup2(lock, 4) < 0)
			_exit(1);
		close_range(5, ~0U, 0);
		j->netfd = 3;
		j->job = job;
		restore_child(dir, cell, gen, j);
	}
	close(lock);	/* the grandchild holds the lock now */
	*locked = 1;
	if (pid < 0)
		return ctx_err(ctx, -ferr, NC_ERR_FAILED,
			       "firewall generation %u of cell \"%s\": cannot start the process that loads it: %s",
			       gen, cell, strerror(ferr));
	waitpid(pid, NULL, 0);
	ctx_notice(ctx, "cell \"%s\": its firewall (generation %u) is loading in the background; the cell drops all traffic until it is in force, and fw commands on it wait for it",
		   cell, gen);
	return 0;
}

/**
 * fw_restore_fd() - load a cell's current generation into a namespace
 * @ctx:	context
 * @state:	state directory
 * @run:	runtime directory (for the xtables lock)
 * @cell:	cell name
 * @netfd:	the cell's (new) network namespace
 * @locked:	set when the generation did not load and the cell was closed
 * @reverted:	set to the generation that awaited confirmation and was
 *		reverted, 0 for none
 *
 * Used by the keeper when it rebuilds a cell in a new namespace: the cell
 * gets the generation that was in force.  A rebuild ends a confirm window,
 * as a router that restarts comes back with its last confirmed
 * configuration: a generation that awaited "fw confirm" is reverted here,
 * since after a restart no watcher is left to revert it at its deadline.
 * The caller is already in the namespace's user namespace; the work runs
 * in a child that joins the network namespace, so the caller stays where
 * it is.
 *
 * A generation that no longer loads leaves the cell closed, not open: a
 * drop-all table (fw_lockdown_in_ns()) takes its place until the user
 * applies or rolls back.  Only if even that fails is the cell left open.
 *
 * Return: 0 (also when the cell has no firewall) or -errno with a message
 * naming the generation (with *@locked set when the cell was closed)
 */
int fw_restore_fd(struct nc_ctx *ctx, const char *state, const char *run,
		  const char *cell, int netfd, int *locked, unsigned *reverted)
{
	char dir[PATH_MAX];
	struct fw_job job;
	struct restore_job j = { run, netfd, &job };
	struct nc_ctx lc = { .kfd = -1 };
	char why[NC_MSG_MAX], text[32];
	long long v[3] = { 0 };
	unsigned gen;
	int ret;

	*locked = 0;
	*reverted = 0;
	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	gen = fwgen_current(dir);
	if (gen && fwgen_read_num(dir, "pending", v) == 3 && v[0] == gen) {
		*reverted = gen;
		gen = (unsigned)v[1];
		fwgen_set_current(dir, gen);
		fwgen_mark_reverted(dir, *reverted);
	}
	if (!gen)
		return 0;
	ret = fwgen_job(dir, gen, &job);
	if (ret)
		ret = ctx_err(ctx, ret, NC_ERR_FAILED, "firewall generation %u of cell \"%s\" cannot be read",
			      gen, cell);
	else if (fw_job_bytes(&job) > FW_RESTORE_SYNC_MAX)
		return restore_behind(ctx, dir, cell, gen, &j, locked);
	else if ((ret = incell_fork(ctx, restore_in_ns, &j)))
		ret = ctx_wrap(ctx, ret, "firewall generation %u of cell \"%s\"", gen, cell);
	if (!ret) {
		fwgen_remove_state(dir, "lockdown");
		return 0;
	}
	j.job = NULL;
	*locked = !incell_fork(&lc, restore_in_ns, &j);
	snprintf(why, sizeof(why), "%s", ctx->msg);
	snprintf(text, sizeof(text), "%u\n", gen);
	if (!*locked) {
		/* an older rebuild's mark would claim a lockdown there is not */
		fwgen_remove_state(dir, "lockdown");
		ctx_err(ctx, ret, ctx->kind, "%s; the drop-all table did not load either: %s",
			why, lc.msg);
	} else if (fwgen_write_state(dir, "lockdown", text)) {
		ctx_err(ctx, ret, ctx->kind, "%s; fw history and inspect cannot show this (cannot write %s/lockdown)",
			why, dir);
	}
	return ret;
}
