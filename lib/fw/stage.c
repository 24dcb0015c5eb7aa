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
#include "fw/fwload.h"
#include "kernel/incell.h"
#include "base/paths.h"
#include "fw/stage.h"
#include "fw/stagerec.h"
#include "base/store.h"

#ifndef NETCELL_LIBEXECDIR
#define NETCELL_LIBEXECDIR "/usr/local/libexec/netcell"
#endif

/* how long netcell's own work around the script may take: mounts, replay,
 * output check (50,000 rules take seconds) */
#define STAGE_OWN_MS 300000

enum interp { INTERP_BASH, INTERP_SH, INTERP_DIRECT };

/* recording functions: a shell script's firewall calls by name cost no exec */
#define PRE_REC_BODY(LINE, FILE)								\
	"\tif [ -z \"${NETCELL_STAGE_EXACT:-}\" ] && [ $# -gt 0 ]; then\n"			\
	"\t\t__nc_k=w\n"									\
	"\t\tfor __nc_a in \"$@\"; do case $__nc_a in\n"					\
	"\t\t\t-L|-S|-C|--list|--list-rules|--check|-h|--help|-V|--version|-[a-zA-Z]*[LSC]) __nc_k=r;;\n" \
	"\t\tesac; done\n"									\
	"\t\tif [ $__nc_k = w ]; then\n"							\
	"\t\t\tprintf '%s\\0' R \"$__nc_t\" " LINE " " FILE " \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\"\n" \
	"\t\t\treturn 0\n"									\
	"\t\tfi\n"										\
	"\tfi\n"

static const char pre_bash[] =
	"# netcell fw stage: firewall commands are recorded, then replayed in batches\n"
	"__nc_rec() {\n"
	"\tlocal __nc_t=$1 __nc_k __nc_a; shift\n"
	PRE_REC_BODY("\"${BASH_LINENO[1]}\"", "\"${BASH_SOURCE[2]:-$0}\"")
	"\tNETCELL_STAGE_WHERE=\"${BASH_SOURCE[2]:-$0}:${BASH_LINENO[1]}\" command \"$__nc_t\" \"$@\"\n"
	"}\n"
	"__nc_nft() {\n"
	"\tif [ -z \"${NETCELL_STAGE_EXACT:-}\" ]; then case ${1:-} in add|insert|create|delete|destroy|flush|replace|rename)\n"
	"\t\tprintf '%s\\0' R nft \"${BASH_LINENO[0]}\" \"${BASH_SOURCE[1]:-$0}\" \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\"; return 0;;\n"
	"\tesac; fi\n"
	"\tNETCELL_STAGE_WHERE=\"${BASH_SOURCE[1]:-$0}:${BASH_LINENO[0]}\" command nft \"$@\"\n"
	"}\n"
	"iptables() { __nc_rec iptables \"$@\"; }\n"
	"iptables-nft() { __nc_rec iptables \"$@\"; }\n"
	"iptables-legacy() { __nc_rec iptables \"$@\"; }\n"
	"ip6tables() { __nc_rec ip6tables \"$@\"; }\n"
	"ip6tables-nft() { __nc_rec ip6tables \"$@\"; }\n"
	"ip6tables-legacy() { __nc_rec ip6tables \"$@\"; }\n"
	"nft() { __nc_nft \"$@\"; }\n"
	"export -f __nc_rec __nc_nft iptables iptables-nft iptables-legacy ip6tables ip6tables-nft ip6tables-legacy nft\n"
	"__nc_err() { printf '%s:%s: `%s` failed (exit %s)\\n' \"$0\" \"$1\" \"$2\" \"$3\" >\"$NETCELL_STAGE_DIR/errline\"; }\n";

/* POSIX sh (dash) has neither BASH_LINENO nor hyphens in function names:
 * lines are found later from the command's text; iptables-nft and the
 * like reach the recorder binary */
static const char pre_sh[] =
	"# netcell fw stage: firewall commands are recorded, then replayed in batches\n"
	"__nc_rec() {\n"
	"\tlocal __nc_t __nc_k __nc_a; __nc_t=$1; shift\n"
	PRE_REC_BODY("''", "''")
	"\tcommand \"$__nc_t\" \"$@\"\n"
	"}\n"
	"nft() {\n"
	"\tif [ -z \"${NETCELL_STAGE_EXACT:-}\" ]; then case ${1:-} in add|insert|create|delete|destroy|flush|replace|rename)\n"
	"\t\tprintf '%s\\0' R nft '' '' \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\"; return 0;;\n"
	"\tesac; fi\n"
	"\tcommand nft \"$@\"\n"
	"}\n"
	"iptables() { __nc_rec iptables \"$@\"; }\n"
	"ip6tables() { __nc_rec ip6tables \"$@\"; }\n";

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

/**
 * read_shebang() - the script's #! line
 * @s:		stage; sets @s->interp, @s->shell and @s->opts
 *
 * bash runs bash scripts; sh, dash, ash, ksh and a script with no #! line
 * (which a shell runs with /bin/sh) run under that shell; anything else
 * (python, perl, a binary) runs as it is, its tool calls all reaching the
 * recorder binary.
 */
static void read_shebang(struct stage *s)
{
	char head[256] = "", *p, *interp, *arg, *save = NULL;
	_cleanup_close_ int fd = open(s->script, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head) - 1) : -1;
	const char *base;
	int k = 0;

	s->interp = INTERP_SH;
	snprintf(s->shell, sizeof(s->shell), "/bin/sh");
	if (n < 2 || strncmp(head, "#!", 2))
		return;
	head[n] = '\0';
	head[strcspn(head, "\n")] = '\0';
	interp = strtok_r(head + 2, " \t", &save);
	arg = interp ? strtok_r(NULL, "", &save) : NULL;
	base = interp && strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
	if (base && !strcmp(base, "env") && arg) {
		interp = strtok_r(arg, " \t", &save);
		arg = interp ? strtok_r(NULL, "", &save) : NULL;
		base = interp && strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
	}
	if (!base || (strcmp(base, "bash") && strcmp(base, "sh") && strcmp(base, "dash") &&
		      strcmp(base, "ash") && strcmp(base, "ksh") && strcmp(base, "mksh"))) {
		s->interp = INTERP_DIRECT;
		return;
	}
	s->interp = strcmp(base, "bash") ? INTERP_SH : INTERP_BASH;
	snprintf(s->shell, sizeof(s->shell), "%s", interp);
	snprintf(s->optbuf, sizeof(s->optbuf), "%s", arg ? arg : "");
	for (p = strtok_r(s->optbuf, " \t", &save); p && k < 7; p = strtok_r(NULL, " \t", &save))
		s->opts[k++] = p;
}

/**
 * exec_script() - in a child of the stage's first process: run the script
 * @s:		stage
 */
static void __attribute__((noreturn)) exec_script(const struct stage *s)
{
	char pre[PATH_MAX], cmd[PATH_MAX * 2];
	const char **argv;
	int i, k, argc;

	dup2(2, 1);	/* stdout carries the ruleset; the script's goes to stderr */
	if (s->interp == INTERP_DIRECT) {
		execv(s->script, s->argv);
		fprintf(stderr, "netcell: cannot run %s: %s\n", s->script, strerror(errno));
		_exit(126);
	}
	for (argc = 0; s->argv[argc]; argc++)
		;
	argv = calloc((size_t)argc + 16, sizeof(*argv));
	if (!argv)
		_exit(1);
	stage_path(s->dir, "preamble.sh", pre, sizeof(pre));
	if (s->interp == INTERP_BASH)
		snprintf(cmd, sizeof(cmd),
			 "set -e; source '%s'; trap '__nc_err $LINENO \"$BASH_COMMAND\" $?' ERR; source \"$0\" \"$@\"",
			 pre);
	else
		snprintf(cmd, sizeof(cmd), "set -e; . '%s'; . \"$0\"", pre);
	k = 0;
	argv[k++] = s->shell;
	if (s->interp == INTERP_BASH)
		argv[k++] = "--noprofile", argv[k++] = "--norc";
	for (i = 0; s->opts[i]; i++)
		argv[k++] = s->opts[i];
	argv[k++] = "-c";
	argv[k++] = cmd;
	argv[k++] = s->script;
	for (i = 1; i < argc; i++)
		argv[k++] = s->argv[i];
	execv(s->shell, (char *const *)argv);
	fprintf(stderr, "netcell: cannot run %s: %s\n", s->shell, strerror(errno));
	_exit(127);
}

/**
 * bind_tool() - bind the recorder over one real tool, keeping the real one
 * in the stage directory
 * @s:		stage
 * @name:	a command name looked up in PATH (e.g. "iptables-nft")
 * @err:	message
 * @len:	size of @err
 *
 * Return: 0 (also when the tool is not installed) or -errno
 */
static int bind_tool(const struct stage *s, const char *name, char *err, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], keep[PATH_MAX * 2];
	const char *dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin",
			       "/usr/local/bin" };
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (realpath(path, real))
			break;
	}
	if (i == ARRAY_SIZE(dirs))
		return 0;
	snprintf(keep, sizeof(keep), "%s/%s/%s", s->dir, STAGE_REAL,
		 strrchr(real, '/') + 1);
	if (!stat(keep, &st))
		return 0;	/* bound already (iptables and iptables-nft share one) */
	fd = open(keep, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0700);
	if (fd < 0 || mount(real, keep, NULL, MS_BIND, NULL) ||
	    mount(s->helper, real, NULL, MS_BIND, NULL)) {
		snprintf(err, len, "cannot put the firewall recorder in place of %s: %s", real,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/**
 * private_mounts() - the stage's first process: a mount namespace of its
 * own, its own /proc, and the recorder over every firewall tool
 * @s:		stage
 * @err:	message
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int private_mounts(const struct stage *s, char *err, size_t len)
{
	static const char *const tools[] = { "xtables-nft-multi", "iptables-nft", "iptables",
					     "ip6tables", "xtables-legacy-multi", "iptables-legacy",
					     "ebtables", "arptables", "nft" };
	char real[PATH_MAX];
	size_t i;
	int ret;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		snprintf(err, len, "cannot make a private mount namespace: %s", strerror(errno));
		return -errno;
	}
	/* best effort: the script sees only its own processes */
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (mkdir(stage_path(s->dir, STAGE_REAL, real, sizeof(real)), 0700))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(tools); i++)
		if ((ret = bind_tool(s, tools[i], err, len)))
			return ret;
	return 0;
}

/**
 * wait_script() - the stage's first process: wait for the script, reaping
 * the orphans it leaves
 * @pid:	the script
 *
 * Return: its wait status
 */
static int wait_script(pid_t pid)
{
	int status = 0, st;
	pid_t w;

	while ((w = wait(&st)) != pid)
		if (w < 0 && errno != EINTR)
			return 127 << 8;
	status = st;
	return status;
}

/**
 * run_script() - fork and run the script, wait for it
 * @s:		stage
 *
 * Return: its wait status
 */
static int run_script(const struct stage *s)
{
	pid_t pid;
	int status;

	/* the timeout counts from here: mounts and tool binds before it,
	 * the replay and the output check after it, are netcell's time */
	if (write(s->clockfd, "S", 1) < 0)
		return 127 << 8;
	pid = fork();
	if (pid == 0)
		exec_script(s);
	if (pid < 0)
		return 127 << 8;
	status = wait_script(pid);
	if (write(s->clockfd, "E", 1) < 0)
		return 127 << 8;
	return status;
}

/**
 * kill_rest() - end every other process of the PID namespace and reap it
 */
static void kill_rest(void)
{
	kill(-1, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

/**
 * find_line() - the script line a recorded command came from, when only
 * its words are known (sh has no line numbers for functions)
 * @script:	script path
 * @argv:	the command's arguments
 * @argc:	their number
 *
 * Return: line number, 0 when no line holds all the words in order
 */
static unsigned find_line(const char *script, char *const *argv, int argc)
{
	_cleanup_free_ char *text = NULL;
	char *l, *nl, *p;
	unsigned n = 0;
	size_t len;
	int i;

	text = stage_read_file(script, &len);
	for (l = text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		n++;
		for (i = 0, p = l; i < argc && p; i++)
			if ((p = strstr(p, argv[i])))
				p += strlen(argv[i]);
		if (p && argc)
			return n;
		if (!nl)
			break;
	}
	return 0;
}

/**
 * failure_text() - describe one failure record of the exact run
 * @s:		stage
 * @f:		fields: tag, tool, line, file, status, stderr, argc, args...
 * @out:	text
 * @len:	size of @out
 */
static void failure_text(const struct stage *s, char *const *f, char *out, size_t len)
{
	int argc = atoi(f[6]), i;
	size_t off;
	unsigned line = f[2][0] ? (unsigned)atoi(f[2]) : find_line(s->script, f + 7, argc);
	const char *file = f[3][0] ? f[3] : s->script;

	if (line)
		off = (size_t)snprintf(out, len, "%s:%u: `%s", file, line, f[1]);
	else
		off = (size_t)snprintf(out, len, "%s: `%s", file, f[1]);
	for (i = 0; i < argc && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, " %s", f[7 + i]);
	if (off < len)
		snprintf(out + off, len - off, "` failed (exit %s):\n%s", f[4], f[5]);
	off = strlen(out);
	while (off && out[off - 1] == '\n')
		out[--off] = '\0';
}

/**
 * read_failures() - the exact run's failed commands
 * @s:		stage
 * @last:	the last one, described (empty when none)
 * @llen:	size of @last
 * @notes:	all but the last, one per line (for notices)
 * @nlen:	size of @notes
 *
 * Return: number of failures
 */
static int read_failures(const struct stage *s, char *last, size_t llen, char *notes,
			 size_t nlen)
{
	_cleanup_free_ char *buf = NULL;
	char path[PATH_MAX], *f[64 + 7], one[2048];
	size_t len, off = 0, no = 0;
	int n = 0, i, argc;

	last[0] = notes[0] = '\0';
	buf = stage_read_file(stage_path(s->dir, STAGE_FAILURES, path, sizeof(path)), &len);
	while (buf && off < len) {
		for (i = 0; i < 7 && off < len; i++, off += strlen(buf + off) + 1)
			f[i] = buf + off;
		if (i < 7)
			break;
		argc = atoi(f[6]);
		for (i = 0; i < argc && off < len; i++, off += strlen(buf + off) + 1)
			if (i < 64)
				f[7 + i] = buf + off;
		if (argc > 64)
			snprintf(f[6], 3, "64");
		if (last[0] && no + strlen(last) + 2 < nlen)
			no += (size_t)snprintf(notes + no, nlen - no, "%s\n", last);
		failure_text(s, f, one, sizeof(one));
		snprintf(last, llen, "%s", one);
		n++;
	}
	return n;
}

/**
 * reset_for_exact() - a fresh network namespace and log for the exact run
 * @s:		stage
 * @why:	reason, kept for the notice
 *
 * Return: 0 or -errno
 */
static int reset_for_exact(const struct stage *s, const char *why)
{
	static const char *const gone[] = { STAGE_LOG, STAGE_DONE, STAGE_GEN, STAGE_FAIL,
					    "errline", STAGE_FAILURES };
	char path[PATH_MAX], note[STAGE_ERR + 256];
	size_t i;

	kill_rest();
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		unlink(stage_path(s->dir, gone[i], path, sizeof(path)));
	if (unshare(CLONE_NEWNET))
		return -errno;
	snprintf(note, sizeof(note),
		 "%s ran a second time, each firewall command at once, since its batched run could differ from a direct run: %s",
		 s->script, why);
	store_write_atomic(stage_path(s->dir, "notice", path, sizeof(path)), note, strlen(note));
	setenv("NETCELL_STAGE_EXACT", "1", 1);
	return store_write_atomic(stage_path(s->dir, STAGE_EXACT, path, sizeof(path)), "", 0);
}

/**
 * script_failed() - the message for a script that exited non-zero
 * @s:		stage
 * @status:	its wait status
 * @out:	message
 * @len:	size of @out
 *
 * Return: -EINVAL
 */
static int script_failed(const struct stage *s, int status, char *out, size_t len)
{
	_cleanup_free_ char *line = NULL;
	char path[PATH_MAX], last[STAGE_ERR], notes[64];
	size_t l;

	if (read_failures(s, last, sizeof(last), notes, sizeof(notes))) {
		snprintf(out, len, "%s", last);
		return -EINVAL;
	}
	line = stage_read_file(stage_path(s->dir, "errline", path, sizeof(path)), &l);
	if (line && l)
		snprintf(out, len, "%s", line);
	else if (WIFEXITED(status))
		snprintf(out, len, "%s exited with status %d%s", s->script, WEXITSTATUS(status),
			 s->interp == INTERP_SH ? " (sh does not report which command failed; run it with 'sh -x' to see)" : "");
	else
		snprintf(out, len, "%s was killed by signal %d", s->script, WTERMSIG(status));
	return -EINVAL;
}

/**
 * batched_outcome() - after the batched run: done, or must the script run
 * exactly
 * @s:		stage
 * @status:	the script's wait status
 * @why:	why an exact run is needed, or the failure
 * @len:	size of @why
 *
 * Return: 0 (done), 1 (run exactly), -errno (failed: @why says why)
 */
static int batched_outcome(const struct stage *s, int status, char *why, size_t len)
{
	_cleanup_free_ char *fail = NULL;
	char path[PATH_MAX];
	size_t l;
	int ret;

	fail = stage_read_file(stage_path(s->dir, STAGE_FAIL, path, sizeof(path)), &l);
	if (fail && l) {
		snprintf(why, len, "%s", fail);
		return 1;
	}
	if (stage_ruleset_unseen(s->dir, why, len))
		return 1;
	ret = stage_replay(s->dir, why, len);
	if (ret == -EINVAL)
		return 1;
	if (ret)
		return ret;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	return script_failed(s, status, why, len);
}

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
	ret = dfd < 0 ? -errno : private_mounts(s, msg, sizeof(msg));
	if (!ret) {
		stage_use_real_tools(s->dir);
		stage_mark_gen(s->dir);
		status = run_script(s);
		ret = batched_outcome(s, status, msg, sizeof(msg));
	}
	if (ret == 1) {
		ret = reset_for_exact(s, msg);
		if (!ret) {
			stage_mark_gen(s->dir);
			status = run_script(s);
			ret = WIFEXITED(status) && !WEXITSTATUS(status) ? 0 :
			      script_failed(s, status, msg, sizeof(msg));
		}
		if (!ret && read_failures(s, last, sizeof(last), notes, sizeof(notes))) {
			size_t l = strlen(notes);

			snprintf(notes + l, sizeof(notes) - l, "%s", last);
			store_write_atomic(stage_path(s->dir, "handled", path, sizeof(path)), notes,
					   strlen(notes));
		}
	}
	if (!ret)
		ret = stage_output(s->dir, s->format, msg, sizeof(msg));
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
	read_shebang(s);
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
 * helper_near() - the recorder binary in DIR/../libexec/netcell, DIR being
 * the directory of the file @path
 * @path:	a program or the library, cut in place to its directory
 * @buf:	path
 * @len:	size of @buf
 *
 * Return: 1 when found (in @buf)
 */
static int helper_near(char *path, char *buf, size_t len)
{
	char *slash = strrchr(path, '/');

	if (!slash)
		return 0;
	*slash = '\0';
	snprintf(buf, len, "%s/../libexec/netcell/netcell-stage", path);
	return !access(buf, X_OK);
}

/**
 * find_helper() - the recorder binary: beside the running program (a build
 * tree), in netcell's libexec directory, else in the libexec directory of a
 * relocated install (a DESTDIR, a tarball) beside the program's or the
 * library's own directory
 * @ctx:	context
 * @buf:	path
 * @len:	size of @buf
 *
 * Return: 0 or -ENOENT with a message
 */
static int find_helper(struct nc_ctx *ctx, char *buf, size_t len)
{
	char self[PATH_MAX], near[PATH_MAX], lib[PATH_MAX], dflt[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	Dl_info info;
	char *slash;

	self[n > 0 ? n : 0] = '\0';
	snprintf(near, sizeof(near), "%s", self);
	slash = strrchr(self, '/');
	if (slash) {
		snprintf(buf, len, "%.*s/netcell-stage", (int)(slash - self), self);
		if (!access(buf, X_OK))
			return 0;
	}
	snprintf(dflt, sizeof(dflt), "%s/netcell-stage", NETCELL_LIBEXECDIR);
	snprintf(buf, len, "%s", dflt);
	if (!access(buf, X_OK))
		return 0;
	if (helper_near(near, buf, len))
		return 0;
	if (dladdr((void *)find_helper, &info) && info.dli_fname &&
	    info.dli_fname[0] == '/') {
		snprintf(lib, sizeof(lib), "%s", info.dli_fname);
		if (helper_near(lib, buf, len))
			return 0;
	}
	snprintf(buf, len, "%s", dflt);
	return ctx_err(ctx, -ENOENT, NC_ERR_PERM,
		       "cannot find netcell's firewall recorder \"%s\"; reinstall netcell (make install)",
		       buf);
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
	const char *pre = s->interp == INTERP_BASH ? pre_bash : pre_sh;
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
		ret = find_helper(ctx, s.helper, sizeof(s.helper));
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
	paths_remove_dir(s.dir);
	if (!ret && !*text)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot read the staged ruleset");
	return ret;
}
