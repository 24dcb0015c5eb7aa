// SPDX-License-Identifier: MIT
/*
 * kfast.c - where a rootless cell's namespace can be opened without asking
 * the keeper
 *
 * Theory of operation: `netcell exec` (and every command that enters a
 * cell) asked the keeper for the cell's namespaces: a connection, the
 * peer check (a round trip to the keeper's helper, kpeer.c) and a GET,
 * three hand-overs between processes on the path of every exec, which
 * made it cost 1.4x `nsenter`.  The user owns the hub user namespace the
 * keeper lives in, so the user's own processes may open the keeper's
 * /proc/PID/ns/user and /proc/PID/fd/N (the cell's network namespace)
 * themselves; what they lack is N.  Once a cell has been handed out (its
 * first GET, which also makes delete look for processes in it, kcells.c),
 * the keeper writes RUN/fast-SDEV-SINO/NAME (the state directory's device
 * and inode: two keepers of different state directories sharing a
 * runtime directory never read each other's, paths_fast_dir()):
 *
 *	KEEPERPID <tab> FD <tab> DEV <tab> INODE <tab> NONCE <newline>
 *	the GET reply's record
 *
 * and a client (client/cellfast.c) opens both paths, checks that the
 * descriptor is a network namespace with that device and inode and that
 * the user namespace's parent is its own (so a process already in a
 * cell never takes this path), reads the file again and finds it the same
 * (the nonce tells publications apart), and uses them; anything else sends it to the keeper as before.
 * The file goes before the cell's descriptor is closed (kfast_withdraw()
 * in kcell_drop()): a client that still sees the file after opening has
 * opened the right namespace.  A keeper starts by emptying the directory;
 * a file left by a dead keeper fails the checks.  Root cells are bound
 * under /run/netns and need none of this.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/safefile.h"
#include "keeper/keeper_int.h"

/**
 * fast_path() - RUN/fast-DEV-INO/NAME (paths_fast_dir()), or the directory
 * for a NULL name
 * @k:		keeper
 * @name:	cell name or NULL
 * @buf:	result
 * @len:	size of @buf
 *
 * Return: 0 or -errno
 */
static int fast_path(const struct keeper *k, const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];
	int ret = paths_fast_dir(&k->p, dir, sizeof(dir));

	if (!ret)
		snprintf(buf, len, "%s%s%s", dir, name ? "/" : "", name ? name : "");
	return ret;
}

/**
 * kfast_clear() - a new keeper: no file of an earlier one stays
 * @k:		keeper (rootless)
 */
void kfast_clear(struct keeper *k)
{
	char dir[PATH_MAX];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (fast_path(k, NULL, dir, sizeof(dir)))
		return;
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..")))
			unlinkat(dirfd(d), e->d_name, 0);
	if (!d)
		mkdir(dir, 0700);
}

/**
 * kfast_publish() - write a handed-out cell's file, once
 * @k:		keeper
 * @c:		cell (rootless, set up)
 * @record:	its GET record (format_cell())
 *
 * Best effort: without the file, clients ask the keeper.
 */
void kfast_publish(struct keeper *k, struct kcell *c, const char *record)
{
	char path[PATH_MAX], buf[1200];
	unsigned long long nonce = 0;
	struct stat st;
	int n;

	if (!k->p.rootless || c->fast || c->setup || fstat(c->netfd, &st))
		return;
	/* a client compares the whole file before and after it opened the
	 * namespace: the nonce tells two publications apart even when the
	 * file system gives the second the first one's inode number */
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		return;
	n = snprintf(buf, sizeof(buf), "%d\t%d\t%llu\t%llu\t%llx\n%s", (int)getpid(), c->netfd,
		     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, nonce, record);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if (fast_path(k, NULL, path, sizeof(path)))
		return;
	mkdir(path, 0700);	/* the runtime directory may have been wiped */
	if (fast_path(k, c->conf.name, path, sizeof(path)))
		return;
	if (!safefile_write(path, buf, (size_t)n, 0600))
		c->fast = 1;
}

/**
 * kfast_withdraw() - remove a cell's file; before its descriptor closes
 * @k:		keeper
 * @c:		cell
 */
void kfast_withdraw(struct keeper *k, struct kcell *c)
{
	char path[PATH_MAX];

	if (!c->fast)
		return;
	if (!fast_path(k, c->conf.name, path, sizeof(path)))
		unlink(path);
	c->fast = 0;
}
