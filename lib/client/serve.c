// SPDX-License-Identifier: MIT
/*
 * serve.c - nc_keeper_serve(): a process that asks to be the user's keeper
 *
 * Theory of operation: a service manager (systemd's netcell.service) runs
 * `netcell keeper`, which must become the keeper only when no other keeper
 * answers for the user.  That question is the client's: find the socket,
 * take the start lock as a command starting a keeper would, try to
 * connect.  With nobody answering, the process turns into the keeper
 * through keeper_stay(), the keeper layer's entry point for a keeper that
 * never leaves when idle; the client layer uses nothing else of it.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/un.h>
#include <unistd.h>
#include "client/client.h"
#include "keeper/keeper.h"

/**
 * other_keeper_pid() - the PID a running keeper recorded
 * @p:		the user's directories
 *
 * Return: the PID, or 0 when unknown
 */
static unsigned other_keeper_pid(const struct nc_paths *p)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	unsigned pid = 0;

	snprintf(path, sizeof(path), "%s/keeper.pid", p->state);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%u", &pid) != 1)
		return 0;
	/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
	return pid;
}

/**
 * wait_other_keeper() - block until the keeper that holds STATE/keeper.life
 * lets it go (it exits)
 * @ctx:	context
 * @p:		the user's directories
 *
 * Return: 0 or -errno with a message
 */
static int wait_other_keeper(struct nc_ctx *ctx, const struct nc_paths *p)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/keeper.life", p->state);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot open \"%s\": %s", path, strerror(errno));
	while (flock(fd, LOCK_SH))
		if (errno != EINTR)
			return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot lock \"%s\": %s",
				       path, strerror(errno));
	return 0;
}

/**
 * nc_keeper_serve() - be the user's keeper in this process, for a service
 * manager: never leaves when idle
 * @ctx:	context; the rebuild's problems are its notices at NC_KEEPER_READY
 * @flags:	NC_KEEPER_WAIT: when another keeper serves, wait until it
 *		leaves (exits, is killed) and take over; else -EEXIST
 * @event:	called with NC_KEEPER_WAITING (once, before waiting) and
 *		NC_KEEPER_READY (the saved cells are back and requests are
 *		served); may be NULL
 * @arg:	passed to @event
 *
 * The saved cells come back with their firewalls, uplinks, links and
 * published ports, as after a crash.  A keeper of the user that answers is
 * never replaced: -EEXIST (NC_ERR_EXISTS) or, with NC_KEEPER_WAIT, a wait.
 * The process takes the keeper's name in ps (its argv and environment are
 * written over).
 *
 * Return: 0 when the keeper ends, or -errno with a message
 */
int nc_keeper_serve(struct nc_ctx *ctx, unsigned flags, nc_keeper_event_fn event,
		    void *arg)
{
	_cleanup_close_ int lock = -1;
	struct sockaddr_un sa;
	struct nc_paths p;
	unsigned pid;
	int ret, fd, told = 0;

	ret = client_find(ctx, &p, &sa);
	if (ret)
		return ret;
	for (;;) {
		/* the start lock, as a command that starts a keeper holds it */
		lock = client_start_lock(ctx, &p);
		if (lock < 0)
			return lock;
		fd = client_try_connect(&sa);
		if (fd < 0)
			break;
		close(fd);
		close(lock);
		lock = -1;
		pid = other_keeper_pid(&p);
		if (!(flags & NC_KEEPER_WAIT))
			return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
				       "a keeper of uid %u already serves \"%s\" (PID %u); stop it (kill %u: its rootless cells get new namespaces) or let it be",
				       (unsigned)p.uid, sa.sun_path, pid, pid);
		if (!told++ && event)
			event(ctx, NC_KEEPER_WAITING, pid, arg);
		ret = wait_other_keeper(ctx, &p);
		if (ret)
			return ret;
	}
	fd = lock;
	lock = -1;	/* keeper_stay() closes it */
	return keeper_stay(ctx, &p, fd, event, arg);
}
