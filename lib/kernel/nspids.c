// SPDX-License-Identifier: MIT
/*
 * nspids.c - which processes are in a network namespace
 *
 * Theory of operation: a process is in a namespace when its
 * /proc/PID/ns/net has the namespace's device and inode.  /proc is read as
 * the caller: root sees every process; an ordinary user sees its own, which
 * are the only ones that can be in its rootless cells.  The keeper's own
 * helpers in a cell (netcell-sock) are its children and are left out when
 * the caller names the keeper: nothing the user starts is (exec and run
 * fork from the user's command).  Used by `pids` (client/pids.c) and by the
 * keeper's refusal to delete a cell in use (keeper/kcells.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kernel/nspids.h"

/**
 * same_ns() - is @pid's network namespace the one @ns describes
 * @pid:	process
 * @ns:		a namespace's stat
 *
 * Return: true if so (false too when /proc/PID/ns/net cannot be read)
 */
static bool same_ns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return !stat(path, &st) && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

/**
 * parent_of() - a process's parent
 * @pid:	process
 *
 * Return: its PPID, or -1 when it cannot be read (gone)
 */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	_cleanup_close_ int fd = -1;
	ssize_t len;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* comm may hold spaces and ')': the state follows the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/**
 * ns_pids() - the processes in a network namespace
 * @ns:		the namespace's stat (of its descriptor)
 * @helpers_of:	leave out this process's children (the keeper's helpers),
 *		0 for none
 * @pids:	result, in /proc order; free() it
 * @n:		how many
 *
 * Return: 0, or -errno (/proc unreadable, out of memory)
 */
int ns_pids(const struct stat *ns, pid_t helpers_of, pid_t **pids, size_t *n)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	pid_t *v = NULL, *g, pid;
	struct dirent *e;
	size_t room = 0;
	char *end;

	*pids = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid = (pid_t)strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || !same_ns(pid, ns) ||
		    (helpers_of > 0 && parent_of(pid) == helpers_of))
			continue;
		if (*n == room) {
			room = room ? 2 * room : 16;
			g = realloc(v, room * sizeof(*v));
			if (!g) {
				free(v);
				*n = 0;
				return -ENOMEM;
			}
			v = g;
		}
		v[(*n)++] = pid;
	}
	*pids = v;
	return 0;
}

/**
 * ns_pid_comm() - a process's command name, as ps shows it
 * @pid:	process
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf ("?" when it cannot be read)
 */
const char *ns_pid_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, len, "?");
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}
