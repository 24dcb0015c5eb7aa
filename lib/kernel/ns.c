// SPDX-License-Identifier: MIT
/*
 * ns.c - making and holding namespaces
 *
 * Theory of operation: a network namespace lives as long as something refers
 * to it: a process, an open descriptor or a bind mount.  The keeper holds
 * each cell's namespace as an open descriptor; for root it is also
 * bind-mounted at /run/netns/NAME, as ip-netns does, so other tools find it.
 *
 * A namespace is made in a short-lived thread (unshare, bring up lo with
 * "BIG TCP" packets, open /proc/thread-self/ns/net) rather than in the
 * keeper's main thread: the keeper must stay in the host's network
 * namespace to serve the host side of forwards, and a rootless keeper
 * could never setns() back into the host's namespace, which belongs to the
 * initial user namespace.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include "base/diag.h"
#include "kernel/netlink.h"
#include "kernel/ns.h"


/* a cell's loopback packet size: 0, the kernel's default (64 KiB).
 * "BIG TCP" (524280, loopback's tso_max_size) was measured better on an
 * earlier kernel; on 6.18, side by side in one session (bench/ports.sh,
 * bench/uplink.sh, two builds, interleaved runs), published ports moved
 * 11.8-12.1 Gbit/s with it and 15.6-16.5 without, at more CPU in all
 * (the in-cell server sends its ACKs and the data queued behind them in
 * 512 KiB units), and cell -> host loopback was the same either way.
 * Build with -DNS_LO_GSO_MAX=524280 to measure it again. */
#ifndef NS_LO_GSO_MAX
#define NS_LO_GSO_MAX	0
#endif

/**
 * ns_write_file() - write a short string to a file such as /proc/self/uid_map
 * @path:	file
 * @text:	contents
 *
 * Return: 0 or -errno
 */
int ns_write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return -errno;
	return 0;
}

/**
 * ns_map_self() - write this process's one-line uid and gid maps
 * @ctx:	context
 * @inside:	uid inside the new user namespace
 * @outside:	uid it maps to in the parent namespace
 * @ginside:	gid inside
 * @goutside:	gid outside
 *
 * An unprivileged process may map exactly its own ids, once, and only
 * after denying setgroups(2) (user_namespaces(7), since Linux 3.19).
 *
 * Return: 0 or -errno with a message
 */
int ns_map_self(struct nc_ctx *ctx, uid_t inside, uid_t outside,
		gid_t ginside, gid_t goutside)
{
	char map[64];
	int ret;

	ret = ns_write_file("/proc/self/setgroups", "deny");
	if (ret && ret != -ENOENT)
		return diag_userns_failure(ctx, ret);
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)inside,
		 (unsigned)outside);
	ret = ns_write_file("/proc/self/uid_map", map);
	if (ret)
		return diag_userns_failure(ctx, ret);
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)ginside,
		 (unsigned)goutside);
	ret = ns_write_file("/proc/self/gid_map", map);
	return ret ? diag_userns_failure(ctx, ret) : 0;
}

/**
 * ns_become_userns_root() - move into a new user namespace as its root
 * @ctx:	context
 * @uid:	our uid outside
 * @gid:	our gid outside
 *
 * Return: 0 or -errno with the diagnosed cause
 */
int ns_become_userns_root(struct nc_ctx *ctx, uid_t uid, gid_t gid)
{
	if (unshare(CLONE_NEWUSER))
		return diag_userns_failure(ctx, -errno);
	return ns_map_self(ctx, 0, uid, 0, gid);
}

/**
 * ns_is_netns_file() - does a path refer to a network namespace
 * @path:	e.g. /run/netns/NAME
 *
 * Return: 1 if it is an nsfs file (a bound namespace), else 0
 */
int ns_is_netns_file(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == NSFS_MAGIC;
}

/**
 * big_tcp_kernel() - does the kernel take "BIG TCP" sizes for IPv4 too
 *
 * From 6.3 on; before, IPv6 alone had them, with fixes still coming, and a
 * cell's loopback keeps its defaults there.
 *
 * Return: 1 if so
 */
static int big_tcp_kernel(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 3);
}

/**
 * child_make_net() - in a fresh thread: new netns, lo up, optional bind
 * @ctx:	context, for the message
 * @bind_at:	path to bind the namespace at, or NULL
 *
 * Return: a descriptor of the new namespace, or -errno with a message
 */
static int child_make_net(struct nc_ctx *ctx, const char *bind_at)
{
	struct mnl_socket *nl;
	int ret, fd;

	if (unshare(CLONE_NEWNET))
		return diag_netns_failure(ctx, -errno);
	nl = nl_open(ctx);
	if (!nl)
		return -EIO;
	ret = nl_link_up_big(ctx, nl, 1, big_tcp_kernel() ? NS_LO_GSO_MAX : 0);
	mnl_socket_close(nl);
	if (ret)
		return ctx_wrap(ctx, ret, "cannot bring up loopback");
	if (bind_at && mount("/proc/thread-self/ns/net", bind_at, "none", MS_BIND, NULL))
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot bind the namespace at \"%s\": %s",
			       bind_at, strerror(errno));
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED,
			       "cannot open /proc/thread-self/ns/net: %s",
			       strerror(errno));
	return fd;
}

/**
 * struct make_job - what make_thread() gets and gives back
 * @ctx:	the caller's context, for the message
 * @bind_at:	path to bind the namespace at, or NULL
 * @fd:		result: descriptor, or -errno
 */
struct make_job {
	struct nc_ctx *ctx;
	const char *bind_at;
	int fd;
};

/**
 * make_thread() - the short-lived thread that makes a namespace
 * @arg:	struct make_job
 *
 * Return: NULL
 */
static void *make_thread(void *arg)
{
	struct make_job *j = arg;

	j->fd = child_make_net(j->ctx, j->bind_at);
	return NULL;
}

/**
 * ns_new_net() - create a network namespace with loopback up
 * @ctx:	context
 * @bind_at:	path of an existing empty file to bind it at, or NULL
 * @fd:		descriptor of the new namespace
 *
 * The work is done by a short-lived thread: unshare(CLONE_NEWNET) moves
 * only the calling thread, so the caller (the keeper, whose sockets live in
 * the host's namespace) stays where it is, and the descriptor the thread
 * opens is already the caller's.  A fork would cost more on every create.
 *
 * Return: 0 or -errno with a message
 */
int ns_new_net(struct nc_ctx *ctx, const char *bind_at, int *fd)
{
	struct make_job j = { ctx, bind_at, -1 };
	pthread_t t;
	int ret;

	ret = pthread_create(&t, NULL, make_thread, &j);
	if (ret)
		return ctx_err(ctx, -ret, NC_ERR_FAILED, "cannot start a thread: %s",
			       strerror(ret));
	pthread_join(t, NULL);
	if (j.fd < 0)
		return j.fd;
	*fd = j.fd;
	return 0;
}
