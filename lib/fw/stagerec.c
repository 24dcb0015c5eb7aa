// SPDX-License-Identifier: MIT
/*
 * stagerec.c - fw stage's recorder binary: netcell-stage's logic
 *
 * Theory of operation: in the staged script's private mount namespace,
 * stage.c binds the recorder binary (helper/netcell-stage.c, whose main()
 * is stage_tool_main()) over the real xtables multi-call binaries and nft,
 * so every route to a firewall tool that is not a shell function of the
 * preamble (an absolute path, $XT_MULTI, a child shell, env, exec, xargs,
 * another language) arrives here.  A write (-A, -I, nft add ...) is
 * appended to the stage's log (stagelog.c) in script order, with the
 * script line where the shell tells it; anything else (a read such as -L
 * or -S, iptables-restore, nft -f, ebtables) first replays what is pending
 * and then runs the real tool, bound under the stage directory, so every
 * command takes effect in order.  In the exact run, every command runs at
 * once and its failure is logged for stagefail.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fw/stagelog.h"
#include "fw/stagerec.h"
#include "kernel/tool.h"

/**
 * find_dir() - the stage directory, from the environment or, where a
 * script cleared it (env -i), from the descriptor the stage's first
 * process keeps open on it
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: 0 or -ENOENT
 */
static int find_dir(char *buf, size_t len)
{
	const char *env = getenv("NETCELL_STAGE_DIR");
	_cleanup_closedir_ DIR *d = NULL;
	char link[64], target[PATH_MAX], probe[PATH_MAX + 16];
	struct dirent *e;
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	d = opendir("/proc/1/fd");
	while (d && (e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/1/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		snprintf(probe, sizeof(probe), "%s/" STAGE_LOCK, target);
		if (strstr(target, "/netcell-stage-") && !access(probe, F_OK)) {
			snprintf(buf, len, "%s", target);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * is_write() - is this command one the recorder may defer
 * @tool:	"iptables", "ip6tables" or "nft"
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 1 for a write (recorded), 0 for anything else (run now)
 */
static int is_write(const char *tool, int argc, char **argv)
{
	static const char *const verbs[] = { "add", "insert", "create", "delete", "destroy",
					     "flush", "replace", "rename" };
	size_t k;
	int i;

	if (!strcmp(tool, "nft")) {
		for (k = 0; argc > 0 && k < ARRAY_SIZE(verbs); k++)
			if (!strcmp(argv[0], verbs[k]))
				return 1;
		return 0;
	}
	if (strcmp(tool, "iptables") && strcmp(tool, "ip6tables"))
		return 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-L") || !strcmp(a, "-S") || !strcmp(a, "-C") ||
		    !strcmp(a, "--list") || !strcmp(a, "--list-rules") || !strcmp(a, "--check") ||
		    !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-V") ||
		    !strcmp(a, "--version"))
			return 0;
		if (a[0] == '-' && a[1] != '-' && strpbrk(a + 1, "LSC") &&
		    strspn(a + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(a + 1))
			return 0;
	}
	return argc > 0;
}

/**
 * append_rec() - append one record to a log, in one write
 * @path:	log file
 * @tag:	"R" (a recorded command) or "F" (a failure of the exact run)
 * @fields:	fields before the arguments
 * @nf:		number of @fields
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 0 or -errno
 */
static int append_rec(const char *path, const char *tag, const char *const *fields,
		      int nf, int argc, char **argv)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t bl = 0;
	FILE *f = open_memstream(&buf, &bl);
	int i;

	if (!f)
		return -ENOMEM;
	fprintf(f, "%s%c", tag, 0);
	for (i = 0; i < nf; i++)
		fprintf(f, "%s%c", fields[i], 0);
	fprintf(f, "%d%c", argc, 0);
	for (i = 0; i < argc; i++)
		fprintf(f, "%s%c", argv[i], 0);
	fclose(f);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	return write(fd, buf, bl) == (ssize_t)bl ? 0 : -EIO;
}

/**
 * where() - the script position the preamble passed for this command
 * @file:	script file ("" when unknown)
 * @line:	line ("" when unknown)
 * @fl:		size of @file
 */
static void where(char *file, char *line, size_t fl)
{
	const char *w = getenv("NETCELL_STAGE_WHERE");
	const char *colon = w ? strrchr(w, ':') : NULL;

	file[0] = line[0] = '\0';
	if (!colon)
		return;
	snprintf(file, fl, "%.*s", (int)(colon - w), w);
	snprintf(line, 16, "%s", colon + 1);
}

/**
 * run_real() - run the real tool, as a child, and wait for it
 * @dir:	stage directory
 * @tool:	nft, or an xtables tool name
 * @argc:	argument count
 * @argv:	arguments
 * @err:	its stderr (NULL: left alone), also copied to our stderr
 * @len:	size of @err
 *
 * Return: the tool's exit status (128+N for a signal)
 */
static int run_real(const char *dir, const char *tool, int argc, char **argv,
		    char *err, size_t len)
{
	const char *name = strcmp(tool, "nft") ? tool_xtables_name(tool) : "nft";
	char path[PATH_MAX];
	const char **av = calloc((size_t)argc + 2, sizeof(*av));
	int pfd[2] = { -1, -1 }, status = 0, i;
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	if (!av || !name)
		return 127;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, STAGE_REAL,
		 strcmp(name, "nft") ? "xtables-nft-multi" : "nft");
	av[0] = name;
	for (i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	if (err && pipe2(pfd, O_CLOEXEC))
		err = NULL;
	pid = fork();
	if (pid == 0) {
		if (err)
			dup2(pfd[1], 2);
		execv(path, (char *const *)av);
		fprintf(stderr, "netcell: cannot run the real %s: %s\n", name, strerror(errno));
		_exit(127);
	}
	free(av);
	if (err) {
		close(pfd[1]);
		while ((n = read(pfd[0], err + off, len - 1 - off)) > 0) {
			if (write(2, err + off, (size_t)n) < 0)
				n = 0;
			off += (size_t)n;
			if (off + 1 >= len)
				off = len / 2;	/* keep reading; the end is what counts */
		}
		err[off] = '\0';
		close(pfd[0]);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/**
 * runs_of() - how many times the exact run has run these words, this run
 * included (each is noted in STAGE_RAN before it runs)
 * @dir:	stage directory
 * @tool:	tool
 * @argc:	argument count
 * @argv:	arguments
 *
 * sh gives no line numbers: a failing command is found in the script by
 * its words, and when the same words stand on several lines (a rule
 * deleted twice) the count says which of them failed.  Read only for a
 * command that failed: noting a run is one append.
 *
 * Return: the number of runs
 */
static int runs_of(const char *dir, const char *tool, int argc, char **argv)
{
	_cleanup_free_ char *buf = NULL, *me = NULL;
	char path[PATH_MAX];
	size_t len = 0, ml = 0, off;
	FILE *m = open_memstream(&me, &ml);
	int i, n = 0;

	if (!m)
		return 1;
	fprintf(m, "X%c%s%c%d%c", 0, tool, 0, argc, 0);
	for (i = 0; i < argc; i++)
		fprintf(m, "%s%c", argv[i], 0);
	if (fclose(m) || !me)
		return 1;
	buf = stage_read_file(stage_path(dir, STAGE_RAN, path, sizeof(path)), &len);
	for (off = 0; buf && off < len;) {	/* X, tool, argc, arguments */
		size_t start = off;
		int k, c = 0;

		for (k = 0; k < 3 && off < len; k++) {
			c = atoi(buf + off);
			off += strlen(buf + off) + 1;
		}
		for (k = 0; k < c && off < len; k++)
			off += strlen(buf + off) + 1;
		if (off - start == ml && !memcmp(buf + start, me, ml))
			n++;
	}
	return n ? n : 1;
}

/**
 * abort_batched() - a batched run cannot be exact: say why and end it
 * @dir:	stage directory
 * @why:	reason, for the notice of the exact run
 *
 * Every process of the stage's PID namespace but its first (which then
 * runs the script again, exactly) is killed.
 */
static void __attribute__((noreturn)) abort_batched(const char *dir, const char *why)
{
	stage_write_state(dir, STAGE_FAIL, why);
	kill(-1, SIGKILL);
	_exit(125);
}

/**
 * stage_tool_main() - the recorder: main() of the binary bound over the
 * firewall tools while a script is staged
 * @argc:	argument count
 * @argv:	arguments; argv[0] names the tool ("iptables", "/sbin/nft",
 *		"xtables-nft-multi" followed by the tool)
 *
 * Return: exit status for the caller
 */
int stage_tool_main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX], file[PATH_MAX], line[16], why[STAGE_ERR] = "";
	const char *tool = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *rt;
	_cleanup_close_ int lock = -1;
	int exact, rc;

	if (find_dir(dir, sizeof(dir))) {
		fprintf(stderr, "netcell: %s: this is netcell's firewall recorder, which runs only under 'netcell fw stage'\n", tool);
		return 127;
	}
	if (strstr(tool, "xtables") && strstr(tool, "multi") && argc > 1) {
		argv++;
		argc--;
		tool = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	}
	rt = tool_xtables_name(tool);
	if (!rt && strcmp(tool, "nft")) {
		fprintf(stderr, "netcell: %s: not a firewall tool the recorder knows\n", tool);
		return 127;
	}
	stage_use_real_tools(dir);
	exact = !access(stage_path(dir, STAGE_EXACT, path, sizeof(path)), F_OK);
	where(file, line, sizeof(file));
	if (!exact && is_write(rt ? rt : tool, argc - 1, argv + 1)) {
		const char *f[] = { rt ? rt : tool, line, file };

		return append_rec(stage_path(dir, STAGE_LOG, path, sizeof(path)), "R", f, 3,
				  argc - 1, argv + 1) ? 126 : 0;
	}
	lock = open(stage_path(dir, STAGE_LOCK, path, sizeof(path)), O_RDWR | O_CLOEXEC);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	if (!exact) {
		if (stage_ruleset_unseen(dir, why, sizeof(why)))
			abort_batched(dir, why);
		if (stage_replay(dir, why, sizeof(why)))
			abort_batched(dir, why);
		rc = run_real(dir, rt ? rt : tool, argc - 1, argv + 1, NULL, 0);
		stage_mark_gen(dir);
		return rc;
	}
	if (!line[0]) {	/* noted, so that a failure's line can be found */
		const char *f[] = { rt ? rt : tool };

		append_rec(stage_path(dir, STAGE_RAN, path, sizeof(path)), "X", f, 1, argc - 1,
			   argv + 1);
	}
	rc = run_real(dir, rt ? rt : tool, argc - 1, argv + 1, why, sizeof(why));
	if (rc && !line[0])	/* which run of these words failed */
		snprintf(line, sizeof(line), "#%d", runs_of(dir, rt ? rt : tool, argc - 1, argv + 1));
	if (rc) {
		char st[16];
		const char *f[] = { rt ? rt : tool, line, file, st, why };

		snprintf(st, sizeof(st), "%d", rc);
		append_rec(stage_path(dir, STAGE_FAILURES, path, sizeof(path)), "F", f, 5,
			   argc - 1, argv + 1);
	}
	return rc;
}
