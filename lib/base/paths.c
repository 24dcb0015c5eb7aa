// SPDX-License-Identifier: MIT
/*
 * paths.c - where a user's netcell state lives
 *
 * Theory of operation: each uid has its own keeper and its own directories;
 * nothing is shared between users, so another uid can neither reach the
 * keeper's socket nor read saved cells.  Privacy comes from the runtime
 * directory being 0700 and owned by the user, which is checked, not assumed:
 * a directory prepared by someone else under /tmp is refused (the classic
 * /tmp squatting attack).
 *
 *   root:      /run/netcell            /var/lib/netcell    /etc/netns/NAME
 *   rootless:  $XDG_RUNTIME_DIR/netcell (else /tmp/netcell-UID)
 *              $XDG_STATE_HOME/netcell (else ~/.local/state/netcell,
 *              else the runtime directory)   ~/.config/netcell/NAME/etc
 *
 * NETCELL_RUNTIME_DIR and NETCELL_STATE_DIR override the first two.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "base/paths.h"
#include "base/trust.h"

/**
 * paths_which() - look a program up along $PATH, as execvp() and env do
 * @name:	program name (no slash)
 * @buf:	its path when found, else ""
 * @len:	size of @buf
 *
 * Return: 1 when found and executable, else 0
 */
int paths_which(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *s, *e;

	for (s = path ? path : "/usr/bin:/bin"; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, ':');
		snprintf(buf, len, "%.*s/%s", (int)(e - s), e > s ? s : ".", name);
		if (!access(buf, X_OK))
			return 1;
	}
	buf[0] = '\0';
	return 0;
}

/**
 * dir_fix() - what a user refused @dir can do: set the variable that
 * chose it
 * @dir:	a runtime or state directory, or one below
 * @buf:	output: the advice, for trust_path()'s message
 * @len:	size of @buf
 *
 * The variable whose value is the longest leading part of @dir chose it;
 * none chose /tmp/netcell-UID (no usable XDG_RUNTIME_DIR) and root's
 * directories.
 *
 * Return: @buf
 */
static const char *dir_fix(const char *dir, char *buf, size_t len)
{
	static const char *const vars[][2] = {
		{ "NETCELL_RUNTIME_DIR", "NETCELL_RUNTIME_DIR" },
		{ "NETCELL_STATE_DIR", "NETCELL_STATE_DIR" },
		{ "XDG_RUNTIME_DIR", "XDG_RUNTIME_DIR (or NETCELL_RUNTIME_DIR)" },
		{ "XDG_STATE_HOME", "XDG_STATE_HOME (or NETCELL_STATE_DIR)" },
		{ "HOME", "XDG_STATE_HOME (or NETCELL_STATE_DIR)" },
	};
	const char *var = !strncmp(dir, "/tmp/netcell-", 13) ?
		"XDG_RUNTIME_DIR (to a 0700 directory of yours) or NETCELL_RUNTIME_DIR" :
		"NETCELL_RUNTIME_DIR or NETCELL_STATE_DIR";
	size_t i, n, best = 0;
	const char *v;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		v = getenv(vars[i][0]);
		n = v ? strlen(v) : 0;
		while (n > 1 && v[n - 1] == '/')
			n--;
		if (n > best && v[0] == '/' && !strncmp(dir, v, n) &&
		    (dir[n] == '/' || dir[n] == '\0')) {
			best = n;
			var = vars[i][1];
		}
	}
	snprintf(buf, len, "set %s to a directory whose directories on the way are yours or root's and writable by no one else",
		 var);
	return buf;
}

/**
 * paths_mkdir_private() - make sure @dir exists, is ours and is private
 * @ctx:	context
 * @dir:	directory path; missing parents are created
 * @uid:	expected owner
 *
 * Return: 0, or -errno with a message naming the directory and the fix
 */
int paths_mkdir_private(struct nc_ctx *ctx, const char *dir, uid_t uid)
{
	char tmp[PATH_MAX], fix[224];
	struct stat st;
	char *s;
	int ret;

	/* the usual case, every command: it is there, ours and private; the
	 * walk at the end is the whole check */
	if (!lstat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == uid && !(st.st_mode & 077))
		return trust_path(ctx, dir, dir, uid, getgid(), dir_fix(dir, fix, sizeof(fix)));
	/* every directory on the way first, before anything is made in one */
	snprintf(tmp, sizeof(tmp), "%s", dir);
	s = strrchr(tmp, '/');
	if (s && s > tmp) {
		*s = '\0';
		ret = trust_path(ctx, tmp, dir, uid, getgid(), dir_fix(dir, fix, sizeof(fix)));
		if (ret)
			return ret;
		snprintf(tmp, sizeof(tmp), "%s", dir);
	}
	for (s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			break;
		*s = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot create directory \"%s\": %s; check the permissions of its parent or set NETCELL_RUNTIME_DIR/NETCELL_STATE_DIR",
			       dir, strerror(errno));
	if (lstat(dir, &st))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot stat \"%s\": %s",
			       dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "directory \"%s\" is not a directory owned by uid %u (it is %s of uid %u); remove it (only root can, when another user made it in /tmp) or set NETCELL_RUNTIME_DIR/NETCELL_STATE_DIR to a private directory",
			       dir, (unsigned)uid,
			       S_ISLNK(st.st_mode) ? "a symbolic link" :
			       S_ISDIR(st.st_mode) ? "a directory" : "a file",
			       (unsigned)st.st_uid);
	if ((st.st_mode & 077) && chmod(dir, 0700))
		return ctx_err(ctx, -errno, NC_ERR_PERM,
			       "directory \"%s\" is open to other users and cannot be made private: %s",
			       dir, strerror(errno));
	/* and the whole way once more, the directory itself included: a
	 * parent swapped (or made by another user in a sticky directory)
	 * between the check above and the mkdirs put it elsewhere, and nothing
	 * has been used in it yet */
	return trust_path(ctx, dir, dir, uid, getgid(), dir_fix(dir, fix, sizeof(fix)));
}

/**
 * xdg_runtime_ok() - is $XDG_RUNTIME_DIR usable for @uid
 * @dir:	value of XDG_RUNTIME_DIR
 * @uid:	caller's uid
 *
 * Return: 1 if it is a directory owned by @uid with mode 0700
 */
static int xdg_runtime_ok(const char *dir, uid_t uid)
{
	struct stat st;

	if (!dir || dir[0] != '/' || stat(dir, &st))
		return 0;
	return S_ISDIR(st.st_mode) && st.st_uid == uid &&
	       (st.st_mode & 0777) == 0700;
}

/**
 * pick_dirs_rootless() - choose the runtime and state directories of a user
 * @p:		paths to fill
 */
static void pick_dirs_rootless(struct nc_paths *p)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *st = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	const char *cfg = getenv("XDG_CONFIG_HOME");

	if (xdg_runtime_ok(xdg, p->uid))
		snprintf(p->run, sizeof(p->run), "%s/netcell", xdg);
	else
		snprintf(p->run, sizeof(p->run), "/tmp/netcell-%u",
			 (unsigned)p->uid);
	if (st && st[0] == '/')
		snprintf(p->state, sizeof(p->state), "%s/netcell", st);
	else if (home && home[0] == '/' && access(home, W_OK) == 0)
		snprintf(p->state, sizeof(p->state), "%s/.local/state/netcell",
			 home);
	else
		snprintf(p->state, sizeof(p->state), "%s/state", p->run);
	if (cfg && cfg[0] == '/')
		snprintf(p->etc, sizeof(p->etc), "%s/netcell", cfg);
	else if (home && home[0] == '/')
		snprintf(p->etc, sizeof(p->etc), "%s/.config/netcell", home);
	else
		p->etc[0] = '\0';
}

/**
 * paths_resolve() - the caller's directories, as paths_get() has them,
 * neither made nor checked (a look that must change nothing: is a keeper
 * running)
 * @p:		filled in
 */
void paths_resolve(struct nc_paths *p)
{
	const char *env;

	memset(p, 0, sizeof(*p));
	p->uid = getuid();
	p->gid = getgid();
	p->rootless = p->uid != 0;
	if (p->rootless) {
		pick_dirs_rootless(p);
	} else {
		snprintf(p->run, sizeof(p->run), "/run/netcell");
		snprintf(p->state, sizeof(p->state), "/var/lib/netcell");
		snprintf(p->etc, sizeof(p->etc), "/etc/netns");
	}
	env = getenv("NETCELL_RUNTIME_DIR");
	if (env && env[0] == '/')
		snprintf(p->run, sizeof(p->run), "%s", env);
	env = getenv("NETCELL_STATE_DIR");
	if (env && env[0] == '/')
		snprintf(p->state, sizeof(p->state), "%s", env);
}

/**
 * paths_get() - resolve and create the caller's directories
 * @ctx:	context
 * @p:		filled in
 *
 * Return: 0 or -errno with a message
 */
int paths_get(struct nc_ctx *ctx, struct nc_paths *p)
{
	char cells[sizeof(p->state) + 8];
	int ret;

	paths_resolve(p);
	ret = paths_mkdir_private(ctx, p->run, p->uid);
	if (ret)
		return ret;
	snprintf(cells, sizeof(cells), "%s/cells", p->state);
	ret = paths_mkdir_private(ctx, p->state, p->uid);
	return ret ? ret : paths_mkdir_private(ctx, cells, p->uid);
}

/**
 * paths_cell_etc() - directory whose files are bind-mounted over /etc
 * @p:		caller's paths
 * @name:	cell name
 * @buf:	output, "" when the user has no such directory
 * @len:	size of @buf
 */
void paths_cell_etc(const struct nc_paths *p, const char *name, char *buf,
		    size_t len)
{
	if (!p->etc[0])
		buf[0] = '\0';
	else if (p->rootless)
		snprintf(buf, len, "%s/%s/etc", p->etc, name);
	else
		snprintf(buf, len, "%s/%s", p->etc, name);
}

/**
 * paths_remove_dir() - remove a flat directory: its files, then itself
 * @dir:	directory
 */
void paths_remove_dir(const char *dir)
{
	char path[PATH_MAX * 2];
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	rmdir(dir);
}

/**
 * paths_remove_below() - remove a directory's entries, no link followed
 * @fd:		the directory, opened O_DIRECTORY|O_NOFOLLOW (consumed)
 * @depth:	how many levels further down to go
 */
void paths_remove_below(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int sub;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!unlinkat(fd, e->d_name, 0) || errno != EISDIR || depth <= 0)
			continue;
		/* a directory: never a link followed out of the tree */
		sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			paths_remove_below(sub, depth - 1);
		unlinkat(fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/**
 * paths_remove_tree() - remove a directory and everything in it, no link
 * followed (at most 64 levels)
 * @dir:	directory
 */
void paths_remove_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	paths_remove_below(fd, 64);
	rmdir(dir);
}

/**
 * paths_keeper_addr() - the keeper's socket address, STATE/keeper.sock
 * @ctx:	context
 * @p:		the user's directories
 * @sa:		filled in
 *
 * The socket lives in the state directory, not the runtime one: the state
 * directory is the same for every login of the user (a login without
 * XDG_RUNTIME_DIR, as after su, gets /tmp/netcell-UID as its runtime
 * directory) and survives logind wiping the runtime directory at the last
 * logout, so every command finds the one keeper that holds the user's
 * cells.
 *
 * Return: 0, or -ENAMETOOLONG with a message
 */
int paths_keeper_addr(struct nc_ctx *ctx, const struct nc_paths *p,
		      struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/keeper.sock",
			     p->state) >= sizeof(sa->sun_path))
		return ctx_err(ctx, -ENAMETOOLONG, NC_ERR_PERM,
			       "the state directory \"%s\" is too long a path for the keeper's socket (at most %zu characters); set NETCELL_STATE_DIR or XDG_STATE_HOME to a shorter one",
			       p->state, sizeof(sa->sun_path) - 13);
	return 0;
}

/**
 * paths_fast_dir() - RUN/fast-DEV-INO: where the keeper of this state
 * directory (its device and inode) writes the files that let commands
 * open its rootless cells' namespaces themselves (keeper/kfast.c); keyed
 * by the state directory, so two keepers sharing a runtime directory
 * never read each other's
 * @p:		the user's directories
 * @buf:	result
 * @len:	size of @buf
 *
 * Return: 0 or -errno (the state directory cannot be read)
 */
int paths_fast_dir(const struct nc_paths *p, char *buf, size_t len)
{
	struct stat st;

	if (stat(p->state, &st))
		return -errno;
	snprintf(buf, len, "%s/fast-%llx-%llx", p->run, (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	return 0;
}

/**
 * paths_host_lock() - take RUN/host-tables.lock: root's host nftables
 * tables of netcell (the kernel-carried ports' ip netcell_ports_*) are
 * written by the keeper and kept through a host firewall load by the fw
 * commands, which lists them first; the lock keeps a cell's table from
 * being deleted between that listing and the load (which would bring it
 * back)
 * @p:		the user's directories (root's)
 *
 * Return: the locked descriptor (close it to unlock), or -errno
 */
int paths_host_lock(const struct nc_paths *p)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/host-tables.lock", p->run);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	return fd;
}
