// SPDX-License-Identifier: MIT
/*
 * forward.c - published ports: the keeper's forwarder
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
#include "cellsock.h"
#include "diag.h"
#include "forward.h"
#include "proto.h"

#define FWD_POOL_MAX	64	/* ready cell-side sockets per family/proto */
#define FWD_POOL_LOW	32	/* ask the helper for more below this */
#define FWD_PIPE_SIZE	(1 << 20)	/* wanted pipe size, capped by the sysctl */
#define FWD_PIPES_KEPT	64	/* empty pipes kept for new connections */
#define FWD_BATCH	64	/* accepts or datagrams per event */
#define FWD_EVENTS	64	/* events per epoll_wait() */
#define FWD_UDP_FLOWS	1024	/* UDP flows per port */
#define FWD_UDP_IDLE_S	60	/* UDP flow idle timeout */
#define FWD_UDP_MAX	65536	/* largest datagram */
#define FWD_TAG		(1ULL << 63)	/* marks the forwarder's epoll data */
#define FWD_CONN_EV	(EPOLLIN | EPOLLRDHUP | EPOLLET)
#define FWD_SPIN_NS	300000	/* busy-poll this long after traffic */

/**
 * enum ep_kind - what an epoll registration of the forwarder belongs to
 * @EP_LISTEN:	a host socket of a published port
 * @EP_HELPER:	a cell's socket helper
 * @EP_CONN:	one side of a TCP connection
 * @EP_FLOW:	the cell-side socket of a UDP flow
 * @EP_TIMER:	the housekeeping timer
 */
enum ep_kind { EP_LISTEN, EP_HELPER, EP_CONN, EP_FLOW, EP_TIMER };

/**
 * struct fwd_ep - what epoll's data.ptr points at
 * @kind:	owner type
 * @side:	for EP_CONN: 0 host side, 1 cell side
 * @obj:	the owner
 * @grave:	next owner to free after the current batch of events
 */
struct fwd_ep {
	enum ep_kind kind;
	int side;
	void *obj;
	struct fwd_ep *grave;
};

/**
 * struct pool - cell-side sockets made in advance
 * @fd:		ready sockets
 * @n:		how many
 * @asked:	requested from the helper, not yet received
 */
struct pool {
	int fd[FWD_POOL_MAX];
	int n;
	int asked;
};

struct fwd_port;

/**
 * struct fwd_cell - one cell's forwards and its socket helper
 * @ep:		registration of @hsock
 * @f:		the forwarder
 * @prev:	list of cells
 * @next:	list of cells
 * @netfd:	the cell's network namespace (owned by the keeper)
 * @helper:	helper PID, -1 when none runs
 * @hsock:	socket to the helper, -1 when none runs
 * @pool:	sockets by [IPv6][UDP]
 * @ports:	published ports
 * @dead:	freed; memory released after the current batch of events
 */
struct fwd_cell {
	struct fwd_ep ep;
	struct fwd *f;
	struct fwd_cell *prev, *next;
	int dead;
	int netfd;
	pid_t helper;
	int hsock;
	struct pool pool[2][2];
	struct fwd_port *ports;
};

struct fconn;
struct uflow;

/**
 * struct fwd_port - one published port
 * @ep:		registration of @lfd
 * @fc:		its cell
 * @next:	list of the cell's ports
 * @spec:	what was published
 * @lfd:	host socket: listening (TCP) or bound (UDP)
 * @dead:	closed; memory released after the current batch of events
 * @paused:	@lfd is not watched, waiting for cell-side sockets
 * @conns:	TCP connections
 * @flows:	UDP flows, most recently used first
 * @nflows:	number of @flows
 */
struct fwd_port {
	struct fwd_ep ep;
	struct fwd_cell *fc;
	struct fwd_port *next;
	struct portspec spec;
	int lfd;
	int dead;
	int paused;
	struct fconn *conns;
	struct uflow *flows;
	unsigned nflows;
};

/**
 * struct fconn - one forwarded TCP connection
 * @ep:		registrations of @fd
 * @port:	its port
 * @prev:	list of the port's connections
 * @next:	list of the port's connections
 * @fd:		host side, cell side
 * @pipe:	pipe[d] carries data read from fd[d] to fd[!d]
 * @queued:	bytes in pipe[d]
 * @eof:	fd[d] was read to its end
 * @shut:	fd[!d] was shut for writing after eof[d]
 * @out:	EPOLLOUT is watched on fd[d]
 * @connected:	the cell side finished connecting
 * @dead:	closed; freed after the current batch of events
 */
struct fconn {
	struct fwd_ep ep[2];
	struct fwd_port *port;
	struct fconn *prev, *next;
	int fd[2];
	int pipe[2][2];
	size_t queued[2];
	unsigned char eof[2], shut[2], out[2];
	unsigned char connected, dead;
};

/**
 * struct uflow - one UDP client of a published port
 * @ep:		registration of @fd
 * @port:	its port
 * @prev:	list of the port's flows
 * @next:	list of the port's flows
 * @peer:	the client on the host
 * @plen:	length of @peer
 * @local:	host address the client wrote to (wildcard ports), else zero
 * @fd:		connected cell-side socket
 * @last:	when it last carried a datagram, monotonic seconds
 * @dead:	closed; freed after the current batch of events
 */
struct uflow {
	struct fwd_ep ep;
	struct fwd_port *port;
	struct uflow *prev, *next;
	struct sockaddr_storage peer;
	socklen_t plen;
	struct in6_addr local;
	int fd;
	long long last;
	int dead;
};

/**
 * struct fwd - the forwarder of one keeper
 * @epfd:	the keeper's epoll instance (not owned)
 * @tfd:	housekeeping timer, ticking while flows or paused ports exist
 * @tep:	registration of @tfd
 * @timer_on:	@tfd is armed
 * @cells:	cells with published ports
 * @grave:	closed objects, freed after the batch of events (bury())
 * @pipes:	empty pipes kept for reuse
 * @npipes:	number of @pipes
 * @pipe_size:	size asked for new pipes
 * @nflows:	UDP flows in all cells
 * @npaused:	paused ports in all cells
 * @active:	the last batch of events had traffic of the forwarder
 * @now:	monotonic seconds, read when UDP traffic or the timer comes
 * @buf:	one datagram
 */
struct fwd {
	int epfd, tfd;
	struct fwd_ep tep;
	int timer_on;
	struct fwd_cell *cells;
	struct fwd_ep *grave;
	int pipes[FWD_PIPES_KEPT][2];
	int npipes;
	int pipe_size;
	unsigned nflows, npaused;
	int active;
	long long now;
	char buf[FWD_UDP_MAX];
};

/**
 * ep_add() - watch a descriptor
 * @f:		forwarder
 * @fd:		descriptor
 * @events:	epoll events
 * @ep:		what the events are for
 *
 * Return: 0 or -errno
 */
static int ep_add(struct fwd *f, int fd, unsigned events, struct fwd_ep *ep)
{
	struct epoll_event ev = { .events = events,
				  .data.u64 = (uintptr_t)ep | FWD_TAG };

	return epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/**
 * ep_mod() - change what is watched on a descriptor
 * @f:		forwarder
 * @fd:		descriptor
 * @events:	epoll events
 * @ep:		what the events are for
 */
static void ep_mod(struct fwd *f, int fd, unsigned events, struct fwd_ep *ep)
{
	struct epoll_event ev = { .events = events,
				  .data.u64 = (uintptr_t)ep | FWD_TAG };

	epoll_ctl(f->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/**
 * mono_now() - monotonic seconds
 *
 * Return: seconds
 */
static long long mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/**
 * timer_update() - tick once a second while there is housekeeping to do
 * @f:		forwarder
 */
static void timer_update(struct fwd *f)
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
 * pool_of() - the pool for a family and socket type
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the pool, NULL for anything else
 */
static struct pool *pool_of(struct fwd_cell *fc, int family, int type)
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
	ret = ep_add(fc->f, fc->hsock, EPOLLIN, &fc->ep);
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
 * pool_refill() - ask the helper for sockets when a pool runs low
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * A helper that died is started again here.
 */
static void pool_refill(struct fwd_cell *fc, int family, int type)
{
	struct pool *pl = pool_of(fc, family, type);
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
 * pool_take() - a ready cell-side socket
 * @fc:		cell
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the socket, or -1 when the pool is empty (more were asked for)
 */
static int pool_take(struct fwd_cell *fc, int family, int type)
{
	struct pool *pl = pool_of(fc, family, type);
	int fd = pl->n ? pl->fd[--pl->n] : -1;

	pool_refill(fc, family, type);
	return fd;
}

/**
 * port_pause() - stop watching a port's host socket for a while
 * @f:		forwarder
 * @p:		port
 */
static void port_pause(struct fwd *f, struct fwd_port *p)
{
	if (p->paused)
		return;
	ep_mod(f, p->lfd, 0, &p->ep);
	p->paused = 1;
	f->npaused++;
	timer_update(f);
}

/**
 * port_resume() - watch a paused port again if its pool has sockets
 * @f:		forwarder
 * @p:		port
 */
static void port_resume(struct fwd *f, struct fwd_port *p)
{
	struct pool *pl = pool_of(p->fc, p->spec.family, sock_type(&p->spec));

	if (!p->paused)
		return;
	if (!pl->n) {
		pool_refill(p->fc, p->spec.family, sock_type(&p->spec));
		return;
	}
	ep_mod(f, p->lfd, EPOLLIN, &p->ep);
	p->paused = 0;
	f->npaused--;
	timer_update(f);
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
		pl = pool_of(fc, family, type);
		if (ret < 0 && pl)
			pl->asked = 0;
		else
			pool_add(pl, fds, n);
	}
	for (p = fc->ports; p; p = p->next)
		port_resume(f, p);
}

/**
 * pipe_get() - a pipe for one direction of a connection
 * @f:		forwarder
 * @p:		result: read end, write end
 *
 * Return: 0 or -errno
 */
static int pipe_get(struct fwd *f, int p[2])
{
	if (f->npipes) {
		f->npipes--;
		p[0] = f->pipes[f->npipes][0];
		p[1] = f->pipes[f->npipes][1];
		return 0;
	}
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		p[0] = p[1] = -1;
		return -errno;
	}
	/* best effort: over pipe-user-pages-soft the kernel says no */
	fcntl(p[1], F_SETPIPE_SZ, f->pipe_size);
	return 0;
}

/**
 * pipe_put() - keep an empty pipe for later, close anything else
 * @f:		forwarder
 * @p:		pipe, -1 when there is none
 * @queued:	bytes still in it
 */
static void pipe_put(struct fwd *f, int p[2], size_t queued)
{
	if (p[0] < 0)
		return;
	if (!queued && f->npipes < FWD_PIPES_KEPT) {
		f->pipes[f->npipes][0] = p[0];
		f->pipes[f->npipes][1] = p[1];
		f->npipes++;
	} else {
		close(p[0]);
		close(p[1]);
	}
	p[0] = p[1] = -1;
}

/**
 * bury() - free an object after the current batch of events, which may
 * still point at it
 * @f:		forwarder
 * @ep:		a registration of the object (@ep->obj is freed)
 */
static void bury(struct fwd *f, struct fwd_ep *ep)
{
	ep->grave = f->grave;
	f->grave = ep;
}

/**
 * close_reset() - close a socket with a reset instead of a FIN
 * @fd:		socket, -1 for none
 */
static void close_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/**
 * conn_release() - close a connection's descriptors
 * @f:		forwarder
 * @c:		connection
 * @abort:	reset both sockets instead of closing them cleanly
 */
static void conn_release(struct fwd *f, struct fconn *c, int abort)
{
	int d;

	for (d = 0; d < 2; d++) {
		pipe_put(f, c->pipe[d], c->queued[d]);
		if (abort)
			close_reset(c->fd[d]);
		else if (c->fd[d] >= 0)
			close(c->fd[d]);
		c->fd[d] = -1;
	}
}

/**
 * conn_close() - end a connection; freed after the current batch
 * @f:		forwarder
 * @c:		connection
 * @abort:	reset both sides (an error on one side)
 */
static void conn_close(struct fwd *f, struct fconn *c, int abort)
{
	struct fwd_port *p = c->port;

	if (c->dead)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	conn_release(f, c, abort);
	c->dead = 1;
	bury(f, &c->ep[0]);
}

/**
 * bind_client() - bind a cell-side socket to the client's own address
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
static void bind_client(int fd, const struct sockaddr_storage *peer,
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
 * cell_connect() - start the cell side of an accepted connection
 * @p:		port
 * @peer:	the client
 * @plen:	length of @peer
 * @connected:	set when the connection is already established
 *
 * Over the cell's loopback the handshake usually completes within
 * connect() itself; a second connect() (EISCONN) tells, which saves the
 * wakeup that watching for output would cost.
 *
 * Return: a connecting or connected socket in the cell, or -errno
 */
static int cell_connect(struct fwd_port *p, const struct sockaddr_storage *peer,
			socklen_t plen, unsigned char *connected)
{
	struct sockaddr_storage to;
	socklen_t tlen = cell_target(&p->spec, &to);
	int tries, fd, err = -EAGAIN;

	for (tries = 0; tries < 2; tries++) {
		fd = pool_take(p->fc, p->spec.family, SOCK_STREAM);
		if (fd < 0)
			return err;
		/* a second try without the client's port: the 4-tuple was
		 * taken (the same client port to two host ports) */
		bind_client(fd, peer, plen, &to, !tries);
		if (!connect(fd, (struct sockaddr *)&to, tlen) ||
		    (errno == EINPROGRESS &&
		     (!connect(fd, (struct sockaddr *)&to, tlen) ||
		      errno == EISCONN || errno == EALREADY))) {
			*connected = errno != EALREADY;
			return fd;
		}
		err = -errno;
		close(fd);
		if (err != -EADDRNOTAVAIL)
			break;
	}
	return err;
}

/**
 * conn_new() - forward a connection accepted on the host
 * @f:		forwarder
 * @p:		port
 * @hfd:	accepted socket
 * @peer:	the client
 * @plen:	length of @peer
 */
static void conn_new(struct fwd *f, struct fwd_port *p, int hfd,
		     const struct sockaddr_storage *peer, socklen_t plen)
{
	struct fconn *c = calloc(1, sizeof(*c));
	int d;

	if (!c) {
		close_reset(hfd);
		return;
	}
	c->fd[0] = hfd;
	c->pipe[0][0] = c->pipe[0][1] = c->pipe[1][0] = c->pipe[1][1] = -1;
	c->fd[1] = cell_connect(p, peer, plen, &c->connected);
	if (c->fd[1] < 0 || pipe_get(f, c->pipe[0]) || pipe_get(f, c->pipe[1]))
		goto fail;
	/* output is watched from the start only to see the connection
	 * complete */
	c->out[1] = !c->connected;
	for (d = 0; d < 2; d++) {
		c->ep[d] = (struct fwd_ep){ .kind = EP_CONN, .side = d, .obj = c };
		if (ep_add(f, c->fd[d], FWD_CONN_EV | (c->out[d] ? EPOLLOUT : 0),
			   &c->ep[d]))
			goto fail;
	}
	c->port = p;
	c->next = p->conns;
	if (p->conns)
		p->conns->prev = c;
	p->conns = c;
	return;
fail:
	conn_release(f, c, 1);
	free(c);
}

/**
 * want_out() - watch a connection's socket for room to write
 * @f:		forwarder
 * @c:		connection
 * @side:	0 host side, 1 cell side
 */
static void want_out(struct fwd *f, struct fconn *c, int side)
{
	if (c->out[side])
		return;
	c->out[side] = 1;
	ep_mod(f, c->fd[side], FWD_CONN_EV | EPOLLOUT, &c->ep[side]);
}

/**
 * fill() - splice what fd[d] has into pipe[d]
 * @c:		connection
 * @d:		direction: 0 host to cell, 1 cell to host
 *
 * Return: 1 when bytes moved, 0 when none (EAGAIN, end of stream, full
 * pipe), -errno when the connection broke
 */
static int fill(struct fconn *c, int d)
{
	ssize_t n;

	if (c->eof[d] || c->queued[d] >= FWD_PIPE_SIZE)
		return 0;
	n = splice(c->fd[d], NULL, c->pipe[d][1], NULL,
		   FWD_PIPE_SIZE - c->queued[d],
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		c->queued[d] += (size_t)n;
		return 1;
	}
	if (!n)
		c->eof[d] = 1;
	return n < 0 && errno != EAGAIN ? -errno : 0;
}

/**
 * pump() - move what can be moved from fd[d] to fd[!d] through pipe[d]
 * @f:		forwarder
 * @c:		connection
 * @d:		direction: 0 host to cell, 1 cell to host
 *
 * Edge-triggered: runs until reading and writing both stop making
 * progress, that is until the kernel said EAGAIN (or end of stream).  A
 * write that met EAGAIN makes fd[!d] watched for output, whose event
 * brings us back here.
 *
 * Return: 0, or -errno when the connection broke
 */
static int pump(struct fwd *f, struct fconn *c, int d)
{
	const unsigned fl = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
	int progress;
	ssize_t n;

	do {
		progress = fill(c, d);
		if (progress < 0)
			return progress;
		if (!c->queued[d] || (d == 0 && !c->connected))
			continue;
		n = splice(c->pipe[d][0], NULL, c->fd[!d], NULL, c->queued[d], fl);
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n > 0) {
			c->queued[d] -= (size_t)n;
			progress = 1;
		} else {
			want_out(f, c, !d);
		}
	} while (progress);
	/* shutdown() of a socket still in SYN_SENT would close it instead;
	 * with the other direction done, close() (next) sends the FIN */
	if (c->eof[d] && !c->queued[d] && !c->shut[d] && (d || c->connected)) {
		if (!c->shut[!d])
			shutdown(c->fd[!d], SHUT_WR);
		c->shut[d] = 1;
	}
	return 0;
}

/**
 * on_conn() - an event on either side of a connection
 * @f:		forwarder
 * @c:		connection
 * @side:	0 host side, 1 cell side
 * @events:	epoll events
 *
 * Input on a side moves data away from it; output on a side (room to
 * write, or the cell side's connection completing) moves data to it.
 */
static void on_conn(struct fwd *f, struct fconn *c, int side,
		    unsigned events)
{
	int ret = 0;

	if (c->dead)
		return;
	if (events & EPOLLERR) {
		conn_close(f, c, 1);
		return;
	}
	if (side == 1 && (events & EPOLLOUT))
		c->connected = 1;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		ret = pump(f, c, side);
	if (!ret && (events & EPOLLOUT))
		ret = pump(f, c, !side);
	if (ret)
		conn_close(f, c, 1);
	else if (c->shut[0] && c->shut[1])
		conn_close(f, c, 0);
}

/**
 * on_listen_tcp() - accept clients of a TCP port
 * @f:		forwarder
 * @p:		port
 */
static void on_listen_tcp(struct fwd *f, struct fwd_port *p)
{
	struct pool *pl = pool_of(p->fc, p->spec.family, SOCK_STREAM);
	struct sockaddr_storage peer;
	socklen_t plen;
	int i, hfd;

	for (i = 0; i < FWD_BATCH; i++) {
		if (!pl->n) {
			pool_refill(p->fc, p->spec.family, SOCK_STREAM);
			port_pause(f, p);
			return;
		}
		plen = sizeof(peer);
		hfd = accept4(p->lfd, (struct sockaddr *)&peer, &plen,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (hfd >= 0) {
			conn_new(f, p, hfd, &peer, plen);
			continue;
		}
		/* out of descriptors or memory: retry on the next tick
		 * rather than spin on a listener that stays readable */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			port_pause(f, p);
		return;
	}
}

/**
 * flow_close() - end a UDP flow; freed after the current batch
 * @f:		forwarder
 * @fl:		flow
 */
static void flow_close(struct fwd *f, struct uflow *fl)
{
	struct fwd_port *p = fl->port;

	if (fl->prev)
		fl->prev->next = fl->next;
	else
		p->flows = fl->next;
	if (fl->next)
		fl->next->prev = fl->prev;
	close(fl->fd);
	fl->dead = 1;
	bury(f, &fl->ep);
	p->nflows--;
	f->nflows--;
}

/**
 * flow_front() - put a flow first, as the most recently used
 * @p:		port
 * @fl:		flow, linked or not
 */
static void flow_front(struct fwd_port *p, struct uflow *fl)
{
	if (p->flows == fl)
		return;
	if (fl->prev)
		fl->prev->next = fl->next;
	if (fl->next)
		fl->next->prev = fl->prev;
	fl->prev = NULL;
	fl->next = p->flows;
	if (p->flows)
		p->flows->prev = fl;
	p->flows = fl;
}

/**
 * flow_find() - the flow of a client
 * @p:		port
 * @peer:	client
 * @plen:	length of @peer
 *
 * Return: the flow or NULL
 */
static struct uflow *flow_find(struct fwd_port *p,
			       const struct sockaddr_storage *peer,
			       socklen_t plen)
{
	struct uflow *fl;

	for (fl = p->flows; fl; fl = fl->next)
		if (fl->plen == plen && !memcmp(&fl->peer, peer, plen))
			return fl;
	return NULL;
}

/**
 * flow_evict() - make room: close the least recently used flow
 * @f:		forwarder
 * @p:		port with FWD_UDP_FLOWS flows
 */
static void flow_evict(struct fwd *f, struct fwd_port *p)
{
	struct uflow *fl = p->flows;

	while (fl && fl->next)
		fl = fl->next;
	if (fl)
		flow_close(f, fl);
}

/**
 * flow_new() - a flow for a new client of a UDP port
 * @f:		forwarder
 * @p:		port
 * @peer:	client
 * @plen:	length of @peer
 * @local:	host address it wrote to (wildcard ports)
 *
 * Return: the flow, or NULL (the datagram is dropped, as UDP may)
 */
static struct uflow *flow_new(struct fwd *f, struct fwd_port *p,
			      const struct sockaddr_storage *peer,
			      socklen_t plen, const struct in6_addr *local)
{
	struct sockaddr_storage to;
	socklen_t tlen = cell_target(&p->spec, &to);
	struct uflow *fl;
	int fd;

	if (p->nflows >= FWD_UDP_FLOWS)
		flow_evict(f, p);
	fd = pool_take(p->fc, p->spec.family, SOCK_DGRAM);
	fl = fd < 0 ? NULL : calloc(1, sizeof(*fl));
	if (!fl)
		goto fail;
	bind_client(fd, peer, plen, &to, 1);
	fl->ep = (struct fwd_ep){ .kind = EP_FLOW, .obj = fl };
	if (connect(fd, (struct sockaddr *)&to, tlen) ||
	    ep_add(f, fd, EPOLLIN, &fl->ep))
		goto fail;
	memcpy(&fl->peer, peer, plen);
	fl->plen = plen;
	fl->local = *local;
	fl->fd = fd;
	fl->port = p;
	flow_front(p, fl);
	p->nflows++;
	f->nflows++;
	timer_update(f);
	return fl;
fail:
	free(fl);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/**
 * udp_recv_host() - one datagram from a client on the host
 * @p:		port
 * @buf:	payload
 * @len:	size of @buf
 * @peer:	the client
 * @plen:	length of @peer
 * @local:	the address it was sent to (IP_PKTINFO), else zero
 *
 * Return: payload length or -errno
 */
static ssize_t udp_recv_host(struct fwd_port *p, void *buf, size_t len,
			     struct sockaddr_storage *peer, socklen_t *plen,
			     struct in6_addr *local)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_name = peer, .msg_namelen = sizeof(*peer),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct in6_pktinfo pi6;
	struct in_pktinfo pi4;
	struct cmsghdr *cm;
	ssize_t n = recvmsg(p->lfd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	*plen = mh.msg_namelen;
	memset(local, 0, sizeof(*local));
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_PKTINFO) {
			memcpy(&pi4, CMSG_DATA(cm), sizeof(pi4));
			memcpy(local, &pi4.ipi_addr, 4);
		} else if (cm->cmsg_level == SOL_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO) {
			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			*local = pi6.ipi6_addr;
		}
	}
	return n;
}

/**
 * udp_send_host() - a reply to a flow's client, from the address it used
 * @fl:		flow
 * @buf:	payload
 * @n:		its length
 */
static void udp_send_host(const struct uflow *fl, const void *buf, size_t n)
{
	static const struct in6_addr zero;
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = n };
	struct msghdr mh = { .msg_name = (void *)&fl->peer,
			     .msg_namelen = fl->plen, .msg_iov = &iov,
			     .msg_iovlen = 1 };
	struct in6_pktinfo pi6 = { .ipi6_addr = fl->local };
	struct in_pktinfo pi4 = { 0 };
	struct cmsghdr *cm;

	if (memcmp(&fl->local, &zero, sizeof(zero))) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		cm = CMSG_FIRSTHDR(&mh);
		if (fl->peer.ss_family == AF_INET6) {
			cm->cmsg_level = SOL_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi6));
			memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
		} else {
			memcpy(&pi4.ipi_spec_dst, &fl->local, 4);
			cm->cmsg_level = SOL_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi4));
			memcpy(CMSG_DATA(cm), &pi4, sizeof(pi4));
		}
		mh.msg_controllen = cm->cmsg_len;
	}
	/* a full socket buffer drops the datagram, as the network may */
	sendmsg(fl->port->lfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * on_listen_udp() - datagrams from clients of a UDP port into the cell
 * @f:		forwarder
 * @p:		port
 */
static void on_listen_udp(struct fwd *f, struct fwd_port *p)
{
	struct sockaddr_storage peer;
	struct in6_addr local;
	struct uflow *fl;
	socklen_t plen = 0;
	ssize_t n;
	int i;

	f->now = mono_now();
	for (i = 0; i < FWD_BATCH; i++) {
		n = udp_recv_host(p, f->buf, sizeof(f->buf), &peer, &plen, &local);
		if (n < 0)
			return;
		fl = flow_find(p, &peer, plen);
		if (!fl)
			fl = flow_new(f, p, &peer, plen, &local);
		if (!fl)
			continue;
		flow_front(p, fl);
		fl->last = f->now;
		send(fl->fd, f->buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/**
 * on_flow() - replies from the cell to a flow's client
 * @f:		forwarder
 * @fl:		flow
 */
static void on_flow(struct fwd *f, struct uflow *fl)
{
	ssize_t n;
	int i;

	if (fl->dead)
		return;
	f->now = mono_now();
	for (i = 0; i < FWD_BATCH; i++) {
		n = recv(fl->fd, f->buf, sizeof(f->buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;
		/* ECONNREFUSED: an ICMP error of an earlier datagram */
		if (n < 0)
			continue;
		fl->last = f->now;
		udp_send_host(fl, f->buf, (size_t)n);
	}
}

/**
 * flows_expire() - close a port's flows idle for FWD_UDP_IDLE_S
 * @f:		forwarder
 * @p:		port
 */
static void flows_expire(struct fwd *f, struct fwd_port *p)
{
	struct uflow *fl, *next;

	for (fl = p->flows; fl; fl = next) {
		next = fl->next;
		if (f->now - fl->last >= FWD_UDP_IDLE_S)
			flow_close(f, fl);
	}
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
	f->now = mono_now();
	for (fc = f->cells; fc; fc = fc->next) {
		for (p = fc->ports; p; p = p->next) {
			port_resume(f, p);
			flows_expire(f, p);
		}
	}
	timer_update(f);
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
			on_listen_udp(f, ep->obj);
		else
			on_listen_tcp(f, ep->obj);
		break;
	case EP_HELPER:
		if (!((struct fwd_cell *)ep->obj)->dead)
			on_helper(f, ep->obj);
		break;
	case EP_CONN:
		on_conn(f, ep->obj, ep->side, ev->events);
		break;
	case EP_FLOW:
		on_flow(f, ep->obj);
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
	if (n->tfd < 0 || ep_add(n, n->tfd, EPOLLIN, &n->tep)) {
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
		conn_close(f, p->conns, 1);
	while (p->flows)
		flow_close(f, p->flows);
	if (p->paused)
		f->npaused--;
	close(p->lfd);
	p->dead = 1;
	bury(f, &p->ep);
	timer_update(f);
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
	if (fc->prev)
		fc->prev->next = fc->next;
	else
		f->cells = fc->next;
	if (fc->next)
		fc->next->prev = fc->prev;
	fc->dead = 1;
	bury(f, &fc->ep);
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
	ret = listen_host(ctx, s, &p->lfd);
	if (ret) {
		free(p);
		return ret;
	}
	p->spec = *s;
	p->fc = fc;
	p->ep = (struct fwd_ep){ .kind = EP_LISTEN, .obj = p };
	ret = ep_add(fc->f, p->lfd, EPOLLIN, &p->ep);
	if (ret) {
		close(p->lfd);
		free(p);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "epoll: %s",
			       strerror(-ret));
	}
	p->next = fc->ports;
	fc->ports = p;
	pool_refill(fc, s->family, sock_type(s));
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
