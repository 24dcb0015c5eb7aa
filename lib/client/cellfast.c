// SPDX-License-Identifier: MIT
/*
 * cellfast.c - a rootless cell's namespaces opened without asking the
 * keeper, from the file the keeper writes once the cell has been handed
 * out (the theory of operation and the file's form: keeper/kfast.c)
 *
 * Every check failing means "ask the keeper", never an error of its own:
 * the keeper's answer (or its refusal, for a process in a cell) is the
 * one the user sees.
 */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "client/cellfast.h"
#include "netcell.h"

/**
 * read_file() - the fast file of a cell, and its inode
 * @path:	RUN/fast/NAME
 * @buf:	content, NUL-terminated
 * @len:	size of @buf
 * @st:		its stat
 *
 * Return: 0, or -1 when it is missing, not the user's regular file, or
 * too long
 */
static int read_file(const char *path, char *buf, size_t len, struct stat *st)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_uid != geteuid())
		return -1;
	n = read(fd, buf, len - 1);
	if (n <= 0 || (size_t)n == len - 1)
		return -1;
	buf[n] = '\0';
	return 0;
}

/**
 * parent_is_mine() - is the parent of user namespace @userfd the
 * caller's own user namespace (a process in a cell is below the hub,
 * never its parent)
 * @userfd:	a user namespace
 *
 * Return: 1 or 0
 */
static int parent_is_mine(int userfd)
{
	_cleanup_close_ int parent = ioctl(userfd, NS_GET_PARENT);
	struct stat a, b;

	return parent >= 0 && !fstat(parent, &a) && !stat("/proc/self/ns/user", &b) &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/**
 * cellfast_open() - a handed-out rootless cell's namespaces, opened here
 * @p:		the user's directories (rootless)
 * @name:	cell name (checked)
 * @rec:	the cell's GET record
 * @len:	size of @rec
 * @fds:	result: [userns, netns], the caller closes them
 *
 * Return: 0, or -1 when the keeper is to be asked (nothing left open)
 */
int cellfast_open(const struct nc_paths *p, const char *name, char *rec, size_t len,
		  int fds[2])
{
	char dir[PATH_MAX], path[PATH_MAX + NC_NAME_MAX + 2], buf[1200], again[1200], proc[64], *nl;
	unsigned long long dev, ino, nonce;
	struct stat st, st2, ns;
	int pid, fd, ok;

	if (!p->rootless || paths_fast_dir(p, dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file(path, buf, sizeof(buf), &st) ||
	    sscanf(buf, "%d\t%d\t%llu\t%llu\t%llx\n", &pid, &fd, &dev, &ino, &nonce) != 5 ||
	    !(nl = strchr(buf, '\n')) || strlen(nl + 1) >= len)
		return -1;
	snprintf(rec, len, "%s", nl + 1);
	snprintf(proc, sizeof(proc), "/proc/%d/ns/user", pid);
	fds[0] = open(proc, O_RDONLY | O_CLOEXEC);
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, fd);
	fds[1] = fds[0] < 0 ? -1 : open(proc, O_RDONLY | O_CLOEXEC);
	ok = fds[1] >= 0 && !fstat(fds[1], &ns) && ns.st_dev == dev && ns.st_ino == ino &&
	     ioctl(fds[1], NS_GET_NSTYPE) == CLONE_NEWNET && parent_is_mine(fds[0]) &&
	     /* still the file read, nonce and all: the cell was not deleted
	      * (nor made again) meanwhile */
	     !read_file(path, again, sizeof(again), &st2) && !strcmp(again, buf);
	if (ok)
		return 0;
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	fds[0] = fds[1] = -1;
	return -1;
}
