// SPDX-License-Identifier: MIT
/*
 * probe.c - doctor's probe: the real thing, in a throwaway child
 *
 * Settings alone can lie (a seccomp filter, an AppArmor profile that allows
 * netcell after all), so doctor also tries: a user namespace (rootless), a
 * network namespace, and an nftables request in it (NFT_MSG_GETGEN, which
 * nfnetlink refuses without CAP_NET_ADMIN over the namespace and which fails
 * when nf_tables is missing).  The child reports how far it got over a pipe
 * and exits, so nothing it made outlives it.  Root runs a second probe that
 * first drops to PROBE_NOBODY, to see what an ordinary user would get.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/diag.h"
#include "kernel/incell.h"
#include "kernel/netlink.h"
#include "kernel/ns.h"
#include "kernel/probe.h"

/**
 * drop_to_nobody() - in root's probe child: become an ordinary uid
 *
 * The process is made dumpable again, or /proc/self/uid_map would stay
 * root's and the new uid could not write it.
 *
 * Return: 0 or -errno
 */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(PROBE_NOBODY, PROBE_NOBODY, PROBE_NOBODY) ||
	    setresuid(PROBE_NOBODY, PROBE_NOBODY, PROBE_NOBODY) ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return 0;
}

/**
 * probe_nft() - ask nf_tables in the current network namespace for its
 *		 ruleset generation
 * @ctx:	context
 *
 * Return: 0 or -errno with the kernel's message
 */
static int probe_nft(struct nc_ctx *ctx)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;
	int ret;

	if (!nl)
		return ctx_err(ctx, -errno, NC_ERR_FAILED,
			       "cannot open a netfilter netlink socket: %s",
			       strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ctx_err(ctx, ret, NC_ERR_FAILED,
			       "cannot bind a netfilter netlink socket: %s",
			       strerror(-ret));
	}
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	ret = nl_do(ctx, nl, nlh);
	mnl_socket_close(nl);
	return ret;
}

/**
 * probe_steps() - in the probe child: go as far as possible
 * @ctx:	context for the message of the failed step
 * @nobody:	drop to uid 65534 first
 * @err:	negative errno of the failed step
 *
 * Return: the stage that failed, PROBE_DONE when none did
 */
static int probe_steps(struct nc_ctx *ctx, int nobody, int *err)
{
	if (nobody && (*err = drop_to_nobody())) {
		ctx_err(ctx, *err, NC_ERR_FAILED, "cannot become uid %d: %s",
			PROBE_NOBODY, strerror(-*err));
		return PROBE_SETUP;
	}
	if (getuid() != 0 &&
	    (*err = ns_become_userns_root(ctx, getuid(), getgid())))
		return PROBE_USERNS;
	if (unshare(CLONE_NEWNET)) {
		*err = diag_netns_failure(ctx, -errno);
		return PROBE_NETNS;
	}
	*err = probe_nft(ctx);
	return *err ? PROBE_NFT : PROBE_DONE;
}

/**
 * probe_child() - the probe child's whole life: try, report, exit
 * @nobody:	drop to uid 65534 first
 * @wfd:	pipe to the parent
 */
static void __attribute__((noreturn)) probe_child(int nobody, int wfd)
{
	struct nc_ctx c = { .kfd = -1 };
	char out[NC_MSG_MAX + 64];
	int err = 0, stage, n;

	stage = probe_steps(&c, nobody, &err);
	n = snprintf(out, sizeof(out), "%d\t%d\t%s", stage, err, c.msg);
	_exit(write(wfd, out, (size_t)n) == n ? 0 : 1);
}

/**
 * probe_run() - run a probe child and collect how far it got
 * @pr:		result
 * @nobody:	as uid 65534 rather than as the caller
 */
void probe_run(struct probe *pr, int nobody)
{
	char buf[NC_MSG_MAX + 64] = "";
	int pfd[2], status, off = 0;
	pid_t pid;

	pr->uid = nobody ? PROBE_NOBODY : getuid();
	pr->stage = PROBE_SETUP;
	pr->err = -EIO;
	snprintf(pr->msg, sizeof(pr->msg), "the probe process failed");
	if (pipe2(pfd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		probe_child(nobody, pfd[1]);
	}
	close(pfd[1]);
	if (pid > 0) {
		fd_read_all(pfd[0], buf, sizeof(buf));
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	if (sscanf(buf, "%d\t%d\t%n", &pr->stage, &pr->err, &off) == 2)
		snprintf(pr->msg, sizeof(pr->msg), "%s", buf + off);
}

/**
 * probe_who() - the probe's uid as the evidence names it
 * @pr:		probe
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
const char *probe_who(const struct probe *pr, char *buf, size_t len)
{
	snprintf(buf, len, "uid %u%s", (unsigned)pr->uid,
		 pr->uid == PROBE_NOBODY ? " (as an ordinary user)" : "");
	return buf;
}
