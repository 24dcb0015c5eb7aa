// SPDX-License-Identifier: MIT
/*
 * kpeer.c - who may talk to the keeper
 *
 * Theory of operation: the keeper's socket lives in a directory only its
 * uid can enter, but every process of that uid can connect, including one
 * started in a cell: "netcell exec CELL --as-user" gives a command no
 * capabilities, and without this check it could still ask the keeper to
 * create root cells, publish host ports or delete other cells.  A cell
 * never manages cells.  A client is refused (NC_ERR_PERM, exit 5) when:
 *
 *  - its uid is not the keeper's (the directory should already stop it);
 *  - its network namespace is one of the keeper's cells, or the hub;
 *  - rootless: its user namespace is the hub (the cells' owner) or one
 *    nested in it, as --as-user makes, whatever network namespace it
 *    made itself there afterwards;
 *  - root: its user namespace is not the keeper's, or it lacks
 *    CAP_NET_ADMIN or CAP_SYS_ADMIN in its effective set (root with an
 *    emptied bounding set, as --as-user leaves it): the keeper acts with
 *    both on its behalf.
 *
 * The peer is read from /proc/PID, PID from SO_PEERCRED (as of connect()).
 * A rootless keeper lives in the hub user namespace, and the kernel lets
 * a process open another's /proc/PID/ns/ files only from the same user
 * namespace or with CAP_SYS_PTRACE over the other's (commoncap's
 * cap_ptrace_access_check()): so a rootless keeper forks, before it
 * leaves the user's own namespace, a small helper ("netcell-peer") that
 * stays there, opens those two files for it and passes them back over a
 * socketpair; the helper dies with the keeper (PR_SET_PDEATHSIG).
 * A PID can be reused once its process is gone, so the keeper first pins
 * the process with SO_PEERPIDFD (Linux 6.5) and checks after reading /proc
 * that the pinned process still lives, which means the PID was still its
 * own.  On older kernels that check is skipped: a client that exits right
 * after connect() and whose PID is taken by another process of the same
 * uid in that instant is judged by the newcomer, a window we accept there.
 */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "keeper/keeper_int.h"
#include "keeper/kpeer.h"
#include "base/proto.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define CAP_BIT_NET_ADMIN 12
#define CAP_BIT_SYS_ADMIN 21

/**
 * same_file() - do two descriptors refer to the same namespace
 * @a:		stat of one
 * @fd:		the other
 *
 * Return: 1 if so
 */
static int same_file(const struct stat *a, int fd)
{
	struct stat b;

	return fd >= 0 && !fstat(fd, &b) && a->st_dev == b.st_dev &&
	       a->st_ino == b.st_ino;
}

/**
 * open_ns() - open the network and user namespaces of a process
 * @pid:	process
 * @fds:	output: net, user
 *
 * Return: 0 or -errno
 */
static int open_ns(pid_t pid, int fds[2])
{
	static const char *const type[2] = { "net", "user" };
	char path[64];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = -errno;

			if (i)
				close(fds[0]);
			return err;
		}
	}
	return 0;
}

/**
 * helper() - the rootless keeper's helper: open namespaces on request
 * @sock:	its end of the socketpair
 */
static void __attribute__((noreturn)) helper(int sock)
{
	char req[32];
	int fds[2], ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "netcell-peer");
	if (getppid() == 1)
		_exit(0);
	while (proto_recv(sock, req, sizeof(req), NULL, NULL) > 0) {
		ret = open_ns((pid_t)strtol(req, NULL, 10), fds);
		if (ret) {
			snprintf(req, sizeof(req), "%d", ret);
			proto_send(sock, req, strlen(req), NULL, 0);
			continue;
		}
		proto_send(sock, "0", 1, fds, 2);
		close(fds[0]);
		close(fds[1]);
	}
	_exit(0);
}

/**
 * kpeer_helper_start() - fork the helper, while still in the user's own
 * user namespace
 * @k:		keeper; @k->peerfd set
 *
 * Return: 0 or -errno
 */
int kpeer_helper_start(struct keeper *k)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (!pid) {
		close_range(0, (unsigned)sv[1] - 1, 0);
		close_range((unsigned)sv[1] + 1, ~0U, 0);
		helper(sv[1]);
	}
	close(sv[1]);
	k->peerfd = sv[0];
	return 0;
}

/**
 * peer_ns() - the network and user namespaces of the peer
 * @k:		keeper
 * @pid:	peer
 * @fds:	output: net, user
 *
 * Return: 0 or -errno
 */
static int peer_ns(const struct keeper *k, pid_t pid, int fds[2])
{
	char buf[32];
	int n = 2;
	ssize_t len;

	if (k->peerfd < 0)
		return open_ns(pid, fds);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (proto_send(k->peerfd, buf, strlen(buf), NULL, 0))
		return -EIO;
	len = proto_recv(k->peerfd, buf, sizeof(buf), fds, &n);
	if (len <= 0 || (n != 2 && n > 0)) {
		while (n-- > 0)
			close(fds[n]);
		return -EIO;
	}
	if (n == 2)
		return 0;
	len = strtol(buf, NULL, 10);
	/* "0" without descriptors: they were dropped, we have no room */
	return len < 0 ? (int)len : -EMFILE;
}

/**
 * in_cell() - the cell whose network namespace the peer is in
 * @k:		keeper
 * @netfd:	the peer's network namespace
 * @what:	output: the cell's name, or "the hub"
 * @len:	size of @what
 *
 * Return: 1 if in a cell or the hub, 0 if not, -errno if unreadable
 */
static int in_cell(const struct keeper *k, int netfd, char *what, size_t len)
{
	struct stat st;
	size_t i;

	if (fstat(netfd, &st))
		return -errno;
	for (i = 0; i < k->n; i++) {
		if (same_file(&st, k->cells[i].netfd)) {
			snprintf(what, len, "cell \"%s\"", k->cells[i].conf.name);
			return 1;
		}
	}
	if (same_file(&st, k->hubfd)) {
		snprintf(what, len, "the hub");
		return 1;
	}
	return 0;
}

/**
 * under_hub() - is the peer's user namespace the keeper's own (the hub of
 * a rootless keeper) or one nested in it
 * @userfd:	the peer's user namespace, closed here
 *
 * NS_GET_PARENT answers EPERM once the parent is outside the caller's
 * namespace, so the walk ends at the hub or above it.
 *
 * Return: 1 if so, 0 if not, -errno if unreadable
 */
static int under_hub(int userfd)
{
	_cleanup_close_ int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	struct stat st;
	int fd = userfd, parent, depth;

	if (self < 0 || fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	for (depth = 0; depth < 33; depth++) {	/* the kernel nests 32 */
		if (same_file(&st, self))
			break;
		parent = ioctl(fd, NS_GET_PARENT);
		close(fd);
		fd = parent;
		if (fd < 0 || fstat(fd, &st))
			break;
	}
	if (fd < 0)
		return 0;
	close(fd);
	return depth < 33 && same_file(&st, self);
}

/**
 * root_privileged() - does a root peer hold what the keeper acts with:
 * the keeper's user namespace, CAP_NET_ADMIN and CAP_SYS_ADMIN
 * @pid:	peer
 * @userfd:	its user namespace, closed here
 *
 * Return: 1 if so, 0 if not, -errno if unreadable
 */
static int root_privileged(pid_t pid, int userfd)
{
	unsigned long long need = (1ULL << CAP_BIT_NET_ADMIN) |
				  (1ULL << CAP_BIT_SYS_ADMIN), eff = 0;
	_cleanup_close_ int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int ufd = userfd;
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[256];
	struct stat st;
	int found = 0;

	if (fstat(ufd, &st))
		return -errno;
	if (!same_file(&st, self))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	return found && (eff & need) == need;
}

/**
 * pinned_alive() - is the process pinned by @pidfd still alive
 * @pidfd:	from SO_PEERPIDFD, -1 when the kernel has none
 *
 * Return: 1 if alive or unknown (no pidfd), else 0
 */
static int pinned_alive(int pidfd)
{
	if (pidfd < 0)
		return 1;
	return !syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
}

/**
 * kpeer_err_nofd() - the error for a client the keeper has no descriptor for
 * @k:		keeper
 * @ctx:	context
 *
 * Return: -EMFILE with the message
 */
int kpeer_err_nofd(const struct keeper *k, struct nc_ctx *ctx)
{
	return ctx_err(ctx, -EMFILE, NC_ERR_FAILED,
		       "the keeper is out of file descriptors (%d clients connected); close other netcell commands, remove published ports, or raise the limit (ulimit -Hn) before the keeper starts",
		       k->nclients);
}

/**
 * kpeer_check() - may the client on @sock talk to the keeper
 * @k:		keeper
 * @ctx:	context for the refusal
 * @sock:	accepted socket
 *
 * Return: 0 if it may, else -EPERM with a message (NC_ERR_PERM)
 */
int kpeer_check(const struct keeper *k, struct nc_ctx *ctx, int sock)
{
	_cleanup_close_ int pidfd = -1, netfd = -1;
	socklen_t len = sizeof(struct ucred);
	char what[NC_NAME_MAX + 16];
	int cell, ok, fds[2];
	struct ucred cr;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "the keeper cannot tell who is asking: %s",
			       strerror(errno));
	/* in our own user namespace's terms: a rootless keeper's uid is 0 */
	if (cr.uid != getuid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "the keeper of uid %u serves no other uid",
			       (unsigned)k->p.uid);
	len = sizeof(pidfd);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		pidfd = -1;
	cell = peer_ns(k, cr.pid, fds);
	if (cell == -EMFILE || cell == -ENFILE)
		return kpeer_err_nofd(k, ctx);
	if (cell)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refused: the keeper cannot inspect the requesting process %d: %s; run netcell from a normal shell on the host",
			       (int)cr.pid, strerror(-cell));
	netfd = fds[0];
	cell = in_cell(k, netfd, what, sizeof(what));
	if (cell > 0) {
		close(fds[1]);
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refused: this process runs in %s, and a cell may not manage cells; run netcell on the host",
			       what);
	}
	if (k->p.rootless) {
		ok = under_hub(fds[1]);
		ok = ok < 0 ? ok : !ok;
	} else {
		ok = root_privileged(cr.pid, fds[1]);
	}
	if (ok == -EMFILE || ok == -ENFILE || cell == -EMFILE || cell == -ENFILE)
		return kpeer_err_nofd(k, ctx);
	if (cell < 0 || ok < 0 || !pinned_alive(pidfd))
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refused: the keeper cannot inspect the requesting process %d; run netcell from a normal shell on the host",
			       (int)cr.pid);
	if (!ok && k->p.rootless)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refused: this process was started in a cell (it runs in the cells' user namespace), and a cell may not manage cells; run netcell on the host");
	if (!ok)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "refused: this process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN, or runs in another user namespace (as 'netcell exec --as-user' leaves it), and the keeper would act with them; run netcell as root with full privileges");
	return 0;
}
