// SPDX-License-Identifier: MIT
/*
 * proctitle.c - the keeper's name in ps
 *
 * Theory of operation: the keeper is forked from whatever command first
 * needed it, so without help `ps -eo args` shows that command ("netcell
 * create a1") for the keeper's whole life, and `ps -o comm` shows
 * "netcell".  prctl(PR_SET_NAME) sets the short name (comm); the command
 * line is the process's own argv/environment memory, which the kernel
 * reads for /proc/PID/cmdline.  prctl(PR_SET_MM_ARG_START) would move it
 * but needs CAP_SYS_RESOURCE in the initial user namespace, which a
 * rootless keeper never has, so we do what setproctitle(3) does: copy the
 * environment away, then write the title over argv and the environment
 * strings that follow it.  The kernel (get_mm_cmdline()) reads such a
 * title up to its first NUL when the last byte of the original argv area
 * is not NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include "base/proctitle.h"

extern char **environ;

/**
 * mm_area() - where argv and the environment strings lie, from
 * /proc/self/stat
 * @arg_start:	start of argv strings
 * @arg_end:	end of argv strings
 * @env_end:	end of the environment strings when they follow argv, else
 *		@arg_end
 *
 * Return: 0 or -errno
 */
static int mm_area(uintptr_t *arg_start, uintptr_t *arg_end,
		   uintptr_t *env_end)
{
	char buf[2048], *s;
	unsigned long long v[4];
	_cleanup_fclose_ FILE *f = fopen("/proc/self/stat", "re");
	size_t n;
	int i;

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	s = strrchr(buf, ')');
	if (!s)
		/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
		return -EINVAL;
	/* after "comm)" comes field 3; arg_start is field 48 */
	for (i = 3; i <= 48 && s; i++)
		s = strchr(s + 1, ' ');
	if (!s || sscanf(s, " %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			 &v[3]) != 4 || !v[0] || v[1] <= v[0])
		return -EINVAL;
	*arg_start = (uintptr_t)v[0];
	*arg_end = (uintptr_t)v[1];
	*env_end = v[2] == v[1] && v[3] > v[2] ? (uintptr_t)v[3] : *arg_end;
	return 0;
}

/**
 * environ_copy() - move the environment to the heap, out of the area the
 * title overwrites
 *
 * Return: 0 or -ENOMEM
 */
static int environ_copy(void)
{
	size_t n = 0, i;
	char **e;

	while (environ && environ[n])
		n++;
	e = calloc(n + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e[i] = strdup(environ[i]);
		if (!e[i])
			return -ENOMEM;	/* the old ones stay in use */
	}
	environ = e;
	return 0;
}

/**
 * proctitle_set() - set the process's comm and command line
 * @comm:	short name (up to 15 characters are kept)
 * @title:	command line as ps shows it; cut to the room argv and the
 *		environment had
 *
 * Call before any thread starts and before anything keeps pointers into
 * argv or the environment.
 *
 * Return: 0 or -errno (comm is set either way)
 */
int proctitle_set(const char *comm, const char *title)
{
	uintptr_t start, arg_end, end;
	size_t room, len = strlen(title);
	char *area;
	int ret;

	prctl(PR_SET_NAME, comm);
	ret = mm_area(&start, &arg_end, &end);
	if (!ret && end > arg_end)
		ret = environ_copy();
	if (ret)
		return ret;
	area = (char *)start;
	room = end - start;
	if (len >= room)
		len = room - 1;
	memset(area, 0, room);
	memcpy(area, title, len);
	/* a non-NUL last argv byte tells the kernel to stop at our NUL */
	if (len + 1 < arg_end - start)
		area[arg_end - start - 1] = ' ';
	return 0;
}
