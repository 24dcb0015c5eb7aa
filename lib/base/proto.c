// SPDX-License-Identifier: MIT
/*
 * proto.c - messages between commands and the keeper
 *
 * Theory of operation: a SOCK_SEQPACKET Unix socket keeps message
 * boundaries, so each request and each reply is one datagram of
 * tab-separated text, and namespace descriptors travel beside it as
 * SCM_RIGHTS.  Text keeps the protocol readable with strace; tabs cannot
 * occur in cell names (control characters are refused), so no escaping.
 *
 *   request:  OP \t ARG ...          (CREATE, DELETE, GET, LIST, PING)
 *   reply:    OK \t ...  |  ERR \t -errno \t kind \t message
 */
#include <string.h>
#include <sys/socket.h>
#include "base/proto.h"

/**
 * proto_send() - send one message, optionally with descriptors
 * @sock:	connected SOCK_SEQPACKET socket
 * @msg:	message
 * @len:	its length
 * @fds:	descriptors to pass, may be NULL
 * @nfds:	how many, at most PROTO_MAXFDS
 *
 * Return: 0 or -errno
 */
int proto_send(int sock, const char *msg, size_t len, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAXFDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/**
 * proto_recv() - receive one message and its descriptors
 * @sock:	connected SOCK_SEQPACKET socket
 * @buf:	output, NUL-terminated
 * @len:	size of @buf
 * @fds:	output descriptors (close-on-exec), may be NULL
 * @nfds:	in: room in @fds; out: how many were received
 *
 * Return: message length, 0 at end of connection, or -errno
 */
ssize_t proto_recv(int sock, char *buf, size_t len, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAXFDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int room = nfds ? *nfds : 0, got = 0;
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		int i, k, *in = (int *)CMSG_DATA(cm);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < k; i++) {
			if (got < room)
				fds[got++] = in[i];
			else
				close(in[i]);
		}
	}
	if (nfds)
		*nfds = got;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	return n;
}

/**
 * proto_split() - split a line at tabs, in place
 * @line:	text, modified
 * @field:	output pointers
 * @max:	room in @field
 *
 * Return: number of fields (the last takes the rest of the line)
 */
int proto_split(char *line, char **field, int max)
{
	int n = 0;

	while (n < max) {
		char *tab;

		field[n++] = line;
		if (n == max)
			break;
		tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}
