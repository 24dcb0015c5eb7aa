// SPDX-License-Identifier: MIT
/*
 * khub.c - the keeper's side of the hub (hub.c): which cells use it,
 * connecting a cell (HUB request, rebuild), and stopping it with its last
 * cell (drop_cell() in keeper.c)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/diag.h"
#include "net/hub.h"
#include "keeper/keeper_int.h"
#include "net/uplink.h"

/**
 * hub_users() - how many cells are connected to the hub
 * @k:		keeper
 *
 * Return: count
 */
size_t hub_users(const struct keeper *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		n += !!k->cells[i].hubaddr[0];
	return n;
}

/**
 * hub_connect() - connect a cell whose saved uplink is the hub: a prefix
 * picked and saved once, the hub started if it is not running, the pair
 * made, resolv.conf written
 * @k:		keeper
 * @ctx:	context
 * @c:		cell
 * @u:		its saved uplink, @u->hub set; @u->addr is filled in here
 *
 * Return: 0 or -errno with a message; the hub stops again when it was
 * started for this cell
 */
int hub_connect(struct keeper *k, struct nc_ctx *ctx, struct kcell *c,
		       struct uplink *u)
{
	const char *name = c->conf.name;
	char why[NC_MSG_MAX];
	int ret;

	if (!u->addr[0]) {
		ret = hub_pick(k->p.state, u->addr, sizeof(u->addr));
		if (ret == -ENOMEM)
			return ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory");
		if (ret)
			return ctx_err(ctx, ret, NC_ERR_FAILED,
				       "no free /30 left in 10.215.0.0/16 for cell \"%s\"; delete cells or use --uplink slirp4netns",
				       name);
		ret = uplink_save(k->p.state, name, u);
		if (ret)
			return ctx_err(ctx, ret, ctx_kind_of_errno(ret),
				       "cannot save the uplink of cell \"%s\": %s", name, strerror(-ret));
	}
	if (k->hubfd < 0) {
		ret = hub_start(ctx, k->p.state, &k->hubfd);
		if (ret) {
			snprintf(why, sizeof(why), "%s", ctx->msg);
			return diag_uplink_failure(ctx, "pasta", name, why);
		}
	}
	ret = hub_attach(ctx, k->hubfd, c->netfd, u->addr);
	if (!ret) {
		ret = uplink_write_resolv(&k->p, name, u);
		if (ret)
			ctx_err(ctx, ret, NC_ERR_FAILED, "cannot write the resolv.conf of cell \"%s\": %s",
				name, strerror(-ret));
	}
	if (ret) {
		if (!hub_users(k))
			hub_stop(k->p.state, &k->hubfd);
		return ret;
	}
	snprintf(c->hubaddr, sizeof(c->hubaddr), "%s", u->addr);
	return 0;
}

/**
 * do_hub() - the HUB request: connect a cell just given a shared uplink
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 *
 * Return: 0 or -errno with a message
 */
int do_hub(struct keeper *k, struct nc_ctx *ctx, const char *name)
{
	struct kcell *c = find(k, name);
	struct uplink u;

	if (!c)
		return no_cell(ctx, name);
	/* connected already: by a rebuild after a crash that ate our answer */
	if (c->hubaddr[0])
		return 0;
	if (uplink_load(k->p.state, name, &u) || !u.hub)
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED,
			       "cell \"%s\" has no shared uplink saved", name);
	return hub_connect(k, ctx, c, &u);
}

/**
 * hub_restore() - a rebuilt cell of the hub is connected to a new hub (the
 * old one was stopped with the keeper that held it)
 * @k:		keeper
 * @notes:	context; a failure becomes a notice in it
 * @c:		cell
 * @u:		its saved uplink, @u->hub set
 */
void hub_restore(struct keeper *k, struct nc_ctx *notes, struct kcell *c, struct uplink *u)
{
	struct nc_ctx ctx = { .kfd = -1 };

	if (hub_connect(k, &ctx, c, u))
		ctx_notice(notes, "cell \"%s\" came back without its uplink: %s", c->conf.name, ctx.msg);
}
