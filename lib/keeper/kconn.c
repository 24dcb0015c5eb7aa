// SPDX-License-Identifier: MIT
/*
 * kconn.c - the keeper's client connections: accepting, replying
 *
 * Theory of operation: the keeper is single-threaded, so nothing it does
 * for one client may wait on that client.
 *
 *  - Replies are sent without blocking.  A reply the socket cannot take
 *    now (the client does not read) waits in the connection's queue, with
 *    duplicates of the descriptors it carries, and goes out when epoll says
 *    the socket is writable.  A client whose queue grows past
 *    KCONN_QUEUE_MAX bytes or KCONN_QUEUE_MSGS replies is disconnected:
 *    200 unread PORTLIST replies once froze the keeper for everyone in a
 *    blocking sendmsg().
 *
 *  - Descriptors: at start the soft RLIMIT_NOFILE is raised to the hard
 *    one (each published port and its connections take descriptors), and
 *    one descriptor is kept in reserve.  The listener is level-triggered,
 *    so an accept() failing with EMFILE would be reported again at once
 *    and forever (100% CPU, no answer); instead the reserve is closed, the
 *    client accepted, told why in one message, and closed, and the reserve
 *    taken again.  If even that fails the listener is left out of epoll
 *    for KCONN_PAUSE_MS.
 *
 *  - A client is checked once, when accepted (kpeer.c); a refused one gets
 *    the reason as its only message and is closed.  The client reads a
 *    reply even when its request could not be sent (client.c), so the
 *    reason reaches it.
 *
 * Connections are kept in a table indexed by descriptor.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "keeper/keeper_int.h"
#include "keeper/kpeer.h"
#include "base/proto.h"

#define KCONN_QUEUE_MAX (1024 * 1024)
#define KCONN_QUEUE_MSGS 64

/**
 * struct kmsg - a reply waiting to be sent
 * @next:	the one after it
 * @len:	length of @buf
 * @nfds:	descriptors in @fds
 * @fds:	duplicates of the descriptors to pass
 * @buf:	the message
 */
struct kmsg {
	struct kmsg *next;
	size_t len;
	int nfds;
	int fds[PROTO_MAXFDS];
	char buf[];
};

/**
 * kconn_limits() - raise the descriptor limit, take the reserve
 * @k:		keeper
 */
void kconn_limits(struct keeper *k)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	k->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/**
 * conn_of() - the table entry of @sock, growing the table
 * @k:		keeper
 * @sock:	descriptor
 *
 * Return: the entry, or NULL without memory
 */
static struct kconn *conn_of(struct keeper *k, int sock)
{
	size_t cap = k->conncap ? k->conncap : 64;
	struct kconn *t;

	if ((size_t)sock < k->conncap)
		return &k->conns[sock];
	while (cap <= (size_t)sock)
		cap *= 2;
	t = realloc(k->conns, cap * sizeof(*t));
	if (!t)
		return NULL;
	memset(t + k->conncap, 0, (cap - k->conncap) * sizeof(*t));
	k->conns = t;
	k->conncap = cap;
	return &k->conns[sock];
}

/**
 * kconn_live() - is @sock a connected client
 * @k:		keeper
 * @sock:	descriptor
 *
 * Return: 1 if so
 */
int kconn_live(const struct keeper *k, int sock)
{
	return sock >= 0 && (size_t)sock < k->conncap && k->conns[sock].open;
}

/**
 * msg_free() - free a queued reply and its descriptors
 * @m:		reply
 */
static void msg_free(struct kmsg *m)
{
	while (m->nfds > 0)
		close(m->fds[--m->nfds]);
	free(m);
}

/**
 * kconn_close() - forget a connection: its queue, its epoll entry, the fd
 * @k:		keeper
 * @sock:	descriptor
 */
void kconn_close(struct keeper *k, int sock)
{
	struct kconn *c = &k->conns[sock];
	struct kmsg *m;

	while ((m = c->head)) {
		c->head = m->next;
		msg_free(m);
	}
	memset(c, 0, sizeof(*c));
	epoll_ctl(k->epfd, EPOLL_CTL_DEL, sock, NULL);
	close(sock);
	k->nclients--;
}

/**
 * watch() - set what epoll reports for a client
 * @k:		keeper
 * @sock:	descriptor
 * @out:	also writability (replies are queued)
 */
static void watch(struct keeper *k, int sock, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0) };

	ev.data.fd = sock;
	epoll_ctl(k->epfd, EPOLL_CTL_MOD, sock, &ev);
}

/**
 * enqueue() - keep a reply until the client reads
 * @k:		keeper
 * @c:		connection
 * @sock:	its descriptor
 * @msg:	reply
 * @len:	its length
 * @fds:	descriptors to pass (duplicated)
 * @nfds:	how many
 *
 * Return: 0, or -ENOBUFS when the client is over its limit, -ENOMEM,
 * -EMFILE
 */
static int enqueue(struct keeper *k, struct kconn *c, int sock,
		   const char *msg, size_t len, const int *fds, int nfds)
{
	struct kmsg *m, **tail;

	if (c->queued + len > KCONN_QUEUE_MAX || c->nq >= KCONN_QUEUE_MSGS)
		return -ENOBUFS;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->len = len;
	memcpy(m->buf, msg, len);
	for (m->nfds = 0; m->nfds < nfds; m->nfds++) {
		m->fds[m->nfds] = fcntl(fds[m->nfds], F_DUPFD_CLOEXEC, 0);
		if (m->fds[m->nfds] < 0) {
			msg_free(m);
			return -EMFILE;
		}
	}
	for (tail = &c->head; *tail; tail = &(*tail)->next)
		;
	*tail = m;
	if (!c->nq++)
		watch(k, sock, 1);
	c->queued += len;
	return 0;
}

/**
 * kconn_send() - send a reply without blocking, queueing what must wait
 * @k:		keeper
 * @sock:	client
 * @msg:	reply
 * @len:	its length
 * @fds:	descriptors to pass, may be NULL
 * @nfds:	how many
 *
 * A client over its queue limit is disconnected (keeper_client_gone(),
 * which also ends the cells bound to it).
 *
 * Return: 0 when sent or queued, else -errno (the client is gone)
 */
int kconn_send(struct keeper *k, int sock, const char *msg, size_t len,
	       const int *fds, int nfds)
{
	struct kconn *c;
	int ret;

	if (!kconn_live(k, sock))
		return -ENOTCONN;
	c = &k->conns[sock];
	ret = c->head ? -EAGAIN : proto_send(sock, msg, len, fds, nfds);
	if (ret == -EAGAIN)
		ret = enqueue(k, c, sock, msg, len, fds, nfds);
	if (ret)
		keeper_client_gone(k, sock);
	return ret;
}

/**
 * kconn_flush() - send queued replies the socket now takes
 * @k:		keeper
 * @sock:	client, writable
 */
void kconn_flush(struct keeper *k, int sock)
{
	struct kconn *c = &k->conns[sock];
	struct kmsg *m;
	int ret = 0;

	while ((m = c->head)) {
		ret = proto_send(sock, m->buf, m->len, m->fds, m->nfds);
		if (ret)
			break;
		c->head = m->next;
		c->queued -= m->len;
		c->nq--;
		msg_free(m);
	}
	if (ret && ret != -EAGAIN)
		keeper_client_gone(k, sock);
	else if (!c->head)
		watch(k, sock, 0);
}

/**
 * kconn_err_text() - an error reply: "ERR\t-errno\tkind\tmessage"
 * @buf:	output
 * @len:	size of @buf, at least NC_MSG_MAX + 64
 * @ret:	negative errno
 * @ctx:	context holding the message and kind
 *
 * Return: length of the reply
 */
size_t kconn_err_text(char *buf, size_t len, int ret, const struct nc_ctx *ctx)
{
	int n = snprintf(buf, len, "ERR\t%d\t%d\t%s", ret,
			 (int)(ctx->kind ? ctx->kind : NC_ERR_FAILED), ctx->msg);

	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/**
 * refuse() - tell a client in one message why it is not served, close it
 * @sock:	accepted client
 * @ret:	negative errno
 * @ctx:	the reason
 */
static void refuse(int sock, int ret, const struct nc_ctx *ctx)
{
	char buf[NC_MSG_MAX + 64];

	proto_send(sock, buf, kconn_err_text(buf, sizeof(buf), ret, ctx), NULL, 0);
	close(sock);
}

/**
 * accept_spent() - accept with no descriptor left: use the reserve to
 * accept one client and tell it, so the listener stops being readable
 * @k:		keeper
 */
static void accept_spent(struct keeper *k)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct epoll_event ev = { .events = 0 };
	int sock = -1;

	if (k->reserve >= 0) {
		close(k->reserve);
		sock = accept4(k->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (sock >= 0)
			refuse(sock, kpeer_err_nofd(k, &ctx), &ctx);
		k->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (sock < 0 || k->reserve < 0) {
		/* nothing to give back: stop listening a while (loop()) */
		ev.data.fd = k->lfd;
		epoll_ctl(k->epfd, EPOLL_CTL_MOD, k->lfd, &ev);
		k->accept_paused = 1;
	}
}

/**
 * kconn_accept() - accept a new client, if it may talk to us
 * @k:		keeper
 */
void kconn_accept(struct keeper *k)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct nc_ctx ctx = { .kfd = -1 };
	int sock = accept4(k->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct kconn *c;
	int ret;

	if (sock < 0) {
		if (errno == EMFILE || errno == ENFILE)
			accept_spent(k);
		return;
	}
	ret = kpeer_check(k, &ctx, sock);
	if (ret) {
		refuse(sock, ret, &ctx);
		return;
	}
	c = conn_of(k, sock);
	ev.data.fd = sock;
	if (!c || epoll_ctl(k->epfd, EPOLL_CTL_ADD, sock, &ev)) {
		close(sock);
		return;
	}
	c->open = 1;
	k->nclients++;
}

/**
 * kconn_resume() - listen again after a pause for want of descriptors
 * @k:		keeper
 */
void kconn_resume(struct keeper *k)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (!k->accept_paused)
		return;
	if (k->reserve < 0)
		k->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev.data.fd = k->lfd;
	epoll_ctl(k->epfd, EPOLL_CTL_MOD, k->lfd, &ev);
	k->accept_paused = 0;
}

/**
 * kconn_free() - free the table (connections were closed)
 * @k:		keeper
 */
void kconn_free(struct keeper *k)
{
	free(k->conns);
	k->conns = NULL;
	k->conncap = 0;
}
