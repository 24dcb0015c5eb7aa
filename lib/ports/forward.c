// SPDX-License-Identifier: MIT
/*
 * forward.c - published ports: the keeper's forwarder (ports, cells, the
 * socket helper, the event loop; connections in fwd_tcp.c, flows in
 * fwd_udp.c, shared state in fwd_int.h)
 *
 * Theory of operation: the keeper stays in the host's network namespace,
 * so it listens there for every published port, TCP or UDP, IPv4 or IPv6,
 * and carries each connection or datagram flow to 127.0.0.1 (or ::1) and
 * CELLPORT inside the cell.  The same forwarder serves root and rootless
 * keepers: it needs no privilege on the host beyond binding the host port.
 *
 * Cell side: the socket of each accepted connection must live in the
 * cell's namespace; a per-cell helper process makes such sockets
 * (cellsock.c) and the forwarder keeps a small pool of them per family and
 * protocol, refilled asynchronously, so a connection never waits for the
 * helper.  An empty pool pauses the listener (the kernel's backlog holds
 * the clients) until sockets come.
 *
 * Real client address: before connecting, the cell-side socket (which has
 * IP_TRANSPARENT) is bound to the client's address and port as the
 * forwarder accepted them on the host, so the server in the cell sees
 * 127.0.0.2:40000 when the client was 127.0.0.2:40000, for TCP and UDP,
 * IPv4 and IPv6.  Should the port be taken in the cell, only the address
 * is kept; an address that cannot exist in the cell (IPv6 link-local with
 * a host interface scope) falls back to the cell's loopback address.
 *
 * TCP data path: splice(2) through one pipe per direction, so payload is
 * never copied to user space.  Both sockets are registered edge-triggered
 * for input and peer shutdown; output is added only once a write met
 * EAGAIN (a new connection would otherwise cost a wakeup for nothing).  An
 * input event pumps the direction read from that socket, an output event
 * the one written to it, each until the kernel says EAGAIN.  A FIN read on
 * one side becomes
 * shutdown(SHUT_WR) on the other once its pipe is empty (half-close is
 * carried through); a reset or error on either side resets the other
 * (SO_LINGER 0), so a refused connection in the cell is a refused
 * connection for the client.  Pipes are pooled and sized up to
 * fs.pipe-max-size, fewer and larger splices being the throughput win.
 *
 * UDP: one flow per client address and port, with its own connected
 * cell-side socket bound to the client's address, so replies come back
 * to the flow's socket and go out of the host socket to that client (from
 * the address it wrote to, IP_PKTINFO, for wildcard host addresses).
 * Flows idle for FWD_UDP_IDLE_S seconds expire; at most FWD_UDP_FLOWS per
 * port, the least recently used going first.
 *
 * Everything is non-blocking and single-threaded, in the keeper's own
 * epoll instance: a nested one would cost a second epoll_wait() per event,
 * and system calls are what a forwarded connection costs.  The forwarder's
 * registrations carry a pointer tagged with FWD_TAG (bit 63, never set in a
 * user-space address), the keeper's carry small descriptor numbers, so
 * fwd_event() tells its own events apart.  Connections and flows closed
 * while a batch of events is handled are freed after it (fwd_batch_end()),
 * as a later event of the same batch may still point at them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include "ports/cellsock.h"
#include "base/diag.h"
#include "ports/forward.h"
#include "ports/fwd_int.h"
#include "base/proto.h"

/**
 * fwd_ep_add() - watch a descriptor
 * @f:		forwarder
 * @fd:		descriptor
 * @events:	epoll events
 * @ep:		what the events are for
 *
 * Return: 0 or -errno
 */
int fwd_ep_add(struct fwd *f, int fd, unsigned events, struct fwd_ep *ep)
{
	struct epoll_event ev = { .events = events,
				  .data.u64 = (uintptr_t)ep | FWD_TAG };

	return epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/**
 * fwd_ep_mod() - change what is watched on a descriptor
 * @f:		forwarder
 * @fd:		descriptor
 * @events:	epoll events
 * @ep:		what the events are for
 */
void fwd_ep_mod(struct fwd *f, int fd, unsigned events, struct fwd_ep *ep)
{
	struct epoll_event ev = { .events = events,
				  .data.u64 = (uintptr_t)ep | FWD_TAG };

	epoll_ctl(f->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/**
 * mono_ns() - monotonic nanoseconds
 *
 * Return: nanoseconds
 */
static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/**
 * fwd_mono_now() - monotonic seconds
 *
 * Return: seconds
 */
long long fwd_mono_now(void)
{
	return mono_ns() / 1000000000LL;
}

/**
 * fwd_timer_update() - tick once a second while there is housekeeping to do
 * @f:		forwarder
 */
void fwd_timer_update(struct fwd *f)
{
	struct itimerspec its = { 0 };
	int want = f->nflows || f->npaused;

	if (want == f->timer_on)
		return;
	if (want) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
	}
	timerfd_settime(f->tfd, 0, &its, NULL);
	f->timer_on = want;
}

/**
 * sock_type() - the socket type of a spec's protocol
 * @s:		spec
 *
 * Return: SOCK_STREAM or SOCK_DGRAM
 */
static int sock_type(const struct portspec *s)
{
	return s->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
}

/**
 * make_addr() - a socket address from a spec's family, an address and a port
 * @family:	AF_INET or AF_INET6
 * @addr:	address bytes, network order
 * @port:	port, host order
 * @ss:		result
 *
 * Return: its length
 */
static socklen_t make_addr(int family, const unsigned char *addr,
			   unsigned short port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr, 16);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, addr, 4);
	return sizeof(*s4);
}

/**
 * cell_target() - where a port's traffic goes in the cell: loopback:CELLPORT
 * @s:		spec
 * @ss:		result
 *
 * Return: its length
 */
static socklen_t cell_target(const struct portspec *s,
			     struct sockaddr_storage *ss)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char lo4[4] = { 127, 0, 0, 1 };

	return make_addr(s->family, s->family == AF_INET6 ? lo6 : lo4,
			 s->cport, ss);
}

/**
 * addr_port() - the port of a socket address, by reference
 * @ss:		IPv4 or IPv6 address
 *
 * Return: pointer to the port field, network order
 */
static in_port_t *addr_port(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)ss)->sin6_port;
	return &((struct sockaddr_in *)ss)->sin_port;
}

/**
 * fwd_pool_of() - the pool for a family and socket type
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the pool, NULL for anything else
 */
struct pool *fwd_pool_of(struct fwd_cell *fc, int family, int type)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM))
		return NULL;
	return &fc->pool[family == AF_INET6][type == SOCK_DGRAM];
}

/**
 * helper_start() - start a cell's socket helper and watch it
 * @fc:		cell
 * @ctx:	context
 *
 * Return: 0 or -errno with a message
 */
static int helper_start(struct fwd_cell *fc, struct nc_ctx *ctx)
{
	int ret = cellsock_start(ctx, fc->netfd, &fc->helper, &fc->hsock);

	if (ret)
		return ret;
	fc->ep.kind = EP_HELPER;
	fc->ep.obj = fc;
	ret = fwd_ep_add(fc->f, fc->hsock, EPOLLIN, &fc->ep);
	if (ret) {
		cellsock_stop(fc->helper, fc->hsock);
		fc->hsock = -1;
		return ctx_err(ctx, ret, NC_ERR_FAILED, "epoll: %s",
			       strerror(-ret));
	}
	return 0;
}

/**
 * helper_stop() - end a cell's helper; what it still owed is forgotten
 * @fc:		cell
 */
static void helper_stop(struct fwd_cell *fc)
{
	int v6, udp;

	if (fc->hsock < 0)
		return;
	epoll_ctl(fc->f->epfd, EPOLL_CTL_DEL, fc->hsock, NULL);
	cellsock_stop(fc->helper, fc->hsock);
	fc->hsock = -1;
	fc->helper = -1;
	for (v6 = 0; v6 < 2; v6++)
		for (udp = 0; udp < 2; udp++)
			fc->pool[v6][udp].asked = 0;
}

/**
 * fwd_pool_refill() - ask the helper for sockets when a pool runs low
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * A helper that died is started again here.
 */
void fwd_pool_refill(struct fwd_cell *fc, int family, int type)
{
	struct pool *pl = fwd_pool_of(fc, family, type);
	struct nc_ctx ctx = { .kfd = -1 };
	int want;

	if (!pl || pl->n + pl->asked >= FWD_POOL_LOW)
		return;
	if (fc->hsock < 0 && helper_start(fc, &ctx))
		return;
	want = FWD_POOL_MAX - pl->n - pl->asked;
	if (!cellsock_request(fc->hsock, family, type, (unsigned)want))
		pl->asked += want;
}

/**
 * fwd_pool_take() - a ready cell-side socket
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the socket, or -1 when the pool is empty (more were asked for)
 */
int fwd_pool_take(struct fwd_cell *fc, int family, int type)
{
	struct pool *pl = fwd_pool_of(fc, family, type);
	int fd = pl->n ? pl->fd[--pl->n] : -1;

	fwd_pool_refill(fc, family, type);
	return fd;
}

/**
 * fwd_port_pause() - stop watching a port's host socket for a while
 * @f:		forwarder
 * @p:		port
 */
void fwd_port_pause(struct fwd *f, struct fwd_port *p)
{
	if (p->paused)
		return;
	fwd_ep_mod(f, p->lfd, 0, &p->ep);
	p->paused = 1;
	f->npaused++;
	fwd_timer_update(f);
}

/**
 * port_resume() - watch a paused port again if its pool has sockets
 * @f:		forwarder
 * @p:		port
 */
static void port_resume(struct fwd *f, struct fwd_port *p)
{
	struct pool *pl = fwd_pool_of(p->fc, p->spec.family, sock_type(&p->spec));

	if (!p->paused)
		return;
	if (!pl->n) {
		fwd_pool_refill(p->fc, p->spec.family, sock_type(&p->spec));
		return;
	}
	fwd_ep_mod(f, p->lfd, EPOLLIN, &p->ep);
	p->paused = 0;
	f->npaused--;
	fwd_timer_update(f);
}

/**
 * pool_add() - put sockets that came from the helper into their pool
 * @pl:		pool, NULL for sockets nobody asked for (closed)
 * @fds:	sockets
 * @n:		how many
 */
static void pool_add(struct pool *pl, const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pl && pl->n < FWD_POOL_MAX)
			pl->fd[pl->n++] = fds[i];
		else
			close(fds[i]);
	}
	if (pl)
		pl->asked = pl->asked > n ? pl->asked - n : 0;
}

/**
 * on_helper() - sockets (or the end) from a cell's helper
 * @f:		forwarder
 * @fc:		cell
 */
static void on_helper(struct fwd *f, struct fwd_cell *fc)
{
	int fds[PROTO_MAXFDS], n, family, type, ret, i;
	struct fwd_port *p;
	struct pool *pl;

	for (i = 0; i < FWD_BATCH; i++) {
		ret = cellsock_receive(fc->hsock, fds, &n, &family, &type);
		if (ret == -EAGAIN)
			break;
		if (!ret) {
			helper_stop(fc);
			break;
		}
		pl = fwd_pool_of(fc, family, type);
		if (ret < 0 && pl)
			pl->asked = 0;
		else
			pool_add(pl, fds, n);
	}
	for (p = fc->ports; p; p = p->next)
		port_resume(f, p);
}


/**
 * fwd_bury() - free an object after the current batch of events, which may
 * still point at it
 * @f:		forwarder
 * @ep:		a registration of the object (@ep->obj is freed)
 */
void fwd_bury(struct fwd *f, struct fwd_ep *ep)
{
	ep->grave = f->grave;
	f->grave = ep;
}

/**
 * fwd_bind_client() - bind a cell-side socket to the client's own address
 * @fd:		cell-side socket (IP_TRANSPARENT)
 * @peer:	the client as accepted on the host
 * @plen:	length of @peer
 * @to:		where @fd will connect in the cell
 * @keep_port:	try the client's port too
 *
 * Best effort: should the port be taken in the cell, only the address is
 * kept; should the address be unusable there, the socket stays unbound and
 * the server sees a loopback address.
 */
void fwd_bind_client(int fd, const struct sockaddr_storage *peer,
			socklen_t plen, const struct sockaddr_storage *to,
			int keep_port)
{
	struct sockaddr_storage b = *peer;

	/* never the target itself: that would be a TCP self-connect */
	if (!keep_port || !memcmp(&b, to, plen))
		*addr_port(&b) = 0;
	if (!bind(fd, (struct sockaddr *)&b, plen))
		return;
	if (errno != EADDRINUSE || !*addr_port(&b))
		return;
	*addr_port(&b) = 0;
	bind(fd, (struct sockaddr *)&b, plen);
}
/**
 * on_timer() - housekeeping: expire idle flows, wake paused ports
 * @f:		forwarder
 */
static void on_timer(struct fwd *f)
{
	struct fwd_cell *fc;
	struct fwd_port *p;
	uint64_t ticks;

	if (read(f->tfd, &ticks, sizeof(ticks)) < 0)
		return;
	f->now = fwd_mono_now();
	for (fc = f->cells; fc; fc = fc->next) {
		for (p = fc->ports; p; p = p->next) {
			port_resume(f, p);
			fwd_flows_expire(f, p);
		}
	}
	fwd_timer_update(f);
}

/**
 * reap() - free what was closed during a batch of events
 * @f:		forwarder
 */
static void reap(struct fwd *f)
{
	struct fwd_ep *ep;

	while ((ep = f->grave)) {
		f->grave = ep->grave;
		free(ep->obj);
	}
}

/**
 * fwd_event() - handle an event of the keeper's loop if it is ours
 * @f:		forwarder
 * @ev:		the event
 *
 * Return: 1 if it was the forwarder's (and is handled), 0 if not
 */
int fwd_event(struct fwd *f, const struct epoll_event *ev)
{
	struct fwd_ep *ep;

	if (!(ev->data.u64 & FWD_TAG))
		return 0;
	ep = (struct fwd_ep *)(uintptr_t)(ev->data.u64 & ~FWD_TAG);
	f->active = 1;
	switch (ep->kind) {
	case EP_LISTEN:
		if (((struct fwd_port *)ep->obj)->dead)
			break;
		if (((struct fwd_port *)ep->obj)->spec.proto == IPPROTO_UDP)
			fwd_on_listen_udp(f, ep->obj);
		else
			fwd_on_listen_tcp(f, ep->obj);
		break;
	case EP_HELPER:
		if (!((struct fwd_cell *)ep->obj)->dead)
			on_helper(f, ep->obj);
		break;
	case EP_CONN:
		fwd_on_conn(f, ep->obj, ep->side, ev->events);
		break;
	case EP_FLOW:
		fwd_on_flow(f, ep->obj);
		break;
	case EP_TIMER:
		on_timer(f);
		break;
	default:
		break;
	}
	return 1;
}

/**
 * fwd_poll() - right after traffic, poll briefly before the keeper sleeps
 * @f:		forwarder
 * @epfd:	the keeper's epoll instance
 * @ev:		events
 * @max:	room in @ev
 *
 * A request and its answer cross the keeper twice within microseconds.
 * Going to sleep in between costs a wakeup each time, which on a virtual
 * machine (halt, exit, inter-processor interrupt) is longer than the
 * whole forwarding work.  So after a batch with traffic the keeper polls
 * for FWD_SPIN_NS, then sleeps; an idle keeper never spins.
 *
 * Return: number of events, 0 when the caller should block
 */
int fwd_poll(struct fwd *f, int epfd, struct epoll_event *ev, int max)
{
	long long end;
	int n;

	if (!f->active)
		return 0;
	f->active = 0;
	end = mono_ns() + FWD_SPIN_NS;
	do {
		n = epoll_wait(epfd, ev, max, 0);
		if (n)
			return n;
	} while (mono_ns() < end);
	return 0;
}

/**
 * fwd_batch_end() - after a batch of events: free what was closed in it
 * @f:		forwarder
 */
void fwd_batch_end(struct fwd *f)
{
	if (f->grave)
		reap(f);
}

/**
 * raise_nofile() - allow as many descriptors as the hard limit does
 *
 * Each forwarded connection holds two sockets and two pipes.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/**
 * fwd_new() - the keeper's forwarder, with no ports yet
 * @ctx:	context
 * @epfd:	the keeper's epoll instance, which the forwarder shares
 * @f:		result
 *
 * Return: 0 or -errno with a message
 */
int fwd_new(struct nc_ctx *ctx, int epfd, struct fwd **f)
{
	struct fwd *n = calloc(1, sizeof(*n));
	long max = FWD_PIPE_SIZE;

	if (!n)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	n->epfd = epfd;
	n->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	n->tep.kind = EP_TIMER;
	if (n->tfd < 0 || fwd_ep_add(n, n->tfd, EPOLLIN, &n->tep)) {
		ctx_err(ctx, -errno, NC_ERR_FAILED, "forwarder: timerfd: %s",
			strerror(errno));
		fwd_free(n);
		return -EIO;
	}
	diag_read_sysctl("fs.pipe-max-size", &max);
	n->pipe_size = (int)(max < FWD_PIPE_SIZE ? max : FWD_PIPE_SIZE);
	raise_nofile();
	*f = n;
	return 0;
}

/**
 * port_free() - close a port, its connections and its flows
 * @f:		forwarder
 * @p:		port, unlinked from its cell
 *
 * The host port is free when this returns; the memory goes after the
 * current batch of events, which may still point at it.
 */
static void port_free(struct fwd *f, struct fwd_port *p)
{
	while (p->conns)
		fwd_conn_close(f, p->conns, 1);
	while (p->flows)
		fwd_flow_close(f, p->flows);
	if (p->paused)
		f->npaused--;
	close(p->lfd);
	p->dead = 1;
	fwd_bury(f, &p->ep);
	fwd_timer_update(f);
}

/**
 * fwd_cell_new() - a cell's forwards, starting its socket helper
 * @f:		forwarder
 * @ctx:	context
 * @netfd:	the cell's network namespace; must stay open until
 *		fwd_cell_free()
 * @fc:		result
 *
 * Return: 0 or -errno with a message
 */
int fwd_cell_new(struct fwd *f, struct nc_ctx *ctx, int netfd,
		 struct fwd_cell **fc)
{
	struct fwd_cell *n = calloc(1, sizeof(*n));
	int ret;

	if (!n)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	n->f = f;
	n->ep = (struct fwd_ep){ .kind = EP_HELPER, .obj = n };
	n->netfd = netfd;
	n->hsock = -1;
	n->helper = -1;
	ret = helper_start(n, ctx);
	if (ret) {
		free(n);
		return ret;
	}
	n->next = f->cells;
	if (f->cells)
		f->cells->prev = n;
	f->cells = n;
	*fc = n;
	return 0;
}

/**
 * fwd_cell_free() - close every forward of a cell and end its helper
 * @fc:		cell, may be NULL
 *
 * When this returns, the cell's host ports are free again.
 */
void fwd_cell_free(struct fwd_cell *fc)
{
	struct fwd_port *p;
	struct pool *pl;
	struct fwd *f;

	if (!fc)
		return;
	f = fc->f;
	while ((p = fc->ports)) {
		fc->ports = p->next;
		port_free(f, p);
	}
	helper_stop(fc);
	for (pl = &fc->pool[0][0]; pl < &fc->pool[0][0] + 4; pl++)
		while (pl->n)
			close(pl->fd[--pl->n]);
	DL_UNLINK(f->cells, fc);
	fc->dead = 1;
	fwd_bury(f, &fc->ep);
}

/**
 * fwd_free() - close everything of the forwarder
 * @f:		forwarder, may be NULL
 */
void fwd_free(struct fwd *f)
{
	if (!f)
		return;
	while (f->cells)
		fwd_cell_free(f->cells);
	reap(f);
	while (f->npipes--) {
		close(f->pipes[f->npipes][0]);
		close(f->pipes[f->npipes][1]);
	}
	if (f->tfd >= 0)
		close(f->tfd);
	free(f);
}

/**
 * host_where() - "ADDR:PORT/PROTO" of a spec's host side, for messages
 * @s:		spec
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
static const char *host_where(const struct portspec *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	portspec_addr_text(s, a, sizeof(a));
	snprintf(buf, len, s->family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s",
		 a, s->hport, s->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}

/**
 * host_error() - the message for a host socket that cannot be bound
 * @ctx:	context
 * @s:		spec
 * @err:	negative errno of bind()
 *
 * Return: @err with a message naming the address and port and the fix
 */
static int host_error(struct nc_ctx *ctx, const struct portspec *s, int err)
{
	char where[PORTSPEC_TEXT_MAX];

	host_where(s, where, sizeof(where));
	if (err == -EACCES)
		return diag_host_port_denied(ctx, s->hport);
	if (err == -EADDRINUSE)
		return ctx_err(ctx, err, NC_ERR_FAILED,
			       "host port %s is in use by another program; publish another host port, or stop what uses it ('ss -%slpn sport = :%u' shows it)",
			       where, s->proto == IPPROTO_UDP ? "u" : "t",
			       s->hport);
	if (err == -EADDRNOTAVAIL)
		return ctx_err(ctx, err, NC_ERR_FAILED,
			       "cannot publish %s: the address is not one of this host's ('ip -brief address' lists them; 0.0.0.0 or [::] mean all)",
			       where);
	return ctx_err(ctx, err, ctx_kind_of_errno(err),
		       "cannot publish host port %s: %s", where, strerror(-err));
}

/**
 * listen_host() - the host socket of a published port
 * @ctx:	context
 * @s:		spec
 * @fd:		result: listening TCP or bound UDP socket, non-blocking
 *
 * TCP listeners get SO_REUSEADDR, as servers do, so a port can be published
 * again while old connections linger in TIME_WAIT (after a keeper crash);
 * the kernel still refuses it while anything listens there.  UDP sockets do
 * not: for UDP it would let two sockets share the port.
 *
 * Return: 0 or -errno with a message
 */
static int listen_host(struct nc_ctx *ctx, const struct portspec *s, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(s->family, s->addr, s->hport, &ss);
	int one = 1, ret;

	*fd = socket(s->family, sock_type(s) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "socket: %s",
			       strerror(errno));
	if (s->family == AF_INET6)
		setsockopt(*fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (s->proto == IPPROTO_TCP)
		setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else if (s->family == AF_INET6)
		setsockopt(*fd, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	else
		setsockopt(*fd, SOL_IP, IP_PKTINFO, &one, sizeof(one));
	if (!bind(*fd, (struct sockaddr *)&ss, len) &&
	    (s->proto == IPPROTO_UDP || !listen(*fd, SOMAXCONN)))
		return 0;
	ret = -errno;
	close(*fd);
	*fd = -1;
	return host_error(ctx, s, ret);
}

/**
 * fwd_open() - publish a port of a cell
 * @fc:		cell
 * @ctx:	context
 * @s:		what to publish
 *
 * Return: 0, or -errno with a message (-EACCES: a privileged host port,
 * kind NC_ERR_PERM; -EADDRINUSE: the host port is taken); nothing changes
 * on failure
 */
int fwd_open(struct fwd_cell *fc, struct nc_ctx *ctx, const struct portspec *s)
{
	struct fwd_port *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	/* "host:" the other way round (fwd_host.c) */
	ret = s->to_host ? fwd_listen_cell(fc, ctx, s, &p->lfd) : listen_host(ctx, s, &p->lfd);
	if (ret) {
		free(p);
		return ret;
	}
	p->spec = *s;
	p->tlen = s->to_host ? fwd_host_target(s, &p->to) : cell_target(s, &p->to);
	p->fc = fc;
	p->ep = (struct fwd_ep){ .kind = EP_LISTEN, .obj = p };
	ret = fwd_ep_add(fc->f, p->lfd, EPOLLIN, &p->ep);
	if (ret) {
		close(p->lfd);
		free(p);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "epoll: %s",
			       strerror(-ret));
	}
	p->next = fc->ports;
	fc->ports = p;
	if (!s->to_host)
		fwd_pool_refill(fc, s->family, sock_type(s));
	return 0;
}

/**
 * fwd_close() - withdraw a published port, ending its connections
 * @fc:		cell
 * @s:		what was published (portspec_equal())
 */
void fwd_close(struct fwd_cell *fc, const struct portspec *s)
{
	struct fwd_port **pp, *p;

	for (pp = &fc->ports; (p = *pp); pp = &p->next) {
		if (!portspec_equal(&p->spec, s))
			continue;
		*pp = p->next;
		port_free(fc->f, p);
		return;
	}
}

/**
 * fwd_count() - how many ports a cell publishes
 * @fc:		cell, may be NULL
 *
 * Return: the number of open forwards
 */
unsigned fwd_count(const struct fwd_cell *fc)
{
	const struct fwd_port *p;
	unsigned n = 0;

	for (p = fc ? fc->ports : NULL; p; p = p->next)
		n++;
	return n;
}
