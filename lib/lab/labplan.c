// SPDX-License-Identifier: MIT
/*
 * labplan.c - the plan: what "up" must do for the live lab to be the file
 *
 * Theory of operation: three views meet.  The file's items (lab_items()),
 * the record of the last good "up" (labrec.c), and the live cells: one
 * LIST request for the cells, one GET per cell that stayed (over the same
 * keeper connection) for its namespace, then ONE child that reads every
 * such cell's interfaces, addresses, static routes and sysctls
 * (labnet.c), one PORTLIST for the published ports, and the firewall
 * generation in force of the cells with a firewall.  A step is planned
 * for every item the file has and the live cell lacks (new, or drift: a
 * cell or address deleted by hand), and for every item the record has and
 * the file no longer does.  What the lab never made (an address added by
 * hand) is left alone.  An unchanged lab plans nothing and costs no
 * process per cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/lab.h"
#include "lab/labnet.h"

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
 * add_op() - append a step
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
static int add_op(struct lab_plan *p, enum lab_op_kind kind, int cell, const char *full,
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
 * rec_cell() - a cell of the record by its name in the file
 * @r:		record
 * @name:	name
 *
 * Return: index or -1
 */
static int rec_cell(const struct lab_rec *r, const char *name)
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
 * parse_dump() - labnet's dump into "CELL KIND ..." live items
 * @lab:	lab
 * @text:	dump ("C N", "I IF INDEX", "A IF CIDR", "R DST GW DEV", "S KEY VALUE")
 * @live:	items to add to
 *
 * Return: 0 or -ENOMEM
 */
static int parse_dump(const struct nc_lab *lab, char *text, struct lab_rec *live)
{
	char *save = NULL, *t, item[LAB_ITEM_MAX], w[3][128];
	const char *cell = NULL;
	int ret = 0, n;

	for (t = strtok_r(text, "\n", &save); t && !ret; t = strtok_r(NULL, "\n", &save)) {
		n = sscanf(t + 2, "%127s %127s %127s", w[0], w[1], w[2]);
		if (t[0] == 'C' && n >= 1 && (unsigned)atoi(w[0]) < lab->ncells)
			cell = lab->cells[atoi(w[0])].name;
		if (!cell || n < 1)
			continue;
		if (t[0] == 'I')
			snprintf(item, sizeof(item), "%s if %s", cell, w[0]);
		else if (t[0] == 'A' && n == 2)
			snprintf(item, sizeof(item), "%s addr %s %s", cell, w[0], w[1]);
		else if (t[0] == 'R' && n == 3)
			snprintf(item, sizeof(item), "%s route %s %s %s", cell, w[0], w[1], w[2]);
		else if (t[0] == 'S' && n == 2)
			snprintf(item, sizeof(item), "%s sysctl %s %s", cell, w[0], w[1]);
		else
			continue;
		ret = lab_rec_add(live, item);
	}
	return ret;
}

/**
 * live_route() - whether a live route matches a wanted one ("-" as the
 * wanted interface matches any: the kernel picks it from the gateway)
 * @live:	live items
 * @item:	"CELL route DST GW DEV"
 *
 * Return: 1 if present
 */
static int live_route(const struct lab_rec *live, const char *item)
{
	size_t len = strlen(item);
	unsigned i;

	if (len < 2 || strcmp(item + len - 2, " -"))
		return lab_rec_has(live, item);
	for (i = 0; i < live->nitems; i++)
		if (!strncmp(live->items[i], item, len - 1))
			return 1;
	return 0;
}

/**
 * read_live() - dump the cells that stay, in one child
 * @ctx:	context
 * @lab:	lab
 * @p:		plan (@state set; @live filled)
 *
 * Return: 0 or -errno with a message
 */
static int read_live(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p)
{
	_cleanup_free_ char *dump = NULL;
	char *script = NULL;
	struct lab_ns ns;
	size_t sl = 0;
	unsigned i, k, any = 0;
	int ret = lab_ns_init(ctx, lab, &ns);
	FILE *f = ret ? NULL : open_memstream(&script, &sl);

	if (!f) {
		lab_ns_release(&ns);
		return ret ? ret : ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	for (i = 0; i < lab->ncells && !ret; i++) {
		if (p->state[i] != LCS_OK)
			continue;
		ret = lab_ns_cell(ctx, &ns, i);
		fprintf(f, "C %u\n", i);
		any = 1;
		for (k = 0; k < lab->cells[i].nsysctls; k++)
			fprintf(f, "Q %s\n", lab->cells[i].sysctls[k].key);
	}
	fclose(f);
	if (!ret && any) {
		struct lab_net_job j = { &ns, script, 0, 0 };

		ret = lab_net_run(ctx, &j, &dump);
	}
	if (!ret && dump && parse_dump(lab, dump, p->live))
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	lab_ns_release(&ns);
	free(script);
	return ret;
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
		int r = rec_cell(p->rec, c->name);

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
			ret = add_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
				     r < 0 ? "new" : "drift: the cell is gone");
		} else if (!lab_rec_has(p->rec, item)) {
			p->state[i] = LCS_REMAKE;
			ret = add_op(p, LOP_CELL_DROP, (int)i, c->full, "", "remove", "cell",
				     "its uplink changed in the file: made again");
			if (!ret)
				ret = add_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
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
			ret = add_op(p, LOP_CELL_DEL, -1, rc->full, "", "remove", "cell",
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
		ret = add_op(p, LOP_CELL_DROP, (int)i, c->full, "", "remove", "cell", why);
		if (!ret)
			ret = add_op(p, LOP_CELL_ADD, (int)i, c->full, c->uplink, "add", "cell",
				     "drift: its uplink was gone");
	}
	return ret;
}

/**
 * stays() - whether a cell of the record stays as it is (not new, made
 * again or deleted): its links and addresses are what the live cell has
 * @lab:	lab
 * @p:		plan
 * @name:	cell's name in the file
 *
 * Return: 1 if it stays
 */
static int stays(const struct nc_lab *lab, const struct lab_plan *p, const char *name)
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
		if (stays(lab, p, w[0]) && stays(lab, p, w[2]) && lab_rec_has(p->rec, it)) {
			if (lab_rec_has(p->live, ends[0]) && lab_rec_has(p->live, ends[1]))
				continue;
			why = "drift: an end of the link is gone";
			ret = add_op(p, LOP_LINK_DEL, ca, lab->cells[ca].full, arg, "remove", "link", why);
		} else {
			why = lab_rec_has(p->rec, it) ? "its cell is made again" : "new";
		}
		if (!ret)
			ret = add_op(p, LOP_LINK_ADD, ca, lab->cells[ca].full, arg, "add", "link", why);
		if (!ret)
			ret = lab_rec_add(fresh, ends[0]) | lab_rec_add(fresh, ends[1]);
	}
	for (i = 0; i < p->rec->nitems && !ret; i++) {
		const char *it = p->rec->items[i];
		const struct lab_rec_cell *ra, *rb;

		int sa, sb;

		if (strncmp(it, "link ", 5) || lab_link_words(it + 5, w) || lab_rec_has(p->want, it) ||
		    rec_cell(p->rec, w[0]) < 0 || rec_cell(p->rec, w[2]) < 0)
			continue;
		ra = &p->rec->cell[rec_cell(p->rec, w[0])];
		rb = &p->rec->cell[rec_cell(p->rec, w[2])];
		sa = stays(lab, p, w[0]);
		sb = stays(lab, p, w[2]);
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
		ret = add_op(p, end_reused(p, ra->full, w[1]) || end_reused(p, rb->full, w[3]) ?
			     LOP_LINK_DEL : LOP_LINK_DROP, lab_find_cell(lab, w[0]), ra->full, arg,
			     "remove", "link", "not in the file any more");
		if (!ret)	/* its ends go: nothing of them is to remove */
			ret = lab_rec_add(fresh, ends[0]) | lab_rec_add(fresh, ends[1]);
	}
	return ret ? -ENOMEM : 0;
}

/**
 * sysctl_if() - the interface a per-interface sysctl key names
 * ("net.ipv4.conf.e1.rp_filter": "e1"; not "all" or "default")
 * @key:	dotted key
 * @ifn:	the interface name, "" when the key is not an interface's
 */
static void sysctl_if(const char *key, char ifn[IFNAMSIZ])
{
	const char *a, *b;

	ifn[0] = '\0';
	if (strncmp(key, "net.ipv4.", 9) && strncmp(key, "net.ipv6.", 9))
		return;
	a = key + 9;
	if (!strncmp(a, "conf.", 5))
		a += 5;
	else if (!strncmp(a, "neigh.", 6))
		a += 6;
	else
		return;
	b = strchr(a, '.');
	if (!b || b == a || b - a >= IFNAMSIZ || (b - a == 3 && !strncmp(a, "all", 3)) ||
	    (b - a == 7 && !strncmp(a, "default", 7)))
		return;
	memcpy(ifn, a, (size_t)(b - a));
	ifn[b - a] = '\0';
}

/**
 * plan_item() - one wanted item of a cell of the file
 * @lab:	lab
 * @p:		plan
 * @ci:		cell index
 * @it:		item "CELL KIND ARGS"
 * @fresh:	interfaces made now
 *
 * Return: 0 or -ENOMEM
 */
static int plan_item(const struct nc_lab *lab, struct lab_plan *p, int ci, const char *it,
		     const struct lab_rec *fresh)
{
	const struct lab_cell *c = &lab->cells[ci];
	const char *rest = it + strlen(c->name) + 1, *args = strchr(rest, ' ');
	int ok = p->state[ci] == LCS_OK, had = lab_rec_has(p->rec, it);
	const char *why = !ok ? (p->state[ci] == LCS_NEW ? "new" : "its cell is made again") :
		had ? "drift: the live cell lacks it" : "new or changed in the file";
	char probe[LAB_ITEM_MAX], arg[LAB_ITEM_MAX], w[2][128];
	unsigned k;

	if (!args)
		return 0;
	args++;
	if (!strncmp(rest, "addr ", 5)) {
		sscanf(args, "%127s", w[0]);
		snprintf(probe, sizeof(probe), "%s if %s", c->name, w[0]);
		if (ok && lab_rec_has(p->live, it) && !lab_rec_has(fresh, probe))
			return 0;
		snprintf(arg, sizeof(arg), "A+ %s", args);
		return add_op(p, LOP_ADDR_ADD, ci, c->full, arg, "add", "addr", why);
	}
	if (!strncmp(rest, "route ", 6)) {
		/* a link made again takes the routes through it along */
		snprintf(probe, sizeof(probe), "%s if ", c->name);
		for (k = 0; k < fresh->nitems && strncmp(fresh->items[k], probe, strlen(probe)); k++)
			;
		if (ok && live_route(p->live, it) && k == fresh->nitems)
			return 0;
		snprintf(arg, sizeof(arg), "R+ %s", args);
		return add_op(p, LOP_ROUTE_ADD, ci, c->full, arg, "add", "route", why);
	}
	if (!strncmp(rest, "sysctl ", 7)) {
		char ifn[IFNAMSIZ];

		sscanf(args, "%127s %127s", w[0], w[1]);
		/* an interface made again now has its defaults, whatever the
		 * old one had */
		sysctl_if(w[0], ifn);
		snprintf(probe, sizeof(probe), "%s if %s", c->name, ifn);
		if (ok && lab_rec_has(p->live, it) && (!ifn[0] || !lab_rec_has(fresh, probe)))
			return 0;
		snprintf(arg, sizeof(arg), "S %s %s", w[0], w[1]);
		return add_op(p, LOP_SYSCTL, ci, c->full, arg, "change", "sysctl", why);
	}
	if (!strncmp(rest, "fw ", 3)) {
		if (ok && had && p->fwgen[ci] && !p->fwdrift[ci] &&
		    p->fwgen[ci] == p->rec->cell[rec_cell(p->rec, c->name)].fwgen)
			return 0;
		return add_op(p, LOP_FW, ci, c->full, c->fw, "change", "firewall",
			      !ok || !had ? why : p->fwdrift[ci] && p->fwgen[ci] ?
			      "drift: its ruleset was changed inside the cell" :
			      "drift: another generation is in force");
	}
	if (!strncmp(rest, "port ", 5)) {
		snprintf(probe, sizeof(probe), "%s liveport %s", c->name, args);
		if (ok && lab_rec_has(p->live, probe))
			return 0;
		/* in force but its kernel rules damaged: "port add" of a port
		 * the cell has is refused, a remove and add writes them again */
		snprintf(probe, sizeof(probe), "%s damport %s", c->name, args);
		if (ok && lab_rec_has(p->live, probe)) {
			why = "drift: its rules were changed behind netcell's back";
			if (add_op(p, LOP_PORT_RM, ci, c->full, args, "remove", "port", why))
				return -ENOMEM;
		}
		return add_op(p, LOP_PORT_ADD, ci, c->full, args, "add", "port", why);
	}
	return 0;
}

/**
 * cell_has_if() - whether the file gives a cell an interface
 * @c:		cell
 * @ifn:	interface name
 *
 * Return: 1 if so
 */
static int cell_has_if(const struct lab_cell *c, const char *ifn)
{
	unsigned i;

	for (i = 0; i < c->nifs; i++)
		if (!strcmp(c->ifs[i].name, ifn))
			return 1;
	return 0;
}

/**
 * route_wanted() - whether the live route an item of the record matches is
 * one the file wants too: the same destination and gateway with or without
 * "dev" ("default via G" edited to "default via G dev e1" keeps the route)
 * @p:		plan
 * @it:		"CELL route DST GW DEV" of the record
 *
 * Return: 1 if a wanted route of the cell is that live route
 */
static int route_wanted(const struct lab_plan *p, const char *it)
{
	const char *dev = strrchr(it, ' ');
	size_t len = dev ? (size_t)(dev - it) + 1 : 0;
	unsigned i;

	for (i = 0; len && i < p->want->nitems; i++)
		if (!strncmp(p->want->items[i], it, len) && !strchr(p->want->items[i] + len, ' ') &&
		    live_route(p->live, p->want->items[i]) && lab_rec_has(p->live, it[len] == '-' ?
		    p->want->items[i] : it))
			return 1;
	return 0;
}

/**
 * plan_gone() - items of the record that the file dropped, in cells that stay
 * @lab:	lab
 * @p:		plan
 * @fresh:	interfaces made or removed now (their addresses go with them)
 *
 * Return: 0 or -ENOMEM
 */
static int plan_gone(const struct nc_lab *lab, struct lab_plan *p, const struct lab_rec *fresh)
{
	const char *why = "not in the file any more";
	char name[NC_NAME_MAX + 1], kind[16], a[128], b[128], probe[LAB_ITEM_MAX], arg[LAB_ITEM_MAX];
	unsigned i, k;
	int ret = 0, ci;

	for (i = 0; i < p->rec->nitems && !ret; i++) {
		const char *it = p->rec->items[i];

		if (sscanf(it, "%64s %15s %127s %127s", name, kind, a, b) < 3 ||
		    lab_rec_has(p->want, it) || !stays(lab, p, name))
			continue;
		ci = lab_find_cell(lab, name);
		snprintf(probe, sizeof(probe), "%s if %s", name, a);
		if (!strcmp(kind, "addr") && lab_rec_has(p->live, it) && !lab_rec_has(fresh, probe)) {
			snprintf(arg, sizeof(arg), "A- %s %s", a, b);
			ret = add_op(p, LOP_ADDR_DEL, ci, lab->cells[ci].full, arg, "remove", "addr", why);
		} else if (!strcmp(kind, "route") && live_route(p->live, it) && !route_wanted(p, it)) {
			snprintf(arg, sizeof(arg), "R- %s", strstr(it, " route ") + 7);
			ret = add_op(p, LOP_ROUTE_DEL, ci, lab->cells[ci].full, arg, "remove", "route", why);
		} else if (!strcmp(kind, "sysctl")) {
			char ifn[IFNAMSIZ];

			/* an interface's key whose interface goes (or is made
			 * again): its value goes with it */
			sysctl_if(a, ifn);
			snprintf(probe, sizeof(probe), "%s if %s", name, ifn);
			if (ifn[0] && (!cell_has_if(&lab->cells[ci], ifn) || lab_rec_has(fresh, probe)))
				continue;
			snprintf(probe, sizeof(probe), "%s sysctl %s ", name, a);
			for (k = 0; k < p->want->nitems && strncmp(p->want->items[k], probe, strlen(probe)); k++)
				;
			snprintf(probe, sizeof(probe), "%s sysold %s ", name, a);
			for (k = k < p->want->nitems ? p->rec->nitems : 0; k < p->rec->nitems; k++)
				if (!strncmp(p->rec->items[k], probe, strlen(probe)))
					break;
			if (k == p->rec->nitems)
				continue;	/* changed value, or no old value known */
			snprintf(arg, sizeof(arg), "S %s %s", a, p->rec->items[k] + strlen(probe));
			ret = add_op(p, LOP_SYSCTL, ci, lab->cells[ci].full, arg, "change", "sysctl",
				     "not in the file any more: the value before the lab");
		} else if (!strcmp(kind, "fw")) {
			snprintf(probe, sizeof(probe), "%s fw ", name);
			for (k = 0; k < p->want->nitems && strncmp(p->want->items[k], probe, strlen(probe)); k++)
				;
			if (k == p->want->nitems)
				ret = add_op(p, LOP_FW_CLEAR, ci, lab->cells[ci].full, "", "remove", "firewall", why);
		} else if (!strcmp(kind, "port")) {
			snprintf(probe, sizeof(probe), "%s liveport %s", name, a);
			k = lab_rec_has(p->live, probe);
			snprintf(probe, sizeof(probe), "%s damport %s", name, a);
			if (k || lab_rec_has(p->live, probe))
				ret = add_op(p, LOP_PORT_RM, ci, lab->cells[ci].full, a, "remove", "port", why);
		}
	}
	return ret;
}

/**
 * read_ports_fw() - the published ports and firewall generations in force
 * of the cells that stay, and whether each cell's live ruleset still is
 * its generation (a ruleset changed or flushed inside the cell is drift)
 * @ctx:	context
 * @lab:	lab
 * @p:		plan
 *
 * Return: 0 or -errno with a message
 */
static int read_ports_fw(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p)
{
	char item[LAB_ITEM_MAX], spec[64];
	struct nc_port *ports = NULL;
	size_t n = 0, k;
	unsigned i, any = 0;
	int ret = 0;

	for (i = 0; i < lab->ncells; i++) {
		struct nc_fw_gen *g = NULL;

		any |= lab->cells[i].nports > 0;
		if (p->state[i] != LCS_OK || !p->fwgen[i] || !lab->cells[i].fw[0])
			continue;
		ret = nc_fw_history(ctx, lab->cells[i].full, &g, &n);
		p->fwgen[i] = 0;
		for (k = 0; !ret && k < n; k++)
			if (g[k].current && !g[k].locked) {
				p->fwgen[i] = g[k].gen;
				p->fwdrift[i] = g[k].drifted != 0;
			}
		free(g);
		if (ret)
			return ret;
	}
	for (i = 0; i < p->rec->nitems && !any; i++)
		any = strstr(p->rec->items[i], " port ") != NULL;
	if (!any || (ret = nc_port_list(ctx, NULL, &ports, &n)))
		return ret;
	for (k = 0; k < n && !ret; k++) {
		for (i = 0; i < lab->ncells && strcmp(lab->cells[i].full, ports[k].cell); i++)
			;
		if (i == lab->ncells || !ports[k].active)
			continue;
		nc_port_format(&ports[k], spec, sizeof(spec));
		/* a root cell's kernel path read back damaged (its cell table
		 * flushed, a foreign rule) may not carry it: not in force */
		snprintf(item, sizeof(item), "%s %s %s", lab->cells[i].name,
			 !strcmp(ports[k].path, "kernel") && !strncmp(ports[k].path_note, "damaged", 7) ?
			 "damport" : "liveport", spec);
		ret = lab_rec_add(p->live, item);
	}
	free(ports);
	return ret ? ctx_err(ctx, ret, NC_ERR_FAILED, "out of memory") : 0;
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
		ret = read_live(ctx, lab, p);
	if (!ret && plan_uplinks(lab, p))
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (!ret)
		ret = read_ports_fw(ctx, lab, p);
	if (!ret && plan_links(lab, p, &fresh))
		ret = ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (i = 0; i < lab->ncells && !ret; i++) {
		size_t len = strlen(lab->cells[i].name);

		for (k = 0; k < p->want->nitems && !ret; k++)
			if (!strncmp(p->want->items[k], lab->cells[i].name, len) &&
			    p->want->items[k][len] == ' ')
				ret = plan_item(lab, p, (int)i, p->want->items[k], &fresh);
	}
	if (!ret)
		ret = plan_gone(lab, p, &fresh);
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
