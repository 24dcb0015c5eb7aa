// SPDX-License-Identifier: MIT
/*
 * stagefail.c - fw stage: what a failed command means, and when to run
 * the script again exactly
 *
 * Theory of operation: a firewall command that fails on replay failed
 * where the script could not see it; the recorder logs each such failure
 * with its words and, under bash, its line.  Here those are read back: a
 * failure the script did not handle (errexit ended it) fails the stage
 * naming the script line (found from the command's words where the shell
 * gives no line), a handled one (`cmd || true`) becomes a notice, and any
 * outcome that a direct run could have differed from sends the script to
 * the exact run, in a fresh namespace, each command at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fw/stage_int.h"
#include "fw/stagelog.h"
#include "base/store.h"

/**
 * find_line() - the script line a recorded command came from, when only
 * its words are known (sh has no line numbers for functions)
 * @script:	script path
 * @argv:	the command's arguments
 * @argc:	their number
 * @nth:	which run of these words it was (1: the first): the nth line
 *		holding them, else the first (a loop, a function)
 *
 * Return: line number, 0 when no line holds all the words in order
 */
static unsigned find_line(const char *script, char *const *argv, int argc, int nth)
{
	_cleanup_free_ char *text = NULL;
	unsigned n = 0, first = 0;
	char *l, *nl, *p;
	int i, seen = 0;
	size_t len;

	text = stage_read_file(script, &len);
	for (l = text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		n++;
		for (i = 0, p = l; i < argc && p; i++)
			if ((p = strstr(p, argv[i])))
				p += strlen(argv[i]);
		if (p && argc) {
			first = first ? first : n;
			if (++seen >= nth)
				return n;
		}
		if (!nl)
			break;
	}
	return first;
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
	unsigned line = f[2][0] == '#' || !f[2][0] ?
			find_line(s->script, f + 7, argc, f[2][0] ? atoi(f[2] + 1) : 1) :
			(unsigned)atoi(f[2]);
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
 * stage_read_failures() - the exact run's failed commands
 * @s:		stage
 * @last:	the last one, described (empty when none)
 * @llen:	size of @last
 * @notes:	all but the last, one per line (for notices)
 * @nlen:	size of @notes
 *
 * Return: number of failures
 */
int stage_read_failures(const struct stage *s, char *last, size_t llen, char *notes,
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
 * stage_reset_for_exact() - a fresh network namespace and log for the exact run
 * @s:		stage
 * @why:	reason, kept for the notice
 *
 * Return: 0 or -errno
 */
int stage_reset_for_exact(const struct stage *s, const char *why)
{
	static const char *const gone[] = { STAGE_LOG, STAGE_DONE, STAGE_GEN, STAGE_FAIL,
					    "errline", STAGE_FAILURES };
	char path[PATH_MAX], note[STAGE_ERR + 256];
	size_t i;

	stage_kill_rest();
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
 * stage_script_failed() - the message for a script that exited non-zero
 * @s:		stage
 * @status:	its wait status
 * @out:	message
 * @len:	size of @out
 *
 * Return: -EINVAL
 */
int stage_script_failed(const struct stage *s, int status, char *out, size_t len)
{
	_cleanup_free_ char *line = NULL;
	char path[PATH_MAX], last[STAGE_ERR], notes[64];
	size_t l;

	if (stage_read_failures(s, last, sizeof(last), notes, sizeof(notes))) {
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
 * stage_batched_outcome() - after the batched run: done, or must the script run
 * exactly
 * @s:		stage
 * @status:	the script's wait status
 * @why:	why an exact run is needed, or the failure
 * @len:	size of @why
 *
 * Return: 0 (done), 1 (run exactly), -errno (failed: @why says why)
 */
int stage_batched_outcome(const struct stage *s, int status, char *why, size_t len)
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
	return stage_script_failed(s, status, why, len);
}
