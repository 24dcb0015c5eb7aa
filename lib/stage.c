// SPDX-License-Identifier: MIT
/*
 * stage.c - turn an imperative firewall script into one atomic ruleset
 *
 * Theory of operation: the script runs in a scratch namespace (rootless: a
 * new user namespace too, and always a new PID namespace, so background jobs
 * die with it), as root there, with NETCELL_STAGE=1.  A shell script is run
 * by bash with errexit on, after a preamble that defines iptables,
 * ip6tables (and their -nft/-legacy names) and nft as shell functions.
 * These do not run anything: they append the command, with the script line
 * that called it (BASH_LINENO), to a log.  Calling a shell function costs
 * microseconds where starting iptables costs a millisecond or more, and
 * iptables-nft re-reads the whole ruleset on every call, so this is what
 * makes staging fast.
 *
 * Replay: the log is applied in order, consecutive commands of one family
 * as one batch: iptables commands become one iptables-restore --noflush
 * input (a "*table ... COMMIT" section per run of one table), nft commands
 * one libnftables transaction.  A command that reads the ruleset (-L, -S,
 * -C, nft list) first replays what is pending, so scripts that inspect
 * their own work still see it.  When a batch fails, the failing command is
 * found exactly: the part before the line iptables-restore names goes in as
 * a batch, the rest one by one with the real tool, and the first one that
 * fails is reported with its script line and the tool's own error.
 *
 * Output: once everything is in, the scratch namespace's ruleset is listed
 * (nft syntax, after "flush ruleset"; or iptables-save then ip6tables-save
 * after a "# netcell: ip6tables-restore" line), without timestamps or
 * counters' history, so two runs of one script give the same bytes.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "firewall.h"
#include "incell.h"
#include "nft.h"
#include "paths.h"
#include "store.h"
#include "tool.h"

#define STAGE_ERR 8192
#define STAGE_BATCH 400

/**
 * struct rec - one recorded command
 * @tool:	"iptables", "ip6tables" or "nft"
 * @line:	script line that ran it
 * @file:	script file
 * @argc:	number of arguments
 * @argv:	arguments (pointers into the log buffer)
 */
struct rec {
	const char *tool;
	const char *line;
	const char *file;
	int argc;
	char **argv;
};

/**
 * struct stage - a staging run
 * @dir:	private directory: preamble, log, replay offset, output
 * @script:	absolute path of the script
 * @argv:	script and arguments
 * @format:	output format
 * @timeout:	seconds the script may run
 */
struct stage {
	char dir[PATH_MAX];
	char script[PATH_MAX];
	char *const *argv;
	enum nc_fw_format format;
	unsigned timeout;
};

static const char preamble[] =
	"# netcell fw stage: firewall commands are recorded, then replayed as one batch\n"
	"__nc_flush() { \"$NETCELL_STAGE_BIN\" __stage-replay \"$NETCELL_STAGE_DIR\" >&2; }\n"
	"__nc_rec() {\n"
	"\tlocal t=$1 a; shift\n"
	"\tfor a in \"$@\"; do case $a in\n"
	"\t\t-L|-S|-C|--list|--list-rules|--check|-[a-zA-Z]*[LSC]|-h|--help)\n"
	"\t\t\t__nc_flush || return; command \"$t\" \"$@\"; return;;\n"
	"\tesac; done\n"
	"\tprintf '%s\\0' R \"$t\" \"${BASH_LINENO[1]}\" \"${BASH_SOURCE[2]:-$0}\" \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\"\n"
	"}\n"
	"__nc_nft() {\n"
	"\tcase ${1:-} in add|insert|create|delete|destroy|flush|replace|rename)\n"
	"\t\tprintf '%s\\0' R nft \"${BASH_LINENO[0]}\" \"${BASH_SOURCE[1]:-$0}\" \"$#\" \"$@\" >>\"$NETCELL_STAGE_DIR/log\";;\n"
	"\t*) __nc_flush || return; command nft \"$@\";;\n"
	"\tesac\n"
	"}\n"
	"iptables() { __nc_rec iptables \"$@\"; }\n"
	"iptables-nft() { __nc_rec iptables \"$@\"; }\n"
	"iptables-legacy() { __nc_rec iptables \"$@\"; }\n"
	"ip6tables() { __nc_rec ip6tables \"$@\"; }\n"
	"ip6tables-nft() { __nc_rec ip6tables \"$@\"; }\n"
	"ip6tables-legacy() { __nc_rec ip6tables \"$@\"; }\n"
	"nft() { __nc_nft \"$@\"; }\n"
	"for __nc_t in iptables-save ip6tables-save iptables-restore ip6tables-restore; do\n"
	"\teval \"$__nc_t() { __nc_flush || return; command $__nc_t \\\"\\$@\\\"; }\"\n"
	"done\n"
	"export -f __nc_flush __nc_rec __nc_nft iptables iptables-nft iptables-legacy ip6tables ip6tables-nft ip6tables-legacy nft\n"
	"__nc_err() { printf '%s:%s: `%s` failed (exit %s)\\n' \"$0\" \"$1\" \"$2\" \"$3\" >\"$NETCELL_STAGE_DIR/errline\"; }\n";

/**
 * spath() - a file in the stage directory
 * @s:		stage
 * @name:	file name
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
static char *spath(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/**
 * read_whole() - read a file into memory
 * @path:	file
 * @len:	its length
 *
 * Return: NUL-terminated heap buffer, or NULL (an absent file reads as "")
 */
static char *read_whole(const char *path, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? calloc(1, 1) : NULL;
	if (fstat(fd, &st))
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) == st.st_size) {
		*len = (size_t)st.st_size;
		buf[*len] = '\0';
		return buf;
	}
	free(buf);
	return NULL;
}

/**
 * parse_log() - split the log from an offset into records
 * @buf:	log contents, NUL-separated fields
 * @len:	its length
 * @from:	offset already replayed
 * @recs:	records (heap; argv arrays point into @buf)
 * @n:		number of records
 *
 * Return: 0 or -ENOMEM / -EINVAL for a torn log
 */
static int parse_log(char *buf, size_t len, size_t from, struct rec **recs, size_t *n)
{
	size_t off = from, cap = 0;
	struct rec *r;
	int i;

	*recs = NULL;
	*n = 0;
	while (off < len) {
		char *f[5];

		for (i = 0; i < 5 && off < len; i++, off += strlen(buf + off) + 1)
			f[i] = buf + off;
		if (i < 5 || strcmp(f[0], "R"))
			return -EINVAL;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			r = realloc(*recs, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			*recs = r;
		}
		r = &(*recs)[(*n)++];
		*r = (struct rec){ .tool = f[1], .line = f[2], .file = f[3], .argc = atoi(f[4]) };
		r->argv = calloc((size_t)r->argc + 1, sizeof(char *));
		if (!r->argv)
			return -ENOMEM;
		for (i = 0; i < r->argc && off < len; i++, off += strlen(buf + off) + 1)
			r->argv[i] = buf + off;
		if (i < r->argc)
			return -EINVAL;
	}
	return 0;
}

/**
 * free_recs() - free parsed records
 * @recs:	records
 * @n:		number
 */
static void free_recs(struct rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(recs[i].argv);
	free(recs);
}

/**
 * rec_table() - the table an iptables command names (-t), default filter
 * @r:		record
 *
 * Return: table name
 */
static const char *rec_table(const struct rec *r)
{
	int i;

	for (i = 0; i + 1 < r->argc; i++)
		if (!strcmp(r->argv[i], "-t") || !strcmp(r->argv[i], "--table"))
			return r->argv[i + 1];
	return "filter";
}

/**
 * put_arg() - append one argument, quoted for iptables-restore if needed
 * @f:		stream
 * @a:		argument
 */
static void put_arg(FILE *f, const char *a)
{
	if (*a && !strpbrk(a, " \t\"'\\")) {
		fputs(a, f);
		return;
	}
	fputc('"', f);
	for (; *a; a++) {
		if (*a == '"' || *a == '\\')
			fputc('\\', f);
		fputc(*a, f);
	}
	fputc('"', f);
}

/**
 * write_restore() - an iptables-restore --noflush input for records [a, b)
 * @path:	output file
 * @recs:	records
 * @a:		first
 * @b:		end
 * @map:	restore line -> record index (size: 3 * (b - a) + 2)
 *
 * Return: 0 or -errno
 */
static int write_restore(const char *path, const struct rec *recs, size_t a,
			 size_t b, size_t *map)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	const char *table = NULL;
	size_t i, line = 0;
	int k;

	if (!f)
		return -errno;
	for (i = a; i < b; i++) {
		if (!table || strcmp(table, rec_table(&recs[i]))) {
			if (table)
				fputs("COMMIT\n", f), map[++line] = i - 1;
			table = rec_table(&recs[i]);
			fprintf(f, "*%s\n", table);
			map[++line] = i;
		}
		for (k = 0; k < recs[i].argc; k++) {
			if (!strcmp(recs[i].argv[k], "-t") || !strcmp(recs[i].argv[k], "--table")) {
				k++;
				continue;
			}
			put_arg(f, recs[i].argv[k]);
			fputc(' ', f);
		}
		fputc('\n', f);
		map[++line] = i;
	}
	if (table)
		fputs("COMMIT\n", f), map[++line] = b - 1;
	return fflush(f) ? -errno : 0;
}

/**
 * describe() - "FILE:LINE: `tool args`" for messages
 * @r:		record
 * @buf:	output
 * @len:	size of @buf
 */
static void describe(const struct rec *r, char *buf, size_t len)
{
	size_t off;
	int i;

	off = (size_t)snprintf(buf, len, "%s:%s: `%s", r->file, r->line, r->tool);
	for (i = 0; i < r->argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %s", r->argv[i]);
	if (off < len)
		snprintf(buf + off, len - off, "`");
}

/**
 * run_one() - run one recorded command for real
 * @r:		record
 * @err:	the tool's error text
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int run_one(const struct rec *r, char *err, size_t len)
{
	_cleanup_free_ char *text = NULL;
	size_t off = 0;
	const char **argv;
	int i, ret;

	if (!strcmp(r->tool, "nft")) {
		text = calloc(1, 65536);
		for (i = 0; text && i < r->argc && off + 1 < 65536; i++)
			off += (size_t)snprintf(text + off, 65536 - off, "%s%s", i ? " " : "", r->argv[i]);
		return text ? nft_run_text(text, err, len) : -ENOMEM;
	}
	argv = calloc((size_t)r->argc + 2, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	argv[0] = r->tool;
	for (i = 0; i < r->argc; i++)
		argv[i + 1] = r->argv[i];
	ret = tool_run(argv, NULL, NULL, err, len);
	free(argv);
	return ret;
}

/**
 * blame() - find and report the first failing command of [a, b)
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	message: script line, command, the tool's error
 * @len:	size of @err
 *
 * Return: -EINVAL (a command failed) or 0 if, run one by one, none did
 */
static int blame(const struct rec *recs, size_t a, size_t b, char *err, size_t len)
{
	char what[1024], why[STAGE_ERR];
	size_t i;

	for (i = a; i < b; i++) {
		if (!run_one(&recs[i], why, sizeof(why)))
			continue;
		describe(&recs[i], what, sizeof(what));
		why[strcspn(why, "\n") ? strlen(why) : 0] = '\0';
		snprintf(err, len, "%s failed:\n%s", what, why);
		return -EINVAL;
	}
	return 0;
}

/**
 * hint_line() - the input line an iptables-restore error names
 * @err:	its error text
 *
 * Return: line number, 0 when none
 */
static size_t hint_line(const char *err)
{
	const char *p = strstr(err, "line: ");
	unsigned long v = 0;

	if (p)
		v = strtoul(p + 6, NULL, 10);
	else if ((p = strstr(err, "line ")))
		v = strtoul(p + 5, NULL, 10);
	return v;
}

/**
 * replay_ipt() - replay a run of iptables (or ip6tables) records as one batch
 * @dir:	stage directory
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int replay_ipt(const char *dir, const struct rec *recs, size_t a,
		      size_t b, char *err, size_t len)
{
	const char *argv[] = { strcmp(recs[a].tool, "ip6tables") ? "iptables-restore" :
			       "ip6tables-restore", "--noflush", NULL };
	char path[PATH_MAX], why[STAGE_ERR];
	_cleanup_free_ size_t *map = calloc(3 * (b - a) + 4, sizeof(size_t));
	size_t hint, at;

	if (!map)
		return -ENOMEM;
	spath(dir, "batch", path, sizeof(path));
	if (write_restore(path, recs, a, b, map))
		return -EIO;
	if (!tool_run(argv, path, NULL, why, sizeof(why)))
		return 0;
	/* the batch changed nothing; find the culprit exactly */
	hint = hint_line(why);
	at = hint && hint <= 3 * (b - a) + 2 && map[hint] >= a + 2 ? map[hint] - 2 : a;
	if (at > a && (write_restore(path, recs, a, at, map) ||
		       tool_run(argv, path, NULL, why, sizeof(why))))
		at = a;
	if (blame(recs, at, b, err, len))
		return -EINVAL;
	snprintf(err, len, "%s:%s..%s: iptables-restore rejected the batch:\n%s",
		 recs[a].file, recs[a].line, recs[b - 1].line, why);
	return -EINVAL;
}

/**
 * replay_nft() - replay a run of nft records as one transaction
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int replay_nft(const struct rec *recs, size_t a, size_t b, char *err,
		      size_t len)
{
	char *text = NULL, why[STAGE_ERR];
	size_t tl = 0, i;
	FILE *f = open_memstream(&text, &tl);
	int k, ret;

	if (!f)
		return -ENOMEM;
	for (i = a; i < b; i++) {
		for (k = 0; k < recs[i].argc; k++)
			fprintf(f, "%s%s", k ? " " : "", recs[i].argv[k]);
		fputc('\n', f);
	}
	fclose(f);
	ret = nft_run_text(text, why, sizeof(why));
	free(text);
	if (!ret)
		return 0;
	return blame(recs, a, b, err, len) ? -EINVAL : 0;
}

/**
 * family() - batch key of a record
 * @r:		record
 *
 * Return: 4, 6 or 0 (nft)
 */
static int family(const struct rec *r)
{
	if (!strcmp(r->tool, "nft"))
		return 0;
	return strcmp(r->tool, "ip6tables") ? 4 : 6;
}

/**
 * replay_recs() - replay records in order, one batch per run of one family
 * @dir:	stage directory
 * @recs:	records
 * @n:		number
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int replay_recs(const char *dir, const struct rec *recs, size_t n,
		       char *err, size_t len)
{
	size_t a = 0, b;
	int ret = 0;

	while (!ret && a < n) {
		/* the scratch namespace needs no atomicity, and iptables-restore
		 * cannot raise its netlink send buffer rootless (a batch of ~1,000
		 * rules fails with EMSGSIZE), so batches are bounded */
		for (b = a + 1; b < n && b - a < STAGE_BATCH &&
		     family(&recs[b]) == family(&recs[a]); b++)
			;
		ret = family(&recs[a]) ? replay_ipt(dir, recs, a, b, err, len) :
					 replay_nft(recs, a, b, err, len);
		a = b;
	}
	return ret;
}

/**
 * stage_replay() - apply what the log holds beyond the replayed offset
 * @dir:	stage directory
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int stage_replay(const char *dir, char *err, size_t len)
{
	char path[PATH_MAX], done[32];
	_cleanup_free_ char *log = NULL, *off = NULL;
	struct rec *recs = NULL;
	size_t n = 0, ll, ol;
	int ret;

	log = read_whole(spath(dir, "log", path, sizeof(path)), &ll);
	off = read_whole(spath(dir, "done", path, sizeof(path)), &ol);
	if (!log || !off)
		return -EIO;
	ret = parse_log(log, ll, (size_t)strtoull(off, NULL, 10), &recs, &n);
	if (!ret)
		ret = replay_recs(dir, recs, n, err, len);
	free_recs(recs, n);
	if (ret == -EINVAL && !err[0])
		snprintf(err, len, "the command log is damaged");
	if (!ret) {
		snprintf(done, sizeof(done), "%zu\n", ll);
		ret = store_write_atomic(spath(dir, "done", path, sizeof(path)), done,
					 strlen(done));
	}
	return ret;
}

/**
 * nc_stage_replay() - replay pending recorded commands (for the CLI's
 * hidden "__stage-replay" command, which staged scripts call before a
 * command that reads the ruleset)
 * @ctx:	context
 * @dir:	stage directory
 *
 * Return: 0 or -errno with the failing command in the message
 */
int nc_stage_replay(struct nc_ctx *ctx, const char *dir)
{
	char err[STAGE_ERR] = "", path[PATH_MAX];
	int ret = stage_replay(dir, err, sizeof(err));

	if (!ret)
		return 0;
	store_write_atomic(spath(dir, "fail", path, sizeof(path)), err, strlen(err));
	return ctx_err(ctx, ret, NC_ERR_RULESET, "%s", err);
}

/**
 * is_shell() - should the script run under the recording bash
 * @path:	script
 *
 * Return: 1 for a shell script (a sh/bash/dash shebang, or none)
 */
static int is_shell(const char *path)
{
	char head[128] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head) - 1) : -1;
	char *nl;

	if (n < 2 || strncmp(head, "#!", 2))
		return 1;
	head[n] = '\0';
	nl = strchr(head, '\n');
	if (nl)
		*nl = '\0';
	return strstr(head, "sh") && !strstr(head, "python") && !strstr(head, "perl");
}

/**
 * exec_script() - in the PID namespace's first process: run the script
 * @s:		stage
 */
static void __attribute__((noreturn)) exec_script(const struct stage *s)
{
	char pre[PATH_MAX], cmd[PATH_MAX * 2], self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char **argv;
	int i, argc;

	self[n > 0 ? n : 0] = '\0';
	setenv("NETCELL_STAGE", "1", 1);
	setenv("NETCELL_STAGE_DIR", s->dir, 1);
	setenv("NETCELL_STAGE_BIN", self, 1);
	dup2(2, 1);	/* stdout carries the ruleset; the script's goes to stderr */
	if (!is_shell(s->script)) {
		execv(s->script, s->argv);
		_exit(126);
	}
	for (argc = 0; s->argv[argc]; argc++)
		;
	argv = calloc((size_t)argc + 8, sizeof(*argv));
	if (!argv)
		_exit(1);
	snprintf(cmd, sizeof(cmd),
		 "set -e; source '%s'; trap '__nc_err $LINENO \"$BASH_COMMAND\" $?' ERR; source \"$0\" \"$@\"",
		 spath(s->dir, "preamble.sh", pre, sizeof(pre)));
	argv[0] = "bash";
	argv[1] = "--noprofile";
	argv[2] = "--norc";
	argv[3] = "-c";
	argv[4] = cmd;
	argv[5] = s->script;
	for (i = 1; i < argc; i++)
		argv[5 + i] = s->argv[i];
	execvp("bash", (char *const *)argv);
	_exit(127);
}

/**
 * wait_bounded() - wait for the script, killing it all at the deadline
 * @pid:	first process of the script's PID namespace
 * @timeout:	seconds
 * @status:	its wait status
 *
 * Return: 0, or -ETIMEDOUT after killing it
 */
static int wait_bounded(pid_t pid, unsigned timeout, int *status)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= (time_t)timeout) {
			/* the PID namespace's init: every process in it dies too */
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -ETIMEDOUT;
		}
		usleep(5000);
	}
}

/**
 * strip_stamps() - drop iptables-save's timestamp comment lines
 * @text:	text, modified in place
 */
static void strip_stamps(char *text)
{
	char *r = text, *w = text, *nl;

	while (*r) {
		nl = strchr(r, '\n');
		size_t l = nl ? (size_t)(nl - r + 1) : strlen(r);

		if (strncmp(r, "# Generated by", 14) && strncmp(r, "# Completed on", 14)) {
			memmove(w, r, l);
			w += l;
		}
		r += l;
	}
	*w = '\0';
}

/**
 * dump_ipt() - one iptables-save family into a stream
 * @dir:	stage directory
 * @tool:	"iptables-save" or "ip6tables-save"
 * @f:		stream
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int dump_ipt(const char *dir, const char *tool, FILE *f, char *err, size_t len)
{
	const char *argv[] = { tool, NULL };
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t l;
	int ret = tool_run(argv, NULL, spath(dir, "save", path, sizeof(path)), err, len);

	if (ret)
		return ret;
	text = read_whole(path, &l);
	if (!text)
		return -EIO;
	strip_stamps(text);
	fputs(text, f);
	return 0;
}

/**
 * dump() - write the staged ruleset to STAGE/out
 * @s:		stage
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int dump(const struct stage *s, char *err, size_t len)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	FILE *f = fopen(spath(s->dir, "out", path, sizeof(path)), "we");
	int ret;

	if (!f)
		return -errno;
	if (s->format == NC_FW_IPTABLES) {
		ret = dump_ipt(s->dir, "iptables-save", f, err, len);
		fputs(FW_IP6_MARK, f);
		if (!ret)
			ret = dump_ipt(s->dir, "ip6tables-save", f, err, len);
	} else {
		ret = nft_list_ruleset(&text);
		if (!ret)
			fprintf(f, "flush ruleset\n%s", text);
	}
	return fclose(f) && !ret ? -errno : ret;
}

/**
 * outcome() - after the script ended: replay the rest, or explain the failure
 * @s:		stage
 * @status:	the script's wait status
 * @out:	message on failure
 * @len:	size of @out
 *
 * Return: 0 or -errno
 */
static int outcome(const struct stage *s, int status, char *out, size_t len)
{
	_cleanup_free_ char *fail = NULL, *line = NULL;
	char path[PATH_MAX];
	size_t l;

	fail = read_whole(spath(s->dir, "fail", path, sizeof(path)), &l);
	if (fail && l) {
		snprintf(out, len, "%s", fail);
		return -EINVAL;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return stage_replay(s->dir, out, len);
	line = read_whole(spath(s->dir, "errline", path, sizeof(path)), &l);
	if (line && l)
		snprintf(out, len, "%s", line);
	else
		snprintf(out, len, "%s exited with status %d", s->script,
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return -EINVAL;
}

/**
 * stage_init() - the PID namespace's first process: script, replay, dump
 * @s:		stage
 *
 * Replay and dump happen here, inside the PID namespace, because once its
 * first process exits no process can be started in it any more; when this
 * one exits, the kernel kills whatever the script left running.
 */
static void __attribute__((noreturn)) stage_init(const struct stage *s)
{
	char msg[STAGE_ERR] = "", path[PATH_MAX];
	int status = 0, ret;
	pid_t script = fork(), w;

	if (script == 0)
		exec_script(s);
	if (script < 0)
		_exit(3);
	/* as the namespace's init we also reap the script's orphans */
	while ((w = wait(&status)) != script)
		if (w < 0 && errno != EINTR)
			_exit(3);
	ret = outcome(s, status, msg, sizeof(msg));
	if (!ret)
		ret = dump(s, msg, sizeof(msg));
	if (ret)
		store_write_atomic(spath(s->dir, "result", path, sizeof(path)), msg, strlen(msg));
	_exit(ret ? 2 : 0);
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
	const struct stage *s = arg;
	_cleanup_free_ char *msg = NULL;
	char path[PATH_MAX];
	int status = 0, ret;
	size_t l;
	pid_t pid;

	if (unshare(CLONE_NEWPID)) {
		snprintf(out, len, "cannot create a PID namespace: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid == 0)
		stage_init(s);
	if (pid < 0)
		return -errno;
	ret = wait_bounded(pid, s->timeout, &status);
	if (ret) {
		snprintf(out, len, "%s did not finish within %u s and was killed with all its processes; raise --timeout if it needs longer",
			 s->script, s->timeout);
		return ret;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	msg = read_whole(spath(s->dir, "result", path, sizeof(path)), &l);
	snprintf(out, len, "%s", msg && l ? msg : "the staging process failed");
	return -EINVAL;
}

/**
 * find_script() - resolve and check the script to stage
 * @ctx:	context
 * @s:		stage; @s->argv set, @s->script filled
 *
 * Return: 0 or -errno with a message (NC_ERR_USAGE)
 */
static int find_script(struct nc_ctx *ctx, struct stage *s)
{
	const char *arg = s->argv[0];
	const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;

	if (!strcmp(base, "sh") || !strcmp(base, "bash") || !strcmp(base, "dash")) {
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
	return 0;
}

/**
 * nc_fw_stage() - run a firewall script in a throwaway namespace and give
 * back the ruleset it built, as one file
 * @ctx:	context
 * @argv:	script and its arguments, NULL-terminated
 * @format:	NC_FW_NFT (default) or NC_FW_IPTABLES
 * @timeout:	seconds the script may run (0: 60)
 * @text:	the ruleset (heap)
 *
 * Return: 0, or -errno with the script line and the command that failed
 * (NC_ERR_RULESET), or a usage error
 */
int nc_fw_stage(struct nc_ctx *ctx, char *const *argv, enum nc_fw_format format,
		unsigned timeout, char **text)
{
	struct stage s = { .argv = argv, .format = format, .timeout = timeout ? timeout : 60 };
	char path[PATH_MAX], *msg = NULL;
	size_t l;
	int ret;

	*text = NULL;
	ret = find_script(ctx, &s);
	if (ret)
		return ret;
	snprintf(s.dir, sizeof(s.dir), "/tmp/netcell-stage-XXXXXX");
	if (!mkdtemp(s.dir))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "mkdtemp: %s", strerror(errno));
	ret = store_write_atomic(spath(s.dir, "preamble.sh", path, sizeof(path)),
				 preamble, strlen(preamble));
	if (!ret)
		ret = incell_call(ctx, NULL, stage_in_ns, &s, &msg);
	if (!ret)
		*text = read_whole(spath(s.dir, "out", path, sizeof(path)), &l);
	else if (msg)
		ret = ctx_err(ctx, ret, ret == -ETIMEDOUT ? NC_ERR_FAILED : NC_ERR_RULESET,
			      "staging failed, nothing was output: %s", msg);
	free(msg);
	paths_remove_dir(s.dir);
	if (!ret && !*text)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "cannot read the staged ruleset");
	return ret;
}
