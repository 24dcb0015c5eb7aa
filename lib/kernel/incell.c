// SPDX-License-Identifier: MIT
/*
 * incell.c - run a function inside a cell, or a scratch namespace, in a child
 *
 * Theory of operation: changing a cell's firewall means talking netlink from
 * inside its network namespace.  The caller must not move itself (a rootless
 * process can never come back to the host's namespaces), so the work runs
 * in a forked child that joins the cell (user namespace first, then network
 * namespace, as enter.c does) and reports a result code and text back over
 * a pipe.  With no cell, the child makes a scratch namespace of its own
 * (rootless: a new user namespace too), which vanishes when it exits: that
 * is how rulesets are validated without touching anything.
 *
 * The namespaces come as descriptors the caller holds (struct incell_ns):
 * this layer knows no cell names.  client/cellns.c finds a cell by name
 * (asking the keeper) for the callers above.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "base/diag.h"
#include "base/paths.h"
#include "kernel/incell.h"
#include "kernel/nftlib.h"
#include "kernel/ns.h"

#define INCELL_OUT (256 * 1024)

/**
 * enter_target() - in the child: join the namespaces, or make a scratch one
 * @ctx:	context
 * @p:		caller's paths
 * @ns:		where, NULL for a scratch namespace
 *
 * Return: 0 or -errno with a message
 */
static int enter_target(struct nc_ctx *ctx, const struct nc_paths *p,
			const struct incell_ns *ns)
{
	int ret = 0;

	if (!ns) {
		if (p->rootless && (ret = ns_become_userns_root(ctx, p->uid, p->gid)))
			return ret;
		if (unshare(CLONE_NEWNET))
			return diag_netns_failure(ctx, -errno);
		return 0;
	}
	if (ns->netfd < 0)
		return 0;	/* the caller's own namespace */
	if (ns->userfd >= 0 && setns(ns->userfd, CLONE_NEWUSER))
		ret = -errno;
	if (!ret && setns(ns->netfd, CLONE_NEWNET))
		ret = -errno;
	if (ret)
		return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
			       "cannot enter cell \"%s\": %s", ns->name, strerror(-ret));
	return 0;
}

/**
 * report() - in the child: hand the result back and exit
 * @wfd:	pipe to the parent
 * @tag:	'R' for a result of the work, 'E' for a failure to get there
 * @ret:	result, 0 or -errno
 * @kind:	enum nc_errkind of a failure
 * @text:	output or message
 */
static void __attribute__((noreturn)) report(int wfd, char tag, int ret,
					     enum nc_errkind kind,
					     const char *text)
{
	char head[32];
	int n = snprintf(head, sizeof(head), "%c%d %d\n", tag, ret, (int)kind);

	if (write(wfd, head, (size_t)n) < 0 || write(wfd, text, strlen(text)) < 0)
		_exit(1);
	_exit(0);
}

/**
 * struct child_job - what a child runs
 * @p:		caller's paths (incell_call())
 * @ns:		where, or NULL for a scratch namespace (incell_call())
 * @fn:		work with a text output (incell_call())
 * @cfn:	work with a message in a context (incell_fork())
 * @arg:	its argument
 * @tfn:	work with a text of any length (incell_call_text())
 * @parent:	the caller's context: a cell it is creating is reached by
 *		its creation identity (incell_call*())
 */
struct child_job {
	const struct nc_paths *p;
	const struct incell_ns *ns;
	incell_fn fn;
	int (*cfn)(struct nc_ctx *ctx, void *arg);
	void *arg;
	incell_text_fn tfn;
	const struct nc_ctx *parent;
};

/**
 * child() - the child's whole life: enter, work, report, exit
 * @j:		job
 * @wfd:	pipe to the parent
 */
static void __attribute__((noreturn)) child(const struct child_job *j, int wfd)
{
	struct nc_ctx c = { .kfd = -1 };
	char *out, lock[PATH_MAX];
	int ret;

	if (j->parent) {
		memcpy(c.setup_name, j->parent->setup_name, sizeof(c.setup_name));
		c.setup_id = j->parent->setup_id;
	}
	if (j->cfn) {
		ret = j->cfn(&c, j->arg);
		report(wfd, 'R', ret, c.kind, ret ? c.msg : "");
	}
	out = calloc(1, INCELL_OUT);
	if (!out)
		_exit(1);
	ret = enter_target(&c, j->p, j->ns);
	if (ret)
		report(wfd, 'E', ret, c.kind, c.msg);
	snprintf(lock, sizeof(lock), "%s/xtables.lock", j->p->run);
	setenv("XTABLES_LOCKFILE", lock, 1);
	if (j->tfn) {
		char *text = NULL;

		ret = j->tfn(j->arg, &text);
		report(wfd, 'R', ret, NC_ERR_NONE, text ? text : "");
	}
	ret = j->fn(j->arg, out, INCELL_OUT);
	report(wfd, 'R', ret, NC_ERR_NONE, out);
}

/**
 * file_read_all() - a whole file, into a heap buffer
 * @path:	file
 *
 * Return: NUL-terminated heap text, or NULL with errno set (the file
 * cannot be opened, a read error, out of memory)
 */
char *file_read_all(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;

	if (fd < 0)
		return NULL;
	errno = 0;
	fd_read_grow(fd, &text);
	if (!text && !errno)
		errno = EIO;
	return text;
}

/**
 * fd_read_grow() - read a pipe or file to its end into a growing buffer
 * @fd:		descriptor
 * @buf:	heap text, NUL-terminated (NULL when out of memory or on a
 *		read error)
 *
 * Return: the length read
 */
size_t fd_read_grow(int fd, char **buf)
{
	size_t cap = 4096, off = 0;
	char *b = malloc(cap), *nb;
	ssize_t n;

	while (b) {
		if (off + 1 >= cap) {
			nb = realloc(b, cap *= 2);
			if (!nb)
				break;
			b = nb;
		}
		n = read(fd, b + off, cap - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			b[off] = '\0';
			*buf = b;
			return off;
		}
		if (n < 0)
			break;
		off += (size_t)n;
	}
	free(b);
	*buf = NULL;
	return 0;
}

/**
 * run_child() - fork a child for @j, collect its report, wait for it
 * @ctx:	context
 * @j:		job
 * @buf:	the report: "TAG RET KIND" line, then text (heap)
 * @tag:	result: 'R' or 'E'
 * @ret:	result: the child's result
 * @kind:	result: its enum nc_errkind
 *
 * Return: 0, or -errno with a message when no report came (a child killed
 * by SIGABRT is libnftables or iptables aborting on the ruleset: kind
 * NC_ERR_RULESET, their own words went to stderr)
 */
static int run_child(struct nc_ctx *ctx, const struct child_job *j, char **buf,
		     char *tag, int *ret, int *kind)
{
	int pfd[2], status = 0;
	pid_t pid, parent;

	*buf = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "pipe: %s", strerror(errno));
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/* work done for a process dies with it: an apply whose command
		 * was killed must not go on loading unrecorded rules */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(pfd[0]);
		child(j, pfd[1]);
	}
	close(pfd[1]);
	fd_read_grow(pfd[0], buf);
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (pid > 0 && WIFSIGNALED(status) && (!*buf || !**buf))
		return ctx_err(ctx, -EIO, WTERMSIG(status) == SIGABRT ? NC_ERR_RULESET : NC_ERR_FAILED,
			       "the helper process for %s was killed by signal %d (%s)%s",
			       j->ns ? j->ns->name : "its work", WTERMSIG(status), strsignal(WTERMSIG(status)),
			       WTERMSIG(status) == SIGABRT ?
			       ": a library it used gave up on this input (its words are above); nothing was recorded" : "");
	if (pid < 0 || !*buf || sscanf(*buf, "%c%d %d", tag, ret, kind) != 3)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED, "the helper process failed");
	return 0;
}

/**
 * fd_read_all() - read a pipe to its end
 * @fd:		pipe
 * @buf:	output, NUL-terminated
 * @len:	size of @buf
 */
void fd_read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off + 1 < len) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
}

/**
 * call_job() - incell_call() and incell_call_text()'s common part
 * @ctx:	context
 * @j:		job (its @p is set here)
 * @out:	the text handed back (heap), may be NULL
 *
 * Return: the work's result, or -errno with a message
 */
static int call_job(struct nc_ctx *ctx, struct child_job *j, char **out)
{
	_cleanup_free_ char *buf = NULL;
	struct nc_paths p;
	int ret, kind;
	char tag;

	if (out)
		*out = NULL;
	ret = paths_get(ctx, &p);
	if (ret)
		return ret;
	/* cppcheck-suppress autoVariables ; j lives only during this call */
	j->p = &p;
	j->parent = ctx;
	if (run_child(ctx, j, &buf, &tag, &ret, &kind))
		return ctx->msg[0] ? -EIO : ctx_err(ctx, -EIO, NC_ERR_FAILED,
						    "the helper process for cell \"%s\" failed",
						    j->ns ? j->ns->name : "(scratch)");
	if (tag == 'E')
		return ctx_err(ctx, ret, (enum nc_errkind)kind, "%s", strchr(buf, '\n') + 1);
	if (out)
		*out = strdup(strchr(buf, '\n') + 1);
	/* the child's nft_new() could not load libnftables: say so and what
	 * to install, whatever the work's own words (loading it here too
	 * fills in the reason) */
	if (ret == -ELIBACC && !nftlib_load())
		return ctx_err(ctx, ret, NC_ERR_PERM, "libnftables could not be loaded in the cell");
	if (ret == -ELIBACC)
		return ctx_err(ctx, ret, NC_ERR_PERM, "%s", nftlib_error());
	return ret;
}

/**
 * incell_call() - run @fn inside a namespace (or a scratch one) in a child
 * @ctx:	context
 * @ns:		the cell's namespaces (held by the caller), INCELL_HOST() for
 *		the caller's own, or NULL for a throwaway namespace
 * @fn:		work to do there
 * @arg:	its argument
 * @out:	the text @fn handed back (heap, caller frees), may be NULL
 *
 * Return: @fn's result; or -errno with a message when the child could not
 * get there (then @out is NULL)
 */
int incell_call(struct nc_ctx *ctx, const struct incell_ns *ns, incell_fn fn,
		void *arg, char **out)
{
	struct child_job j = { NULL, ns, fn, NULL, arg, NULL, NULL };

	return call_job(ctx, &j, out);
}

/**
 * incell_call_text() - incell_call() for work whose text has no size limit
 * (a listing of 50,000 rules)
 * @ctx:	context
 * @ns:		as incell_call()'s
 * @fn:		work: returns 0 or -errno, and a heap text
 * @arg:	its argument
 * @out:	the text (heap, caller frees), may be NULL
 *
 * Return: @fn's result; or -errno with a message
 */
int incell_call_text(struct nc_ctx *ctx, const struct incell_ns *ns,
		     incell_text_fn fn, void *arg, char **out)
{
	struct child_job j = { NULL, ns, NULL, NULL, arg, fn, NULL };

	return call_job(ctx, &j, out);
}

/**
 * incell_fork() - run @fn(@arg) in a forked child, its message back in @ctx
 * @ctx:	context
 * @fn:		work; returns 0 or -errno with a message in its context
 * @arg:	its argument
 *
 * The report is read to the end of the pipe: @fn must not leave a process
 * of its own running that still holds it (programs it executes do not: the
 * pipe is close-on-exec).
 *
 * Return: 0 or -errno with a message
 */
int incell_fork(struct nc_ctx *ctx, int (*fn)(struct nc_ctx *, void *), void *arg)
{
	struct child_job j = { NULL, NULL, NULL, fn, arg, NULL, NULL };
	_cleanup_free_ char *buf = NULL;
	int ret, kind;
	char tag;

	if (run_child(ctx, &j, &buf, &tag, &ret, &kind))
		return -EIO;
	if (!ret)
		return 0;
	return ctx_err(ctx, ret, kind ? (enum nc_errkind)kind : NC_ERR_FAILED, "%s",
		       strchr(buf, '\n')[1] ? strchr(buf, '\n') + 1 : strerror(-ret));
}
