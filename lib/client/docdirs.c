// SPDX-License-Identifier: MIT
/*
 * docdirs.c - doctor's checks of the user's directories: XDG_RUNTIME_DIR
 * and the runtime directory netcell will use
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "client/docint.h"

/**
 * enum xdg_state - what XDG_RUNTIME_DIR is
 * @XDG_UNSET:	not set, or not an absolute path
 * @XDG_MISSING: does not exist or is not a directory
 * @XDG_OWNER:	owned by another uid
 * @XDG_MODE:	not mode 0700
 * @XDG_GOOD:	what netcell uses
 */
enum xdg_state { XDG_UNSET, XDG_MISSING, XDG_OWNER, XDG_MODE, XDG_GOOD };

/**
 * xdg_state() - judge XDG_RUNTIME_DIR as paths.c does
 * @dir:	its value, may be NULL
 * @uid:	caller's uid
 * @st:		its stat result
 *
 * Return: an enum xdg_state
 */
static enum xdg_state xdg_state(const char *dir, uid_t uid, struct stat *st)
{
	if (!dir || dir[0] != '/')
		return XDG_UNSET;
	if (stat(dir, st) || !S_ISDIR(st->st_mode))
		return XDG_MISSING;
	if (st->st_uid != uid)
		return XDG_OWNER;
	return (st->st_mode & 0777) == 0700 ? XDG_GOOD : XDG_MODE;
}

/**
 * xdg_judge() - the verdict on XDG_RUNTIME_DIR for an ordinary user
 * @d:		doctor run
 * @c:		check
 * @x:		its value, may be NULL
 */
static void xdg_judge(const struct doc *d, struct nc_check *c, const char *x)
{
	unsigned u = (unsigned)d->uid;
	char fix[256];
	struct stat st;

	snprintf(fix, sizeof(fix), "log in with a session that sets it (ssh, a desktop login, or 'machinectl shell %s@'; su and sudo do not), or export XDG_RUNTIME_DIR=/run/user/%u if that directory exists and is yours",
		 d->user, u);
	switch (xdg_state(x, d->uid, &st)) {
	case XDG_UNSET:
		doc_verdict(c, NC_CHECK_WARN, fix, "XDG_RUNTIME_DIR is not set; netcell falls back to /tmp/netcell-%u", u);
		break;
	case XDG_MISSING:
		doc_verdict(c, NC_CHECK_WARN, fix, "XDG_RUNTIME_DIR=%s is not a directory; netcell falls back to /tmp/netcell-%u", x, u);
		break;
	case XDG_OWNER:
		doc_verdict(c, NC_CHECK_WARN, fix, "XDG_RUNTIME_DIR=%s is owned by uid %u, not by uid %u; netcell falls back to /tmp/netcell-%u",
			x, (unsigned)st.st_uid, u, u);
		break;
	case XDG_MODE:
		snprintf(fix, sizeof(fix), "chmod 0700 %s", x);
		doc_verdict(c, NC_CHECK_WARN, fix, "XDG_RUNTIME_DIR=%s has mode %04o, not 0700; netcell falls back to /tmp/netcell-%u",
			x, st.st_mode & 07777, u);
		break;
	default:
		doc_verdict(c, NC_CHECK_OK, "", "XDG_RUNTIME_DIR=%s is yours, mode 0700", x);
		break;
	}
}

/**
 * check_xdg() - the session's runtime directory, where the keeper lives
 * @d:		doctor run
 */
void check_xdg(struct doc *d)
{
	struct nc_check *c = doc_add(d, "xdg", "XDG_RUNTIME_DIR");
	const char *ov = getenv("NETCELL_RUNTIME_DIR");

	if (d->uid == 0)
		doc_verdict(c, NC_CHECK_OK, "", "not used: root's runtime directory is /run/netcell");
	else if (ov && ov[0] == '/')
		doc_verdict(c, NC_CHECK_OK, "", "not used: NETCELL_RUNTIME_DIR=%s overrides it", ov);
	else
		xdg_judge(d, c, getenv("XDG_RUNTIME_DIR"));
}

/**
 * rundir_path() - the runtime directory netcell uses, as paths.c picks it
 * @d:		doctor run
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: where the choice came from, for the evidence
 */
static const char *rundir_path(const struct doc *d, char *buf, size_t len)
{
	const char *ov = getenv("NETCELL_RUNTIME_DIR"), *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (ov && ov[0] == '/') {
		snprintf(buf, len, "%s", ov);
		return "from NETCELL_RUNTIME_DIR";
	}
	if (d->uid == 0) {
		snprintf(buf, len, "/run/netcell");
		return "root's";
	}
	if (xdg_state(x, d->uid, &st) == XDG_GOOD) {
		snprintf(buf, len, "%s/netcell", x);
		return "in XDG_RUNTIME_DIR";
	}
	snprintf(buf, len, "/tmp/netcell-%u", (unsigned)d->uid);
	return "the fallback";
}

/**
 * rundir_missing() - judge a runtime directory that does not exist yet
 * @d:		doctor run
 * @c:		check
 * @dir:	the directory
 * @from:	where the choice came from
 */
static void rundir_missing(const struct doc *d, struct nc_check *c,
			   const char *dir, const char *from)
{
	char anc[PATH_MAX], fix[PATH_MAX + 160];
	struct stat st;
	char *s;

	snprintf(anc, sizeof(anc), "%s", dir);
	while ((s = strrchr(anc, '/')) && s > anc) {
		*s = '\0';
		if (!lstat(anc, &st))
			break;
	}
	if (s == anc)
		snprintf(anc, sizeof(anc), "/");
	snprintf(fix, sizeof(fix), "set NETCELL_RUNTIME_DIR to a directory you can create, or as root: install -d -m 0700 -o %s %s",
		 d->user, dir);
	if (access(anc, W_OK | X_OK))
		doc_verdict(c, NC_CHECK_FAIL, fix, "%s (%s) does not exist and uid %u cannot create it: %s is not writable",
			dir, from, (unsigned)d->uid, anc);
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s (%s) does not exist yet; netcell creates it, mode 0700",
			dir, from);
}

/**
 * check_rundir() - is netcell's runtime directory usable and private
 * @d:		doctor run
 */
void check_rundir(struct doc *d)
{
	struct nc_check *c = doc_add(d, "rundir", "netcell runtime directory");
	char dir[PATH_MAX], fix[PATH_MAX + 160];
	const char *from = rundir_path(d, dir, sizeof(dir));
	struct stat st;

	if (lstat(dir, &st)) {
		if (errno == ENOENT)
			rundir_missing(d, c, dir, from);
		else
			doc_verdict(c, NC_CHECK_FAIL, "set NETCELL_RUNTIME_DIR to a private directory of yours",
				"%s (%s): %s", dir, from, strerror(errno));
		return;
	}
	snprintf(fix, sizeof(fix), "remove %s as its owner or root (someone else may have put it there), or set NETCELL_RUNTIME_DIR to a private directory of yours",
		 dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != d->uid)
		doc_verdict(c, NC_CHECK_FAIL, fix, "%s (%s) is %s owned by uid %u, not by uid %u: netcell refuses it",
			dir, from, S_ISDIR(st.st_mode) ? "a directory" : "not a directory but a file",
			(unsigned)st.st_uid, (unsigned)d->uid);
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s (%s) is yours, mode %04o%s", dir,
			from, st.st_mode & 07777,
			st.st_mode & 077 ? "; netcell makes it 0700" : "");
}
