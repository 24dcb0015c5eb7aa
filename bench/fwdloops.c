// SPDX-License-Identifier: MIT
/*
 * fwdloops.c - a TCP forwarder with N event loops, for one question only
 *
 * Issue 17 asks whether spreading connections over more than one event
 * loop would make the keeper's forwarder move more bytes on this machine.
 * This program pumps bytes the way the keeper does (lib/ports/fwd_tcp.c:
 * splice() through a 1 MiB pipe per direction, edge-triggered epoll, read
 * until EAGAIN) with THREADS loops, each with its own SO_REUSEPORT
 * listener, so bench/loops.sh can run it with 1 and 2 loops side by side.
 * It is not part of netcell.
 *
 *   fwdloops LISTENPORT TARGETPORT THREADS     (both on 127.0.0.1)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPE_BYTES (1 << 20)

/* one direction of a connection: from @in through @pipe to @out */
struct half {
	int in, out, pipe[2];
	size_t queued;
	int eof;
};

struct conn {
	struct half h[2];
	int fd[2];
	int outw[2];	/* EPOLLOUT watched on fd[i] */
	int done[2];	/* direction i finished */
	int dead;
};

static int target_port;

/**
 * tcp_socket() - a non-blocking TCP socket
 *
 * Return: the descriptor, or -1
 */
static int tcp_socket(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/**
 * lo_addr() - 127.0.0.1 and a port
 * @port:	the port
 *
 * Return: the address
 */
static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/**
 * pump() - move what can be moved in one direction, until EAGAIN
 * @h:		the direction
 * @full:	set when its output met EAGAIN (the caller then watches that
 *		socket for EPOLLOUT)
 *
 * Return: 1 when the direction is finished (FIN carried), 0 when it waits,
 * -1 on an error
 */
static int pump(struct half *h, int *full)
{
	ssize_t n;

	*full = 0;
	for (;;) {
		if (!h->eof && h->queued < PIPE_BYTES) {
			n = splice(h->in, NULL, h->pipe[1], NULL, PIPE_BYTES,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0)
				h->queued += n;
			else if (n == 0)
				h->eof = 1;
			else if (errno != EAGAIN)
				return -1;
			else if (!h->queued)
				return 0; /* nothing to read, nothing queued */
		}
		if (h->queued) {
			n = splice(h->pipe[0], NULL, h->out, NULL, h->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE);
			if (n > 0) {
				h->queued -= n;
				continue;
			}
			if (n < 0 && errno != EAGAIN)
				return -1;
			*full = 1;
			return 0;
		}
		if (h->eof) {
			shutdown(h->out, SHUT_WR);
			return 1;
		}
	}
}

/**
 * conn_close() - close a connection's sockets and pipes, free it
 * @c:		the connection
 */
static void conn_close(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		close(c->fd[i]);
		close(c->h[i].pipe[0]);
		close(c->h[i].pipe[1]);
	}
	free(c);
}

/**
 * loop() - one event loop: its own SO_REUSEPORT listener and epoll
 * @arg:	the port to listen on, as a long
 *
 * Return: never
 */
static void *loop(void *arg)
{
	struct sockaddr_in la = lo_addr((int)(long)arg);
	struct epoll_event ev[64];
	int one = 1, lfd = tcp_socket(), ep = epoll_create1(EPOLL_CLOEXEC);

	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&la, sizeof(la)) || listen(lfd, 1024)) {
		perror("fwdloops: listen");
		exit(1);
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &lfd });
	for (;;) {
		int n = epoll_wait(ep, ev, 64, -1);

		for (int i = 0; i < n; i++) {
			struct conn *c;

			if (!ev[i].data.ptr)
				continue; /* closed earlier in this batch */
			if (ev[i].data.ptr == &lfd) {
				int a = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), b;
				struct sockaddr_in ta = lo_addr(target_port);

				if (a < 0)
					continue;
				b = tcp_socket();
				if (b < 0 || (connect(b, (struct sockaddr *)&ta, sizeof(ta)) && errno != EINPROGRESS)) {
					close(a);
					if (b >= 0)
						close(b);
					continue;
				}
				c = calloc(1, sizeof(*c));
				c->fd[0] = a;
				c->fd[1] = b;
				for (int k = 0; k < 2; k++) {
					if (pipe2(c->h[k].pipe, O_NONBLOCK | O_CLOEXEC))
						exit(1);
					fcntl(c->h[k].pipe[1], F_SETPIPE_SZ, PIPE_BYTES);
					c->h[k].in = c->fd[k];
					c->h[k].out = c->fd[1 - k];
				}
				for (int k = 0; k < 2; k++)
					epoll_ctl(ep, EPOLL_CTL_ADD, c->fd[k],
						  &(struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
									 .data.u64 = (uintptr_t)c | (unsigned)k });
				continue;
			}
			/* which socket: input pumps the direction read from
			 * it, output the one written to it (as the keeper) */
			int k = ev[i].data.u64 & 1 ? 1 : 0, full;

			c = (struct conn *)(uintptr_t)(ev[i].data.u64 & ~1ULL);
			for (int d = 0; d < 2; d++) {
				int dir = d == 0 ? k : 1 - k, r;

				if (d == 0 && !(ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
					continue;
				if (d == 1 && !(ev[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
					continue;
				if (c->done[dir])
					continue;
				r = pump(&c->h[dir], &full);
				if (r < 0)
					c->dead = 1;
				else if (r == 1)
					c->done[dir] = 1;
				/* watch the written socket for room only while needed */
				int out = 1 - dir, want = full ? EPOLLOUT : 0;

				if (want != c->outw[out]) {
					c->outw[out] = want;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd[out],
						  &(struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET | want,
									 .data.u64 = (uintptr_t)c | (unsigned)out });
				}
			}
			int done = c->done[0] + c->done[1];

			if (c->dead || done == 2) {
				/* later events of this batch may still name it */
				for (int j = i + 1; j < n; j++)
					if ((ev[j].data.u64 & ~1ULL) == (uintptr_t)c)
						ev[j].data.ptr = NULL;
				conn_close(c);
			}
		}
	}
	return NULL;
}

/**
 * main() - THREADS - 1 loops in threads, one in the main thread
 * @argc:	argument count
 * @argv:	LISTENPORT TARGETPORT THREADS
 *
 * Return: 2 on a usage error, else never
 */
int main(int argc, char **argv)
{
	pthread_t t;
	int threads;

	if (argc != 4) {
		fprintf(stderr, "usage: fwdloops LISTENPORT TARGETPORT THREADS\n");
		return 2;
	}
	target_port = atoi(argv[2]);
	threads = atoi(argv[3]);
	for (int i = 1; i < threads; i++)
		pthread_create(&t, NULL, loop, (void *)(long)atoi(argv[1]));
	loop((void *)(long)atoi(argv[1]));
	return 0;
}
