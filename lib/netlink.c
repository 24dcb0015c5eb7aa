// SPDX-License-Identifier: MIT
/*
 * netlink.c - rtnetlink requests over libmnl
 *
 * Theory of operation: every request goes through nl_do(), which sends one
 * message with NLM_F_ACK, reads until the matching ack, checks sequence and
 * port, and turns a kernel error into -errno plus the kernel's extended-ack
 * text (NETLINK_EXT_ACK) in the context, so the user reads what the kernel
 * said rather than a bare strerror().  NETLINK_CAP_ACK keeps acks small.
 * A socket is used in the network namespace it was opened in, which is how
 * callers address a cell: open the socket after entering it.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include "netlink.h"

/**
 * nl_open() - open and bind an rtnetlink socket in the current netns
 * @ctx:	context
 *
 * Return: socket, or NULL with a message
 */
struct mnl_socket *nl_open(struct nc_ctx *ctx)
{
	struct mnl_socket *nl;
	int one = 1;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl) {
		ctx_err(ctx, -errno, NC_ERR_FAILED,
			"cannot open rtnetlink socket: %s", strerror(errno));
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ctx_err(ctx, -errno, NC_ERR_FAILED,
			"cannot bind rtnetlink socket: %s", strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/**
 * extack_msg() - find the kernel's NLMSGERR_ATTR_MSG in an error message
 * @nlh:	NLMSG_ERROR message
 *
 * Return: the text, or NULL when the kernel gave none
 */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

/**
 * nl_do() - send one request and wait for its acknowledgement
 * @ctx:	context
 * @nl:		socket from nl_open()
 * @req:	request; NLM_F_REQUEST|NLM_F_ACK and a sequence are added
 *
 * Return: 0, or -errno with the kernel's message in @ctx
 */
int nl_do(struct nc_ctx *ctx, struct mnl_socket *nl, struct nlmsghdr *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	ssize_t got;
	int n;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return ctx_err(ctx, -errno, NC_ERR_FAILED,
			       "netlink send failed: %s", strerror(errno));
	for (;;) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return ctx_err(ctx, -errno, NC_ERR_FAILED,
				       "netlink receive failed: %s",
				       strerror(errno));
		n = (int)got;
		nlh = (struct nlmsghdr *)buf;
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e;
			const char *why;

			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != portid ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (!e->error)
				return 0;
			why = extack_msg(nlh);
			return ctx_err(ctx, e->error, ctx_kind_of_errno(e->error),
				       "%s%s%s", strerror(-e->error),
				       why ? ": " : "", why ? why : "");
		}
	}
}

/**
 * nl_link_up() - set a link administratively up
 * @ctx:	context
 * @nl:		socket in the link's namespace
 * @ifindex:	interface index
 *
 * Return: 0 or -errno with a message
 */
int nl_link_up(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_do(ctx, nl, nlh);
}
