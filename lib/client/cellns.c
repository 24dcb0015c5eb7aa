// SPDX-License-Identifier: MIT
/*
 * cellns.c - a cell's namespaces by name, for work done inside them
 *
 * Theory of operation: kernel/incell.c runs work in namespaces it is
 * handed as descriptors and knows no cell names.  Here, in the client
 * layer, a name becomes those descriptors: the keeper hands them over
 * (cell_get(), GET with SCM_RIGHTS; a cell being created is reached by the
 * creation identity in the context).  NC_FW_HOST is the caller's own
 * namespace and NULL a throwaway one.  The descriptors are held until
 * cellns_close(), so all the work of one call reaches the same namespace
 * even if the cell is replaced meanwhile.
 */
#include <string.h>
#include <unistd.h>
#include "client/cellns.h"
#include "client/client.h"

/**
 * cellns_open() - find a cell's namespaces
 * @ctx:	context
 * @cell:	cell name, NC_FW_HOST for the caller's own namespace, NULL for
 *		a throwaway one
 * @c:		result, cellns_close() it
 *
 * Return: 0 or -errno with a message (NC_ERR_NOCELL for an unknown cell)
 */
int cellns_open(struct nc_ctx *ctx, const char *cell, struct cellns *c)
{
	struct nc_cell_info info;
	int fds[2] = { -1, -1 }, nfds = 2, ret;

	*c = (struct cellns){ .ns = INCELL_HOST(cell), .scratch = !cell };
	if (!cell || !strcmp(cell, NC_FW_HOST))
		return 0;
	ret = cell_get(ctx, cell, &info, fds, &nfds);
	if (ret)
		return ret;
	if (nfds == 2)
		c->ns.userfd = fds[0];
	c->ns.netfd = nfds > 0 ? fds[nfds - 1] : -1;
	if (c->ns.netfd < 0)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the keeper sent no namespace of cell \"%s\"", cell);
	return 0;
}

/**
 * cellns_at() - the place incell_call() takes
 * @c:		opened cell
 *
 * Return: its namespaces, or NULL for a throwaway namespace
 */
const struct incell_ns *cellns_at(const struct cellns *c)
{
	return c->scratch ? NULL : &c->ns;
}

/**
 * cellns_close() - let go of a cell's namespaces
 * @c:		opened cell (closing twice is harmless)
 */
void cellns_close(struct cellns *c)
{
	if (c->ns.userfd >= 0)
		close(c->ns.userfd);
	if (c->ns.netfd >= 0)
		close(c->ns.netfd);
	c->ns.userfd = c->ns.netfd = -1;
}

/**
 * incell_call_cell() - incell_call() in a cell named by the user
 * @ctx:	context
 * @cell:	as cellns_open()'s
 * @fn:		work
 * @arg:	its argument
 * @out:	its text (heap), may be NULL
 *
 * Return: @fn's result, or -errno with a message
 */
int incell_call_cell(struct nc_ctx *ctx, const char *cell, incell_fn fn, void *arg,
		     char **out)
{
	struct cellns c;
	int ret = cellns_open(ctx, cell, &c);

	if (out)
		*out = NULL;
	if (ret)
		return ret;
	ret = incell_call(ctx, cellns_at(&c), fn, arg, out);
	cellns_close(&c);
	return ret;
}

/**
 * incell_call_text_cell() - incell_call_text() in a cell named by the user
 * @ctx:	context
 * @cell:	as cellns_open()'s
 * @fn:		work
 * @arg:	its argument
 * @out:	its text (heap), may be NULL
 *
 * Return: @fn's result, or -errno with a message
 */
int incell_call_text_cell(struct nc_ctx *ctx, const char *cell, incell_text_fn fn,
			  void *arg, char **out)
{
	struct cellns c;
	int ret = cellns_open(ctx, cell, &c);

	if (out)
		*out = NULL;
	if (ret)
		return ret;
	ret = incell_call_text(ctx, cellns_at(&c), fn, arg, out);
	cellns_close(&c);
	return ret;
}
