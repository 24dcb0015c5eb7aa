// SPDX-License-Identifier: MIT
/*
 * client.c - talking to the keeper, starting it when needed
 *
 * Theory of operation: a command connects to STATE/keeper.sock.  When
 * nobody answers, it takes STATE/keeper.lock (flock), tries again, and only
 * then forks a keeper (double fork, new session, so the keeper outlives the
 * command and is nobody's zombie) and waits on a pipe until the keeper says
 * it is ready or why it could not start.  The lock is what makes two
 * commands starting at once end up with one keeper; being in the state
 * directory, it is the same lock for every login of the user, whatever
 * its runtime directory.  A socket file with no
 * listener means the previous keeper died: the new one rebuilds the saved
 * cells, and the command queues a notice saying so.
 */
#include <poll.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "client/client.h"
#include "keeper/keeper.h"
#include "base/proto.h"
#include "base/store.h"

#define CLIENT_TRIES 6

/**
 * client_try_connect() - connect to the keeper's socket
 * @sa:		its address
 *
 * Return: connected socket or -errno
 */
int client_try_connect(const struct sockaddr_un *sa)
{
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/**
 * keeper_child() - the grandchild that becomes the keeper
 * @p:		the user's directories
 * @ready:	write end of the ready pipe
 * @lfd:	the keeper log (open_log()), or -1 for none
 */
static void __attribute__((noreturn)) keeper_child(const struct nc_paths *p,
						   int ready, int lfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(lfd >= 0 ? lfd : null, 2);
	}
	if (ready > 3)
		close_range(3, (unsigned)ready - 1, 0);
	close_range((unsigned)ready + 1, ~0U, 0);
	if (chdir("/"))
		_exit(1);
	_exit(keeper_run(p, ready));
}

/**
 * wait_ready() - wait for a starting keeper's word, telling the caller's
 * progress function every second (the keeper brings the saved cells back
 * before it answers: seconds for many cells)
 * @ctx:	context, with or without a progress function
 * @fd:		read end of the ready pipe
 */
static void wait_ready(struct nc_ctx *ctx, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned secs = 0;
	int n;

	if (!ctx->progress)
		return;
	while ((n = poll(&pfd, 1, 1000)) == 0 || (n < 0 && errno == EINTR))
		if (n == 0)
			ctx->progress("starting the keeper, which brings the saved cells back", ++secs,
				      ctx->progress_arg);
	if (secs)
		ctx->progress(NULL, secs, ctx->progress_arg);
}

/**
 * read_ready() - wait for the keeper's word that it is up
 * @ctx:	context
 * @fd:		read end of the ready pipe
 * @rebuilt:	cells the keeper rebuilt, and how many of them in new
 *		namespaces
 * @notes:	what went wrong in the rebuild, tab-separated ("" for nothing)
 * @len:	size of @notes
 *
 * Return: 0, or the keeper's error
 */
static int read_ready(struct nc_ctx *ctx, int fd, unsigned rebuilt[2],
		      char *notes, size_t len)
{
	char msg[PIPE_BUF + 1], *f[4] = { NULL }, *end;
	ssize_t n;
	int nf;

	wait_ready(ctx, fd);
	do
		n = read(fd, msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the keeper process died while starting");
	msg[n] = '\0';
	notes[0] = '\0';
	/* OK, the number rebuilt "/" the number in new namespaces, then what
	 * went wrong in the rebuild, each after a tab (kept whole, for the
	 * caller to split) */
	if (!strncmp(msg, "OK\t", 3)) {
		nf = proto_split(msg, f, 3);
		rebuilt[0] = (unsigned)strtoul(f[1], &end, 10);
		rebuilt[1] = *end == '/' ? (unsigned)strtoul(end + 1, NULL, 10) : rebuilt[0];
		if (nf == 3)
			snprintf(notes, len, "%s", f[2]);
		return 0;
	}
	if (proto_split(msg, f, 4) == 4 && !strcmp(f[0], "ERR"))
		return ctx_wrap(ctx, ctx_err(ctx, (int)strtol(f[1], NULL, 10),
					     (enum nc_errkind)strtol(f[2], NULL, 10),
					     "%s", f[3]),
				"cannot start the keeper");
	return ctx_err(ctx, -EIO, NC_ERR_FAILED, "the keeper said \"%s\"", msg);
}

/**
 * open_log() - open NETCELL_KEEPER_LOG for the keeper's stderr, if set
 * @ctx:	context
 * @fd:		output: the log, or -1 when none is asked for
 *
 * The log is appended to by the keeper for its whole life, often in /tmp:
 * a symbolic link, a FIFO (which would hang the start) or another user's
 * file planted at its name, or a hard link to one of the caller's files,
 * is refused, never followed or written into.
 *
 * Return: 0, or -errno with a message (kind NC_ERR_PERM)
 */
static int open_log(struct nc_ctx *ctx, int *fd)
{
	const char *log = getenv("NETCELL_KEEPER_LOG"), *why = NULL;
	struct stat st;

	*fd = -1;
	if (!log || !*log)
		return 0;
	*fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			O_CLOEXEC, 0600);
	if (*fd < 0) {
		int err = errno;

		/* the open refused safely; lstat() only names the reason */
		if (!lstat(log, &st) && S_ISLNK(st.st_mode))
			why = "it is a symbolic link";
		else if (!lstat(log, &st) && S_ISFIFO(st.st_mode))
			why = "it is a FIFO";
		else if (!lstat(log, &st) && st.st_uid != 0 && st.st_uid != geteuid())
			why = "it belongs to another user";
		if (!why) {
			/* nothing planted: missing directory, root's log or
			 * directory (inherited from root's environment) */
			ctx_notice(ctx, "cannot open the keeper log \"%s\" (NETCELL_KEEPER_LOG): %s; the keeper runs without a log",
				   log, strerror(err));
			return 0;
		}
		return ctx_err(ctx, -err, NC_ERR_PERM,
			       "cannot open the keeper log \"%s\" (NETCELL_KEEPER_LOG): %s; set it to a regular file of your own",
			       log, why);
	}
	if (fstat(*fd, &st))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "it is not a regular file";
	else if (st.st_uid != geteuid())
		why = "it belongs to another user";
	else if (st.st_nlink != 1)
		why = "it has more than one hard link";
	if (!why)
		return 0;
	close(*fd);
	*fd = -1;
	return ctx_err(ctx, -EPERM, NC_ERR_PERM,
		       "refusing the keeper log \"%s\" (NETCELL_KEEPER_LOG): %s; set it to a regular file of your own",
		       log, why);
}

/**
 * spawn_keeper() - start a keeper and wait until it is ready
 * @ctx:	context
 * @p:		the user's directories
 * @rebuilt:	cells the keeper rebuilt from saved configuration, and how
 *		many of them in new namespaces
 * @notes:	what went wrong in the rebuild (read_ready())
 * @len:	size of @notes
 *
 * Return: 0 or -errno with a message
 */
static int spawn_keeper(struct nc_ctx *ctx, const struct nc_paths *p,
			unsigned rebuilt[2], char *notes, size_t len)
{
	_cleanup_close_ int rd = -1, lfd = -1;
	int pipefd[2], status;
	pid_t pid;

	if (open_log(ctx, &lfd))
		return -EPERM;
	if (pipe2(pipefd, O_CLOEXEC))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "pipe: %s",
			       strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "fork: %s",
			       strerror(errno));
	}
	if (pid == 0) {
		close(pipefd[0]);
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() == 0)
			keeper_child(p, pipefd[1], lfd);
		_exit(0);
	}
	close(pipefd[1]);
	rd = pipefd[0];
	waitpid(pid, &status, 0);
	return read_ready(ctx, rd, rebuilt, notes, len);
}

/**
 * client_find() - the user's directories and the keeper's address
 * @ctx:	context
 * @p:		filled with the directories
 * @sa:		filled with the address of STATE/keeper.sock
 *
 * Return: 0 or -errno with a message
 */
int client_find(struct nc_ctx *ctx, struct nc_paths *p, struct sockaddr_un *sa)
{
	int ret = paths_get(ctx, p);

	return ret ? ret : paths_keeper_addr(ctx, p, sa);
}

/**
 * client_start_lock() - take the start lock, STATE/keeper.lock, held by
 * whoever starts a keeper
 * @ctx:	context
 * @p:		the user's directories
 *
 * Return: the lock's descriptor or -errno with a message
 */
int client_start_lock(struct nc_ctx *ctx, const struct nc_paths *p)
{
	char lockp[PATH_MAX];
	int lock;

	snprintf(lockp, sizeof(lockp), "%s/keeper.lock", p->state);
	lock = store_lock(lockp);
	if (lock < 0)
		return ctx_err(ctx, lock, NC_ERR_FAILED,
			       "cannot lock \"%s\": %s", lockp, strerror(-lock));
	return lock;
}

/**
 * rebuilt_notice() - tell what a new keeper did with the saved cells
 * @ctx:	context
 * @n:		cells rebuilt
 * @fresh:	how many of them in new namespaces
 *
 * Only cells in new namespaces leave processes behind in the old ones: a
 * root cell whose /run/netns binding survived the crash is taken back as
 * it was, its processes still in it (the notice once said they kept "the
 * old namespaces" of root cells too).
 */
static void rebuilt_notice(struct nc_ctx *ctx, unsigned n, unsigned fresh)
{
	if (!n)
		return;
	if (fresh == n)
		ctx_notice(ctx,
			   "the keeper was not running (it was killed or the machine restarted); rebuilt %u cell%s from saved configuration in new namespaces; processes started in the old cells keep the old namespaces",
			   n, n == 1 ? "" : "s");
	else if (!fresh)
		ctx_notice(ctx,
			   "the keeper was not running (it was killed); rebuilt %u cell%s from saved configuration: %s namespace%s survived (/run/netns), so processes in %s, rules and links are as they were",
			   n, n == 1 ? "" : "s", n == 1 ? "its" : "their",
			   n == 1 ? "" : "s", n == 1 ? "it" : "them");
	else
		ctx_notice(ctx,
			   "the keeper was not running (it was killed); rebuilt %u cells from saved configuration: %u kept their namespaces (/run/netns) and the processes in them, %u got new ones (their /run/netns binding was gone; processes started in the old ones keep them)",
			   n, n - fresh, fresh);
}

/**
 * connect_or_spawn() - connect to the keeper, starting one if needed
 * @ctx:	context; ctx->kfd is set on success
 *
 * Return: 0 or -errno with a message
 */
static int connect_or_spawn(struct nc_ctx *ctx)
{
	char notes[PIPE_BUF], *note, *save = NULL;
	_cleanup_close_ int lock = -1;
	struct sockaddr_un sa;
	struct nc_paths p;
	unsigned rebuilt[2] = { 0, 0 };
	int ret;

	ret = client_find(ctx, &p, &sa);
	if (ret)
		return ret;
	ctx->kfd = client_try_connect(&sa);
	if (ctx->kfd >= 0)
		return 0;
	lock = client_start_lock(ctx, &p);
	if (lock < 0)
		return lock;
	ctx->kfd = client_try_connect(&sa);
	if (ctx->kfd >= 0)
		return 0;
	ret = spawn_keeper(ctx, &p, rebuilt, notes, sizeof(notes));
	if (ret)
		return ret;
	rebuilt_notice(ctx, rebuilt[0], rebuilt[1]);
	for (note = strtok_r(notes, "\t", &save); note; note = strtok_r(NULL, "\t", &save))
		ctx_notice(ctx, "%s", note);
	ctx->kfd = client_try_connect(&sa);
	if (ctx->kfd < 0)
		return ctx_err(ctx, ctx->kfd, NC_ERR_FAILED,
			       "cannot connect to the keeper at \"%s\": %s", sa.sun_path,
			       strerror(-ctx->kfd));
	return 0;
}

/**
 * parse_reply() - turn a keeper reply into 0 or an error in @ctx
 * @ctx:	context
 * @buf:	reply text
 * @rep:	where to copy what follows "OK\t", may be NULL
 * @len:	size of @rep
 *
 * Return: 0 or the keeper's -errno
 */
static int parse_reply(struct nc_ctx *ctx, char *buf, char *rep, size_t len)
{
	char *f[4], *note, *next;
	int nf;

	if (!strncmp(buf, "OK", 2)) {
		/* the keeper's notices of a change: "\n!NOTICE\tTEXT" lines */
		for (note = strstr(buf, "\n" PROTO_NOTICE); note; note = next) {
			*note = '\0';
			note += 1 + strlen(PROTO_NOTICE);
			next = strstr(note, "\n" PROTO_NOTICE);
			if (next)
				*next = '\0';
			ctx_notice(ctx, "%s", note);
			if (next)
				*next = '\n';
		}
		if (rep)
			snprintf(rep, len, "%s", buf[2] ? buf + 3 : "");
		return 0;
	}
	nf = proto_split(buf, f, 4);
	if (nf == 4 && !strcmp(f[0], "ERR"))
		return ctx_err(ctx, (int)strtol(f[1], NULL, 10),
			       (enum nc_errkind)strtol(f[2], NULL, 10), "%s", f[3]);
	return ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
		       "unexpected reply from the keeper");
}

/**
 * is_change() - does a request change the user's cells (as opposed to
 * reading them, which may be sent again freely)
 * @req:	request line
 *
 * Return: 1 if so
 */
static int is_change(const char *req)
{
	static const char *const ops[] = { "CREATE\t", "DELETE\t", "PORTADD\t",
					   "PORTRM\t", "LINK\t", "UNLINK\t", "HUB\t",
					   "ADOPT\t", "DELIDLE\t" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strncmp(req, ops[i], strlen(ops[i])))
			return 1;
	return 0;
}

/**
 * ports_listed() - how many of a PORTADD/PORTRM request's specs the cell
 * publishes now
 * @ctx:	context
 * @cell:	cell
 * @specs:	canonical specs separated by spaces (as sent), modified
 * @total:	how many specs there are
 *
 * Return: the count, or -errno
 */
static int ports_listed(struct nc_ctx *ctx, const char *cell, char *specs,
			int *total)
{
	_cleanup_free_ char *rep = malloc(PROTO_MAX + 1);
	char req[NC_NAME_MAX + 16], want[NC_NAME_MAX + 128], *spec, *save = NULL;
	int ret, found = 0;

	*total = 0;
	if (!rep)
		return -ENOMEM;
	snprintf(req, sizeof(req), "PORTLIST\t%s", cell);
	/* after a newline, so that each record starts with one */
	rep[0] = '\n';
	ret = client_call(ctx, req, rep + 1, PROTO_MAX, NULL, NULL);
	if (ret)
		/* cppcheck-suppress memleak ; freed by _cleanup_free_ */
		return ret;
	/* records are "CELL \t SPEC \t ACTIVE \n", SPEC canonical */
	for (spec = strtok_r(specs, " ", &save); spec; spec = strtok_r(NULL, " ", &save)) {
		snprintf(want, sizeof(want), "\n%s\t%s\t", cell, spec);
		(*total)++;
		found += !!strstr(rep, want);
	}
	return found;
}

/**
 * outcome() - after a keeper died with our change unanswered: did the
 * change happen?
 * @ctx:	context
 * @req:	the request sent
 *
 * The keeper saves a change before it answers, and a new keeper serves
 * exactly what was saved, so what the new keeper shows is the outcome: a
 * cell that a CREATE made exists, one that a DELETE removed does not, the
 * ports of a PORTADD are all there (it is all or none) and those of a
 * PORTRM all gone.
 *
 * Return: 1 done, 0 not done (send it again), -1 unknown (LINK, UNLINK,
 * HUB: sent again, an "already so" answer then counts as done)
 */
static int outcome(struct nc_ctx *ctx, const char *req)
{
	char copy[NC_NAME_MAX + 32 + NC_PORTS_MAX * 80], get[NC_NAME_MAX + 16], *f[3];
	int nf, ret, total;

	snprintf(copy, sizeof(copy), "%s", req);
	nf = proto_split(copy, f, 3);
	if (nf < 2)
		return -1;
	if (!strcmp(f[0], "CREATE") || !strcmp(f[0], "DELETE") || !strcmp(f[0], "ADOPT") ||
	    !strcmp(f[0], "DELIDLE")) {
		snprintf(get, sizeof(get), "GET\t%s", f[1]);
		ret = client_call(ctx, get, NULL, 0, NULL, NULL);
		if (ret && ret != -ENOENT)
			return -1;
		return strncmp(f[0], "DEL", 3) ? !ret : ret == -ENOENT;
	}
	if (nf == 3 && (!strcmp(f[0], "PORTADD") || !strcmp(f[0], "PORTRM"))) {
		ret = ports_listed(ctx, f[1], f[2], &total);
		if (ret < 0)
			return -1;
		return !strcmp(f[0], "PORTADD") ? ret == total : ret == 0;
	}
	return -1;
}

/**
 * already_so() - is an error to a change sent again after a crash the
 * sign that the first one was done
 * @req:	request
 * @ret:	its error
 *
 * Return: 1 if so (LINK: linked already; UNLINK: not linked)
 */
static int already_so(const char *req, int ret)
{
	return (!strncmp(req, "LINK\t", 5) && ret == -EEXIST) ||
	       (!strncmp(req, "UNLINK\t", 7) && ret == -ENOENT);
}

/**
 * exchange() - send a request on the open connection, read the reply
 * @ctx:	context, ctx->kfd connected
 * @req:	request line
 * @buf:	reply, PROTO_MAX bytes
 * @fds:	descriptors passed with the reply, may be NULL
 * @nfds:	in: room in @fds; out: how many came
 * @sent:	set when the request went out (a keeper may have acted on it)
 *
 * Return: reply length, or 0 / -errno when no reply came
 */
static ssize_t exchange(struct nc_ctx *ctx, const char *req, char *buf,
			int *fds, int *nfds, int *sent)
{
	ssize_t n;

	/* a keeper that refuses us says why and closes at once: the reason
	 * waits to be read even when the send fails */
	*sent = !proto_send(ctx->kfd, req, strlen(req), NULL, 0);
	n = proto_recv(ctx->kfd, buf, PROTO_MAX, fds, nfds);
	/* closing with our request unread, it reset the connection: the
	 * error comes first, its last message after it */
	if (n == -ECONNRESET)
		n = proto_recv(ctx->kfd, buf, PROTO_MAX, fds, nfds);
	return n;
}

/**
 * client_call() - send one request to the keeper and read its reply
 * @ctx:	context
 * @req:	request line
 * @rep:	what the reply carries after "OK\t", may be NULL
 * @len:	size of @rep
 * @fds:	descriptors passed with the reply, may be NULL
 * @nfds:	in: room in @fds; out: how many came
 *
 * A keeper may die with a request unanswered (killed, or leaving when
 * idle as the request came): the command then connects again, which
 * starts a new keeper if needed, up to CLIENT_TRIES times, waiting a
 * little longer each time (a dying keeper's listener may still take a
 * connection).  A reading request is simply sent again.  A change that
 * was sent is not blindly repeated: its outcome is read from the new
 * keeper first (outcome()), so a DELETE that was done reports success,
 * not "no cell", and a CREATE that was done is not refused as existing;
 * only a change not done is sent again.
 *
 * Return: 0 or -errno with a message
 */
int client_call(struct nc_ctx *ctx, const char *req, char *rep, size_t len,
		int *fds, int *nfds)
{
	_cleanup_free_ char *buf = malloc(PROTO_MAX);
	int attempt, ret, sent, room = nfds ? *nfds : 0, unsure = 0, done;
	ssize_t n = 0;

	if (!buf)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (attempt = 0; attempt < CLIENT_TRIES; attempt++) {
		if (attempt)
			usleep(25000U << attempt);
		if (ctx->kfd < 0) {
			ret = connect_or_spawn(ctx);
			/* -EIO: the new keeper died while starting */
			if (ret == -EIO && attempt + 1 < CLIENT_TRIES)
				continue;
			if (ret)
				return ret;
		}
		if (unsure) {
			done = outcome(ctx, req);
			if (done == 1) {
				ctx->kind = NC_ERR_NONE;
				ctx->msg[0] = '\0';
				return 0;
			}
		}
		if (nfds)
			*nfds = room;
		n = exchange(ctx, req, buf, fds, nfds, &sent);
		if (n > 0) {
			ret = parse_reply(ctx, buf, rep, len);
			return ret && unsure && already_so(req, ret) ? 0 : ret;
		}
		close(ctx->kfd);
		ctx->kfd = -1;
		unsure |= sent && is_change(req);
	}
	return ctx_err(ctx, -EPIPE, NC_ERR_FAILED,
		       "the keeper closed the connection without answering, %d times; see 'netcell doctor'",
		       CLIENT_TRIES);
}

/**
 * nc_keeper_ping() - does the caller's keeper answer, asked without
 * starting one or making a directory (a readiness check that must change
 * nothing: the CNI plugin's STATUS)
 * @ctx:	context
 * @timeout_ms:	how long to wait for its answer
 *
 * Return: 0 when a keeper answered, 1 when none runs (the first call that
 * needs one starts it), -errno with a message when one holds the socket
 * and does not answer in time, or answers something else
 */
int nc_keeper_ping(struct nc_ctx *ctx, int timeout_ms)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	struct nc_paths p;
	struct pollfd pf;
	char buf[512];	/* "OK\tPID\t0", or a refusal's first words */
	ssize_t n;
	int ret;

	paths_resolve(&p);
	ret = paths_keeper_addr(ctx, &p, &sa);
	if (ret)
		return ret;
	fd = client_try_connect(&sa);
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		return 1;
	if (fd < 0)
		return ctx_err(ctx, fd, NC_ERR_FAILED, "cannot connect to the keeper at \"%s\": %s",
			       sa.sun_path, strerror(-fd));
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (proto_send(fd, "PING", 4, NULL, 0) || poll(&pf, 1, timeout_ms) != 1)
		return ctx_err(ctx, -ETIMEDOUT, NC_ERR_FAILED,
			       "the keeper at \"%s\" does not answer within %d ms; see 'netcell doctor' and the keeper's log",
			       sa.sun_path, timeout_ms);
	n = proto_recv(fd, buf, sizeof(buf), NULL, NULL);
	if (n < 2 || strncmp(buf, "OK", 2))
		return ctx_err(ctx, n < 0 ? (int)n : -EPROTO, NC_ERR_FAILED,
			       "the keeper at \"%s\" answers \"%.*s\" to PING, not OK; see 'netcell doctor'",
			       sa.sun_path, n > 0 ? (int)strcspn(buf, "\n") : 0, n > 0 ? buf : "");
	return 0;
}
