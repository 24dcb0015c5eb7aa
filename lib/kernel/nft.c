// SPDX-License-Identifier: MIT
/*
 * nft.c - libnftables in the current network namespace
 *
 * Theory of operation: callers enter a cell (or a scratch namespace) in a
 * child process, then call these helpers, which run libnftables there
 * (commands, listings) or talk nf_tables netlink directly over libmnl
 * where libnftables would fetch far more than asked (the table list, the
 * ruleset generation).  Loading a file is nftfile.c's, above this one.
 *
 * Size: a batch must fit in the socket's send buffer.  libnftables 1.0.6
 * only raises it with SO_SNDBUFFORCE, which needs CAP_NET_ADMIN in the
 * initial user namespace, so in a rootless cell a batch over the default
 * 208 KiB (about 1,000 simple rules) fails with "Message too long".  Before
 * running, we raise the send buffer of libnftables' own netlink socket with
 * plain SO_SNDBUF, which any process may set up to net.core.wmem_max (the
 * kernel doubles it): with wmem_max at 4 MiB a transaction of up to 8 MiB
 * (about 18,000 such rules) goes in as one.  The socket is found among our
 * descriptors by domain and protocol, since the library does not expose it.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <time.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel/nft.h"

/**
 * raise_sndbuf() - raise the send buffer of our netfilter netlink sockets
 */
static void raise_sndbuf(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	int dom, proto, fd, big = INT_MAX / 2;
	socklen_t l;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		fd = atoi(e->d_name);
		l = sizeof(dom);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) || dom != AF_NETLINK)
			continue;
		l = sizeof(proto);
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) ||
		    proto != NETLINK_NETFILTER)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	}
}

/**
 * nft_new() - a libnftables context with buffered output and errors
 *
 * Return: context or NULL
 */
struct nft_ctx *nft_new(void)
{
	struct nft_ctx *n = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!n)
		return NULL;
	nft_ctx_buffer_output(n);
	nft_ctx_buffer_error(n);
	raise_sndbuf();
	return n;
}

/**
 * nft_init_root() - are we root of the initial user namespace (libnftables
 * then raises its send buffer with SO_SNDBUFFORCE, without limit)
 *
 * Return: 1 if so
 */
int nft_init_root(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;

	return geteuid() == 0 && f && fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 &&
	       a == 0 && b == 0 && c == 4294967295UL;
}

/**
 * nft_wmem_max() - net.core.wmem_max: half of what a process without
 * CAP_NET_ADMIN in the initial user namespace may send in one transaction
 *
 * Return: bytes, 0 when unknown
 */
unsigned long nft_wmem_max(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/core/wmem_max", "re");
	unsigned long w = 0;

	if (!f || fscanf(f, "%lu", &w) != 1)
		w = 0;
	/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
	return w;
}

/**
 * nft_run_text() - run nft commands given as text, as one transaction
 * @cmds:	commands
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0, -EINVAL when rejected, -ENOMEM
 */
int nft_run_text(const char *cmds, char *err, size_t len)
{
	struct nft_ctx *n = nft_new();
	int ret;

	if (!n)
		return -ENOMEM;
	ret = nft_run_cmd_from_buffer(n, cmds);
	snprintf(err, len, "%s", ret ? nft_ctx_get_error_buffer(n) : "");
	nft_ctx_free(n);
	return ret ? -EINVAL : 0;
}

/**
 * nft_list_ruleset() - the ruleset of the current namespace as nft text
 * @text:	heap string, to be freed by the caller
 *
 * Return: 0, -EIO when listing failed, -ENOMEM
 */
int nft_list_ruleset(char **text)
{
	return nft_list_cmd("list ruleset", text);
}

/**
 * nft_list_cmd() - the output of one nft listing command
 * @cmd:	e.g. "list tables"
 * @text:	heap string, to be freed by the caller
 *
 * Return: 0, -EIO when listing failed, -ENOMEM
 */
int nft_list_cmd(const char *cmd, char **text)
{
	struct nft_ctx *n = nft_new();
	int ret;

	if (!n)
		return -ENOMEM;
	ret = nft_run_cmd_from_buffer(n, cmd);
	*text = ret ? NULL : strdup(nft_ctx_get_output_buffer(n));
	nft_ctx_free(n);
	if (ret)
		return -EIO;
	return *text ? 0 : -ENOMEM;
}

/**
 * nft_list_table_handles() - one table listed with rule handles
 * @family:	table family
 * @table:	table name
 * @text:	heap string
 *
 * Return: 0, -ENOENT when there is no such table, -ENOMEM
 */
int nft_list_table_handles(const char *family, const char *table, char **text)
{
	struct nft_ctx *n = nft_new();
	char cmd[256];
	int ret;

	if (!n)
		return -ENOMEM;
	nft_ctx_output_set_flags(n, NFT_CTX_OUTPUT_HANDLE);
	snprintf(cmd, sizeof(cmd), "list table %s %s", family, table);
	ret = nft_run_cmd_from_buffer(n, cmd);
	*text = ret ? NULL : strdup(nft_ctx_get_output_buffer(n));
	nft_ctx_free(n);
	if (ret)
		return -ENOENT;
	return *text ? 0 : -ENOMEM;
}

/**
 * genid_cb() - mnl callback: take NFTA_GEN_ID from a NEWGEN message
 * @nlh:	message
 * @data:	unsigned *, the generation found
 *
 * Return: MNL_CB_OK
 */
static int genid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_GEN_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			*(unsigned *)data = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

/**
 * nft_genid() - the nf_tables generation of the current network namespace
 * @id:		the generation, which the kernel increments with every
 *		committed transaction (NFT_MSG_GETGEN)
 *
 * fw stage compares it before and after a script's commands to learn
 * whether anything it did not see changed the ruleset.
 *
 * Return: 0 or -errno
 */
int nft_genid(unsigned *id)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), portid;
	struct nfgenmsg *nfg;
	ssize_t n;
	int ret = -EIO;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	*id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n > 0 && mnl_cb_run(buf, (size_t)n, seq, portid, genid_cb, id) >= 0)
		ret = 0;
	else if (n < 0 || errno)
		ret = -errno;
out:
	mnl_socket_close(nl);
	return ret;
}

/**
 * family_name() - nft's name of a netfilter family
 * @f:		NFPROTO_*
 *
 * Return: "ip", "ip6", "inet", "arp", "bridge", "netdev" or NULL
 */
static const char *family_name(unsigned f)
{
	switch (f) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return NULL;
	}
}

/**
 * tables_cb() - mnl callback: one table of a GETTABLE dump as a line
 * @nlh:	message
 * @data:	FILE * to write "table FAMILY NAME\n" to
 *
 * Return: MNL_CB_OK
 */
static int tables_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const char *fam = family_name(nfg->nfgen_family);
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(*nfg))
		if (fam && mnl_attr_get_type(a) == NFTA_TABLE_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			fprintf(data, "table %s %s\n", fam, mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/**
 * nft_list_tables() - the tables of the current namespace, "table F N" a
 * line, as "nft list tables" prints them
 * @text:	heap string
 *
 * libnftables 1.0.6 fetches every rule of every table for "list tables":
 * seconds for 50,000 rules.  This asks the kernel for the tables alone.
 *
 * Return: 0 or -errno
 */
int nft_list_tables(char **text)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), portid;
	struct nfgenmsg *nfg;
	size_t tl = 0;
	FILE *f = NULL;
	ssize_t n;
	int ret = -EIO;

	*text = NULL;
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || !(f = open_memstream(text, &tl)))
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, tables_cb, f);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -EIO : 0;
out:
	if (f && fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*text);
		*text = NULL;
	}
	mnl_socket_close(nl);
	return ret;
}
