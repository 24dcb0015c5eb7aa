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
#include "net/hub.h"
#include "keeper/keeper.h"
#include "keeper/keeper_int.h"
#include "keeper/kpeer.h"
#include "kernel/nft.h"
#include "kernel/ns.h"
#include "base/proctitle.h"
#include "base/proto.h"
#include "base/safefile.h"



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
 * handle() - serve one request
 * @k:		keeper
 * @sock:	client
 * @req:	request text, modified
 */
static void handle(struct keeper *k, int sock, char *req)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct kcell *c;
	char *f[6], ok[64 + 4 * NC_MSG_MAX];
	int nf = proto_split(req, f, 6), ret = 0;
	const char *note;
	size_t off;
	unsigned removed = 0;

	if (!strcmp(f[0], "CREATE") && nf == 3) {
		ret = kcell_create(k, &ctx, f[1], (unsigned)strtoul(f[2], NULL, 10),
				sock);
		/* the reply carries the creation's identity (ksetup.c) */
		c = ret ? NULL : find(k, f[1]);
		if (c && !ksetup_reply(sock, c))
			return;
	} else if (!strcmp(f[0], "DELETE") && (nf == 2 || nf == 3)) {
		c = find_for(k, f[1], nf == 3 ? f[2] : NULL, sock);
		ret = c ? kcell_drop(k, &ctx, c) : ksetup_no_cell(k, &ctx, f[1]);
	} else if (!strcmp(f[0], "DELIDLE") && nf == 2) {
		/* delete unless processes are in it (the CLI's plain delete) */
		c = find_for(k, f[1], NULL, sock);
		ret = !c ? ksetup_no_cell(k, &ctx, f[1]) : kcell_busy(k, &ctx, c);
		if (c && !ret)
			ret = kcell_drop(k, &ctx, c);
	} else if (!strcmp(f[0], "KEEP") && nf == 3) {
		ret = do_keep(k, &ctx, f[1], f[2], sock);
	} else if (!strcmp(f[0], "GET") && (nf == 2 || nf == 3)) {
		ret = kcell_get(k, &ctx, sock, f[1], nf == 3 ? f[2] : NULL);
		if (!ret)
			return;
	} else if (!strcmp(f[0], "LIST")) {
		if (!kcell_list(k, sock, nf > 1 ? f[1] : NULL))
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
	} else if (!strcmp(f[0], "LINK") && (nf == 4 || nf == 6)) {
		/* "LINK A B SUBNET", or "LINK A B <empty> IFA IFB" (named) */
		ret = kcell_link(k, &ctx, f[1], f[2], f[3], nf == 6 ? f + 4 : NULL);
	} else if (!strcmp(f[0], "UNLINK") && nf == 3) {
		ret = kcell_link(k, &ctx, f[1], f[2], NULL, NULL);
	} else if (!strcmp(f[0], "HUB") && nf == 2) {
		ret = do_hub(k, &ctx, f[1]);
	} else if (!strcmp(f[0], "ADOPT") && nf == 3) {
		ret = kadopt_request(k, &ctx, f[1], f[2]);
	} else if (!strcmp(f[0], "GC")) {
		kcell_gc(k, &removed);
	} else if (strcmp(f[0], "PING")) {
		ret = ctx_err(&ctx, -EINVAL, NC_ERR_FAILED,
			      "keeper: unknown request \"%s\"", f[0]);
	}
	if (ret) {
		while (nc_notice_next(&ctx))
			;
		reply_err(k, sock, ret, &ctx);
		return;
	}
	off = (size_t)snprintf(ok, sizeof(ok), "OK\t%d\t%u", (int)getpid(), removed);
	/* the request's notices follow, one a line (client.c shows them) */
	while ((note = nc_notice_next(&ctx)))
		if (off < sizeof(ok))
			off += (size_t)snprintf(ok + off, sizeof(ok) - off,
						"\n" PROTO_NOTICE "%s", note);
	kconn_send(k, sock, ok, off < sizeof(ok) ? off : sizeof(ok) - 1, NULL, 0);
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
		if (k->cells[i].owner == sock && !kcell_drop(k, &ctx, &k->cells[i]))
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
	lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	/* a command that connected meanwhile keeps us alive */
	kconn_accept(k);
	if (k->n || k->nclients)
		return;
	k->lost |= klife_lost(k);
	/* only the files we made: a keeper of a new state directory at the
	 * same paths has its own (klife.c) */
	snprintf(path, sizeof(path), "%s/keeper.sock", k->p.state);
	if (klife_own(k, path, k->sock_ino))
		unlink(path);
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.run);
	if (klife_own(k, path, k->pid_ino[0]))
		unlink(path);
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	if (klife_own(k, path, k->pid_ino[1]))
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
			else if (ev[i].data.fd == k->inofd)
				klife_on_event(k);
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
	klife_mark(sa.sun_path, &k->sock_ino);
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
	klife_mark(path, &k->pid_ino[0]);
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	store_write_atomic(path, pid, strlen(pid));
	klife_mark(path, &k->pid_ino[1]);
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
	ret = klife_take(k, ctx);
	if (ret)
		return ret;
	/* a socket per published port: libnftables needs a low descriptor */
	nft_keep_low_fds();
	if (k->p.rootless) {
		/* renames without fsync(): see safefile_set_durable() */
		safefile_set_durable(getenv("NETCELL_KEEPER_FSYNC") &&
				     !strcmp(getenv("NETCELL_KEEPER_FSYNC"), "1"));
		kfast_clear(k);
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
		ret = kcell_netns_dir_prepare(ctx);
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
	klife_watch(k);
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
			      .leavefd = -1, .inofd = -1 };

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
	/* a parent of the state directory moved sends no event: ask again
	 * before anything is done by path */
	k->lost |= klife_lost(k);
	if (k->lost)	/* the paths are another keeper's now */
		close(k->hubfd);
	else
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
 * keeper_stay() - become the user's keeper in this process and never
 * leave when idle (nc_keeper_serve(), once no other keeper answers)
 * @ctx:	context; the rebuild's problems are its notices
 * @p:		the user's directories
 * @lock:	the start lock, held by the caller; closed here once the
 *		keeper serves (or on failure)
 * @event:	called with NC_KEEPER_READY when requests are served; may be NULL
 * @arg:	passed to @event
 *
 * Return: 0 when the keeper ends, or -errno with a message
 */
int keeper_stay(struct nc_ctx *ctx, const struct nc_paths *p, int lock,
		nc_keeper_event_fn event, void *arg)
{
	unsigned rebuilt = 0, fresh = 0;
	struct keeper k;
	int ret;

	keeper_init(&k, p);
	k.stay = 1;
	ret = setup(&k, ctx, &rebuilt, &fresh);
	close(lock);
	if (ret)
		return ret;
	if (event)
		event(ctx, NC_KEEPER_READY, rebuilt, arg);
	return serve(&k);
}
