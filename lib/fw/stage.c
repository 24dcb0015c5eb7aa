// SPDX-License-Identifier: MIT
/*
 * stage.c - turn an imperative firewall script into one atomic ruleset
 *
 * Theory of operation: the script runs in a scratch namespace (rootless: a
 * new user namespace too) and, root or not, in a PID namespace and a
 * private mount namespace of its own, as root there, with NETCELL_STAGE=1:
 * it cannot change the host's network or mounts, and what it leaves
 * running dies with it.  The script runs under its own interpreter: a
 * shell script (bash, or sh and its kin) with errexit on and a preamble of
 * recording shell functions; anything else as it is.  In the mount
 * namespace the recorder binary (netcell-stage, stagerec.c) is bound over
 * the real xtables multi-call binaries and nft, so no way of reaching a
 * firewall tool escapes the log, and commands take effect in script order.
 *
 * Two runs at most:
 *  1. batched: writes are recorded and replayed in batches (stagerec.c);
 *  2. exact, only when the batched run could differ from a direct run (a
 *     command failed on replay, which the script could not see; or the
 *     ruleset changed behind netcell's back): in a fresh network namespace
 *     the script runs again, each command for real and at once, and sees
 *     every exit status, as when run directly.  The user is told why.
 * A command that fails and is not handled by the script (errexit) fails
 * the stage, naming the script line; one the script handles (`|| true`)
 * is shown as a notice.  Then stageout.c writes the ruleset, loads it
 * into a fresh namespace and compares, so the output is never one that
 * does not load or differs from what the script built.
 *
 * Files: this one holds the entry (nc_fw_stage()), the private directory
 * and the two runs with their clock; stagerun.c the script's own process
 * (mounts, interpreter, preamble); stagefail.c what failures mean and when
 * to run exactly; stagerec.c the recorder; stageout.c the output.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "kernel/incell.h"
#include "base/paths.h"
#include "fw/stage.h"
#include "fw/stage_int.h"
#include "fw/stagelog.h"
#include "base/store.h"

#ifndef NETCELL_LIBEXECDIR
#define NETCELL_LIBEXECDIR "/usr/local/libexec/netcell"
#endif


/**
 * stage_init() - the PID namespace's first process: mounts, script, result
 * @s:		stage
 *
 * Everything happens here because once the first process of a PID
 * namespace exits, no process can start in it; when this one exits, the
 * kernel kills whatever the script left running.
 */
static void __attribute__((noreturn)) stage_init(const struct stage *s)
{
	char msg[STAGE_ERR] = "", path[PATH_MAX], last[STAGE_ERR], notes[STAGE_ERR];
	int status, ret, dfd;

	dfd = open(s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);	/* for the recorder */
	setenv("NETCELL_STAGE", "1", 1);
	setenv("NETCELL_STAGE_DIR", s->dir, 1);
	ret = dfd < 0 ? -errno : stage_private_mounts(s, msg, sizeof(msg));
	if (!ret) {
		stage_use_real_tools(s->dir);
		stage_mark_gen(s->dir);
		status = stage_run_script(s);
		ret = stage_batched_outcome(s, status, msg, sizeof(msg));
	}
	if (ret == 1) {
		ret = stage_reset_for_exact(s, msg);
		if (!ret) {
			stage_mark_gen(s->dir);
			status = stage_run_script(s);
			ret = WIFEXITED(status) && !WEXITSTATUS(status) ? 0 :
			      stage_script_failed(s, status, msg, sizeof(msg));
		}
		if (!ret && stage_read_failures(s, last, sizeof(last), notes, sizeof(notes))) {
			size_t l = strlen(notes);

			snprintf(notes + l, sizeof(notes) - l, "%s", last);
			store_write_atomic(stage_path(s->dir, "handled", path, sizeof(path)), notes,
					   strlen(notes));
		}
	}
	if (!ret)
		ret = stage_output(s->dir, s->script, s->format, msg, sizeof(msg));
	if (ret)
		store_write_atomic(stage_path(s->dir, "result", path, sizeof(path)), msg, strlen(msg));
	_exit(ret ? 2 : 0);
}

/**
 * now_ms() - the monotonic clock in milliseconds
 *
 * Return: milliseconds
 */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/**
 * wait_bounded() - wait for the stage, killing it all at a deadline
 * @pid:	first process of the stage's PID namespace
 * @clock:	read end of the pipe on which it says when a run of the
 *		script starts and ends (nonblocking)
 * @timeout_ms:	how long one run of the script may take
 * @status:	its wait status
 *
 * The deadline counts from the start of each run of the script, not from
 * the fork: the mounts before it once took half of a one-second timeout.
 * netcell's own work around the script (STAGE_OWN_MS) is bounded apart.
 *
 * Return: 0, -ETIMEDOUT (the script) or -ETIME (netcell's work) after
 * killing it
 */
static int wait_bounded(pid_t pid, int clock, unsigned timeout_ms, int *status)
{
	long long since = now_ms(), limit = STAGE_OWN_MS;
	char ev[16];
	ssize_t n, i;

	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		while ((n = read(clock, ev, sizeof(ev))) > 0)
			for (i = 0; i < n; i++) {
				since = now_ms();
				limit = ev[i] == 'S' ? timeout_ms : STAGE_OWN_MS;
			}
		if (now_ms() - since >= limit) {
			/* the PID namespace's init: every process in it dies too */
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return limit == STAGE_OWN_MS ? -ETIME : -ETIMEDOUT;
		}
		usleep(timeout_ms < 200 ? 1000 : 5000);
	}
}

/**
 * seconds_text() - milliseconds as seconds for a message: "1", "0.5", "2.25"
 * @ms:		milliseconds
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
static const char *seconds_text(unsigned ms, char *buf, size_t len)
{
	size_t l;

	snprintf(buf, len, "%u.%03u", ms / 1000, ms % 1000);
	l = strlen(buf);
	while (l && buf[l - 1] == '0')
		buf[--l] = '\0';
	if (l && buf[l - 1] == '.')
		buf[--l] = '\0';
	return buf;
}

/**
 * stage_in_ns() - incell_fn: stage in the scratch namespace, bounded in time
 * @arg:	struct stage
 * @out:	error message
 * @len:	size of @out
 *
 * Return: 0, -EINVAL (a command or the script failed), -ETIMEDOUT
 */
static int stage_in_ns(void *arg, char *out, size_t len)
{
	struct stage *s = arg;
	_cleanup_free_ char *msg = NULL;
	_cleanup_close_ int clock = -1;
	char path[PATH_MAX], secs[32];
	int status = 0, ret, pfd[2];
	size_t l;
	pid_t pid;

	if (unshare(CLONE_NEWPID)) {
		snprintf(out, len, "cannot create a PID namespace: %s", strerror(errno));
		return -errno;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(out, len, "pipe: %s", strerror(errno));
		return -errno;
	}
	clock = pfd[0];
	fcntl(clock, F_SETFL, O_NONBLOCK);
	s->clockfd = pfd[1];
	pid = fork();
	if (pid == 0)
		stage_init(s);
	close(pfd[1]);
	if (pid < 0)
		return -errno;
	ret = wait_bounded(pid, clock, s->timeout_ms, &status);
	if (ret == -ETIMEDOUT)
		snprintf(out, len, "%s did not finish within %s s of its start and was killed with all its processes; raise --timeout if it needs longer",
			 s->script, seconds_text(s->timeout_ms, secs, sizeof(secs)));
	else if (ret)
		snprintf(out, len, "staging %s took netcell over %d s outside the script and was stopped",
			 s->script, STAGE_OWN_MS / 1000);
	if (ret)
		return ret;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	msg = stage_read_file(stage_path(s->dir, "result", path, sizeof(path)), &l);
	snprintf(out, len, "%s", msg && l ? msg : "the staging process failed");
	return -EINVAL;
}

/**
 * find_script() - resolve and check the script to stage, and how it runs
 * @ctx:	context
 * @s:		stage; @s->argv set, @s->script and the interpreter filled
 *
 * Return: 0 or -errno with a message (NC_ERR_USAGE)
 */
static int find_script(struct nc_ctx *ctx, struct stage *s)
{
	const char *arg = s->argv[0];
	const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	int shell = !strcmp(base, "sh") || !strcmp(base, "bash") || !strcmp(base, "dash");

	if (shell) {
		if (!s->argv[1])
			return ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "give the script after %s", arg);
		s->argv++;
		arg = s->argv[0];
	} else if (access(arg, X_OK) && !access(arg, F_OK)) {
		return ctx_err(ctx, -EACCES, NC_ERR_USAGE,
			       "script \"%s\" is not executable; run 'chmod +x %s' or 'netcell fw stage -- sh %s'",
			       arg, arg, arg);
	}
	if (!realpath(arg, s->script))
		return ctx_err(ctx, -errno, NC_ERR_USAGE, "script \"%s\": %s", arg,
			       strerror(errno));
	stage_read_shebang(s);
	if (shell) {
		s->interp = strcmp(base, "bash") ? INTERP_SH : INTERP_BASH;
		if (strchr(s->argv[-1], '/'))
			snprintf(s->shell, sizeof(s->shell), "%s", s->argv[-1]);
		else
			snprintf(s->shell, sizeof(s->shell), "/bin/%s", base);
		s->opts[0] = NULL;
	}
	return 0;
}

/**
 * stage_dir() - the private directory of one staging run
 * @ctx:	context
 * @s:		stage; @s->dir filled
 *
 * Return: 0 or -errno with a message
 */
static int stage_dir(struct nc_ctx *ctx, struct stage *s)
{
	char path[PATH_MAX], pid[32];
	const char *pre = stage_preamble(s);
	int ret;

	snprintf(s->dir, sizeof(s->dir), "/tmp/netcell-stage-XXXXXX");
	if (!mkdtemp(s->dir))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "mkdtemp: %s", strerror(errno));
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	ret = store_write_atomic(stage_path(s->dir, "owner.pid", path, sizeof(path)), pid,
				 strlen(pid));
	if (!ret)
		ret = store_write_atomic(stage_path(s->dir, "preamble.sh", path, sizeof(path)),
					 pre, strlen(pre));
	if (!ret)
		ret = store_write_atomic(stage_path(s->dir, STAGE_LOCK, path, sizeof(path)), "", 0);
	if (ret) {
		paths_remove_dir(s->dir);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot prepare %s: %s", s->dir,
			       strerror(-ret));
	}
	return 0;
}

/**
 * pass_notices() - hand the run's notices to the caller
 * @ctx:	context
 * @s:		stage
 */
static void pass_notices(struct nc_ctx *ctx, const struct stage *s)
{
	_cleanup_free_ char *note = NULL, *handled = NULL, *fmt = NULL;
	char path[PATH_MAX];
	size_t l;

	note = stage_read_file(stage_path(s->dir, "notice", path, sizeof(path)), &l);
	if (note && l)
		ctx_notice(ctx, "%s", note);
	handled = stage_read_file(stage_path(s->dir, "handled", path, sizeof(path)), &l);
	if (handled && l)
		ctx_notice(ctx, "commands that failed and that the script went on from, as when run directly:\n%s",
			   handled);
	/* its own variable: reusing @note leaked the first file read */
	fmt = stage_read_file(stage_path(s->dir, "format-note", path, sizeof(path)), &l);
	if (fmt && l)
		ctx_notice(ctx, "%s", fmt);
}

/**
 * nc_fw_stage() - run a firewall script in a throwaway namespace and give
 * back the ruleset it built, as one file
 * @ctx:	context
 * @argv:	script and its arguments, NULL-terminated
 * @format:	NC_FW_AUTO (default: nft syntax, and iptables-restore sections
 *		for the tables iptables made), NC_FW_NFT or NC_FW_IPTABLES
 * @timeout:	seconds the script may run (0: 60)
 * @text:	the ruleset (heap)
 *
 * Return: as nc_fw_stage_ms()
 */
int nc_fw_stage(struct nc_ctx *ctx, char *const *argv, enum nc_fw_format format,
		unsigned timeout, char **text)
{
	return nc_fw_stage_ms(ctx, argv, format,
			      timeout > UINT_MAX / 1000 ? UINT_MAX : timeout * 1000, text);
}

/**
 * nc_fw_stage_ms() - nc_fw_stage() with the timeout in milliseconds
 * @ctx:	context
 * @argv:	script and its arguments, NULL-terminated
 * @format:	as for nc_fw_stage()
 * @timeout_ms:	milliseconds each run of the script may take, from its
 *		start (0: 60 s)
 * @text:	the ruleset (heap)
 *
 * Return: 0, or -errno with the script line and the command that failed
 * (NC_ERR_RULESET), or a usage error
 */
int nc_fw_stage_ms(struct nc_ctx *ctx, char *const *argv, enum nc_fw_format format,
		   unsigned timeout_ms, char **text)
{
	struct stage s = { .argv = argv, .format = format, .clockfd = -1,
			   .timeout_ms = timeout_ms ? timeout_ms : 60000 };
	char path[PATH_MAX], *msg = NULL;
	size_t l;
	int ret;

	*text = NULL;
	ret = find_script(ctx, &s);
	if (!ret)
		ret = stage_find_helper(ctx, s.helper, sizeof(s.helper));
	if (!ret)
		ret = stage_dir(ctx, &s);
	if (ret)
		return ret;
	ret = incell_call(ctx, NULL, stage_in_ns, &s, &msg);
	if (!ret)
		*text = stage_read_file(stage_path(s.dir, "out", path, sizeof(path)), &l);
	else if (msg)
		ret = ctx_err(ctx, ret, ret == -ETIMEDOUT || ret == -ETIME ? NC_ERR_FAILED : NC_ERR_RULESET,
			      "staging failed, nothing was output: %s", msg);
	if (!ret)
		pass_notices(ctx, &s);
	free(msg);
	/* the real tools' and the output check's directories first: the
	 * stage directory's removal is flat, and left them (and itself) */
	paths_remove_dir(stage_path(s.dir, STAGE_REAL, path, sizeof(path)));
	paths_remove_dir(stage_path(s.dir, "verify", path, sizeof(path)));
	paths_remove_dir(s.dir);
	if (!ret && !*text)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot read the staged ruleset");
	return ret;
}
