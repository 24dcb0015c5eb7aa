// SPDX-License-Identifier: MIT
/*
 * trust.c - may another user change what a path leads to
 *
 * Theory of operation: netcell keeps its keeper's socket, locks, saved
 * cells and fast files under directories the user names (XDG_*, HOME,
 * NETCELL_RUNTIME_DIR/NETCELL_STATE_DIR) and binds a cell's etc files from
 * one.  Checking that the last directory is the caller's and 0700 is not
 * enough: when any directory on the way can be written by someone else,
 * that someone renames the caller's directory away and puts their own (or
 * a symbolic link to it) in its place between the check and every later
 * use, and the caller then trusts their socket, reads their cells or
 * writes into their directory.  So every directory on the way, as written
 * and as resolved, must belong to root or to the caller and be writable by
 * no one else (the caller's own primary group excepted, for user private
 * groups) unless it is sticky (/tmp: an entry there is renamed only by its
 * owner); a symbolic link on the way must belong to root or the caller.
 * This is OpenSSH's StrictModes rule for the same reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/trust.h"

/**
 * read_ulongs() - the first numbers of a /proc file's first line
 * @path:	file
 * @v:		output: up to three numbers
 *
 * Return: how many were read (0 when the file cannot be read)
 */
static int read_ulongs(const char *path, unsigned long v[3])
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%lu %lu %lu", &v[0], &v[1], &v[2]);
	/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
	return n < 0 ? 0 : n;
}

/**
 * owner_ok() - is @owner root or the caller
 * @owner:	a file's owner as stat() shows it
 * @uid:	caller's uid
 *
 * In a user namespace other than the initial one (a command run in a
 * rootless cell) root and every other unmapped owner show as the overflow
 * uid and cannot be told apart: they are taken as root there, where the
 * keeper refuses a cell's requests anyway (keeper/kpeer.c).
 *
 * Return: 1 if so
 */
static int owner_ok(uid_t owner, uid_t uid)
{
	static int nested = -1;
	static uid_t overflow = 65534;
	unsigned long v[3] = { 0, 0, 0 };

	if (owner == 0 || owner == uid)
		return 1;
	if (nested < 0) {
		nested = read_ulongs("/proc/self/uid_map", v) != 3 || v[0] != 0 || v[1] != 0 ||
			 v[2] != 4294967295UL;
		if (read_ulongs("/proc/sys/kernel/overflowuid", v) >= 1)
			overflow = (uid_t)v[0];
	}
	return nested && owner == overflow;
}

/**
 * dir_safe() - can no one but root and @uid change entries of this directory
 * @st:		stat() of the directory
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 *
 * Return: NULL, or what is wrong in a few words
 */
static const char *dir_safe(const struct stat *st, uid_t uid, gid_t gid)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (!owner_ok(st->st_uid, uid))
		return "belongs to another user";
	if (st->st_mode & S_ISVTX)
		return NULL;
	if (st->st_mode & S_IWOTH)
		return "can be written by every user";
	if ((st->st_mode & S_IWGRP) && st->st_gid != gid && st->st_gid != 0)
		return "can be written by its group";
	return NULL;
}

/**
 * walk() - check every prefix of @path (an absolute path)
 * @ctx:	context
 * @path:	the path
 * @what:	the path the user gave, for the message
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @follow:	also check where each symbolic link on the way resolves
 *
 * The last component is checked too, as a directory, when it exists; a
 * missing one ends the walk (the caller creates it in a checked parent).
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
static int walk(struct nc_ctx *ctx, const char *path, const char *what, uid_t uid,
		gid_t gid, int follow)
{
	char pre[PATH_MAX];
	const char *why;
	struct stat st;
	size_t i, n = strlen(path);

	if (path[0] != '/' || n >= sizeof(pre))
		return 0;
	for (i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		if (i > 1 && path[i - 1] == '/')
			continue;	/* "//" */
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (lstat(pre, &st))
			return 0;	/* missing from here on */
		if (S_ISLNK(st.st_mode)) {
			_cleanup_free_ char *real = NULL;
			int ret;

			if (!owner_ok(st.st_uid, uid))
				return ctx_err(ctx, -EPERM, NC_ERR_PERM,
					       "refusing \"%s\": \"%s\" on its way is a symbolic link of uid %u, who can point it elsewhere at any time; use a path whose directories are yours or root's",
					       what, pre, (unsigned)st.st_uid);
			if (!follow)
				continue;
			real = realpath(pre, NULL);
			if (!real)
				return 0;	/* dangling: the create fails and says so */
			ret = walk(ctx, real, what, uid, gid, 0);
			if (ret)
				return ret;
			if (stat(pre, &st))
				return 0;
		}
		why = dir_safe(&st, uid, gid);
		if (why && !(i == n && !S_ISDIR(st.st_mode)))
			return ctx_err(ctx, -EPERM, NC_ERR_PERM,
				       "refusing \"%s\": the directory \"%s\" on its way %s (uid %u, mode %04o), who could swap netcell's files there; use a path whose directories are yours or root's and writable by no one else",
				       what, pre, why, (unsigned)st.st_uid,
				       (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

/**
 * trust_path() - refuse a path whose directories another user can change
 * @ctx:	context
 * @path:	an absolute path (a relative one is not checked)
 * @what:	the path the caller will use (@path or one below it), for the
 *		message
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 *
 * Every existing directory on the way, @path itself included, and where
 * each symbolic link on the way resolves (see the theory above).
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
int trust_path(struct nc_ctx *ctx, const char *path, const char *what, uid_t uid,
	       gid_t gid)
{
	return walk(ctx, path, what, uid, gid, 1);
}
