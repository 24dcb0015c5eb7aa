// SPDX-License-Identifier: MIT
/* test_trust.c - trust_path(): directories on the way that others can change */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "base/trust.h"
#include "unit.h"

/**
 * trusted() - trust_path() for the caller, with the message kept
 * @ctx:	context
 * @path:	path to check
 *
 * Return: trust_path()'s return
 */
static int trusted(struct nc_ctx *ctx, const char *path)
{
	return trust_path(ctx, path, path, getuid(), getgid(), NULL);
}

/**
 * test_modes() - a directory writable by all is refused unless sticky; the
 * caller's private one and a missing tail are fine; where a link leads is
 * checked too
 */
static void test_modes(void)
{
	char dir[] = "/tmp/nc-trust-XXXXXX", sub[64], real[64], link[64], below[96];
	struct nc_ctx *ctx = nc_ctx_new();

	CHECK(ctx && mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(sub, sizeof(sub), "%s/state/cells", dir);
	CHECK(trusted(ctx, sub) == 0, "private directory, missing tail");
	CHECK(chmod(dir, 0777) == 0, "chmod 0777");
	CHECK(trusted(ctx, sub) == -EPERM, "writable by all: refused");
	CHECK(strstr(nc_errmsg(ctx), "can be written by every user") != NULL, "message says why");
	CHECK(strstr(nc_errmsg(ctx), dir) != NULL, "message names the directory");
	CHECK(chmod(dir, 01777) == 0, "chmod 1777");
	CHECK(trusted(ctx, sub) == 0, "sticky: fine");
	CHECK(chmod(dir, 0700) == 0, "chmod 0700");
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(below, sizeof(below), "%s/link/x", dir);
	CHECK(mkdir(real, 0777) == 0 && chmod(real, 0777) == 0 && symlink(real, link) == 0, "link");
	CHECK(trusted(ctx, below) == -EPERM, "the link's target writable by all: refused");
	CHECK(chmod(real, 0755) == 0 && trusted(ctx, below) == 0, "the caller's link to a safe directory");
	CHECK(trusted(ctx, "relative/path") == 0, "a relative path is not checked");
	unlink(link);
	rmdir(real);
	rmdir(dir);
	nc_ctx_free(ctx);
}

/**
 * test_dangling() - a dangling link on the way: the directory its target
 * would be made in is checked, relative targets and chains included
 */
static void test_dangling(void)
{
	char dir[] = "/tmp/nc-trust-XXXXXX", w[64], own[64], l[64], path[96], to[96];
	struct nc_ctx *ctx = nc_ctx_new();

	CHECK(ctx && mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(w, sizeof(w), "%s/w", dir);
	snprintf(own, sizeof(own), "%s/own", dir);
	CHECK(mkdir(w, 0777) == 0 && chmod(w, 0777) == 0 && mkdir(own, 0700) == 0, "dirs");
	/* absolute target in a directory every user may write */
	snprintf(l, sizeof(l), "%s/abs", dir);
	snprintf(to, sizeof(to), "%s/missing", w);
	CHECK(symlink(to, l) == 0, "link abs");
	snprintf(path, sizeof(path), "%s/state", l);
	CHECK(trusted(ctx, path) == -EPERM, "dangling link into a 0777 directory: refused");
	CHECK(strstr(nc_errmsg(ctx), "can be written by every user") && strstr(nc_errmsg(ctx), w),
	      "the message names the target's directory");
	unlink(l);
	/* relative target, through a second dangling link */
	snprintf(l, sizeof(l), "%s/rel", dir);
	CHECK(symlink("chain/x", l) == 0, "link rel");
	snprintf(to, sizeof(to), "%s/chain", dir);
	CHECK(symlink("w/missing", to) == 0, "link chain");
	snprintf(path, sizeof(path), "%s/state", l);
	CHECK(trusted(ctx, path) == -EPERM, "relative dangling chain into a 0777 directory: refused");
	CHECK(chmod(w, 0755) == 0 && trusted(ctx, path) == 0, "the same chain into a safe directory");
	unlink(l);
	unlink(to);
	/* the caller's own private directory */
	snprintf(l, sizeof(l), "%s/ok", dir);
	snprintf(to, sizeof(to), "%s/missing", own);
	CHECK(symlink(to, l) == 0, "link ok");
	snprintf(path, sizeof(path), "%s/state", l);
	CHECK(trusted(ctx, path) == 0, "dangling link into the caller's directory");
	unlink(l);
	rmdir(own);
	rmdir(w);
	rmdir(dir);
	nc_ctx_free(ctx);
}

int main(void)
{
	test_modes();
	test_dangling();
	return unit_done();
}
