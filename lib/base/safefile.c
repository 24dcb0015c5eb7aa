// SPDX-License-Identifier: MIT
/*
 * safefile.c - every file netcell writes for a user
 *
 * Theory of operation: a file is never written in place and never through
 * a name another user can guess.  The new contents go to a temporary file
 * made by mkostemp() in the target's own directory (so rename() stays in
 * one file system), created O_EXCL|O_NOFOLLOW|O_CLOEXEC, so a symlink or
 * a file planted at any name is never opened: with fs.protected_symlinks
 * and fs.protected_regular off, a predictable "FILE.tmp" in a sticky
 * directory such as /tmp let another user point the write at any file of
 * the victim, or receive the output in a file of their own.  The temporary
 * file belongs to the caller, gets its final mode with fchmod(), is
 * fsync()ed and renamed over the target, then the directory is fsync()ed:
 * after a crash the target is the old or the new contents, never a torn
 * one.
 *
 * Temporary names are ".BASE.nctmp-PID-XXXXXX".  No file netcell derives
 * from a cell name can take that form (those end in ".conf", ".pid",
 * ".ns", ".resolv" or are directories), and the PID tells whether the
 * writer is still running, so 'netcell gc' removes exactly the leftovers
 * of writers that died (safefile_leftover()), and nothing a writer still
 * needs.
 *
 * A path the user names (nc_write_file(), "fw stage -o FILE") may be an
 * existing symbolic link.  One the caller owns is written through, as an
 * editor would.  One another user owns in a sticky directory (or another
 * user's file there) is refused, as fs.protected_symlinks and
 * fs.protected_regular would refuse it: in /tmp it is a trap, not the
 * caller's file.  A directory another user can change (their own, or one
 * writable by all and not sticky) is refused whole, for the path and for
 * where the caller's link leads (base/trust.c): there the kernel follows
 * that user's link for root whatever the sysctls, and the file or its
 * temporary twin can be swapped before the rename.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/safefile.h"
#include "base/trust.h"

#define TMP_TAG "nctmp-"

/* fsync() the data and the directory of each write (safefile_set_durable()) */
static int durable = 1;

/**
 * safefile_set_durable() - whether writes of this process are fsync()ed
 * @on:		1 (the default): data and directory, so a machine crash
 *		keeps the last write; 0: renamed only, so a crash of this
 *		process still leaves the old or the new file, but a machine
 *		crash may lose the writes of the last seconds (and, for a file
 *		new on ext4, leave it empty)
 *
 * A rootless keeper turns it off (docs/create-speed.md): its cells'
 * namespaces never outlive the machine, and two fsync()s per create and
 * per delete were the largest cost of a plain create+delete on a busy disk.
 */
void safefile_set_durable(int on)
{
	durable = on;
}

/**
 * safefile_durable() - are this process's writes fsync()ed
 *
 * Return: 1 if so
 */
int safefile_durable(void)
{
	return durable;
}

/**
 * dir_of() - the directory part of a path
 * @path:	file path
 * @dir:	output: the directory, "." for a bare name
 * @len:	size of @dir
 *
 * Return: the last component of @path
 */
static const char *dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
	return slash ? slash + 1 : path;
}

/**
 * tmp_name() - the mkostemp() template next to @path
 * @path:	final path
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: 0 or -ENAMETOOLONG
 */
static int tmp_name(const char *path, char *buf, size_t len)
{
	char dir[PATH_MAX];
	const char *base = dir_of(path, dir, sizeof(dir));
	int n;

	/* a base name near NAME_MAX is cut: the tag and PID must fit */
	n = snprintf(buf, len, "%s/.%.200s." TMP_TAG "%d-XXXXXX", dir, base,
		     (int)getpid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/**
 * fill() - give the temporary file its contents and mode, durably
 * @fd:		temporary file
 * @data:	contents
 * @len:	length of @data
 * @mode:	final permission bits
 *
 * Return: 0 or -errno
 */
static int fill(int fd, const char *data, size_t len, mode_t mode)
{
	ssize_t w;

	if ((mode & 07777) != 0600 && fchmod(fd, mode & 07777))
		return -errno;
	while (len) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		data += w;
		len -= (size_t)w;
	}
	return durable && fsync(fd) ? -errno : 0;
}

/**
 * sync_dir() - fsync() the directory of @path, so a rename survives a crash
 * @path:	file path
 */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	_cleanup_close_ int dfd = -1;

	if (!durable)
		return;
	dir_of(path, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
}

/**
 * safefile_write() - replace a file durably through a random temporary name
 * @path:	final path; an existing entry (a link too) is replaced, not
 *		followed
 * @data:	contents
 * @len:	length of @data
 * @mode:	permission bits of the new file
 *
 * Return: 0 or -errno; on failure @path is untouched and no temporary file
 * is left
 */
int safefile_write(const char *path, const char *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int ret = tmp_name(path, tmp, sizeof(tmp));

	if (ret)
		return ret;
	fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ret = fill(fd, data, len, mode);
	if (!ret && close(fd))
		ret = -errno;
	fd = -1;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	sync_dir(path);
	return 0;
}

/**
 * all_of() - do the first @n characters of @s all satisfy @ok, and is there
 * at least one
 * @s:		text
 * @n:		how many characters, or -1 for all
 * @ok:		character class
 *
 * Return: 1 or 0
 */
static int all_of(const char *s, int n, int (*ok)(int))
{
	int i;

	for (i = 0; s[i] && (n < 0 || i < n); i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return i > 0 && (n < 0 || i == n);
}

/**
 * is_digit() - isdigit() for the C locale only
 * @c:		character
 *
 * Return: 1 for '0'..'9'
 */
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/**
 * is_alnum() - mkostemp()'s alphabet
 * @c:		character
 *
 * Return: 1 for ASCII letters and digits
 */
static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/**
 * safefile_leftover() - is @name a temporary file of a netcell writer
 * @name:	a directory entry's name
 * @pid:	output: the writer's PID
 *
 * Two forms: ".BASE.nctmp-PID-XXXXXX" (safefile_write()) and the older
 * "BASE.tmp.PID", which earlier versions left after a crash.  Neither can
 * be the name of a file derived from a cell name (see the theory above).
 *
 * Return: 1 if it is, else 0
 */
int safefile_leftover(const char *name, pid_t *pid)
{
	const char *last = strrchr(name, '.'), *dash;
	size_t n = strlen(name);

	if (!last || last == name)
		return 0;
	if (name[0] == '.' && !strncmp(last + 1, TMP_TAG, strlen(TMP_TAG))) {
		last += 1 + strlen(TMP_TAG);
		dash = strchr(last, '-');
		if (!dash || !all_of(last, (int)(dash - last), is_digit) ||
		    !all_of(dash + 1, -1, is_alnum) || strlen(dash + 1) != 6)
			return 0;
		*pid = (pid_t)atoi(last);
		return *pid > 0;
	}
	if (!all_of(last + 1, -1, is_digit) || (size_t)(last - name) < 5 ||
	    strncmp(last - 4, ".tmp", 4) || n - (size_t)(last - name) > 11)
		return 0;
	*pid = (pid_t)atoi(last + 1);
	return *pid > 0;
}

/**
 * refuse_foreign() - refuse another user's link or file in a sticky directory
 * @ctx:	context
 * @path:	the user's path
 * @st:		lstat() of @path
 *
 * The rule of fs.protected_symlinks and fs.protected_regular: in a sticky
 * directory, an entry that neither the caller nor the directory's owner
 * owns was put there by someone else, to be followed or written into.
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
static int refuse_foreign(struct nc_ctx *ctx, const char *path,
			  const struct stat *st)
{
	char dir[PATH_MAX];
	struct stat ds;

	if (st->st_uid == geteuid())
		return 0;
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &ds) || !(ds.st_mode & S_ISVTX) || ds.st_uid == st->st_uid)
		return 0;
	return ctx_err(ctx, -EPERM, NC_ERR_PERM,
		       "refusing to write \"%s\": it is a %s owned by uid %u in the sticky directory \"%s\", so another user put it there; remove it or write to a path of your own",
		       path, S_ISLNK(st->st_mode) ? "symbolic link" : "file",
		       (unsigned)st->st_uid, dir);
}

/**
 * link_target() - where the caller's own symbolic link leads, the file
 * itself possibly not there yet
 * @link:	the link
 * @out:	output: the resolved path
 * @len:	size of @out
 *
 * Return: 0 or -errno
 */
static int link_target(const char *link, char *out, size_t len)
{
	char to[PATH_MAX], dir[PATH_MAX], full[PATH_MAX * 2];
	_cleanup_free_ char *real = realpath(link, NULL);
	const char *base;
	ssize_t n;

	if (real || errno != ENOENT)
		return real ? (snprintf(out, len, "%s", real), 0) : -errno;
	/* a link to a file still to be made: resolve its directory */
	n = readlink(link, to, sizeof(to) - 1);
	if (n < 0)
		return -errno;
	to[n] = '\0';
	dir_of(link, dir, sizeof(dir));
	snprintf(full, sizeof(full), "%s%s%s", to[0] == '/' ? "" : dir,
		 to[0] == '/' ? "" : "/", to);
	base = dir_of(full, dir, sizeof(dir));
	real = realpath(dir, NULL);
	if (!real)
		return -errno;
	n = snprintf(out, len, "%s/%s", strcmp(real, "/") ? real : "", base);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/**
 * target_of() - where a write to the user's @path goes
 * @ctx:	context
 * @path:	the user's path
 * @out:	output: @path, or the file the caller's own link points to
 * @len:	size of @out
 *
 * Return: 0 or -errno with a message
 */
static int target_of(struct nc_ctx *ctx, const char *path, char *out, size_t len)
{
	struct stat st;
	int ret;

	snprintf(out, len, "%s", path);
	if (lstat(path, &st))
		return errno == ENOENT ? 0 :
		       ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot write \"%s\": %s", path, strerror(errno));
	ret = refuse_foreign(ctx, path, &st);
	if (ret || !S_ISLNK(st.st_mode))
		return ret;
	/* another user's link (in a cell: any link but the caller's) */
	ret = trust_link(ctx, path, path, st.st_uid, geteuid(), NULL);
	if (ret)
		return ret;
	ret = link_target(path, out, len);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED,
			       "cannot write \"%s\": it is a symbolic link that does not lead to a directory (%s); remove the link or write to another path",
			       path, strerror(-ret));
	if (!lstat(out, &st))
		return refuse_foreign(ctx, out, &st);
	return 0;
}

/**
 * umask_now() - the process's umask, read without changing it
 *
 * Return: the umask (022 if /proc does not say)
 */
static mode_t umask_now(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned m;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &m) == 1)
			return (mode_t)m;
	return 022;
}

/**
 * trusted_dir_of() - refuse to write @file when another user can change
 * its directory (trust_path()): they could swap the file or the temporary
 * one before the rename, or have planted the link that led there
 * @ctx:	context
 * @file:	the file to write (relative to the working directory or not)
 * @what:	the user's path, for the message
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
static int trusted_dir_of(struct nc_ctx *ctx, const char *file, const char *what)
{
	char dir[PATH_MAX], cwd[PATH_MAX], abs[PATH_MAX * 2];

	dir_of(file, dir, sizeof(dir));
	if (dir[0] == '/')
		snprintf(abs, sizeof(abs), "%s", dir);
	else if (getcwd(cwd, sizeof(cwd)))
		snprintf(abs, sizeof(abs), "%s/%s", strcmp(cwd, "/") ? cwd : "", dir);
	else
		return 0;	/* the write itself fails and says why */
	return trust_path(ctx, abs, what, geteuid(), getegid(), NULL);
}

/**
 * nc_write_file() - write a file the user named, safely and atomically
 * @ctx:	context
 * @path:	the user's path
 * @data:	contents
 * @len:	length of @data
 *
 * The file is the caller's, mode 0666 less the umask, replaced in one
 * step (safefile_write()).  The caller's own symbolic link is written
 * through; another user's link or file in a sticky directory is refused,
 * and so is a path (or the caller's link's target) in a directory another
 * user can change.
 *
 * Return: 0 or -errno with a message
 */
int nc_write_file(struct nc_ctx *ctx, const char *path, const char *data,
		  size_t len)
{
	char target[PATH_MAX];
	int ret = trusted_dir_of(ctx, path, path);

	if (!ret)
		ret = target_of(ctx, path, target, sizeof(target));
	if (!ret && strcmp(target, path))
		ret = trusted_dir_of(ctx, target, path);
	if (ret)
		return ret;
	ret = safefile_write(target, data, len, 0666 & ~umask_now());
	if (ret)
		return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
			       "cannot write \"%s\": %s; check that its directory exists and is writable",
			       path, strerror(-ret));
	return 0;
}
