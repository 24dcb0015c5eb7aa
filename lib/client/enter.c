// SPDX-License-Identifier: MIT
/*
 * enter.c - moving the calling process into a cell
 *
 * Theory of operation: nc_enter() does what "ip netns exec" and
 * "nsenter --user --net" do before they exec, in the calling process, so
 * the caller execs the command itself and its exit status and signals need
 * no relaying.  Steps:
 *   1. ask the keeper for the namespace descriptors (SCM_RIGHTS);
 *   2. rootless: join the hub user namespace first (we own it, so we are
 *      its root, with every capability inside it), then the network
 *      namespace, which the hub owns;
 *   3. a private mount namespace, a fresh sysfs (so /sys/class/net shows
 *      the cell's links) and the cell's /etc files bound over /etc;
 *   4. NETCELL_CELL and XTABLES_LOCKFILE (a lock file the user owns, so
 *      iptables stops failing on /run/xtables.lock);
 *   5. --as-user: rootless, a nested user namespace mapping the caller's own
 *      uid onto the hub's root; the command then runs with that uid and,
 *      after execve as non-root, no capabilities (capabilities(7)).  As
 *      root: an empty bounding set, so execve leaves no capabilities.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "client/client.h"
#include "base/diag.h"
#include "base/trust.h"
#include "kernel/ns.h"
#include "net/uplink.h"

/**
 * join() - setns() into a namespace, with a clear message on failure
 * @ctx:	context
 * @fd:		namespace descriptor
 * @type:	CLONE_NEWUSER or CLONE_NEWNET
 * @name:	cell name, for the message
 *
 * Return: 0 or -errno with a message
 */
static int join(struct nc_ctx *ctx, int fd, int type, const char *name)
{
	if (!setns(fd, type))
		return 0;
	return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
		       "cannot enter the %s namespace of cell \"%s\": %s",
		       type == CLONE_NEWUSER ? "user" : "network", name,
		       strerror(errno));
}

/**
 * bind_etc() - bind each file of the cell's etc directory over /etc
 * @dir:	the cell's etc directory; absent is fine
 *
 * As ip-netns does, one bind per entry, so the rest of /etc stays visible;
 * an entry with no counterpart in /etc is skipped.
 */
static void bind_etc(const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX];
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", e->d_name);
		if (access(dst, F_OK))
			continue;
		mount(src, dst, "none", MS_BIND, NULL);
	}
}

/**
 * private_mounts() - own mount namespace, fresh sysfs, /etc overlay
 * @ctx:	context
 * @etc:	the cell's etc directory
 * @resolv:	the uplink's resolv.conf, "" when none
 *
 * Return: 0 or -errno with a message
 */
static int private_mounts(struct nc_ctx *ctx, const char *etc, const char *resolv)
{
	if (unshare(CLONE_NEWNS))
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot create a mount namespace: %s",
			       strerror(errno));
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL))
		return ctx_err(ctx, -errno, NC_ERR_FAILED,
			       "cannot make / a slave mount: %s", strerror(errno));
	/* best effort, as ip-netns: a rootless caller may not unmount the
	 * host's /sys (it is locked), but may mount a new one on top */
	umount2("/sys", MNT_DETACH);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/* the uplink's resolver first, so the user's own etc files win */
	if (resolv[0])
		mount(resolv, "/etc/resolv.conf", "none", MS_BIND, NULL);
	if (etc[0])
		bind_etc(etc);
	return 0;
}

/**
 * drop_caps_root() - leave uid 0 without capabilities after execve
 *
 * Return: 0 or -errno
 */
static int drop_caps_root(void)
{
	long last = CAP_LAST_CAP;
	int c;

	diag_read_sysctl("kernel.cap_last_cap", &last);
	for (c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

/**
 * as_user() - become the caller's own uid, without capabilities
 * @ctx:	context
 * @p:		the caller's paths (uid, gid, mode)
 *
 * Return: 0 or -errno with a message
 */
static int as_user(struct nc_ctx *ctx, const struct nc_paths *p)
{
	int ret;

	if (!p->rootless) {
		ret = drop_caps_root();
		return ret ? ctx_err(ctx, ret, NC_ERR_FAILED,
				     "cannot drop capabilities: %s",
				     strerror(-ret)) : 0;
	}
	if (unshare(CLONE_NEWUSER))
		return diag_userns_failure(ctx, -errno);
	return ns_map_self(ctx, p->uid, 0, p->gid, 0);
}

/**
 * set_cell_env() - the environment of commands run in a cell
 * @p:		the caller's paths
 * @name:	cell name
 */
static void set_cell_env(const struct nc_paths *p, const char *name)
{
	char lock[PATH_MAX];

	snprintf(lock, sizeof(lock), "%s/xtables.lock", p->run);
	setenv("NETCELL_CELL", name, 1);
	setenv("XTABLES_LOCKFILE", lock, 1);
}

/**
 * check_cell_etc() - the cell's etc directory, if the user has one that no
 * one else can change
 * @ctx:	context
 * @p:		the caller's paths
 * @etc:	in: the directory's path (paths_cell_etc()); out: the
 *		directory's real path, checked, or "" when there is none
 * @len:	size of @etc
 *
 * Its files are bound over /etc: whoever can change them decides the
 * cell's hosts and resolver (XDG_CONFIG_HOME set to another user's
 * directory).  A directory that is not there (or cannot be reached: a
 * HOME of another user's after su) binds nothing, whatever the
 * directories on its way.  One that is there is opened first (O_PATH),
 * then its path as given and the path of what was opened are checked
 * (trust_path()); the binds are made from the latter, reached only
 * through directories no one else can change.  (Not from the descriptor:
 * the binds are made in a new mount namespace, and the kernel does not
 * bind a mount of another one.)
 *
 * Return: 0, or -errno with a message (-EPERM: exit 5)
 */
static int check_cell_etc(struct nc_ctx *ctx, const struct nc_paths *p, char *etc,
			  size_t len)
{
	const char *fix = p->rootless ?
		"set XDG_CONFIG_HOME to a directory whose directories on the way are yours or root's and writable by no one else, or remove this one" :
		NULL;
	_cleanup_close_ int fd = -1;
	char link[64], real[PATH_MAX];
	ssize_t n;
	int ret;

	if (!etc[0])
		return 0;
	fd = open(etc, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EACCES)) {
		etc[0] = '\0';
		return 0;
	}
	if (fd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot open the cell's etc directory \"%s\": %s; check it or set XDG_CONFIG_HOME",
			       etc, strerror(errno));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot read \"%s\": %s", link,
			       strerror(errno));
	real[n] = '\0';
	ret = trust_path(ctx, etc, etc, p->uid, p->gid, fix);
	if (!ret)
		ret = trust_path(ctx, real, etc, p->uid, p->gid, fix);
	if (!ret)
		snprintf(etc, len, "%s", real);
	return ret;
}

/**
 * nc_enter() - move the calling process into a cell
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_ENTER_AS_USER to keep the caller's uid, no capabilities
 *
 * The caller must be single-threaded (setns(2) of a user namespace), and
 * is expected to execve() next.
 *
 * Return: 0 or -errno with a message
 */
int nc_enter(struct nc_ctx *ctx, const char *name, unsigned flags)
{
	struct nc_cell_info info;
	char etc[PATH_MAX], resolv[PATH_MAX];
	struct nc_paths p;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	ret = paths_get(ctx, &p);
	if (ret)
		return ret;
	paths_cell_etc(&p, name, etc, sizeof(etc));
	ret = check_cell_etc(ctx, &p, etc, sizeof(etc));
	if (ret)
		return ret;
	ret = cell_get(ctx, name, &info, fds, &nfds);
	if (ret)
		return ret;
	if (nfds != (p.rootless ? 2 : 1)) {
		ret = ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
			      "the keeper sent %d namespace descriptors", nfds);
		goto out;
	}
	if (p.rootless)
		ret = join(ctx, fds[0], CLONE_NEWUSER, name);
	if (!ret)
		ret = join(ctx, fds[nfds - 1], CLONE_NEWNET, name);
	uplink_resolv(p.state, name, resolv, sizeof(resolv));
	if (!ret)
		ret = private_mounts(ctx, etc, resolv);
	if (!ret && (flags & NC_ENTER_AS_USER))
		ret = as_user(ctx, &p);
	if (!ret)
		set_cell_env(&p, name);
out:
	for (nfds--; nfds >= 0; nfds--)
		close(fds[nfds]);
	if (ctx->kfd >= 0) {
		close(ctx->kfd);
		ctx->kfd = -1;
	}
	return ret;
}
