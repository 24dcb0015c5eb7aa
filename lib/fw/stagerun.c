// SPDX-License-Identifier: MIT
/*
 * stagerun.c - fw stage: the script's own process and namespaces
 *
 * Theory of operation: stage.c's child, the init of a new PID namespace,
 * gets a private mount namespace in which the recorder binary (found here:
 * beside the program, in LIBEXECDIR, or relative to a relocated install)
 * is bound over every xtables multi-call binary and nft, then runs the
 * script under its own interpreter: a shell script with errexit on and a
 * preamble of recording shell functions (bash has the caller's line in
 * BASH_LINENO; dash has none, so its lines are found later from the
 * command's words), anything else as it is.  When the script ends, what
 * it left running dies with the PID namespace.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/paths.h"
#include "fw/stage_int.h"
#include "fw/stagelog.h"

#ifndef NETCELL_LIBEXECDIR
#define NETCELL_LIBEXECDIR "/usr/local/libexec/netcell"
#endif

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

/* bash: the script's line and file are those of the caller of the tool's
 * function (iptables, nft), which calls __nc_rec or __nc_nft: index 1 of
 * BASH_LINENO, 2 of BASH_SOURCE */
static const char pre_bash[] =
	"# netcell fw stage: firewall commands are recorded, then replayed in batches\n"
	"__nc_rec() {\n"
	"\tlocal __nc_t=$1 __nc_k __nc_a; shift\n"
	PRE_REC_BODY("\"${BASH_LINENO[1]}\"", "\"${BASH_SOURCE[2]:-$0}\"")
	"\tNETCELL_STAGE_WHERE=\"${BASH_SOURCE[2]:-$0}:${BASH_LINENO[1]}\" command \"$__nc_t\" \"$@\"\n"
	"}\n"
	"__nc_nft() {\n"
	"\tif [ -z \"${NETCELL_STAGE_EXACT:-}\" ]; then case ${1:-} in add|insert|create|delete|destroy|flush|replace|rename)\n"
	"\t\tprintf '%s\\0' R nft \"${BASH_LINENO[1]}\" \"${BASH_SOURCE[2]:-$0}\" \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\"; return 0;;\n"
	"\tesac; fi\n"
	"\tNETCELL_STAGE_WHERE=\"${BASH_SOURCE[2]:-$0}:${BASH_LINENO[1]}\" command nft \"$@\"\n"
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
 * stage_read_shebang() - the script's #! line
 * @s:		stage; sets @s->interp, @s->shell and @s->opts
 *
 * bash runs bash scripts; sh, dash, ash, ksh and a script with no #! line
 * (which a shell runs with /bin/sh) run under that shell; anything else
 * (python, perl, a binary) runs as it is, its tool calls all reaching the
 * recorder binary.
 */
void stage_read_shebang(struct stage *s)
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
	/* "#!/usr/bin/env bash": env finds the shell along $PATH, and so
	 * must we (execv() does not search) */
	if (strchr(interp, '/') || !paths_which(interp, s->shell, sizeof(s->shell)))
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
 * stage_private_mounts() - the stage's first process: a mount namespace of its
 * own, its own /proc, and the recorder over every firewall tool
 * @s:		stage
 * @err:	message
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
int stage_private_mounts(const struct stage *s, char *err, size_t len)
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
 * spread_pid() - make the script's PID as unpredictable as on the host
 *
 * In the stage's own PID namespace the script would always be PID 2, so
 * names such as "/tmp/rules.$$" on the host's /tmp would be the same for
 * every staging (another user's file, one a killed staging left, two
 * stagings at once) where direct runs get distinct PIDs: the namespace's
 * last PID is set at random before the script is forked.  Best effort.
 */
static void spread_pid(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	_cleanup_close_ int fd = -1;
	unsigned max = 0, r = 0;

	if (!f || fscanf(f, "%u", &max) != 1 || max < 4096 ||
	    getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return;
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		dprintf(fd, "%u", 300 + r % (max - 1300));
}

/**
 * stage_run_script() - fork and run the script, wait for it
 * @s:		stage
 *
 * Return: its wait status
 */
int stage_run_script(const struct stage *s)
{
	pid_t pid;
	int status;

	/* the timeout counts from here: mounts and tool binds before it,
	 * the replay and the output check after it, are netcell's time */
	if (write(s->clockfd, "S", 1) < 0)
		return 127 << 8;
	spread_pid();
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
 * stage_kill_rest() - end every other process of the PID namespace and reap it
 */
void stage_kill_rest(void)
{
	kill(-1, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
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
 * stage_find_helper() - the recorder binary: beside the running program (a build
 * tree), in netcell's libexec directory, else in the libexec directory of a
 * relocated install (a DESTDIR, a tarball) beside the program's or the
 * library's own directory
 * @ctx:	context
 * @buf:	path
 * @len:	size of @buf
 *
 * Return: 0 or -ENOENT with a message
 */
int stage_find_helper(struct nc_ctx *ctx, char *buf, size_t len)
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
	if (dladdr((void *)stage_find_helper, &info) && info.dli_fname &&
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
 * stage_preamble() - the recording functions a shell script runs first
 * @s:		stage (its interpreter known)
 *
 * Return: bash's or POSIX sh's preamble
 */
const char *stage_preamble(const struct stage *s)
{
	return s->interp == INTERP_BASH ? pre_bash : pre_sh;
}
