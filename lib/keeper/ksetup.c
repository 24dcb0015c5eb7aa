// SPDX-License-Identifier: MIT
/*
 * ksetup.c - the keeper's side of a create's setup window
 *
 * Theory of operation: "netcell create NAME --uplink ... --firewall ..."
 * is several requests: CREATE, then the firewall, the uplink, the ports.
 * Between them another command could delete the cell (the create then
 * failed with "no cell", exit 3) or delete it and create another of the
 * same name, which the create's rollback, a DELETE by name, then removed.
 *
 * So a CREATE with NC_CREATE_SETUP makes a cell that is, until the same
 * client sends KEEP:
 * - bound to that client's connection, like a cell of "netcell run": a
 *   killed command leaves no half-made cell (client_gone()), and it is
 *   saved as ephemeral, so a keeper crash does not bring it back either;
 * - out of reach of other clients' DELETE, which says "no cell": a delete
 *   racing the create is ordered before it;
 * - known by a random 64-bit identity, sent with the CREATE reply: the
 *   rollback sends DELETE NAME ID and KEEP NAME ID, which act on that
 *   cell only, never on a later cell of the same name.
 * KEEP saves the configuration as an ordinary cell and unbinds it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "keeper/keeper_int.h"
#include "base/proto.h"

/**
 * ksetup_begin() - give a new cell its identity, and its setup window when
 * asked
 * @c:		the cell just added to the table, bound to its client when
 *		@flags has NC_CREATE_SETUP (saved as ephemeral)
 * @flags:	NC_CREATE_* flags of the request
 */
void ksetup_begin(struct kcell *c, unsigned flags)
{
	while (getrandom(&c->id, sizeof(c->id), 0) != sizeof(c->id) || !c->id)
		;
	c->setup = !!(flags & NC_CREATE_SETUP);
}

/**
 * ksetup_reply() - answer a CREATE: "OK\tPID\tID"
 * @sock:	client
 * @c:		the new cell
 *
 * Return: 0 or -errno
 */
int ksetup_reply(int sock, const struct kcell *c)
{
	char ok[64];
	int n = snprintf(ok, sizeof(ok), "OK\t%d\t%llu", (int)getpid(), c->id);

	return proto_send(sock, ok, (size_t)n, NULL, 0);
}

/**
 * find_for() - the cell a client may delete or keep
 * @k:		keeper
 * @name:	cell name
 * @id:		creation identity as text, or NULL for any
 * @sock:	the client
 *
 * Return: the cell, or NULL: none of that name, another creation of it
 * (@id differs), or one still set up by another client
 */
struct kcell *find_for(struct keeper *k, const char *name, const char *id,
		       int sock)
{
	struct kcell *c = find(k, name);

	if (!c || (c->setup && c->owner != sock))
		return NULL;
	if (id && strtoull(id, NULL, 10) != c->id)
		return NULL;
	return c;
}

/**
 * ksetup_no_cell() - the error for a cell find_for() did not give
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 *
 * Return: -ENOENT, kind NC_ERR_NOCELL
 */
int ksetup_no_cell(struct keeper *k, struct nc_ctx *ctx, const char *name)
{
	struct kcell *c = find(k, name);

	if (c && c->setup)
		return ctx_err(ctx, -ENOENT, NC_ERR_NOCELL,
			       "no cell \"%s\" yet: another command is still creating it; run the command again once that create is done",
			       name);
	return no_cell(ctx, name);
}

/**
 * do_keep() - KEEP NAME ID: the setup is done, the cell becomes ordinary
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @id:		creation identity as text
 * @sock:	the client that made it
 *
 * Return: 0 or -errno with a message; the cell stays bound when its
 * configuration cannot be saved
 */
int do_keep(struct keeper *k, struct nc_ctx *ctx, const char *name,
	    const char *id, int sock)
{
	struct kcell *c = find_for(k, name, id, sock);
	struct cell_conf conf;
	int ret;

	if (!c || !c->setup)
		return c ? 0 : ksetup_no_cell(k, ctx, name);
	conf = c->conf;
	conf.ephemeral = 0;
	/* saved with the cell: a KEEP whose reply was lost with its keeper
	 * is sent again to the next one, which must know it is done */
	conf.id = c->id;
	ret = store_save(ctx, k->p.state, &conf);
	if (ret)
		return ret;
	c->conf = conf;
	c->owner = -1;
	c->setup = 0;
	return 0;
}
