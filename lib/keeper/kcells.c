// SPDX-License-Identifier: MIT
/*
 * kcells.c - the keeper's table of cells: their namespaces and requests
 *
 * Theory of operation: each cell of the user is a struct kcell in the
 * keeper's table, holding its saved configuration and an open descriptor
 * of its network namespace; a root cell is also bound at /run/netns/NAME,
 * so `ip netns` and other tools see it.  This file makes and drops those
 * namespaces and answers the requests that read or change the table
 * (CREATE, DELETE, GET with the namespace descriptors, LIST in pages, GC,
 * LINK).  The keeper's loop (keeper.c) dispatches to these; they run one
 * at a time, which serialises every change to a user's cells.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include "base/gc.h"
#include "net/hub.h"
#include "keeper/keeper_int.h"
#include "net/kdnat.h"
#include "net/link.h"
#include "kernel/ns.h"
#include "kernel/nspids.h"
#include "base/proto.h"

#define NETNS_RUN_DIR "/run/netns"

/**
 * find() - look a cell up by name
 * @k:		keeper
 * @name:	cell name
 *
 * Return: the cell or NULL
 */
struct kcell *find(struct keeper *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->cells[i].conf.name, name))
			return &k->cells[i];
	return NULL;
}

/**
 * no_cell() - the error for a cell name that is not in the table
 * @ctx:	context
 * @name:	cell name
 *
 * Return: -ENOENT, kind NC_ERR_NOCELL
 */
int no_cell(struct nc_ctx *ctx, const char *name)
{
	return ctx_err(ctx, -ENOENT, NC_ERR_NOCELL,
		       "no cell \"%s\"; 'netcell list' shows the cells", name);
}

/**
 * bind_path() - where a root cell is bound, as ip-netns expects
 * @name:	cell name
 * @buf:	output
 * @len:	size of @buf
 */
static void bind_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, NETNS_RUN_DIR "/%s", name);
}

/**
 * kcell_netns_dir_prepare() - make /run/netns a shared mount, as iproute2 does
 * @ctx:	context
 *
 * Bind mounts made below it must propagate to every mount namespace, or
 * "ip netns exec" from another namespace would see an empty file.
 *
 * Return: 0 or -errno with a message
 */
int kcell_netns_dir_prepare(struct nc_ctx *ctx)
{
	int made = 0;

	if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return ctx_err(ctx, -errno, NC_ERR_PERM, "cannot create %s: %s",
			       NETNS_RUN_DIR, strerror(errno));
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
		if (errno != EINVAL || made)
			return ctx_err(ctx, -errno, NC_ERR_PERM,
				       "cannot make %s a shared mount: %s",
				       NETNS_RUN_DIR, strerror(errno));
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
			  NULL))
			return ctx_err(ctx, -errno, NC_ERR_PERM,
				       "cannot bind %s onto itself: %s",
				       NETNS_RUN_DIR, strerror(errno));
		made = 1;
	}
	return 0;
}

/**
 * unbind() - remove a root cell's /run/netns entry
 * @name:	cell name
 */
void unbind(const char *name)
{
	char path[PATH_MAX];

	bind_path(name, path, sizeof(path));
	umount2(path, MNT_DETACH);
	unlink(path);
}

/**
 * make_netns() - create the network namespace of a cell
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @reuse:	root only: adopt an existing /run/netns/NAME (rebuild)
 * @fd:		namespace descriptor
 * @fresh:	set when the namespace is new, cleared when adopted
 *
 * A rootless cell takes a namespace of the pool when one is ready
 * (nspool_fill() made it exactly as ns_new_net() makes one here).
 *
 * Return: 0 or -errno with a message; nothing is left behind on failure
 */
int make_netns(struct keeper *k, struct nc_ctx *ctx, const char *name,
	       int reuse, int *fd, int *fresh)
{
	char path[PATH_MAX];
	int pfd, ret;

	*fresh = 1;
	if (k->p.rootless) {
		k->nspool_want = 1;
		if (k->nspool_n) {
			*fd = k->nspool[--k->nspool_n];
			return 0;
		}
		return ns_new_net(ctx, NULL, fd);
	}
	bind_path(name, path, sizeof(path));
	if (reuse && ns_is_netns_file(path)) {
		*fresh = 0;
		*fd = open(path, O_RDONLY | O_CLOEXEC);
		return *fd < 0 ? ctx_err(ctx, -errno, NC_ERR_FAILED,
					 "cannot open \"%s\": %s", path,
					 strerror(errno)) : 0;
	}
	if (!reuse && !access(path, F_OK))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cell \"%s\": a network namespace of that name exists already (see 'ip netns list'); pick another name",
			       name);
	/* until the cell is saved, a tombstone tells a keeper that follows a
	 * crash to remove the binding (keeper_forget()): written before the
	 * binding exists, so no crash leaves one that nothing removes (a
	 * tombstone without a binding costs that keeper nothing) */
	if (!reuse)
		store_tombstone_new(k->p.state, name);
	pfd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (pfd < 0) {
		int e = errno;

		if (!reuse)	/* not ours: the tombstone must not remove it */
			store_bury(k->p.state, name);
		if (e == EEXIST)
			return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
				       "cell \"%s\": a network namespace of that name exists already (see 'ip netns list'); pick another name",
				       name);
		return ctx_err(ctx, -e, ctx_kind_of_errno(-e), "cannot create \"%s\": %s", path,
			       strerror(e));
	}
	close(pfd);
	ret = ns_new_net(ctx, path, fd);
	if (ret)
		unlink(path);
	return ret;
}

/**
 * add_cell() - append a cell to the table
 * @k:		keeper
 * @c:		its configuration
 * @netfd:	its namespace, owned by the table from now on
 * @owner:	client an ephemeral cell is bound to, or -1
 *
 * Return: 0 or -ENOMEM
 */
int add_cell(struct keeper *k, const struct cell_conf *c, int netfd,
	     int owner)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		struct kcell *t = realloc(k->cells, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		k->cells = t;
		k->cap = cap;
	}
	memset(&k->cells[k->n], 0, sizeof(k->cells[k->n]));
	k->cells[k->n].conf = *c;
	k->cells[k->n].netfd = netfd;
	k->cells[k->n].owner = owner;
	k->cells[k->n].kdslot = -1;
	k->n++;
	return 0;
}

/**
 * kcell_busy() - refuse to delete a cell that still has processes
 * @k:		keeper
 * @ctx:	context (the message)
 * @c:		cell
 *
 * A process is in the cell when its /proc/PID/ns/net is the cell's
 * namespace; the keeper's own children (netcell-sock) go with the cell
 * and do not count.  /proc is read as the keeper, which is the user (or
 * root): the user's processes are the only ones that can be in a rootless
 * cell.  A namespace never handed out (no GET or LIST since a rootless
 * create) cannot hold any other process: no scan then.  Checked inside
 * the DELETE request, so no process can enter between check and delete.
 *
 * Return: 0 when the cell may go, else -EBUSY with a message naming them
 */
int kcell_busy(struct keeper *k, struct nc_ctx *ctx, const struct kcell *c)
{
	char comm[32], list[512] = "";
	pid_t *pids = NULL;
	struct stat ns;
	size_t n = 0, i, at = 0;

	(void)k;
	if (c->hidden || fstat(c->netfd, &ns) || ns_pids(&ns, getpid(), &pids, &n) || !n) {
		free(pids);
		return 0;
	}
	for (i = 0; i < n && i < 8; i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%d (%s)", i ? ", " : "",
				       (int)pids[i], ns_pid_comm(pids[i], comm, sizeof(comm)));
	if (n > 8)
		snprintf(list + at, sizeof(list) - at, " and %zu more", n - 8);
	free(pids);
	return ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
		       "cannot delete cell \"%s\": %zu process%s still in it: %s; stop %s, or run 'netcell delete --force %s'",
		       c->conf.name, n, n == 1 ? "" : "es", list, n == 1 ? "it" : "them",
		       c->conf.name);
}

/**
 * kcell_drop() - remove a cell: saved configuration, binding, descriptor
 * @k:		keeper
 * @ctx:	context
 * @c:		cell in the table
 *
 * The configuration becomes a tombstone first (one rename), then what
 * depends on the cell goes, the tombstone last: a crash at any step
 * leaves the whole cell (before the rename) or none (a new keeper
 * finishes the removal), never a half that a new cell of the same name
 * would inherit.
 *
 * Return: 0 or -errno with a message; the cell stays if its saved
 * configuration cannot be removed
 */
int kcell_drop(struct keeper *k, struct nc_ctx *ctx, struct kcell *c)
{
	int ret = store_tombstone(k->p.state, c->conf.name);

	if (ret && ret != -ENOENT)
		return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
			       "cannot remove the saved configuration of cell \"%s\": %s",
			       c->conf.name, strerror(-ret));
	if (c->hubaddr[0])
		hub_detach(k->hubfd, c->hubaddr);
	keeper_forget(k, c->conf.name, 1);
	if (c->kdslot >= 0) {
		int lock = paths_host_lock(&k->p);	/* not while a host firewall loads */

		kdnat_down(c->conf.name, &c->kdslot);
		if (lock >= 0)
			close(lock);
	}
	fwd_cell_free(c->fc);
	kfast_withdraw(k, c);
	close(c->netfd);
	*c = k->cells[--k->n];
	if (k->hubfd >= 0 && !hub_users(k))
		hub_stop(k->p.state, &k->hubfd);
	return 0;
}

/**
 * kcell_name_free() - may a new cell take this name
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0, or -errno with a message (-EEXIST: a cell has it)
 */
int kcell_name_free(struct keeper *k, struct nc_ctx *ctx, const char *name)
{
	int ret = nc_name_check(ctx, name);

	if (ret)
		return ret;
	if (find(k, name))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cell \"%s\" exists already; pick another name or run 'netcell delete %s' first",
			       name, name);
	return 0;
}

/**
 * kcell_create() - create a cell
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_CREATE_* flags
 * @client:	requesting client socket
 *
 * Return: 0 or -errno with a message; a failure leaves nothing behind
 */
int kcell_create(struct keeper *k, struct nc_ctx *ctx, const char *name,
		     unsigned flags, int client)
{
	struct cell_conf c = { 0 };
	int ret, fd, fresh;

	ret = kcell_name_free(k, ctx, name);
	if (ret)
		return ret;
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.created = (long long)time(NULL);
	/* saved as ephemeral while set up: a rebuild does not bring it back */
	c.ephemeral = !!(flags & (NC_CREATE_EPHEMERAL | NC_CREATE_SETUP));
	/* a new cell starts clean: nothing of an earlier one of that name */
	keeper_forget(k, name, 0);
	ret = make_netns(k, ctx, name, 0, &fd, &fresh);
	if (ret) {
		store_bury(k->p.state, name);
		return ret;
	}
	ret = store_save(ctx, k->p.state, &c);
	if (ret)
		goto undo_netns;
	store_bury(k->p.state, name);	/* make_netns()'s, now the cell is saved */
	ret = add_cell(k, &c, fd, c.ephemeral ? client : -1);
	if (ret) {
		ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory");
		goto undo_conf;
	}
	/* rootless: nothing but the keeper can reach the new namespace until
	 * GET or LIST hands it out (kcell_busy() need not look for processes
	 * in it); a root cell is bound at /run/netns for anyone */
	k->cells[k->n - 1].hidden = (unsigned char)k->p.rootless;
	ksetup_begin(&k->cells[k->n - 1], flags);
	return 0;
undo_conf:
	store_remove(k->p.state, name);
undo_netns:
	if (!k->p.rootless)
		unbind(name);
	store_bury(k->p.state, name);
	close(fd);
	return ret;
}

/**
 * still_bound() - is a root cell's /run/netns entry still its namespace
 * @path:	/run/netns/NAME
 * @fd:		the namespace the keeper holds
 *
 * 'ip netns del NAME' behind netcell's back unmounts and removes the
 * entry (another 'ip netns add NAME' may even put a new namespace there)
 * while the keeper keeps the cell: the path it gave became a dead one.
 *
 * Return: true when @path opens the namespace of @fd
 */
static bool still_bound(const char *path, int fd)
{
	struct stat a, b;

	return !stat(path, &a) && !fstat(fd, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/**
 * format_cell() - one record of a GET or LIST reply
 * @k:		keeper
 * @c:		cell
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: characters written (may exceed @len, as snprintf)
 */
static int format_cell(struct keeper *k, const struct kcell *c, char *buf,
		       size_t len)
{
	char netns[128], userns[128];

	if (k->p.rootless) {
		snprintf(netns, sizeof(netns), "/proc/%d/fd/%d", (int)getpid(),
			 c->netfd);
		snprintf(userns, sizeof(userns), "/proc/%d/ns/user",
			 (int)getpid());
	} else {
		bind_path(c->conf.name, netns, sizeof(netns));
		userns[0] = '\0';
		/* a path that works, while this keeper runs; the client
		 * tells the user the binding is gone */
		if (!still_bound(netns, c->netfd))
			snprintf(netns, sizeof(netns), "/proc/%d/fd/%d",
				 (int)getpid(), c->netfd);
	}
	return snprintf(buf, len, "%s\t%d\t%d\t%lld\t%d\t%s\t%s\n", c->conf.name,
			k->p.rootless, c->conf.ephemeral, c->conf.created,
			(int)getpid(), netns, userns);
}

/**
 * kcell_get() - reply with one cell's record and namespace descriptors
 * @k:		keeper
 * @ctx:	context
 * @sock:	client
 * @name:	cell name
 * @id:		creation identity the caller expects, or NULL
 *
 * Return: 0 when the reply was sent, else -errno with a message
 */
int kcell_get(struct keeper *k, struct nc_ctx *ctx, int sock,
		  const char *name, const char *id)
{
	struct kcell *c = find(k, name);
	char buf[1024] = "OK\t";
	int fds[2], nfds = 0, ret;

	if (!c)
		return no_cell(ctx, name);
	if (id && strtoull(id, NULL, 10) != c->id)
		return ctx_err(ctx, -ENOENT, NC_ERR_NOCELL,
			       "the cell \"%s\" this command was making is gone (its keeper restarted) and another of that name took its place; nothing was done to it",
			       name);
	format_cell(k, c, buf + 3, sizeof(buf) - 3);
	c->hidden = 0;	/* handed out: processes may enter it from now on */
	if (!id)	/* the next commands may open it themselves */
		kfast_publish(k, c, buf + 3);
	if (k->p.rootless) {
		fds[nfds] = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		if (fds[nfds] < 0)
			return ctx_err(ctx, -errno, NC_ERR_FAILED,
				       "cannot open own user namespace: %s",
				       strerror(errno));
		nfds++;
	}
	fds[nfds++] = c->netfd;
	ret = kconn_send(k, sock, buf, strlen(buf), fds, nfds);
	if (k->p.rootless)
		close(fds[0]);
	return ret;
}

/**
 * kcell_list() - reply with the cells' records, a page at a time
 * @k:		keeper
 * @sock:	client
 * @from:	index of the first cell of the page (NULL: 0)
 *
 * Return: 0 or -errno
 */
int kcell_list(struct keeper *k, int sock, const char *from)
{
	_cleanup_free_ char *buf = malloc(PROTO_MAX);
	size_t i = from ? strtoul(from, NULL, 10) : 0, off = 3;
	int n;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, "OK\t", 3);
	/* a page: as many records as fit, then "MORE\tINDEX" for the next */
	for (; i < k->n; i++) {
		k->cells[i].hidden = 0;	/* its namespace's path is given out */
		n = format_cell(k, &k->cells[i], buf + off, PROTO_MAX - off - PROTO_MORE);
		if (n < 0 || off + (size_t)n >= PROTO_MAX - PROTO_MORE) {
			off += (size_t)snprintf(buf + off, PROTO_MAX - off, "MORE\t%zu\n", i);
			break;
		}
		off += (size_t)n;
	}
	return kconn_send(k, sock, buf, off, NULL, 0);
}

/**
 * kcell_gc() - remove leftovers: temporary files of interrupted saves (gc.c)
 * @k:		keeper
 * @removed:	how many files were removed
 */
void kcell_gc(struct keeper *k, unsigned *removed)
{
	const char *dirs[] = { k->p.state, k->p.run, NULL };

	gc_state(dirs, removed);
}

/**
 * kcell_link() - LINK or UNLINK: make or remove a link between two cells
 * @k:		keeper
 * @ctx:	context
 * @a:		cell
 * @b:		the other cell
 * @subnet:	LINK: CIDR or ""; NULL for UNLINK
 * @ifs:	a named link's two ends, or NULL
 *
 * Return: 0 or -errno with a message
 */
int kcell_link(struct keeper *k, struct nc_ctx *ctx, const char *a,
		   const char *b, const char *subnet, char *const *ifs)
{
	struct kcell *ca = find(k, a), *cb = find(k, b);

	if (!ca || !cb)
		return no_cell(ctx, ca ? b : a);
	if (subnet)
		return link_add(ctx, k->p.state, a, ca->netfd, b, cb->netfd, subnet,
				ifs ? ifs[0] : NULL, ifs ? ifs[1] : NULL);
	return link_remove(ctx, k->p.state, a, ca->netfd, b, cb->netfd);
}
