// SPDX-License-Identifier: MIT
/*
 * tool.c - running an external tool where no library does the job
 *
 * xtables-nft (iptables-restore, iptables-save) has no public library, so
 * those are the only programs netcell runs; rtnetlink and nftables go
 * through libmnl and libnftables.  The tool runs in the caller's
 * namespaces with stdin and stdout redirected to files and its stderr
 * captured for the user.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "kernel/tool.h"

/* fw stage: the real xtables multi-call binary, while the usual paths run
 * the recorder instead (NULL: use PATH) */
static const char *xt_multi;

/**
 * tool_set_xtables() - run iptables tools from this multi-call binary
 * @multi:	path of the real xtables-nft-multi, or NULL for PATH
 *
 * fw stage binds its recorder over the iptables binaries in its own mount
 * namespace; its own replay and dump must reach the real ones.
 */
void tool_set_xtables(const char *multi)
{
	xt_multi = multi;
}

/**
 * tool_xtables_name() - the nft-backend name of an xtables tool
 * @name:	e.g. "iptables", "ip6tables-legacy-restore", "ebtables"
 *
 * Return: static name for xtables-nft-multi ("ip6tables-restore"), or
 * NULL when @name is no xtables tool
 */
const char *tool_xtables_name(const char *name)
{
	static const char *const base[] = { "iptables", "ip6tables", "ebtables",
					    "arptables" };
	static const char *const sfx[] = { "", "-save", "-restore" };
	static char out[64];
	const char *rest;
	size_t i, j, l;

	for (i = 0; i < ARRAY_SIZE(base); i++) {
		l = strlen(base[i]);
		if (strncmp(name, base[i], l))
			continue;
		rest = name + l;
		if (!strncmp(rest, "-nft", 4))
			rest += 4;
		else if (!strncmp(rest, "-legacy", 7))
			rest += 7;
		for (j = 0; j < ARRAY_SIZE(sfx); j++)
			if (!strcmp(rest, sfx[j])) {
				snprintf(out, sizeof(out), "%s%s", base[i], sfx[j]);
				return out;
			}
	}
	if (!strcmp(name, "xtables-monitor") || !strcmp(name, "iptables-translate") ||
	    !strcmp(name, "ip6tables-translate") || !strcmp(name, "iptables-restore-translate") ||
	    !strcmp(name, "ip6tables-restore-translate"))
		return name;
	return NULL;
}

/**
 * child_exec() - in the child: redirect and exec
 * @argv:	command
 * @in:		stdin file or NULL (/dev/null)
 * @out:	stdout file or NULL (the error pipe)
 * @errfd:	write end of the error pipe
 */
static void __attribute__((noreturn)) child_exec(const char *const *argv,
						 const char *in,
						 const char *out, int errfd)
{
	int fd = open(in ? in : "/dev/null", O_RDONLY);

	if (fd < 0 || dup2(fd, 0) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600) : errfd;
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(127);
	if (xt_multi && tool_xtables_name(argv[0]))
		execv(xt_multi, (char *const *)argv);
	else
		execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s; install the package that provides it\n",
		argv[0], strerror(errno));
	_exit(127);
}

/**
 * tool_run() - run a command, wait for it, keep its error output
 * @argv:	command and arguments, NULL-terminated
 * @in:		file for stdin, or NULL
 * @out:	file for stdout, or NULL (then stdout joins @err)
 * @err:	the command's stderr, NUL-terminated
 * @len:	size of @err
 *
 * Return: 0 on exit status 0, -EINVAL on another status, -errno
 */
int tool_run(const char *const *argv, const char *in, const char *out,
	     char *err, size_t len)
{
	int pfd[2], status;
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0)
		child_exec(argv, in, out, pfd[1]);
	close(pfd[1]);
	while (off + 1 < len && (n = read(pfd[0], err + off, len - 1 - off)) > 0)
		off += (size_t)n;
	if (len)
		err[off] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -ECHILD;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
}
