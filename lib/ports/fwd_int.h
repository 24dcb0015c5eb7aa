/* SPDX-License-Identifier: MIT */
/* fwd_int.h - the forwarder's state, shared by forward.c (ports, cells,
 * helper, loop), fwd_tcp.c (spliced connections) and fwd_udp.c (flows) */
#ifndef NC_FWD_INT_H
#define NC_FWD_INT_H

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "base/ctx.h"
#include "base/portspec.h"

#define FWD_POOL_MAX	64	/* ready cell-side sockets per family/proto */
#define FWD_POOL_LOW	32	/* ask the helper for more below this */
#define FWD_PIPE_SIZE	(1 << 20)	/* wanted pipe size, capped by the sysctl */
#define FWD_PIPES_KEPT	64	/* empty pipes kept for new connections */
#define FWD_BATCH	64	/* accepts or datagrams per event */
#define FWD_UDP_FLOWS	1024	/* UDP flows per port */
#define FWD_UDP_BUCKETS	256	/* hash buckets of a port's flows */
#define FWD_UDP_IDLE_S	60	/* UDP flow idle timeout */
#define FWD_UDP_MAX	65536	/* largest datagram */
#define FWD_TAG		(1ULL << 63)	/* marks the forwarder's epoll data */
#define FWD_CONN_EV	(EPOLLIN | EPOLLRDHUP | EPOLLET)
/* take @n out of the doubly linked list (next, prev) that @head starts */
#define DL_UNLINK(head, n)						\
	do {								\
		if ((n)->prev)						\
			(n)->prev->next = (n)->next;			\
		else							\
			(head) = (n)->next;				\
		if ((n)->next)						\
			(n)->next->prev = (n)->prev;			\
	} while (0)
#define FWD_SPIN_NS	300000	/* busy-poll this long after traffic */
#define FWD_SPIN_BULK	(16 << 10)	/* a pump moving this much is bulk */

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
 * @to:		where its traffic goes in the cell (loopback:CELLPORT)
 * @tlen:	length of @to
 * @lfd:	host socket: listening (TCP) or bound (UDP)
 * @dead:	closed; memory released after the current batch of events
 * @paused:	@lfd is not watched, waiting for cell-side sockets
 * @conns:	TCP connections
 * @flows:	UDP flows, most recently used first
 * @oldest:	the last of @flows, evicted first
 * @bucket:	UDP flows by client address (flow_hash())
 * @nflows:	number of @flows
 */
struct fwd_port {
	struct fwd_ep ep;
	struct fwd_cell *fc;
	struct fwd_port *next;
	struct portspec spec;
	struct sockaddr_storage to;
	socklen_t tlen;
	int lfd;
	int dead;
	int paused;
	struct fconn *conns;
	struct uflow *flows, *oldest;
	struct uflow *bucket[FWD_UDP_BUCKETS];
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
 * @bulk:	its last pump that moved bytes moved FWD_SPIN_BULK or more
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
	unsigned char connected, bulk, dead;
};

/**
 * struct uflow - one UDP client of a published port
 * @ep:		registration of @fd
 * @port:	its port
 * @prev:	list of the port's flows
 * @next:	list of the port's flows
 * @hnext:	next flow in the same hash bucket
 * @hash:	its bucket
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
	struct uflow *hnext;
	unsigned hash;
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

/* forward.c */
NC_INTERNAL int fwd_ep_add(struct fwd *f, int fd, unsigned events,
			   struct fwd_ep *ep);
NC_INTERNAL void fwd_ep_mod(struct fwd *f, int fd, unsigned events,
			    struct fwd_ep *ep);
NC_INTERNAL long long fwd_mono_now(void);
NC_INTERNAL void fwd_timer_update(struct fwd *f);
NC_INTERNAL struct pool *fwd_pool_of(struct fwd_cell *fc, int family, int type);
NC_INTERNAL void fwd_pool_refill(struct fwd_cell *fc, int family, int type);
NC_INTERNAL int fwd_pool_take(struct fwd_cell *fc, int family, int type);
NC_INTERNAL void fwd_port_pause(struct fwd *f, struct fwd_port *p);
NC_INTERNAL void fwd_bury(struct fwd *f, struct fwd_ep *ep);
NC_INTERNAL void fwd_bind_client(int fd, const struct sockaddr_storage *peer,
				 socklen_t plen,
				 const struct sockaddr_storage *to,
				 int keep_port);

/* fwd_tcp.c */
NC_INTERNAL void fwd_conn_close(struct fwd *f, struct fconn *c, int abort);
NC_INTERNAL void fwd_on_conn(struct fwd *f, struct fconn *c, int side,
			     unsigned events);
NC_INTERNAL void fwd_on_listen_tcp(struct fwd *f, struct fwd_port *p);

/* fwd_host.c */
NC_INTERNAL socklen_t fwd_host_target(const struct portspec *s,
				      struct sockaddr_storage *ss);
NC_INTERNAL int fwd_listen_cell(struct fwd_cell *fc, struct nc_ctx *ctx,
				const struct portspec *s, int *fd);
NC_INTERNAL int fwd_host_connect(const struct fwd_port *p, unsigned char *connected);

/* fwd_udp.c */
NC_INTERNAL void fwd_flow_close(struct fwd *f, struct uflow *fl);
NC_INTERNAL void fwd_on_listen_udp(struct fwd *f, struct fwd_port *p);
NC_INTERNAL void fwd_on_flow(struct fwd *f, struct uflow *fl);
NC_INTERNAL void fwd_flows_expire(struct fwd *f, struct fwd_port *p);

/* fwd_cell.c: a cell's socket helper said something */
NC_INTERNAL void fwd_on_helper(struct fwd *f, struct fwd_cell *fc);
/* fwd_port.c: listeners */
NC_INTERNAL in_port_t *fwd_addr_port(struct sockaddr_storage *ss);
NC_INTERNAL void fwd_port_resume(struct fwd *f, struct fwd_port *p);
NC_INTERNAL void fwd_port_free(struct fwd *f, struct fwd_port *p);

#endif /* NC_FWD_INT_H */
