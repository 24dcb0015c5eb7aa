// SPDX-License-Identifier: MIT
/*
 * fwd_cell.c - published ports: the forwarder's side in each cell
 *
 * Theory of operation: the socket of each accepted connection must live in
 * the cell's namespace, and the keeper stays in the host's.  A per-cell
 * helper process (cellsock.c), started when the cell's first port is
 * published, makes such sockets on request and passes them back over a
 * unix socket; the forwarder keeps a small pool of them per family and
 * protocol, refilled asynchronously, so a connection never waits for the
 * helper.  An empty pool pauses the cell's listeners (the kernel's backlog
 * holds the clients) until sockets come; a helper that dies is started
 * again on the next refill.
 */
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
#include "ports/forward.h"
#include "ports/fwd_int.h"
#include "base/proto.h"

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
 * fwd_on_helper() - sockets (or the end) from a cell's helper
 * @f:		forwarder
 * @fc:		cell
 */
void fwd_on_helper(struct fwd *f, struct fwd_cell *fc)
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
		fwd_port_resume(f, p);
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
		fwd_port_free(f, p);
	}
	helper_stop(fc);
	for (pl = &fc->pool[0][0]; pl < &fc->pool[0][0] + 4; pl++)
		while (pl->n)
			close(pl->fd[--pl->n]);
	DL_UNLINK(f->cells, fc);
	fc->dead = 1;
	fwd_bury(f, &fc->ep);
}
