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
 * no one else, POSIX ACL entries included (the caller's own primary group,
 * or root's, excepted when it is private: no members, no other user's
 * primary group) unless it is sticky (/tmp: an entry there is renamed only by its
 * owner); a symbolic link on the way must belong to root or the caller
 * (inside a rootless cell, where root's show as unmapped: the caller).
 * This is OpenSSH's StrictModes rule for the same reason.
 */
#include <endian.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include "base/trust.h"

#define FIX_PATH "use a path whose directories are yours or root's and writable by no one else"

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
 * overflow_uid() - in a user namespace other than the initial one, the uid
 * that every unmapped owner shows as
 *
 * Return: that uid, or (uid_t)-1 in the initial user namespace
 */
static uid_t overflow_uid(void)
{
	static int nested = -1;
	static uid_t overflow = 65534;
	unsigned long v[3] = { 0, 0, 0 };

	if (nested < 0) {
		nested = read_ulongs("/proc/self/uid_map", v) != 3 || v[0] != 0 || v[1] != 0 ||
			 v[2] != 4294967295UL;
		if (read_ulongs("/proc/sys/kernel/overflowuid", v) >= 1)
			overflow = (uid_t)v[0];
	}
	return nested ? overflow : (uid_t)-1;
}

/**
 * owner_ok() - is a directory's @owner root or the caller
 * @owner:	the directory's owner as stat() shows it
 * @uid:	caller's uid
 *
 * In a user namespace other than the initial one (a command run in a
 * rootless cell) root and every other unmapped owner show as the overflow
 * uid and cannot be told apart: such a directory is taken as root's (/,
 * /tmp), where the keeper refuses a cell's requests anyway
 * (keeper/kpeer.c).  The caller cannot make entries in another user's
 * directory taken so unless its mode lets everyone (refused below); what
 * such a directory can still hold is a link of its owner, which
 * trust_link() refuses.
 *
 * Return: 1 if so
 */
static int owner_ok(uid_t owner, uid_t uid)
{
	return owner == 0 || owner == uid || owner == overflow_uid();
}

/**
 * trust_link() - refuse to follow a symbolic link that another user owns
 * @ctx:	context
 * @link:	the link
 * @what:	the path the caller will use, for the message
 * @owner:	the link's owner as lstat() shows it
 * @uid:	caller's uid
 * @fix:	what the user can do, for the message (NULL: use another path)
 *
 * A link of root's or the caller's is fine.  Inside a rootless cell every
 * owner but the caller shows as the overflow uid, root's links included:
 * such a link is refused, with the path it leads to for the user to give
 * instead.
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
int trust_link(struct nc_ctx *ctx, const char *link, const char *what, uid_t owner,
	       uid_t uid, const char *fix)
{
	_cleanup_free_ char *real = NULL;
	char to[PATH_MAX];
	ssize_t n;

	if (owner == 0 || owner == uid)
		return 0;
	if (owner != overflow_uid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refusing \"%s\": \"%s\" on its way is a symbolic link of uid %u, who can point it elsewhere at any time; %s",
			       what, link, (unsigned)owner, fix ? fix : FIX_PATH);
	real = realpath(link, NULL);
	n = real ? 0 : readlink(link, to, sizeof(to) - 1);
	to[n < 0 ? 0 : n] = '\0';
	return ctx_err(ctx, -EPERM, NC_ERR_PERM,
		       "refusing \"%s\": \"%s\" on its way is a symbolic link not owned by you (uid %u here), and inside a cell a link not owned by you cannot be told apart from another user's; give the path it leads to, \"%s\", instead",
		       what, link, (unsigned)owner, real ? real : to);
}

/**
 * group_private() - is @gid a group only @uid (and root) can act as
 * @gid:	a directory's group
 * @uid:	caller's uid
 *
 * Debian OpenSSH's user-group-modes rule: the group has no members and no
 * user but @uid and root has it as primary group.  An unknown group is
 * not private.  The user database is read through NSS (setpwent(): not
 * for concurrent threads, as every getpwent() caller).
 *
 * Return: 1 if so
 */
static int group_private(gid_t gid, uid_t uid)
{
	struct group gr, *g = NULL;
	struct passwd pw, *e = NULL;
	char buf[16384];
	int priv = 1;

	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &g) || !g || (g->gr_mem && g->gr_mem[0]))
		return 0;
	setpwent();
	while (priv && !getpwent_r(&pw, buf, sizeof(buf), &e) && e)
		if (e->pw_gid == gid && e->pw_uid != uid && e->pw_uid != 0)
			priv = 0;
	endpwent();
	return priv;
}

/* the kernel's POSIX ACL attribute (linux/posix_acl_xattr.h): a
 * little-endian header {u32 version = 2}, then entries {u16 tag, u16 perm,
 * u32 id} */
#define ACL_VERSION	2
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_GROUP	0x08
#define ACL_MASK	0x10
#define ACL_WRITE	0x02

/**
 * acl_entry() - one entry of a POSIX ACL attribute
 * @e:		the entry's 8 bytes
 * @tag:	output: its tag
 * @perm:	output: its permissions
 *
 * Return: its id (uid or gid; meaningless for other tags)
 */
static unsigned acl_entry(const unsigned char *e, unsigned *tag, unsigned *perm)
{
	uint16_t v16;
	uint32_t v32;

	memcpy(&v16, e, 2);
	*tag = le16toh(v16);
	memcpy(&v16, e + 2, 2);
	*perm = le16toh(v16);
	memcpy(&v32, e + 4, 4);
	return le32toh(v32);
}

/**
 * trust_acl_check() - does an access ACL let someone else write
 * @buf:	the system.posix_acl_access attribute
 * @n:		its length
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @gwrite:	output: the owning group's real write permission (with an
 *		ACL the mode shows the mask there); untouched when malformed
 * @why:	output: what is wrong, when something is
 * @len:	size of @why (at least 1)
 *
 * A named user (not the caller, not root) or a named group (not a private
 * group of the caller's or root's) with write that the mask keeps can
 * change the directory's entries.  One that cannot be parsed is not
 * trusted either.  The bytes are another user's (their directory's ACL).
 *
 * Return: 1 if someone else may write (or the ACL is malformed), else 0
 */
int trust_acl_check(const void *buf, size_t n, uid_t uid, gid_t gid, int *gwrite,
		    char *why, size_t len)
{
	const unsigned char *b = buf;
	unsigned mask = 7, gobj = 0, tag, perm, id;
	uint32_t v32;
	size_t i;

	if (n < 4 || (n - 4) % 8 || (memcpy(&v32, b, 4), le32toh(v32)) != ACL_VERSION) {
		snprintf(why, len, "has an access ACL netcell cannot read (unknown format)");
		return 1;
	}
	for (i = 4; i < n; i += 8) {
		acl_entry(b + i, &tag, &perm);
		if (tag == ACL_MASK)
			mask = perm;
		else if (tag == ACL_GROUP_OBJ)
			gobj = perm;
	}
	*gwrite = !!(gobj & mask & ACL_WRITE);
	if (!(mask & ACL_WRITE))
		return 0;
	for (i = 4; i < n; i += 8) {
		id = acl_entry(b + i, &tag, &perm);
		if (!(perm & ACL_WRITE))
			continue;
		if (tag == ACL_USER && id != uid && id != 0) {
			snprintf(why, len, "has an ACL entry letting uid %u write it", id);
			return 1;
		}
		if (tag == ACL_GROUP && ((id != gid && id != 0) || !group_private(id, uid))) {
			snprintf(why, len, "has an ACL entry letting group %u write it", id);
			return 1;
		}
	}
	return 0;
}

/**
 * acl_writer() - does a directory's access ACL let someone else write it
 * @path:	the directory
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @gwrite:	in: the mode's group write bit; out: see trust_acl_check()
 * @why:	output: what is wrong, when something is
 * @len:	size of @why
 *
 * No ACL (or a file system without them) is fine; one that cannot be
 * read is not.
 *
 * Return: 1 if someone else may write, else 0
 */
static int acl_writer(const char *path, uid_t uid, gid_t gid, int *gwrite, char *why,
		      size_t len)
{
	unsigned char buf[4 + 8 * 512];
	ssize_t n = getxattr(path, "system.posix_acl_access", buf, sizeof(buf));

	if (n < 0 && (errno == ENODATA || errno == ENOTSUP))
		return 0;
	if (n < 0) {
		snprintf(why, len, "has an access ACL netcell cannot read (%s)", strerror(errno));
		return 1;
	}
	return trust_acl_check(buf, (size_t)n, uid, gid, gwrite, why, len);
}

/**
 * dir_safe() - can no one but root and @uid change entries of this directory
 * @path:	the directory (for its ACL)
 * @st:		stat() of it
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @why:	output: what is wrong, in a few words
 * @len:	size of @why
 *
 * Return: 1 if safe, 0 if not (@why says why)
 */
static int dir_safe(const char *path, const struct stat *st, uid_t uid, gid_t gid,
		    char *why, size_t len)
{
	int gwrite = !!(st->st_mode & S_IWGRP);

	why[0] = '\0';
	if (!S_ISDIR(st->st_mode))
		snprintf(why, len, "is not a directory");
	else if (!owner_ok(st->st_uid, uid))
		snprintf(why, len, "belongs to another user");
	else if (st->st_mode & S_ISVTX)
		return 1;
	else if (st->st_mode & S_IWOTH)
		snprintf(why, len, "can be written by every user");
	else if (gwrite && acl_writer(path, uid, gid, &gwrite, why, len))
		return 0;	/* an ACL's named entries are bounded by its mask,
				 * which is the mode's group bits: without group
				 * write no entry can write, no xattr to read */
	else if (gwrite && ((st->st_gid != gid && st->st_gid != 0) ||
			    !group_private(st->st_gid, uid)))
		snprintf(why, len, "can be written by its group, which is not private to you or root");
	return !why[0];
}

/**
 * walk() - check every prefix of @path (an absolute path)
 * @ctx:	context
 * @path:	the path
 * @what:	the path the user gave, for the message
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @follow:	also check where each symbolic link on the way resolves
 *		(how many more dangling links to follow; 0: none)
 * @fix:	what the user can do, for the message (NULL: FIX_PATH)
 *
 * The last component is checked too, as a directory, when it exists; a
 * missing one ends the walk (the caller creates it in a checked parent).
 * A dangling link on the way ends it too, after the directory its target
 * would be made in is checked (dangling()).
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
static int walk(struct nc_ctx *ctx, const char *path, const char *what, uid_t uid,
		gid_t gid, int follow, const char *fix);

/**
 * dangling() - check where a dangling link on the way would have things made
 * @ctx:	context
 * @link:	the link (checked itself already)
 * @what:	the path the user gave, for the message
 * @uid:	caller's uid
 * @gid:	caller's primary gid
 * @follow:	how many more dangling links to follow
 * @fix:	what the user can do, for the message
 *
 * Whatever is made through the link (the caller's own file written
 * through it, say) is made in the directory of its target: that directory
 * and its way are walked, links there followed too.
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
static int dangling(struct nc_ctx *ctx, const char *link, const char *what, uid_t uid,
		    gid_t gid, int follow, const char *fix)
{
	char to[PATH_MAX], full[PATH_MAX * 2 + 2];
	ssize_t n = readlink(link, to, sizeof(to) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	if (follow <= 1)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refusing \"%s\": too many dangling symbolic links on its way (at \"%s\"); %s",
			       what, link, fix ? fix : FIX_PATH);
	to[n] = '\0';
	if (to[0] == '/')
		snprintf(full, sizeof(full), "%s", to);
	else
		snprintf(full, sizeof(full), "%.*s/%s",
			 (int)(strrchr(link, '/') - link), link, to);
	slash = strrchr(full, '/');
	if (slash == full)
		slash[1] = '\0';	/* a target in / */
	else
		*slash = '\0';
	return walk(ctx, full, what, uid, gid, follow - 1, fix);
}

static int walk(struct nc_ctx *ctx, const char *path, const char *what, uid_t uid,
		gid_t gid, int follow, const char *fix)
{
	char pre[PATH_MAX], why[96];
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

			ret = trust_link(ctx, pre, what, st.st_uid, uid, fix);
			if (ret)
				return ret;
			if (!follow)
				continue;
			real = realpath(pre, NULL);
			if (!real && errno == ENOENT)	/* dangling: where it leads */
				return dangling(ctx, pre, what, uid, gid, follow, fix);
			if (!real)
				return 0;	/* a loop, say: every use fails */
			ret = walk(ctx, real, what, uid, gid, 0, fix);
			if (ret)
				return ret;
			if (stat(pre, &st))
				return 0;
		}
		if (!dir_safe(pre, &st, uid, gid, why, sizeof(why)) &&
		    !(i == n && !S_ISDIR(st.st_mode)))
			return ctx_err(ctx, -EPERM, NC_ERR_PERM,
				       "refusing \"%s\": the directory \"%s\" on its way %s (uid %u, mode %04o), who could swap netcell's files there; %s",
				       what, pre, why, (unsigned)st.st_uid,
				       (unsigned)(st.st_mode & 07777), fix ? fix : FIX_PATH);
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
 * @fix:	what the user can do, for the message: the variable that chose
 *		the path, say (NULL: use a path whose directories are yours...)
 *
 * Every existing directory on the way, @path itself included, and where
 * each symbolic link on the way resolves (see the theory above).
 *
 * Return: 0, or -EPERM with a message (kind NC_ERR_PERM)
 */
int trust_path(struct nc_ctx *ctx, const char *path, const char *what, uid_t uid,
	       gid_t gid, const char *fix)
{
	return walk(ctx, path, what, uid, gid, 40, fix);
}
