// SPDX-License-Identifier: MIT
/*
 * forward.c - published ports: the keeper's forwarder, its event loop and
 * timers (host listeners in fwd_port.c, each cell's socket helper and pool
 * in fwd_cell.c, connections in fwd_tcp.c, flows in fwd_udp.c, shared
 * state in fwd_int.h)
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
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include "base/diag.h"
#include "ports/forward.h"
#include "ports/fwd_int.h"

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
		*fwd_addr_port(&b) = 0;
	if (!bind(fd, (struct sockaddr *)&b, plen))
		return;
	if (errno != EADDRINUSE || !*fwd_addr_port(&b))
		return;
	*fwd_addr_port(&b) = 0;
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
			fwd_port_resume(f, p);
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
	/* a connection's events say themselves (fwd_on_conn()) */
	f->active |= ep->kind != EP_CONN;
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
			fwd_on_helper(f, ep->obj);
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
 * for FWD_SPIN_NS, then sleeps; an idle keeper never spins.  Events of a
 * connection in bulk transfer (struct fconn @bulk) do not count as
 * traffic here: its next wakeup is paid for by many bytes, while spinning
 * burnt the CPU its sender and receiver need (before, a quarter of the
 * forwarder's CPU time in an iperf3 run went to epoll_wait() and
 * clock_gettime(), 1.4 million epoll_wait() calls in 3 s).  Each poll
 * yields the CPU to whatever else is runnable on it, which is often the
 * very process the forwarder waits for (sequential connections/s on a
 * busy 2-core VM: 1.15-1.41x pasta with the yield, 0.90-1.19x without,
 * in four interleaved sets; CPU per connection lower too).
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
		/* the client or the server in the cell, which the poll
		 * waits for, may need this CPU (2 cores, 3 processes) */
		sched_yield();
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
