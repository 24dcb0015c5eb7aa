// SPDX-License-Identifier: MIT
/*
 * gc.c - 'netcell gc': netcell's own leftovers, and nothing else
 *
 * Theory of operation: a writer killed between mkostemp() and rename()
 * leaves a temporary file (safefile.c); a "fw stage" killed before its end
 * leaves its scratch directory /tmp/netcell-stage-XXXXXX.  gc removes
 * exactly those, and only once their maker is gone:
 *
 * - under the state and runtime directories, regular files whose name has
 *   a temporary file's form (safefile_leftover(), which no file derived
 *   from a cell name can have: a cell named "x.conf.tmp.1" stays) and
 *   whose writer's PID no longer runs (a save in progress stays);
 * - stage directories in /tmp owned by the caller holding a file
 *   "owner.pid" whose PID no longer runs, or without that file and not
 *   changed for ten minutes (a stage writes it right after making the
 *   directory: one without it is a stage just starting, which stays, or
 *   a leftover of an older build).
 *
 * Directories are walked with openat(O_NOFOLLOW): a symbolic link is never
 * followed, so gc removes nothing outside the trees it was given.  A PID
 * counts as gone when kill(PID, 0) says ESRCH or it is a zombie; a PID
 * taken again by another process keeps its file, which errs on the side of
 * keeping.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "base/gc.h"
#include "base/paths.h"
#include "base/safefile.h"

#define GC_DEPTH	3	/* STATE/fw/CELL/FILE is the deepest */
#define STAGE_DIR	"/tmp"
#define STAGE_PREFIX	"netcell-stage-"
#define STAGE_ORPHAN_AGE 600	/* seconds: a stage dir without owner.pid */

/**
 * pid_gone() - is there no process @pid any more, or only its zombie
 * @pid:	process ID
 *
 * A killed keeper is a zombie until its parent (init, after the double
 * fork) reaps it, which some inits do only every second or so; kill(0)
 * still finds a zombie.
 *
 * Return: 1 only when the kernel says there is none, or it is a zombie
 */
static int pid_gone(pid_t pid)
{
	char path[64], buf[256], *end;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0))
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return fd < 0 && errno == ENOENT;
	buf[n] = '\0';
	/* "PID (COMM) S ...": COMM may hold spaces and parentheses */
	end = strrchr(buf, ')');
	return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

/**
 * open_dir_at() - open a directory below @dfd without following a link
 * @dfd:	parent directory
 * @name:	entry
 *
 * Return: descriptor or -1
 */
static int open_dir_at(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/**
 * sweep() - remove the dead writers' temporary files below a directory
 * @dfd:	the directory, consumed
 * @depth:	how many levels further down to look
 * @removed:	incremented per file removed
 */
static void sweep(int dfd, int depth, unsigned *removed)
{
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;
	pid_t pid;
	int sub;

	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0) {
			sub = open_dir_at(dirfd(d), e->d_name);
			if (sub >= 0)
				sweep(sub, depth - 1, removed);
		} else if (S_ISREG(st.st_mode) && safefile_leftover(e->d_name, &pid) &&
			   pid_gone(pid) && !unlinkat(dirfd(d), e->d_name, 0)) {
			(*removed)++;
		}
	}
}

/**
 * gc_state() - remove the temporary files of dead writers in netcell's
 * directories
 * @dirs:	directories (state, runtime), NULL-terminated
 * @removed:	incremented per file removed
 */
void gc_state(const char *const *dirs, unsigned *removed)
{
	int fd;

	for (; *dirs; dirs++) {
		fd = open(*dirs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			sweep(fd, GC_DEPTH, removed);
	}
}

/**
 * stage_owner() - the PID in a stage directory's "owner.pid"
 * @dfd:	the stage directory
 *
 * Return: the PID, or 0 when there is no such file or it says nothing
 */
static pid_t stage_owner(int dfd)
{
	_cleanup_close_ int fd = openat(dfd, "owner.pid",
					O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[32];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

/**
 * stage_gone() - is a stage directory's "fw stage" gone
 * @dfd:	the stage directory
 * @st:		its status
 *
 * A stage writes "owner.pid" right after making its directory: one
 * without it is a stage just starting, or one left by a build that did
 * not write it (before 0.1) or killed in between; after STAGE_ORPHAN_AGE
 * it is no stage's any more.
 *
 * Return: 1 if so
 */
static int stage_gone(int dfd, const struct stat *st)
{
	pid_t pid = stage_owner(dfd);

	if (pid)
		return pid_gone(pid);
	return time(NULL) - st->st_mtime > STAGE_ORPHAN_AGE;
}

/**
 * gc_stage_dirs() - remove the caller's stage directories whose "fw stage"
 * is gone
 * @removed:	incremented per directory removed
 */
void gc_stage_dirs(unsigned *removed)
{
	_cleanup_closedir_ DIR *d = opendir(STAGE_DIR);
	struct dirent *e;
	struct stat st;
	int fd;

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		fd = open_dir_at(dirfd(d), e->d_name);
		if (fd < 0)
			continue;
		if (!stage_gone(fd, &st)) {
			close(fd);
			continue;
		}
		paths_remove_below(fd, GC_DEPTH);
		if (!unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR))
			(*removed)++;
	}
}
