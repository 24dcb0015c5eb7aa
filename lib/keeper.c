// SPDX-License-Identifier: MIT
/*
 * keeper.c - the per-user process that holds cells alive
 *
 * Theory of operation: one keeper per uid, started on demand by the first
 * command that needs it (client.c) and found again through the socket
 * STATE/keeper.sock: the state directory, unlike the runtime one, is the
 * same for every login of the user and outlives logind's cleanup, and the
 * keeper holds STATE/keeper.life (flock) for its whole life, so two
 * keepers never serve one user's cells.  A rootless keeper first moves into a new user namespace
 * of which it is root (the user's *hub*); every cell of that user is a
 * network namespace owned by the hub, so cells can later be linked with
 * veth pairs and share one uplink without any privilege.  The keeper itself
 * stays in the host's network and mount namespaces.
 *
 * State: a table of cells, each with its saved configuration and an open
 * descriptor of its network namespace (root cells are also bound at
 * /run/netns/NAME).  The keeper is single-threaded and handles one request
 * at a time, which serialises every change to a user's cells: of twenty
 * concurrent "create web", exactly one wins.
 *
 * Durability: a cell's configuration is saved (store.c) before the request
 * is answered.  When the keeper dies, the next command finds the socket
 * dead, starts a new keeper, and that keeper rebuilds every saved cell
 * before it answers, so nothing the user created is lost.  Cells of
 * "netcell run" are bound to the client connection that made them and are
 * deleted when it closes, so a killed "run" leaves nothing behind.
 *
 * Life: with no cells and no clients for NETCELL_KEEPER_LINGER ms (default
 * 3000) the keeper removes its socket, under the start lock so no command
 * can connect to a keeper that is going away, and exits still holding
 * that lock, so the next keeper starts only once this one has stopped its
 * hub.
 *
 * Published ports: the forwarder (forward.c) shares the keeper's epoll
 * instance; fwd_event() takes the events that are its own.  A cell's ports
 * are part of its saved configuration, saved before "port add" is
 * answered, so a rebuilt cell gets its forwards back; one whose host port
 * was taken meanwhile is listed as inactive rather than dropped.
 */
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
#include "firewall.h"
#include "forward.h"
#include "gc.h"
#include "hub.h"
#include "client.h"
#include "diag.h"
#include "keeper.h"
#include "keeper_int.h"
#include "kpeer.h"
#include "link.h"
#include "uplink.h"
#include "name.h"
#include "ns.h"
#include "proctitle.h"
#include "proto.h"
#include "store.h"

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
 * netns_dir_prepare() - make /run/netns a shared mount, as iproute2 does
 * @ctx:	context
 *
 * Bind mounts made below it must propagate to every mount namespace, or
 * "ip netns exec" from another namespace would see an empty file.
 *
 * Return: 0 or -errno with a message
 */
static int netns_dir_prepare(struct nc_ctx *ctx)
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
	pfd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (pfd < 0 && errno == EEXIST)
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cell \"%s\": a network namespace of that name exists already (see 'ip netns list'); pick another name",
			       name);
	if (pfd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot create \"%s\": %s", path, strerror(errno));
	close(pfd);
	/* the binding is ours now: until the cell is saved, a tombstone tells
	 * a keeper that follows a crash to remove it (keeper_forget()) */
	if (!reuse)
		store_tombstone_new(k->p.state, name);
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
	k->n++;
	return 0;
}


/**
 * drop_cell() - remove a cell: saved configuration, binding, descriptor
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
static int drop_cell(struct keeper *k, struct nc_ctx *ctx, struct kcell *c)
{
	int ret = store_tombstone(k->p.state, c->conf.name);

	if (ret && ret != -ENOENT)
		return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
			       "cannot remove the saved configuration of cell \"%s\": %s",
			       c->conf.name, strerror(-ret));
	if (c->hubaddr[0])
		hub_detach(k->hubfd, c->hubaddr);
	keeper_forget(k, c->conf.name, 1);
	fwd_cell_free(c->fc);
	close(c->netfd);
	*c = k->cells[--k->n];
	if (k->hubfd >= 0 && !hub_users(k))
		hub_stop(k->p.state, &k->hubfd);
	return 0;
}

/**
 * name_free() - may a new cell take this name
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0, or -errno with a message (-EEXIST: a cell has it)
 */
int name_free(struct keeper *k, struct nc_ctx *ctx, const char *name)
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
 * do_create() - create a cell
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @flags:	NC_CREATE_* flags
 * @client:	requesting client socket
 *
 * Return: 0 or -errno with a message; a failure leaves nothing behind
 */
static int do_create(struct keeper *k, struct nc_ctx *ctx, const char *name,
		     unsigned flags, int client)
{
	struct cell_conf c = { 0 };
	int ret, fd, fresh;

	ret = name_free(k, ctx, name);
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
 * reply_err() - send an error reply
 * @k:		keeper
 * @sock:	client
 * @ret:	negative errno
 * @ctx:	context holding the message
 */
static void reply_err(struct keeper *k, int sock, int ret,
		      const struct nc_ctx *ctx)
{
	char buf[NC_MSG_MAX + 64];

	kconn_send(k, sock, buf, kconn_err_text(buf, sizeof(buf), ret, ctx),
		   NULL, 0);
}

/**
 * do_get() - reply with one cell's record and namespace descriptors
 * @k:		keeper
 * @ctx:	context
 * @sock:	client
 * @name:	cell name
 * @id:		creation identity the caller expects, or NULL
 *
 * Return: 0 when the reply was sent, else -errno with a message
 */
static int do_get(struct keeper *k, struct nc_ctx *ctx, int sock,
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
 * do_list() - reply with the cells' records, a page at a time
 * @k:		keeper
 * @sock:	client
 * @from:	index of the first cell of the page (NULL: 0)
 *
 * Return: 0 or -errno
 */
static int do_list(struct keeper *k, int sock, const char *from)
{
	_cleanup_free_ char *buf = malloc(PROTO_MAX);
	size_t i = from ? strtoul(from, NULL, 10) : 0, off = 3;
	int n;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, "OK\t", 3);
	/* a page: as many records as fit, then "MORE\tINDEX" for the next */
	for (; i < k->n; i++) {
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
 * do_gc() - remove leftovers: temporary files of interrupted saves (gc.c)
 * @k:		keeper
 * @removed:	how many files were removed
 */
static void do_gc(struct keeper *k, unsigned *removed)
{
	const char *dirs[] = { k->p.state, k->p.run, NULL };

	gc_state(dirs, removed);
}


/**
 * do_link() - LINK or UNLINK: make or remove a link between two cells
 * @k:		keeper
 * @ctx:	context
 * @a:		cell
 * @b:		the other cell
 * @subnet:	LINK: CIDR or ""; NULL for UNLINK
 *
 * Return: 0 or -errno with a message
 */
static int do_link(struct keeper *k, struct nc_ctx *ctx, const char *a,
		   const char *b, const char *subnet)
{
	struct kcell *ca = find(k, a), *cb = find(k, b);

	if (!ca || !cb)
		return no_cell(ctx, ca ? b : a);
	if (subnet)
		return link_add(ctx, k->p.state, a, ca->netfd, b, cb->netfd, subnet);
	return link_remove(ctx, k->p.state, a, ca->netfd, b, cb->netfd);
}

/**
 * handle() - serve one request
 * @k:		keeper
 * @sock:	client
 * @req:	request text, modified
 */
static void handle(struct keeper *k, int sock, char *req)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct kcell *c;
	char *f[4], ok[64];
	int nf = proto_split(req, f, 4), ret = 0;
	unsigned removed = 0;

	if (!strcmp(f[0], "CREATE") && nf == 3) {
		ret = do_create(k, &ctx, f[1], (unsigned)strtoul(f[2], NULL, 10),
				sock);
		/* the reply carries the creation's identity (ksetup.c) */
		c = ret ? NULL : find(k, f[1]);
		if (c && !ksetup_reply(sock, c))
			return;
	} else if (!strcmp(f[0], "DELETE") && (nf == 2 || nf == 3)) {
		c = find_for(k, f[1], nf == 3 ? f[2] : NULL, sock);
		ret = c ? drop_cell(k, &ctx, c) : ksetup_no_cell(k, &ctx, f[1]);
	} else if (!strcmp(f[0], "KEEP") && nf == 3) {
		ret = do_keep(k, &ctx, f[1], f[2], sock);
	} else if (!strcmp(f[0], "GET") && (nf == 2 || nf == 3)) {
		ret = do_get(k, &ctx, sock, f[1], nf == 3 ? f[2] : NULL);
		if (!ret)
			return;
	} else if (!strcmp(f[0], "LIST")) {
		if (!do_list(k, sock, nf > 1 ? f[1] : NULL))
			return;
		ret = ctx_err(&ctx, -ENOMEM, NC_ERR_FAILED, "cannot list cells");
	} else if (!strcmp(f[0], "PORTADD") && nf == 3) {
		ret = do_port_add(k, &ctx, f[1], f[2]);
	} else if (!strcmp(f[0], "PORTRM") && nf == 3) {
		ret = do_port_rm(k, &ctx, f[1], f[2]);
	} else if (!strcmp(f[0], "PORTLIST") && (nf == 2 || nf == 3)) {
		ret = do_port_list(k, &ctx, sock, f[1], nf == 3 ? f[2] : "0");
		if (!ret)
			return;
	} else if (!strcmp(f[0], "LINK") && nf == 4) {
		ret = do_link(k, &ctx, f[1], f[2], f[3]);
	} else if (!strcmp(f[0], "UNLINK") && nf == 3) {
		ret = do_link(k, &ctx, f[1], f[2], NULL);
	} else if (!strcmp(f[0], "HUB") && nf == 2) {
		ret = do_hub(k, &ctx, f[1]);
	} else if (!strcmp(f[0], "ADOPT") && nf == 3) {
		ret = do_adopt(k, &ctx, f[1], f[2]);
	} else if (!strcmp(f[0], "GC")) {
		do_gc(k, &removed);
	} else if (strcmp(f[0], "PING")) {
		ret = ctx_err(&ctx, -EINVAL, NC_ERR_FAILED,
			      "keeper: unknown request \"%s\"", f[0]);
	}
	if (ret) {
		reply_err(k, sock, ret, &ctx);
		return;
	}
	snprintf(ok, sizeof(ok), "OK\t%d\t%u", (int)getpid(), removed);
	kconn_send(k, sock, ok, strlen(ok), NULL, 0);
}

/**
 * keeper_client_gone() - forget a client and end the ephemeral cells bound
 * to it
 * @k:		keeper
 * @sock:	client socket
 */
void keeper_client_gone(struct keeper *k, int sock)
{
	struct nc_ctx ctx = { .kfd = -1 };
	size_t i = 0;

	while (i < k->n) {
		if (k->cells[i].owner == sock && !drop_cell(k, &ctx, &k->cells[i]))
			continue;
		i++;
	}
	kconn_close(k, sock);
}

/**
 * on_client() - read and serve a client's request, or notice it left
 * @k:		keeper
 * @sock:	client socket
 */
static void on_client(struct keeper *k, int sock)
{
	char req[STORE_MAX];
	ssize_t n = proto_recv(sock, req, sizeof(req), NULL, NULL);

	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		keeper_client_gone(k, sock);
		return;
	}
	handle(k, sock, req);
}

/**
 * on_event() - a client's socket is readable, writable or closed
 * @k:		keeper
 * @ev:		its event
 *
 * A socket closed while serving an earlier event of this batch (a client
 * over its queue limit) is no longer ours: its events are skipped.
 */
static void on_event(struct keeper *k, const struct epoll_event *ev)
{
	int sock = ev->data.fd;

	if (kconn_live(k, sock) && (ev->events & EPOLLOUT))
		kconn_flush(k, sock);
	if (kconn_live(k, sock) && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		on_client(k, sock);
}

/**
 * arm_idle() - start or stop the idle timer when the keeper becomes idle
 * or busy
 * @k:		keeper
 *
 * Only changes touch the timer: a busy keeper forwarding traffic would
 * otherwise pay one more system call per event.
 */
static void arm_idle(struct keeper *k)
{
	struct itimerspec its = { 0 };
	int idle = !k->n && !k->nclients && !k->stay;

	if (idle == k->idle_armed)
		return;
	if (idle) {
		its.it_value.tv_sec = k->linger_ms / 1000;
		its.it_value.tv_nsec = (k->linger_ms % 1000) * 1000000L + 1;
	}
	timerfd_settime(k->tfd, 0, &its, NULL);
	k->idle_armed = idle;
}

/**
 * try_leave() - exit when still idle, under the start lock
 * @k:		keeper
 *
 * The start lock (STATE/keeper.lock) is kept from here to the exit.
 */
static void try_leave(struct keeper *k)
{
	char path[PATH_MAX];
	_cleanup_close_ int lock = -1;

	snprintf(path, sizeof(path), "%s/keeper.lock", k->p.state);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	/* a command that connected meanwhile keeps us alive */
	kconn_accept(k);
	if (k->n || k->nclients)
		return;
	snprintf(path, sizeof(path), "%s/keeper.sock", k->p.state);
	unlink(path);
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.run);
	unlink(path);
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	unlink(path);
	/* held until we exit: a keeper started meanwhile would find the hub
	 * we are still stopping, and our life lock */
	k->leavefd = lock;
	lock = -1;
	k->quit = 1;
}

/**
 * nspool_fill() - make one namespace for the pool, when wanted
 * @k:		keeper
 *
 * Called when no client is connected and no event waits (between a
 * create's reply and its KEEP there is a gap too, but a refill there
 * only delays the KEEP): a namespace costs about half a millisecond
 * (unshare(CLONE_NEWNET) and loopback up), which a create then does not
 * pay.  A failure stops the refill until the next create takes one.
 *
 * Return: 1 when it made one, 0 when none was wanted or it failed
 */
static int nspool_fill(struct keeper *k)
{
	struct nc_ctx ctx = { .kfd = -1 };
	int fd;

	if (!k->nspool_want || k->nspool_n >= KEEPER_NSPOOL)
		return 0;
	if (ns_new_net(&ctx, NULL, &fd)) {
		k->nspool_want = 0;
		return 0;
	}
	k->nspool[k->nspool_n++] = fd;
	k->nspool_want = k->nspool_n < KEEPER_NSPOOL;
	return 1;
}

/**
 * nspool_free() - close the pool's namespaces
 * @k:		keeper
 */
static void nspool_free(struct keeper *k)
{
	while (k->nspool_n)
		close(k->nspool[--k->nspool_n]);
}

/**
 * loop() - the keeper's event loop
 * @k:		keeper
 */
static void loop(struct keeper *k)
{
	struct epoll_event ev[64];
	int i, n;

	while (!k->quit) {
		arm_idle(k);
		n = fwd_poll(k->fwd, k->epfd, ev, ARRAY_SIZE(ev));
		/* no client and nothing waits: fill the namespace pool */
		if (!n && k->nspool_want && !k->nclients &&
		    !(n = epoll_wait(k->epfd, ev, ARRAY_SIZE(ev), 0)) &&
		    nspool_fill(k))
			continue;
		if (!n)
			n = epoll_wait(k->epfd, ev, ARRAY_SIZE(ev),
				       k->accept_paused ? KCONN_PAUSE_MS : -1);
		if (!n)
			kconn_resume(k);
		for (i = 0; i < n; i++) {
			if (fwd_event(k->fwd, &ev[i]))
				continue;
			if (ev[i].data.fd == k->lfd)
				kconn_accept(k);
			else if (ev[i].data.fd == k->tfd)
				try_leave(k);
			else
				on_event(k, &ev[i]);
		}
		fwd_batch_end(k->fwd);
	}
}


/**
 * listen_socket() - create STATE/keeper.sock, replacing a stale one
 * @k:		keeper
 * @ctx:	context
 *
 * Called with the start lock and the life lock held, so a socket file
 * here is stale.
 *
 * Return: 0 or -errno with a message
 */
static int listen_socket(struct keeper *k, struct nc_ctx *ctx)
{
	struct sockaddr_un sa;
	int ret = paths_keeper_addr(ctx, &k->p, &sa);

	if (ret)
		return ret;
	unlink(sa.sun_path);
	k->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (k->lfd < 0 || bind(k->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(k->lfd, 64))
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot listen on \"%s\": %s", sa.sun_path,
			       strerror(errno));
	return 0;
}

/**
 * write_pid() - record the keeper's PID in RUN/keeper.pid and
 * STATE/keeper.pid, for doctor, tests and the message of a second keeper
 * @k:		keeper
 */
static void write_pid(struct keeper *k)
{
	char path[PATH_MAX], pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.run);
	store_write_atomic(path, pid, strlen(pid));
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	store_write_atomic(path, pid, strlen(pid));
}

/**
 * take_life_lock() - make sure we are the user's only keeper
 * @k:		keeper; @k->lifefd set
 * @ctx:	context
 *
 * STATE/keeper.life is locked (flock) for the keeper's whole life.  A
 * keeper that is leaving holds it a moment after it let the start lock
 * go at exit, so we wait up to 3 s; past that another keeper lives that
 * does not answer on its socket, and we must not serve the same state.
 *
 * Return: 0 or -EBUSY with a message
 */
static int take_life_lock(struct keeper *k, struct nc_ctx *ctx)
{
	char path[PATH_MAX], pid[32] = "?";
	_cleanup_fclose_ FILE *f = NULL;
	int i;

	snprintf(path, sizeof(path), "%s/keeper.life", k->p.state);
	k->lifefd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (k->lifefd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot open \"%s\": %s", path, strerror(errno));
	for (i = 0; i < 300; i++) {
		if (!flock(k->lifefd, LOCK_EX | LOCK_NB))
			return 0;
		usleep(10000);
	}
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	f = fopen(path, "re");
	if (f && fgets(pid, sizeof(pid), f))
		pid[strcspn(pid, "\n")] = '\0';
	return ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
		       "another keeper of uid %u (PID %s) holds \"%s/keeper.life\" but does not answer on \"%s/keeper.sock\"; end it (kill %s) and try again",
		       (unsigned)k->p.uid, pid, k->p.state, k->p.state, pid);
}

/**
 * setup() - become the keeper: namespaces, socket, event sources, cells
 * @k:		keeper
 * @ctx:	context
 * @rebuilt:	how many saved cells were rebuilt
 * @fresh:	how many of them in new namespaces
 *
 * Return: 0 or -errno with a message
 */
static int setup(struct keeper *k, struct nc_ctx *ctx, unsigned *rebuilt,
		 unsigned *fresh)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const char *linger = getenv("NETCELL_KEEPER_LINGER");
	int ret;

	k->linger_ms = linger ? strtol(linger, NULL, 10) : 3000;
	if (k->linger_ms < 0)
		k->linger_ms = 0;
	ret = take_life_lock(k, ctx);
	if (ret)
		return ret;
	if (k->p.rootless) {
		ret = kpeer_helper_start(k);
		if (ret)
			return ctx_err(ctx, ret, NC_ERR_FAILED,
				       "cannot start the keeper's helper: %s",
				       strerror(-ret));
		ret = ns_become_userns_root(ctx, k->p.uid, k->p.gid);
		/* gaining capabilities in the new user namespace made us
		 * non-dumpable (commit_creds), which closes /proc/PID/fd/N -
		 * the paths of the user's cells - to the user's own processes
		 * that hold no capabilities, such as pasta after it dropped
		 * them; the user owns both sides, so reopen them */
		prctl(PR_SET_DUMPABLE, 1);
	} else
		ret = netns_dir_prepare(ctx);
	if (ret)
		return ret;
	kconn_limits(k);
	ret = listen_socket(k, ctx);
	if (ret)
		return ret;
	write_pid(k);
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	k->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (k->epfd < 0 || k->tfd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "epoll/timerfd: %s",
			       strerror(errno));
	ev.data.fd = k->lfd;
	epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->lfd, &ev);
	ev.data.fd = k->tfd;
	epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->tfd, &ev);
	ret = fwd_new(ctx, k->epfd, &k->fwd);
	if (ret)
		return ret;
	/* a hub left by a keeper that crashed: its pasta goes */
	hub_stop(k->p.state, &k->hubfd);
	keeper_rebuild(k, ctx, rebuilt, fresh);
	return 0;
}

/**
 * keeper_init() - a keeper with nothing open yet
 * @k:		keeper to fill
 * @p:		the user's directories
 */
static void keeper_init(struct keeper *k, const struct nc_paths *p)
{
	char title[64];
	sigset_t none;

	*k = (struct keeper){ .p = *p, .lfd = -1, .epfd = -1, .tfd = -1, .hubfd = -1,
			      .reserve = -1, .peerfd = -1, .lifefd = -1,
			      .leavefd = -1 };

	snprintf(title, sizeof(title), "netcell-keeper uid=%u", (unsigned)p->uid);
	proctitle_set("netcell-keeper", title);
	/* a keeper forked by a command that held its signals (create holds
	 * them until the cell is whole) would keep SIGTERM blocked for life:
	 * systemctl stop and a shutdown could only SIGKILL it */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

/**
 * serve() - the keeper's life after setup: serve until it leaves
 * @k:		keeper, set up
 *
 * Return: process exit status
 */
static int serve(struct keeper *k)
{
	loop(k);
	nspool_free(k);
	hub_stop(k->p.state, &k->hubfd);
	fwd_free(k->fwd);
	kconn_free(k);
	return 0;
}

/**
 * keeper_run() - run the keeper until it is idle; called in a fresh child
 * @p:		the user's directories
 * @ready:	pipe on which to report "OK\tREBUILT/FRESH" or "ERR\t..."
 *
 * Return: process exit status
 */
int keeper_run(const struct nc_paths *p, int ready)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct keeper k;
	unsigned rebuilt = 0, fresh = 0;
	char msg[PIPE_BUF];
	int ret, n;

	keeper_init(&k, p);
	ret = setup(&k, &ctx, &rebuilt, &fresh);
	if (ret)
		n = snprintf(msg, sizeof(msg), "ERR\t%d\t%d\t%s", ret,
			     (int)ctx.kind, ctx.msg);
	else
		n = keeper_ready_ok(&ctx, k.p.run, rebuilt, fresh, msg,
				    sizeof(msg));
	/* tests: a keeper slow to answer, as one rebuilding many cells */
	if (getenv("NETCELL_TEST_READY_DELAY_MS"))
		usleep((useconds_t)strtoul(getenv("NETCELL_TEST_READY_DELAY_MS"), NULL, 10) * 1000);
	if (write(ready, msg, (size_t)n) < 0 || ret)
		return 1;
	close(ready);
	return serve(&k);
}

/**
 * other_keeper_pid() - the PID a running keeper recorded
 * @p:		the user's directories
 *
 * Return: the PID, or 0 when unknown
 */
static unsigned other_keeper_pid(const struct nc_paths *p)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	unsigned pid = 0;

	snprintf(path, sizeof(path), "%s/keeper.pid", p->state);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%u", &pid) != 1)
		return 0;
	/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
	return pid;
}

/**
 * wait_other_keeper() - block until the keeper that holds STATE/keeper.life
 * lets it go (it exits)
 * @ctx:	context
 * @p:		the user's directories
 *
 * Return: 0 or -errno with a message
 */
static int wait_other_keeper(struct nc_ctx *ctx, const struct nc_paths *p)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/keeper.life", p->state);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot open \"%s\": %s", path, strerror(errno));
	while (flock(fd, LOCK_SH))
		if (errno != EINTR)
			return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot lock \"%s\": %s",
				       path, strerror(errno));
	return 0;
}

/**
 * nc_keeper_serve() - be the user's keeper in this process, for a service
 * manager: never leaves when idle
 * @ctx:	context; the rebuild's problems are its notices at NC_KEEPER_READY
 * @flags:	NC_KEEPER_WAIT: when another keeper serves, wait until it
 *		leaves (exits, is killed) and take over; else -EEXIST
 * @event:	called with NC_KEEPER_WAITING (once, before waiting) and
 *		NC_KEEPER_READY (the saved cells are back and requests are
 *		served); may be NULL
 * @arg:	passed to @event
 *
 * The saved cells come back with their firewalls, uplinks, links and
 * published ports, as after a crash.  A keeper of the user that answers is
 * never replaced: -EEXIST (NC_ERR_EXISTS) or, with NC_KEEPER_WAIT, a wait.
 * The process takes the keeper's name in ps (its argv and environment are
 * written over).
 *
 * Return: 0 when the keeper ends, or -errno with a message
 */
int nc_keeper_serve(struct nc_ctx *ctx, unsigned flags, nc_keeper_event_fn event,
		    void *arg)
{
	_cleanup_close_ int lock = -1;
	struct sockaddr_un sa;
	struct nc_paths p;
	struct keeper k;
	unsigned rebuilt = 0, fresh = 0, pid;
	int ret, fd, told = 0;

	ret = client_find(ctx, &p, &sa);
	if (ret)
		return ret;
	for (;;) {
		/* the start lock, as a command that starts a keeper holds it */
		lock = client_start_lock(ctx, &p);
		if (lock < 0)
			return lock;
		fd = client_try_connect(&sa);
		if (fd < 0)
			break;
		close(fd);
		close(lock);
		lock = -1;
		pid = other_keeper_pid(&p);
		if (!(flags & NC_KEEPER_WAIT))
			return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
				       "a keeper of uid %u already serves \"%s\" (PID %u); stop it (kill %u: its rootless cells get new namespaces) or let it be",
				       (unsigned)p.uid, sa.sun_path, pid, pid);
		if (!told++ && event)
			event(ctx, NC_KEEPER_WAITING, pid, arg);
		ret = wait_other_keeper(ctx, &p);
		if (ret)
			return ret;
	}
	keeper_init(&k, &p);
	k.stay = 1;
	ret = setup(&k, ctx, &rebuilt, &fresh);
	if (ret)
		return ret;
	close(lock);
	lock = -1;
	if (event)
		event(ctx, NC_KEEPER_READY, rebuilt, arg);
	return serve(&k);
}
