// SPDX-License-Identifier: MIT
/*
 * fwd_udp.c - the forwarder's UDP flows: one connected cell-side socket
 * per client address and port, replies sent back from the address the
 * client wrote to
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
 * flow_hash() - the bucket of a client address
 * @peer:	client
 * @plen:	length of @peer
 *
 * FNV-1a over the address bytes; clients pick neither the buckets' number
 * nor the forwarder's memory, and a port holds at most FWD_UDP_FLOWS.
 *
 * Return: bucket index
 */
static unsigned flow_hash(const struct sockaddr_storage *peer, socklen_t plen)
{
	const unsigned char *b = (const unsigned char *)peer;
	unsigned h = 2166136261u;
	socklen_t i;

	for (i = 0; i < plen; i++)
		h = (h ^ b[i]) * 16777619u;
	return (h ^ (h >> 16)) % FWD_UDP_BUCKETS;
}

/**
 * flow_unlink() - take a flow out of its port's list and bucket
 * @p:		port
 * @fl:		flow, linked
 */
static void flow_unlink(struct fwd_port *p, struct uflow *fl)
{
	struct uflow **pp;

	if (p->oldest == fl)
		p->oldest = fl->prev;
	DL_UNLINK(p->flows, fl);
	fl->prev = fl->next = NULL;
	for (pp = &p->bucket[fl->hash]; *pp; pp = &(*pp)->hnext) {
		if (*pp == fl) {
			*pp = fl->hnext;
			break;
		}
	}
}

/**
 * fwd_flow_close() - end a UDP flow; freed after the current batch
 * @f:		forwarder
 * @fl:		flow
 */
void fwd_flow_close(struct fwd *f, struct uflow *fl)
{
	struct fwd_port *p = fl->port;

	flow_unlink(p, fl);
	close(fl->fd);
	fl->dead = 1;
	fwd_bury(f, &fl->ep);
	p->nflows--;
	f->nflows--;
}

/**
 * flow_front() - put a linked flow first, as the most recently used
 * @p:		port
 * @fl:		flow
 */
static void flow_front(struct fwd_port *p, struct uflow *fl)
{
	if (p->flows == fl)
		return;
	if (p->oldest == fl)
		p->oldest = fl->prev;
	DL_UNLINK(p->flows, fl);
	fl->prev = NULL;
	fl->next = p->flows;
	p->flows->prev = fl;
	p->flows = fl;
}

/**
 * flow_link() - add a new flow, most recently used
 * @p:		port
 * @fl:		flow, with @fl->peer set
 */
static void flow_link(struct fwd_port *p, struct uflow *fl)
{
	fl->hash = flow_hash(&fl->peer, fl->plen);
	fl->hnext = p->bucket[fl->hash];
	p->bucket[fl->hash] = fl;
	fl->prev = NULL;
	fl->next = p->flows;
	if (p->flows)
		p->flows->prev = fl;
	else
		p->oldest = fl;
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

	for (fl = p->bucket[flow_hash(peer, plen)]; fl; fl = fl->hnext)
		if (fl->plen == plen && !memcmp(&fl->peer, peer, plen))
			return fl;
	return NULL;
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
	struct uflow *fl;
	int fd;

	/* make room: the least recently used flow goes */
	if (p->nflows >= FWD_UDP_FLOWS && p->oldest)
		fwd_flow_close(f, p->oldest);
	fd = fwd_pool_take(p->fc, p->spec.family, SOCK_DGRAM);
	fl = fd < 0 ? NULL : calloc(1, sizeof(*fl));
	if (!fl)
		goto fail;
	fwd_bind_client(fd, peer, plen, &p->to, 1);
	fl->ep = (struct fwd_ep){ .kind = EP_FLOW, .obj = fl };
	if (connect(fd, (struct sockaddr *)&p->to, p->tlen) ||
	    fwd_ep_add(f, fd, EPOLLIN, &fl->ep))
		goto fail;
	memcpy(&fl->peer, peer, plen);
	fl->plen = plen;
	fl->local = *local;
	fl->fd = fd;
	fl->port = p;
	flow_link(p, fl);
	p->nflows++;
	f->nflows++;
	fwd_timer_update(f);
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
 * fwd_on_listen_udp() - datagrams from clients of a UDP port into the cell
 * @f:		forwarder
 * @p:		port
 */
void fwd_on_listen_udp(struct fwd *f, struct fwd_port *p)
{
	struct sockaddr_storage peer;
	struct in6_addr local;
	struct uflow *fl;
	socklen_t plen = 0;
	ssize_t n;
	int i;

	f->now = fwd_mono_now();
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
 * fwd_on_flow() - replies from the cell to a flow's client
 * @f:		forwarder
 * @fl:		flow
 */
void fwd_on_flow(struct fwd *f, struct uflow *fl)
{
	ssize_t n;
	int i;

	if (fl->dead)
		return;
	f->now = fwd_mono_now();
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
 * fwd_flows_expire() - close a port's flows idle for FWD_UDP_IDLE_S
 * @f:		forwarder
 * @p:		port
 */
void fwd_flows_expire(struct fwd *f, struct fwd_port *p)
{
	struct uflow *fl, *next;

	for (fl = p->flows; fl; fl = next) {
		next = fl->next;
		if (f->now - fl->last >= FWD_UDP_IDLE_S)
			fwd_flow_close(f, fl);
	}
}
