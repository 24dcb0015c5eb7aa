// SPDX-License-Identifier: MIT
/*
 * klife.c - the keeper's identity: the one keeper of a state directory,
 * and what it does when that directory goes
 *
 * Theory of operation: STATE/keeper.life is locked (flock) for the
 * keeper's whole life; a second keeper of the same state waits for it and
 * gives up (klife_take()).  A lock is held on an inode, not on a path: if
 * the state directory is removed (rm -rf ~/.local/state/netcell) or moved
 * while the keeper runs, the next command makes a new directory, a new
 * keeper.life and a new keeper, whose lock the old one does not see: two
 * keepers, and the old one, leaving at last, would unlink the new one's
 * socket and PID files (by path) and stop the new one's hub.  So the
 * keeper watches its state directory and its life file with inotify; when
 * the path no longer leads to the file it locked, it has lost its
 * identity: it says so on its log and leaves at once, touching nothing
 * under those paths.  Its rootless cells' namespaces go with it (their
 * saved configurations went with the directory); processes in them keep
 * theirs.  At an ordinary exit, the socket and PID files are removed only
 * when they are still the ones this keeper made (klife_own()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "keeper/keeper_int.h"

/**
 * klife_take() - make sure we are the user's only keeper
 * @k:		keeper; @k->lifefd set
 * @ctx:	context
 *
 * STATE/keeper.life is locked (flock) for the keeper's whole life.  A
 * keeper that is leaving holds it a moment after it let the start lock
 * go at exit, so we wait up to 3 s; past that another keeper lives that
 * does not answer on its socket, and we must not serve the same state.
 *
 * Return: 0 or -EBUSY with a message
 */
int klife_take(struct keeper *k, struct nc_ctx *ctx)
{
	char path[PATH_MAX], pid[32] = "?";
	_cleanup_fclose_ FILE *f = NULL;
	int i;

	snprintf(path, sizeof(path), "%s/keeper.life", k->p.state);
	k->lifefd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (k->lifefd < 0)
		return ctx_err(ctx, -errno, ctx_kind_of_errno(-errno),
			       "cannot open \"%s\": %s", path, strerror(errno));
	for (i = 0; i < 300; i++) {
		if (!flock(k->lifefd, LOCK_EX | LOCK_NB))
			return 0;
		usleep(10000);
	}
	snprintf(path, sizeof(path), "%s/keeper.pid", k->p.state);
	f = fopen(path, "re");
	if (f && fgets(pid, sizeof(pid), f))
		pid[strcspn(pid, "\n")] = '\0';
	return ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
		       "another keeper of uid %u (PID %s) holds \"%s/keeper.life\" but does not answer on \"%s/keeper.sock\"; end it (kill %s) and try again",
		       (unsigned)k->p.uid, pid, k->p.state, k->p.state, pid);
}

/**
 * klife_watch() - watch the state directory and the life file
 * @k:		keeper, its life lock taken and its epoll made
 *
 * Best effort: without inotify the keeper only guards its unlinks.
 */
void klife_watch(struct keeper *k)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char path[PATH_MAX];

	k->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (k->inofd < 0)
		return;
	snprintf(path, sizeof(path), "%s/keeper.life", k->p.state);
	if (inotify_add_watch(k->inofd, k->p.state, IN_DELETE_SELF | IN_MOVE_SELF) < 0 ||
	    inotify_add_watch(k->inofd, path, IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		close(k->inofd);
		k->inofd = -1;
		return;
	}
	ev.data.fd = k->inofd;
	epoll_ctl(k->epfd, EPOLL_CTL_ADD, k->inofd, &ev);
}

/**
 * klife_lost() - does STATE/keeper.life still lead to the file we locked
 * @k:		keeper
 *
 * Also asked before a keeper leaves: moving a parent of the state
 * directory sends no event here.
 *
 * Return: 1 when it does not (removed, moved, replaced), else 0
 */
int klife_lost(const struct keeper *k)
{
	char path[PATH_MAX];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/keeper.life", k->p.state);
	if (fstat(k->lifefd, &a))
		return 0;
	/* gone, or another file: lost; a failing file system (EIO, an NFS
	 * home's ESTALE, EACCES) is no proof, and must not end the cells */
	if (stat(path, &b))
		return errno == ENOENT || errno == ENOTDIR;
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

/**
 * klife_on_event() - the state directory or the life file changed
 * @k:		keeper
 */
void klife_on_event(struct keeper *k)
{
	char buf[4096];

	while (read(k->inofd, buf, sizeof(buf)) > 0)
		;
	if (!klife_lost(k))
		return;
	fprintf(stderr, "netcell-keeper: \"%s/keeper.life\" is no longer the file this keeper (PID %d) locked: the state directory was removed or moved; leaving at once without touching it, %zu cell(s) go with this keeper\n",
		k->p.state, (int)getpid(), k->n);
	k->lost = 1;
	k->quit = 1;
}

/**
 * klife_mark() - note the inode of a file this keeper just made
 * @path:	the file
 * @ino:	result, 0 when unknown
 */
void klife_mark(const char *path, unsigned long long *ino)
{
	struct stat st;

	*ino = lstat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

/**
 * klife_own() - is @path still the file klife_mark() noted
 * @k:		keeper
 * @path:	the file
 * @ino:	its noted inode
 *
 * Return: 1 when it may be removed by this keeper
 */
int klife_own(const struct keeper *k, const char *path, unsigned long long ino)
{
	struct stat st, life;

	/* the inode and the device of the state's file system */
	return !k->lost && ino && !lstat(path, &st) && (unsigned long long)st.st_ino == ino &&
	       !fstat(k->lifefd, &life) && (path == strstr(path, k->p.run) || st.st_dev == life.st_dev);
}
