// SPDX-License-Identifier: MIT
/*
 * fwd_tcp.c - the forwarder's TCP connections: accept on the host, connect
 * in the cell, splice(2) both ways through pooled pipes
 *
 * The theory of operation is in forward.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ports/fwd_int.h"

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
 * fwd_conn_close() - end a connection; freed after the current batch
 * @f:		forwarder
 * @c:		connection
 * @abort:	reset both sides (an error on one side)
 */
void fwd_conn_close(struct fwd *f, struct fconn *c, int abort)
{
	struct fwd_port *p = c->port;

	if (c->dead)
		return;
	DL_UNLINK(p->conns, c);
	conn_release(f, c, abort);
	c->dead = 1;
	fwd_bury(f, &c->ep[0]);
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
	int tries, fd, err = -EAGAIN;

	for (tries = 0; tries < 2; tries++) {
		fd = fwd_pool_take(p->fc, p->spec.family, SOCK_STREAM);
		if (fd < 0)
			return err;
		/* a second try without the client's port: the 4-tuple was
		 * taken (the same client port to two host ports) */
		fwd_bind_client(fd, peer, plen, &p->to, !tries);
		if (!connect(fd, (struct sockaddr *)&p->to, p->tlen) ||
		    (errno == EINPROGRESS &&
		     (!connect(fd, (struct sockaddr *)&p->to, p->tlen) ||
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
	c->fd[1] = p->spec.to_host ? fwd_host_connect(p, &c->connected) :
		   cell_connect(p, peer, plen, &c->connected);
	if (c->fd[1] < 0 || pipe_get(f, c->pipe[0]) || pipe_get(f, c->pipe[1]))
		goto fail;
	/* output is watched from the start only to see the connection
	 * complete */
	c->out[1] = !c->connected;
	for (d = 0; d < 2; d++) {
		c->ep[d] = (struct fwd_ep){ .kind = EP_CONN, .side = d, .obj = c };
		if (fwd_ep_add(f, c->fd[d], FWD_CONN_EV | (c->out[d] ? EPOLLOUT : 0),
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
	fwd_ep_mod(f, c->fd[side], FWD_CONN_EV | EPOLLOUT, &c->ep[side]);
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
	size_t moved = 0;
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
			moved += (size_t)n;
			progress = 1;
		} else {
			want_out(f, c, !d);
		}
	} while (progress);
	/* an event that found nothing new (edge-triggered, the bytes went
	 * with the pump before) leaves the connection as it was */
	if (moved)
		c->bulk = moved >= FWD_SPIN_BULK;
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
 * fwd_on_conn() - an event on either side of a connection
 * @f:		forwarder
 * @c:		connection
 * @side:	0 host side, 1 cell side
 * @events:	epoll events
 *
 * Input on a side moves data away from it; output on a side (room to
 * write, or the cell side's connection completing) moves data to it.
 */
void fwd_on_conn(struct fwd *f, struct fconn *c, int side,
		    unsigned events)
{
	int ret = 0, was = c->connected;

	if (c->dead)
		return;
	if (events & EPOLLERR) {
		fwd_conn_close(f, c, 1);
		return;
	}
	if (side == 1 && (events & EPOLLOUT))
		c->connected = 1;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		ret = pump(f, c, side);
	/* once watched, output readiness comes with every event of the
	 * socket: it matters only with bytes waiting for it, or when the
	 * cell side just connected (queued data, or a FIN, may go now) */
	if (!ret && (events & EPOLLOUT) &&
	    (c->queued[!side] || c->connected != was))
		ret = pump(f, c, !side);
	f->active |= !c->bulk;
	if (ret)
		fwd_conn_close(f, c, 1);
	else if (c->shut[0] && c->shut[1])
		fwd_conn_close(f, c, 0);
}

/**
 * fwd_on_listen_tcp() - accept clients of a TCP port
 * @f:		forwarder
 * @p:		port
 */
void fwd_on_listen_tcp(struct fwd *f, struct fwd_port *p)
{
	struct pool *pl = fwd_pool_of(p->fc, p->spec.family, SOCK_STREAM);
	struct sockaddr_storage peer;
	socklen_t plen;
	int i, hfd;

	for (i = 0; i < FWD_BATCH; i++) {
		if (!pl->n && !p->spec.to_host) {
			fwd_pool_refill(p->fc, p->spec.family, SOCK_STREAM);
			fwd_port_pause(f, p);
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
			fwd_port_pause(f, p);
		return;
	}
}
