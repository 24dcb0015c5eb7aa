// SPDX-License-Identifier: MIT
/*
 * fwd_host.c - host loopback services in a cell ("host:HOSTPORT[:CELLPORT]",
 * --host-port): the forwarder the other way round
 *
 * Theory of operation: a published port listens on the host and connects
 * in the cell; this listens on the cell's 127.0.0.1:CELLPORT and connects
 * to the host's 127.0.0.1:HOSTPORT.  The keeper stays in the host's network
 * namespace, so the host side is an ordinary socket of its own; the
 * listener is made by a short-lived thread that joins the cell (setns()
 * moves only that thread; a rootless keeper could not come back) and is
 * then bound and listened on from the keeper: a socket keeps the
 * namespace it was made in.  From there on a connection is one of
 * fwd_tcp.c's, spliced both ways, with the accepted socket as side 0 and
 * the host connection as side 1 (the side that connects).
 *
 * Why not pasta's own paths: its tap path to the gateway address moved
 * 200 MiB in 0.4 s to 11 s or timed out on these machines, and its
 * "-T auto" mirrored every host loopback listener onto the cell's
 * 127.0.0.1 unasked, so a server in the cell could not bind a port the
 * host used.  Here the user names each port, and both halves are
 * socket-to-socket over loopback (bench/hostport.sh).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "ports/fwd_int.h"

/**
 * struct sock_job - cell_socket_thread()'s work
 * @netfd:	the cell's network namespace
 * @fd:		result: a TCP socket of the cell, or -errno
 */
struct sock_job {
	int netfd;
	int fd;
};

/**
 * cell_socket_thread() - in a thread of its own: join the cell, make a socket
 * @arg:	struct sock_job
 *
 * Return: NULL
 */
static void *cell_socket_thread(void *arg)
{
	struct sock_job *j = arg;

	if (setns(j->netfd, CLONE_NEWNET)) {
		j->fd = -errno;
		return NULL;
	}
	j->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0)
		j->fd = -errno;
	return NULL;
}

/**
 * fwd_host_target() - where a host loopback service's connections go
 * @s:		spec ("host:")
 * @ss:		result: the host's 127.0.0.1:HOSTPORT
 *
 * Return: its length
 */
socklen_t fwd_host_target(const struct portspec *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(s->hport);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*s4);
}

/**
 * fwd_listen_cell() - the listener of a host loopback service, in the cell
 * @fc:		cell
 * @ctx:	context
 * @s:		spec ("host:")
 * @fd:		result: listening on the cell's 127.0.0.1:CELLPORT, non-blocking
 *
 * Return: 0 or -errno with a message (-EADDRINUSE: something in the cell
 * listens there)
 */
int fwd_listen_cell(struct fwd_cell *fc, struct nc_ctx *ctx, const struct portspec *s, int *fd)
{
	struct sock_job j = { fc->netfd, -1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(s->cport),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, ret;
	pthread_t t;

	ret = pthread_create(&t, NULL, cell_socket_thread, &j);
	if (ret)
		return ctx_err(ctx, -ret, NC_ERR_FAILED, "cannot start a thread: %s", strerror(ret));
	pthread_join(t, NULL);
	if (j.fd < 0)
		return ctx_err(ctx, j.fd, NC_ERR_FAILED, "cannot make a socket in the cell: %s",
			       strerror(-j.fd));
	setsockopt(j.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!bind(j.fd, (struct sockaddr *)&a, sizeof(a)) && !listen(j.fd, SOMAXCONN)) {
		*fd = j.fd;
		return 0;
	}
	ret = -errno;
	close(j.fd);
	if (ret == -EADDRINUSE)
		return ctx_err(ctx, ret, NC_ERR_FAILED,
			       "cannot bring the host's 127.0.0.1:%u into the cell: its 127.0.0.1:%u is in use there; give another cell port (host:%u:CELLPORT)",
			       s->hport, s->cport, s->hport);
	return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
		       "cannot listen on 127.0.0.1:%u in the cell: %s", s->cport, strerror(-ret));
}

/**
 * fwd_host_connect() - the host side of a connection to a host loopback service
 * @p:		port ("host:")
 * @connected:	set when the connection completed at once
 *
 * Return: a connecting or connected socket on the host, or -errno
 */
int fwd_host_connect(const struct fwd_port *p, unsigned char *connected)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	/* over loopback the handshake usually completes within connect();
	 * a second connect() tells (EISCONN), as cell_connect() does */
	if (!connect(fd, (const struct sockaddr *)&p->to, p->tlen) ||
	    (errno == EINPROGRESS &&
	     (!connect(fd, (const struct sockaddr *)&p->to, p->tlen) ||
	      errno == EISCONN || errno == EALREADY))) {
		*connected = errno != EALREADY;
		return fd;
	}
	err = -errno;
	close(fd);
	return err;
}
