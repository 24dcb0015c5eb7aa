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
#include "tool.h"

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
