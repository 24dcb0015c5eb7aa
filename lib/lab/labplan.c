// SPDX-License-Identifier: MIT
/*
 * labplan.c - the plan: what "up" must do for the live lab to be the file
 *
 * Theory of operation: three views meet.  The file's items (lab_items()),
 * the record of the last good "up" (labrec.c), and the live cells: one
 * LIST request for the cells, then what lablive.c reads of those that
 * stay (one GET per cell over the same keeper connection, ONE child
 * reading every such cell's interfaces, addresses, static routes and
 * sysctls, one PORTLIST for the published ports, and the firewall
 * generation in force of the cells with a firewall).  A step is planned
 * for every item the file has and the live cell lacks (new, or drift: a
 * cell or address deleted by hand), and for every item the record has and
 * the file no longer does.  This file plans the cells (new, gone, made
 * again for a changed or lost uplink, dropped) and the links, and orders
 * the steps; labitem.c plans each cell's own items (addresses, routes,
 * sysctls, firewall, ports).  What the lab never made (an address added
 * by hand) is left alone.  An unchanged lab plans nothing and costs no
 * process per cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/lab.h"

/**
 * route_words() - a route step as users write routes: "CELL DST [via GW] [dev IF]"
 * @full:	cell
 * @arg:	"R+ DST GW DEV"
 * @out:	output
 * @len:	its size
 */
static void route_words(const char *full, const char *arg, char *out, size_t len)
{
	char d[64] = "", g[64] = "-", v[32] = "-";

	sscanf(arg, "%*s %63s %63s %31s", d, g, v);
	snprintf(out, len, "%s %s%s%s%s%s", full, strcmp(d, "default6") ? d : "default (IPv6)",
		 strcmp(g, "-") ? " via " : "", strcmp(g, "-") ? g : "", strcmp(v, "-") ? " dev " : "",
		 strcmp(v, "-") ? v : "");
}

/**
 * lab_plan_op() - append a step
 * @p:		plan
 * @kind:	kind
 * @cell:	cell of the file, or -1
 * @full:	cell name
 * @arg:	argument
 * @action:	"add", "remove", "change"
 * @what:	kind as shown
 * @reason:	why
 *
 * Return: 0 or -ENOMEM
 */
int lab_plan_op(struct lab_plan *p, enum lab_op_kind kind, int cell, const char *full,
		const char *arg, const char *action, const char *what, const char *reason)
{
	struct lab_op *o;

	if (!(p->nops & 63)) {
		o = realloc(p->ops, (p->nops + 64) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		p->ops = o;
	}
	o = &p->ops[p->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->seq = p->nops;
	o->cell = cell;
	snprintf(o->full, sizeof(o->full), "%s", full);
	snprintf(o->arg, sizeof(o->arg), "%s", arg);
	snprintf(o->item.action, sizeof(o->item.action), "%s", action);
	snprintf(o->item.kind, sizeof(o->item.kind), "%s", what);
	if (kind == LOP_CELL_ADD || kind == LOP_CELL_DEL || kind == LOP_CELL_DROP || !arg[0])
		snprintf(o->item.object, sizeof(o->item.object), "%s", full);
	else if (kind == LOP_LINK_ADD || kind == LOP_LINK_DEL || kind == LOP_LINK_DROP)
		snprintf(o->item.object, sizeof(o->item.object), "%s", arg);
	else if (kind == LOP_ROUTE_ADD || kind == LOP_ROUTE_DEL)
		route_words(full, arg, o->item.object, sizeof(o->item.object));
	else	/* drop labnet's step word: "A+ e1 10.0.1.1/24" -> "demo-a e1 10.0.1.1/24" */
		snprintf(o->item.object, sizeof(o->item.object), "%s %s", full,
			 strchr(arg, ' ') && kind < LOP_FW ? strchr(arg, ' ') + 1 : arg);
	snprintf(o->item.reason, sizeof(o->item.reason), "%s", reason);
	return 0;
}

/**
 * lab_plan_rec_cell() - a cell of the record by its name in the file
 * @r:		record
 * @name:	name
 *
 * Return: index or -1
 */
int lab_plan_rec_cell(const struct lab_rec *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->ncells; i++)
		if (!strcmp(r->cell[i].name, name))
			return (int)i;
	return -1;
}

/**
 * live_cell() - a live cell by name
 * @cells:	nc_list() result
 * @n:		how many
 * @full:	name
 *
 * Return: the cell or NULL
 */
static const struct nc_cell_info *live_cell(const struct nc_cell_info *cells, size_t n,
					    const char *full)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(cells[i].name, full))
			return &cells[i];
	return NULL;
}

/**
 * plan_cells() - which cells are new, gone, made again, or to delete
 * @ctx:	context
 * @lab:	lab
 * @p:		plan
 * @cells:	live cells
 * @n:		how many
 *
 * A live cell of the lab's name that the record does not hold (or holds
 * with another creation time) belongs to someone else: refused, nothing
 * changed.
 *
 * Return: 0 or -errno with a message
 */
static int plan_cells(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p,
		      const struct nc_cell_info *cells, size_t n)
{
	char item[LAB_ITEM_MAX];
	unsigned i;
	int ret = 0;

	for (i = 0; i < lab->ncells && !ret; i++) {
		const struct lab_cell *c = &lab->cells[i];
		const struct nc_cell_info *l = live_cell(cells, n, c->full);
		int r = lab_plan_rec_cell(p->rec, c->name);

		if (l && (r < 0 || p->rec->cell[r].created != l->created))
			return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
				       "%s:%u:%u: cell \"%s\": \"%s\" exists and lab \"%s\" did not make it; delete it or rename the cell",
				       lab->file, c->pos.line, c->pos.col, c->name, c->full, lab->name);
		snprintf(item, sizeof(item), "%s uplink %s", c->name, c->uplink);
		if (l)
			p->created[i] = l->created;
		if (l && r >= 0)
			p->fwgen[i] = p->rec->cell[r].fwgen;
		if (!l) {
			p->state[i] = r < 0 ? LCS_NEW : LCS_GONE;
			ret = lab_plan_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
					  r < 0 ? "new" : "drift: the cell is gone");
		} else if (!lab_rec_has(p->rec, item)) {
			p->state[i] = LCS_REMAKE;
			ret = lab_plan_op(p, LOP_CELL_DROP, (int)i, c->full, "", "remove", "cell",
					  "its uplink changed in the file: made again");
			if (!ret)
				ret = lab_plan_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
						  "its uplink changed in the file");
		}
	}
	for (i = 0; i < p->rec->ncells && !ret; i++) {
		const struct lab_rec_cell *rc = &p->rec->cell[i];
		const struct nc_cell_info *l = live_cell(cells, n, rc->full);
		int k;

		for (k = 0; k < (int)lab->ncells && strcmp(lab->cells[k].name, rc->name); k++)
			;
		if (k == (int)lab->ncells && l && l->created == rc->created)
			ret = lab_plan_op(p, LOP_CELL_DEL, -1, rc->full, "", "remove", "cell",
					  "not in the file any more");
	}
	return ret ? (ctx->msg[0] ? ret : ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory")) : 0;
}

/**
 * plan_uplinks() - a cell whose uplink's interface is gone (deleted in the
 * cell, its slirp4netns ended) is made again, as for a changed uplink:
 * there is no way to give a cell its uplink again in place
 * @lab:	lab
 * @p:		plan (@live read; a cell found is set LCS_REMAKE)
 *
 * Return: 0 or -ENOMEM
 */
static int plan_uplinks(const struct nc_lab *lab, struct lab_plan *p)
{
	char item[LAB_ITEM_MAX], why[LAB_ITEM_MAX];
	unsigned i;
	int ret = 0;

	for (i = 0; i < lab->ncells && !ret; i++) {
		const struct lab_cell *c = &lab->cells[i];
		const char *ifn = strcmp(c->uplink, "slirp4netns") ? "eth0" : "tap0";

		if (p->state[i] != LCS_OK || !strcmp(c->uplink, "none"))
			continue;
		snprintf(item, sizeof(item), "%s if %s", c->name, ifn);
		if (lab_rec_has(p->live, item))
			continue;
		p->state[i] = LCS_REMAKE;
		snprintf(why, sizeof(why), "drift: its uplink's %s is gone: made again", ifn);
		ret = lab_plan_op(p, LOP_CELL_DROP, (int)i, c->full, "", "remove", "cell", why);
		if (!ret)
			ret = lab_plan_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
					  "drift: its uplink was gone");
	}
	return ret;
}

/**
 * lab_plan_stays() - whether a cell of the record stays as it is (not new, made
 * again or deleted): its links and addresses are what the live cell has
 * @lab:	lab
 * @p:		plan
 * @name:	cell's name in the file
 *
 * Return: 1 if it stays
 */
int lab_plan_stays(const struct nc_lab *lab, const struct lab_plan *p, const char *name)
{
	int i = lab_find_cell(lab, name);

	return i >= 0 && p->state[i] == LCS_OK;
}

/**
 * deleting() - whether the plan deletes a cell the file dropped
 * @p:		plan
 * @full:	cell name
 *
 * Return: 1 if so
 */
static int deleting(const struct lab_plan *p, const char *full)
{
	unsigned i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == LOP_CELL_DEL && !strcmp(p->ops[i].full, full))
			return 1;
	return 0;
}

/**
 * end_reused() - whether a link the plan makes has the end CELL:IF
 * @p:		plan (its link steps so far)
 * @full:	cell name
 * @ifn:	interface name
 *
 * Return: 1 if so
 */
static int end_reused(const struct lab_plan *p, const char *full, const char *ifn)
{
	char w[4][NC_NAME_MAX + 1];
	unsigned i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == LOP_LINK_ADD && !lab_link_words(p->ops[i].arg, w) &&
		    ((!strcmp(w[0], full) && !strcmp(w[1], ifn)) || (!strcmp(w[2], full) && !strcmp(w[3], ifn))))
			return 1;
	return 0;
}

/**
 * plan_links() - links to make, make again (an end is gone) or remove
 * @lab:	lab
 * @p:		plan
 * @fresh:	set for each "CELL if IF" whose interface is made now (its
 *		addresses are to be added whatever the live view says)
 *
 * Return: 0 or -ENOMEM
 */
static int plan_links(const struct nc_lab *lab, struct lab_plan *p, struct lab_rec *fresh)
{
	char w[4][NC_NAME_MAX + 1], ends[2][LAB_ITEM_MAX], arg[LAB_ITEM_MAX];
	unsigned i;
	int ret = 0;

	for (i = 0; i < p->want->nitems && !ret; i++) {
		const char *it = p->want->items[i], *why;
		int ca, cb;

		if (strncmp(it, "link ", 5) || lab_link_words(it + 5, w))
			continue;
		ca = lab_find_cell(lab, w[0]);
		cb = lab_find_cell(lab, w[2]);
		snprintf(ends[0], sizeof(ends[0]), "%s if %s", w[0], w[1]);
		snprintf(ends[1], sizeof(ends[1]), "%s if %s", w[2], w[3]);
		snprintf(arg, sizeof(arg), "%s:%s %s:%s", lab->cells[ca].full, w[1], lab->cells[cb].full, w[3]);
		if (lab_plan_stays(lab, p, w[0]) && lab_plan_stays(lab, p, w[2]) && lab_rec_has(p->rec, it)) {
			if (lab_rec_has(p->live, ends[0]) && lab_rec_has(p->live, ends[1]))
				continue;
			why = "drift: an end of the link is gone";
			ret = lab_plan_op(p, LOP_LINK_DEL, ca, lab->cells[ca].full, arg, "remove", "link", why);
		} else {
			why = lab_rec_has(p->rec, it) ? "its cell is made again" : "new";
		}
		if (!ret)
			ret = lab_plan_op(p, LOP_LINK_ADD, ca, lab->cells[ca].full, arg, "add", "link", why);
		if (!ret)
			ret = lab_rec_add(fresh, ends[0]) | lab_rec_add(fresh, ends[1]);
	}
	for (i = 0; i < p->rec->nitems && !ret; i++) {
		const char *it = p->rec->items[i];
		const struct lab_rec_cell *ra, *rb;

		int sa, sb;

		if (strncmp(it, "link ", 5) || lab_link_words(it + 5, w) || lab_rec_has(p->want, it) ||
		    lab_plan_rec_cell(p->rec, w[0]) < 0 || lab_plan_rec_cell(p->rec, w[2]) < 0)
			continue;
		ra = &p->rec->cell[lab_plan_rec_cell(p->rec, w[0])];
		rb = &p->rec->cell[lab_plan_rec_cell(p->rec, w[2])];
		sa = lab_plan_stays(lab, p, w[0]);
		sb = lab_plan_stays(lab, p, w[2]);
		/* a link to a cell deleted now is removed first, at once: the
		 * kernel tears a namespace, and the end in the cell that stays,
		 * down in the background */
		if (!(sa && sb) && !(sa && deleting(p, rb->full)) && !(sb && deleting(p, ra->full)))
			continue;
		snprintf(arg, sizeof(arg), "%s:%s %s:%s", ra->full, w[1], rb->full, w[3]);
		snprintf(ends[0], sizeof(ends[0]), "%s if %s", w[0], w[1]);
		snprintf(ends[1], sizeof(ends[1]), "%s if %s", w[2], w[3]);
		/* late, after every step that may fail (its ends' addresses
		 * and routes cannot come back with a link made again), unless
		 * a link made now takes an end's name */
		ret = lab_plan_op(p, end_reused(p, ra->full, w[1]) || end_reused(p, rb->full, w[3]) ?
				  LOP_LINK_DEL : LOP_LINK_DROP, lab_find_cell(lab, w[0]), ra->full, arg,
				  "remove", "link", "not in the file any more");
		if (!ret)	/* its ends go: nothing of them is to remove */
			ret = lab_rec_add(fresh, ends[0]) | lab_rec_add(fresh, ends[1]);
	}
	return ret ? -ENOMEM : 0;
}

/**
 * by_kind() - qsort order of steps: by kind, then as planned
 * @a:		step
 * @b:		step
 *
 * Return: <0, 0, >0
 */
static int by_kind(const void *a, const void *b)
{
	const struct lab_op *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/**
 * lab_plan_make() - the steps that make the live lab what the file says
 * @ctx:	context
 * @lab:	lab
 * @p:		plan (lab_plan_release() it, also on failure)
 *
 * Return: 0 or -errno with a message; nothing is changed
 */
int lab_plan_make(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p)
{
	struct nc_cell_info *cells = NULL;
	struct lab_rec fresh = { 0 };
	size_t n = 0;
	unsigned i, k;
	int ret;

	memset(p, 0, sizeof(*p));
	p->want = calloc(1, sizeof(*p->want));
	p->rec = calloc(1, sizeof(*p->rec));
	p->live = calloc(1, sizeof(*p->live));
	if (!p->want || !p->rec || !p->live || lab_items(lab, p->want))
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	ret = lab_rec_path(ctx, lab->name, p->recpath, sizeof(p->recpath), 0);
	if (ret)
		return ret;
	ret = lab_rec_load(p->recpath, p->rec);
	if (ret && ret != -ENOENT)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot read the record of lab \"%s\" (%s): %s",
			       lab->name, p->recpath, strerror(-ret));
	ret = nc_list(ctx, &cells, &n);
	if (!ret)
		ret = plan_cells(ctx, lab, p, cells, n);
	free(cells);
	if (!ret)
		ret = lab_live_read(ctx, lab, p);
	if (!ret && plan_uplinks(lab, p))
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (!ret)
		ret = lab_live_ports_fw(ctx, lab, p);
	if (!ret && plan_links(lab, p, &fresh))
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (i = 0; i < lab->ncells && !ret; i++) {
		size_t len = strlen(lab->cells[i].name);

		for (k = 0; k < p->want->nitems && !ret; k++)
			if (!strncmp(p->want->items[k], lab->cells[i].name, len) &&
			    p->want->items[k][len] == ' ')
				ret = lab_item_plan(lab, p, (int)i, p->want->items[k], &fresh);
	}
	if (!ret)
		ret = lab_item_gone(lab, p, &fresh);
	lab_rec_release(&fresh);
	if (ret)
		return ctx->msg[0] ? ret : ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory");
	if (p->nops)
		qsort(p->ops, p->nops, sizeof(*p->ops), by_kind);
	return 0;
}

/**
 * lab_plan_release() - free a plan
 * @p:		plan
 */
void lab_plan_release(struct lab_plan *p)
{
	free(p->ops);
	if (p->want)
		lab_rec_release(p->want);
	if (p->rec)
		lab_rec_release(p->rec);
	if (p->live)
		lab_rec_release(p->live);
	free(p->want);
	free(p->rec);
	free(p->live);
	memset(p, 0, sizeof(*p));
}
