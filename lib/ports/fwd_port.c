// SPDX-License-Identifier: MIT
/*
 * fwd_port.c - published ports: the host side, one listener per port
 *
 * Theory of operation: the keeper binds each published host port itself,
 * as the user, TCP listeners with SO_REUSEADDR (a port comes back while old
 * connections sit in TIME_WAIT), UDP sockets without (it would share the
 * port); a bind that fails is explained (the port in use and by whom, or
 * net.ipv4.ip_unprivileged_port_start with its two fixes).  A listener is
 * paused while its cell has no socket ready for it (fwd_cell.c) and
 * resumed when sockets come.  The addresses a connection goes to in the
 * cell (127.0.0.1 or ::1 and CELLPORT) are made here too.
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
#include "base/diag.h"
#include "ports/forward.h"
#include "ports/fwd_int.h"

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
 * fwd_addr_port() - the port of a socket address, by reference
 * @ss:		IPv4 or IPv6 address
 *
 * Return: pointer to the port field, network order
 */
in_port_t *fwd_addr_port(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)ss)->sin6_port;
	return &((struct sockaddr_in *)ss)->sin_port;
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
 * fwd_port_resume() - watch a paused port again if its pool has sockets
 * @f:		forwarder
 * @p:		port
 */
void fwd_port_resume(struct fwd *f, struct fwd_port *p)
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
 * fwd_port_free() - close a port, its connections and its flows
 * @f:		forwarder
 * @p:		port, unlinked from its cell
 *
 * The host port is free when this returns; the memory goes after the
 * current batch of events, which may still point at it.
 */
void fwd_port_free(struct fwd *f, struct fwd_port *p)
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
		fwd_port_free(fc->f, p);
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
