// SPDX-License-Identifier: MIT
/*
 * cellsock.c - sockets made inside a cell by a helper process
 *
 * Theory of operation: a socket belongs for its whole life to the network
 * namespace it was created in, whoever holds it later.  The keeper must
 * stay in the host's namespace, where it listens for published ports, and
 * a rootless keeper (root only of the user's hub user namespace) could
 * never setns() back to the host's namespace once it left it.  So each
 * cell with published ports gets one long-lived helper process, forked by
 * the keeper, that joins the cell's network namespace and does nothing but
 * make sockets there on request.  They travel back to the keeper over a
 * socketpair as SCM_RIGHTS, a batch at a time, so the keeper keeps a small
 * pool and never waits for the helper while a client waits for it.
 *
 *   keeper -> helper:  S \t FAMILY \t TYPE \t COUNT
 *   helper -> keeper:  S \t FAMILY \t TYPE        with 1..PROTO_MAXFDS sockets
 *                      E \t FAMILY \t TYPE \t -errno   when socket() failed
 *
 * The sockets come non-blocking, with SO_REUSEADDR and IP_TRANSPARENT (or
 * IPV6_TRANSPARENT) set, so the keeper can bind them to the address of the
 * client it accepted on the host, even one the cell does not have: the
 * server in the cell then sees the real client.  IP_TRANSPARENT needs
 * CAP_NET_ADMIN or CAP_NET_RAW in the user namespace owning the cell's
 * network namespace, which the helper has (root keeper: the initial
 * namespace; rootless: the hub, of which the keeper is root).
 *
 * Routing: a server in the cell answers a client address that is not on
 * the cell's loopback (say 192.0.2.7, a client of a 0.0.0.0 port) from its
 * own loopback address, and the cell has no route to 192.0.2.7.  So the
 * helper adds, once per cell, the rule "from 127.0.0.0/8 lookup 28259"
 * (and "from ::1") with preference 28259 (after the local table, before
 * main) and a table 28259 holding "local default dev lo": such replies are
 * delivered locally, to the transparent socket the keeper bound to
 * 192.0.2.7, as in the TPROXY recipe of the kernel's tproxy.txt.  Packets
 * from loopback addresses to other destinations can never leave a network
 * namespace anyway (the kernel drops martian loopback sources), so nothing
 * else changes.  Failing to add them is not fatal: clients on loopback
 * addresses, the common case, need no route.
 *
 * The helper exits when the keeper closes its end and dies with the keeper
 * (PR_SET_PDEATHSIG), so a killed keeper leaves no helper behind.
 */
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "ports/cellsock.h"
#include "kernel/netlink.h"
#include "base/proto.h"

/* how long the keeper waits for a new helper to say it is ready */
#define CELLSOCK_START_MS 5000

/**
 * new_request() - start an rtnetlink request that creates something
 * @buf:	buffer of MNL_SOCKET_BUFFER_SIZE
 * @type:	RTM_NEWRULE or RTM_NEWROUTE
 * @hdrlen:	size of the family header that follows
 *
 * Return: the message; its family header is mnl_nlmsg_get_payload()
 */
static struct nlmsghdr *new_request(char *buf, unsigned short type,
				    size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

/**
 * send_create() - send a creating request; what exists already is fine
 * @nl:		rtnetlink socket
 * @nlh:	request
 *
 * Return: 0 or -errno
 */
static int send_create(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	struct nc_ctx ctx = { .kfd = -1 };
	int ret = nl_do(&ctx, nl, nlh);

	return ret == -EEXIST ? 0 : ret;
}

/**
 * add_rule() - "from LOOPBACK lookup CELLSOCK_TABLE pref CELLSOCK_TABLE"
 * @nl:		rtnetlink socket in the cell
 * @family:	AF_INET (127.0.0.0/8) or AF_INET6 (::1/128)
 *
 * Return: 0 (also when the rule exists already) or -errno
 */
static int add_rule(struct mnl_socket *nl, int family)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char lo4[4] = { 127, 0, 0, 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWRULE,
					   sizeof(struct fib_rule_hdr));
	struct fib_rule_hdr *r = mnl_nlmsg_get_payload(nlh);

	r->family = (unsigned char)family;
	r->src_len = family == AF_INET6 ? 128 : 8;
	r->action = FR_ACT_TO_TBL;
	mnl_attr_put(nlh, FRA_SRC, family == AF_INET6 ? 16 : 4,
		     family == AF_INET6 ? (const void *)lo6 : (const void *)lo4);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, CELLSOCK_TABLE);
	mnl_attr_put_u32(nlh, FRA_TABLE, CELLSOCK_TABLE);
	return send_create(nl, nlh);
}

/**
 * add_local_default() - "local default dev lo table CELLSOCK_TABLE"
 * @nl:		rtnetlink socket in the cell
 * @family:	AF_INET or AF_INET6
 *
 * Return: 0 (also when the route exists already) or -errno
 */
static int add_local_default(struct mnl_socket *nl, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWROUTE, sizeof(struct rtmsg));
	struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);

	rt->rtm_family = (unsigned char)family;
	rt->rtm_table = RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_HOST;
	rt->rtm_type = RTN_LOCAL;
	mnl_attr_put_u32(nlh, RTA_TABLE, CELLSOCK_TABLE);
	mnl_attr_put_u32(nlh, RTA_OIF, if_nametoindex("lo"));
	return send_create(nl, nlh);
}

/**
 * add_routing() - the rules and tables that route replies to clients
 * whose address the cell does not have; best effort (see the top)
 */
static void add_routing(void)
{
	struct nc_ctx ctx = { .kfd = -1 };
	struct mnl_socket *nl = nl_open(&ctx);
	static const int fam[] = { AF_INET, AF_INET6 };
	size_t i;

	if (!nl)
		return;
	for (i = 0; i < ARRAY_SIZE(fam); i++)
		if (!add_local_default(nl, fam[i]))
			add_rule(nl, fam[i]);
	mnl_socket_close(nl);
}

/**
 * make_socket() - one socket for the keeper, in the cell's namespace
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the socket or -errno
 */
static int make_socket(int family, int type)
{
	int one = 1, fd;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one));
	return fd;
}

/**
 * close_all() - close descriptors
 * @fds:	descriptors
 * @n:		how many
 */
static void close_all(const int *fds, int n)
{
	while (n)
		close(fds[--n]);
}

/**
 * serve_one() - answer one request: COUNT sockets, in batches
 * @sock:	socket to the keeper
 * @req:	request text, modified
 *
 * Return: 0, or -errno when the keeper is gone
 */
static int serve_one(int sock, char *req)
{
	char *f[4], head[64];
	int fds[PROTO_MAXFDS], n = 0, family, type, ret = 0;
	unsigned count;

	if (proto_split(req, f, 4) != 4 || strcmp(f[0], "S"))
		return 0;
	family = atoi(f[1]);
	type = atoi(f[2]);
	count = (unsigned)strtoul(f[3], NULL, 10);
	snprintf(head, sizeof(head), "S\t%d\t%d", family, type);
	while (count-- && !ret) {
		fds[n] = make_socket(family, type);
		if (fds[n] < 0) {
			snprintf(head, sizeof(head), "E\t%d\t%d\t%d", family,
				 type, fds[n]);
			close_all(fds, n);
			return proto_send(sock, head, strlen(head), NULL, 0);
		}
		if (++n < PROTO_MAXFDS && count)
			continue;
		ret = proto_send(sock, head, strlen(head), fds, n);
		close_all(fds, n);
		n = 0;
	}
	return ret;
}

/**
 * helper_main() - the helper's whole life
 * @netfd:	the cell's network namespace
 * @sock:	its end of the socketpair
 */
static void __attribute__((noreturn)) helper_main(int netfd, int sock)
{
	char req[128];
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "netcell-sock");
	if (setns(netfd, CLONE_NEWNET)) {
		n = snprintf(req, sizeof(req), "E\t%d", -errno);
		proto_send(sock, req, (size_t)n, NULL, 0);
		_exit(1);
	}
	/* hold nothing of the keeper's: a listening socket kept open here
	 * would keep a host port busy after its forward was removed */
	if (sock != 3) {
		dup2(sock, 3);
		sock = 3;
	}
	close_range(4, ~0U, 0);
	add_routing();
	if (proto_send(sock, "OK", 2, NULL, 0))
		_exit(1);
	for (;;) {
		n = proto_recv(sock, req, sizeof(req), NULL, NULL);
		if (n <= 0 || serve_one(sock, req))
			_exit(0);
	}
}

/**
 * wait_ready() - wait for a new helper's first word
 * @ctx:	context
 * @sock:	keeper's end
 *
 * Return: 0 or -errno with a message
 */
static int wait_ready(struct nc_ctx *ctx, int sock)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	char msg[64];
	ssize_t n;

	if (poll(&pfd, 1, CELLSOCK_START_MS) != 1)
		return ctx_err(ctx, -ETIMEDOUT, NC_ERR_FAILED,
			       "the socket helper of the cell did not start");
	n = proto_recv(sock, msg, sizeof(msg), NULL, NULL);
	if (n > 0 && !strcmp(msg, "OK"))
		return 0;
	n = n > 2 && msg[0] == 'E' ? strtol(msg + 2, NULL, 10) : -EIO;
	return ctx_err(ctx, (int)n, ctx_kind_of_errno((int)n),
		       "the socket helper cannot enter the cell: %s",
		       strerror((int)-n));
}

/**
 * cellsock_start() - fork the helper of a cell and wait until it is ready
 * @ctx:	context
 * @netfd:	the cell's network namespace
 * @pid:	the helper's PID
 * @sock:	the keeper's end of the socketpair, non-blocking
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
int cellsock_start(struct nc_ctx *ctx, int netfd, pid_t *pid, int *sock)
{
	int sp[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "socketpair: %s",
			       strerror(errno));
	*pid = fork();
	if (*pid == 0) {
		close(sp[0]);
		helper_main(netfd, sp[1]);
	}
	close(sp[1]);
	if (*pid < 0) {
		close(sp[0]);
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "fork: %s",
			       strerror(errno));
	}
	ret = wait_ready(ctx, sp[0]);
	if (ret) {
		cellsock_stop(*pid, sp[0]);
		return ret;
	}
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	*sock = sp[0];
	return 0;
}

/**
 * cellsock_stop() - end a helper and reap it
 * @pid:	its PID
 * @sock:	the keeper's end, closed
 */
void cellsock_stop(pid_t pid, int sock)
{
	close(sock);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/**
 * cellsock_request() - ask the helper for sockets
 * @sock:	the keeper's end
 * @family:	AF_INET or AF_INET6
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @count:	how many
 *
 * Return: 0 or -errno
 */
int cellsock_request(int sock, int family, int type, unsigned count)
{
	char req[64];
	int n = snprintf(req, sizeof(req), "S\t%d\t%d\t%u", family, type, count);

	return proto_send(sock, req, (size_t)n, NULL, 0);
}

/**
 * cellsock_receive() - take one batch of sockets from the helper
 * @sock:	the keeper's end, non-blocking
 * @fds:	sockets, room for PROTO_MAXFDS
 * @nfds:	how many came
 * @family:	their family
 * @type:	their type
 *
 * Return: 1 for a batch, 0 when the helper is gone, -EAGAIN when nothing
 * waits, or the helper's -errno for sockets it could not make (@nfds 0)
 */
int cellsock_receive(int sock, int *fds, int *nfds, int *family, int *type)
{
	char msg[64], *f[4];
	ssize_t n;
	int nf;

	*nfds = PROTO_MAXFDS;
	n = proto_recv(sock, msg, sizeof(msg), fds, nfds);
	if (n <= 0)
		return n == -EAGAIN ? -EAGAIN : 0;
	nf = proto_split(msg, f, 4);
	if (nf < 3) {
		close_all(fds, *nfds);
		*nfds = 0;
		return 0;
	}
	*family = atoi(f[1]);
	*type = atoi(f[2]);
	if (f[0][0] == 'E')
		return nf == 4 ? (int)strtol(f[3], NULL, 10) : -EIO;
	return 1;
}
