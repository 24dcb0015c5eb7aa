/* SPDX-License-Identifier: MIT */
/* incell.h - run a function inside a cell, or a scratch namespace, in a child */
#ifndef NC_INCELL_H
#define NC_INCELL_H

#include <stddef.h>
#include "base/ctx.h"

/**
 * typedef incell_fn - work done inside the namespace
 * @arg:	caller's argument
 * @out:	text to hand back (error text, listing)
 * @len:	size of @out
 *
 * Return: 0 or -errno
 */
typedef int (*incell_fn)(void *arg, char *out, size_t len);

NC_INTERNAL void fd_read_all(int fd, char *buf, size_t len);
NC_INTERNAL size_t fd_read_grow(int fd, char **buf);
NC_INTERNAL char *file_read_all(const char *path);
NC_INTERNAL int incell_fork(struct nc_ctx *ctx,
			    int (*fn)(struct nc_ctx *ctx, void *arg), void *arg);
/**
 * typedef incell_text_fn - work done inside the namespace, with a text of
 * any length
 * @arg:	caller's argument
 * @text:	heap text to hand back
 *
 * Return: 0 or -errno
 */
typedef int (*incell_text_fn)(void *arg, char **text);

/**
 * struct incell_ns - where incell_call() runs its work
 * @name:	the cell's name, for messages
 * @userfd:	its user namespace, -1 when the caller's
 * @netfd:	its network namespace, -1 for the caller's own
 *
 * The descriptors stay the caller's: incell_call() neither takes nor
 * closes them.  A NULL struct incell_ns * means a throwaway namespace.
 */
struct incell_ns {
	const char *name;
	int userfd;
	int netfd;
};

/* the caller's own namespace (NC_FW_HOST) */
#define INCELL_HOST(n) ((struct incell_ns){ .name = (n), .userfd = -1, .netfd = -1 })

NC_INTERNAL int incell_call_text(struct nc_ctx *ctx, const struct incell_ns *ns,
				 incell_text_fn fn, void *arg, char **out);
NC_INTERNAL int incell_call(struct nc_ctx *ctx, const struct incell_ns *ns,
			    incell_fn fn, void *arg, char **out);

#endif /* NC_INCELL_H */
