// SPDX-License-Identifier: MIT
/*
 * kadopt.c - the keeper's ADOPT request: a network namespace that another
 * program made (a container runtime's) held as a root cell
 *
 * Theory of operation: an adopted cell is a root cell whose namespace was
 * given instead of made.  The keeper binds the given namespace file at
 * /run/netns/NAME, as it binds the namespaces it makes, and from then on
 * every cell operation works unchanged: the firewall (apply, history,
 * rollback), inspect, exec, pids.  Deleting the cell removes netcell's
 * binding and state only; the namespace lives on as long as its owner
 * holds it (the runtime's own binding, the container's processes).  A
 * keeper that rebuilds after a crash takes the binding back as for any
 * root cell; an adopted cell whose binding is gone (the machine
 * restarted) is forgotten rather than made anew, since its owner is gone
 * too.  Root only: a rootless keeper's cells must be owned by its hub
 * user namespace, which another program's namespace is not.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include "base/store.h"
#include "keeper/keeper_int.h"
#include "kernel/ns.h"

#define KADOPT_DIR "/run/netns"

/**
 * kadopt_bound() - is a root cell's /run/netns binding there
 * @name:	cell name
 *
 * Return: 1 if /run/netns/NAME is a bound namespace
 */
int kadopt_bound(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), KADOPT_DIR "/%s", name);
	return ns_is_netns_file(path);
}

/**
 * held_already() - is a namespace the keeper's own or one of its cells'
 * @k:		keeper
 * @st:		stat() of the namespace file
 *
 * Return: 1 if so (adopting it would make one namespace two cells, or the
 * host a cell)
 */
static int held_already(struct keeper *k, const struct stat *st)
{
	struct stat o;
	size_t i;

	if (!stat("/proc/self/ns/net", &o) && o.st_ino == st->st_ino && o.st_dev == st->st_dev)
		return 1;
	for (i = 0; i < k->n; i++)
		if (!fstat(k->cells[i].netfd, &o) && o.st_ino == st->st_ino && o.st_dev == st->st_dev)
			return 1;
	return 0;
}

/**
 * check_adopt() - may this namespace become this cell
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @path:	namespace file
 *
 * Return: 0 or -errno with a message
 */
static int check_adopt(struct keeper *k, struct nc_ctx *ctx, const char *name, const char *path)
{
	struct stat st;
	int ret;

	if (k->p.rootless)
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "cannot adopt \"%s\": only root's keeper adopts namespaces (a rootless cell must belong to its hub user namespace)",
			       path);
	ret = kcell_name_free(k, ctx, name);
	if (ret)
		return ret;
	if (path[0] != '/' || !ns_is_netns_file(path) || stat(path, &st))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "cannot adopt \"%s\": not a network namespace file; give /run/netns/NAME or /proc/PID/ns/net",
			       path);
	if (held_already(k, &st))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cannot adopt \"%s\": it is the host's namespace or a cell's already", path);
	return 0;
}

/**
 * bind_given() - bind a namespace file at /run/netns/NAME, open it there
 * @ctx:	context
 * @name:	cell name
 * @path:	namespace file
 * @fd:		output: the namespace
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
static int bind_given(struct nc_ctx *ctx, const char *name, const char *path, int *fd)
{
	char bind[PATH_MAX];
	int pfd;

	snprintf(bind, sizeof(bind), KADOPT_DIR "/%s", name);
	pfd = open(bind, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (pfd < 0)
		return ctx_err(ctx, -errno, errno == EEXIST ? NC_ERR_EXISTS : NC_ERR_FAILED,
			       "cannot create \"%s\": %s%s", bind, strerror(errno),
			       errno == EEXIST ? "; pick another name" : "");
	close(pfd);
	if (mount(path, bind, NULL, MS_BIND, NULL)) {
		int e = errno;

		unlink(bind);
		return ctx_err(ctx, -e, NC_ERR_FAILED, "cannot bind \"%s\" at \"%s\": %s", path,
			       bind, strerror(e));
	}
	*fd = open(bind, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		unbind(name);
		return ctx_err(ctx, -e, NC_ERR_FAILED, "cannot open \"%s\": %s", bind, strerror(e));
	}
	return 0;
}

/**
 * kadopt_request() - ADOPT NAME PATH: hold a given namespace as a root cell
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @path:	namespace file (the client's and the keeper's mount namespace
 *		are the host's)
 *
 * Saved before the answer, as a create: a tombstone covers the binding
 * until the configuration is saved.
 *
 * Return: 0 or -errno with a message; a failure leaves nothing behind
 */
int kadopt_request(struct keeper *k, struct nc_ctx *ctx, const char *name, const char *path)
{
	struct cell_conf c = { 0 };
	int ret, fd = -1;

	ret = check_adopt(k, ctx, name, path);
	if (ret)
		return ret;
	keeper_forget(k, name, 0);	/* nothing of an earlier cell of that name */
	store_tombstone_new(k->p.state, name);
	ret = bind_given(ctx, name, path, &fd);
	if (ret) {
		store_bury(k->p.state, name);
		return ret;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.created = (long long)time(NULL);
	c.adopted = 1;
	ret = store_save(ctx, k->p.state, &c);
	if (!ret && add_cell(k, &c, fd, -1)) {
		store_remove(k->p.state, name);
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	if (ret) {
		unbind(name);
		close(fd);
	}
	store_bury(k->p.state, name);
	return ret;
}
