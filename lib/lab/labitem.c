// SPDX-License-Identifier: MIT
/*
 * labitem.c - the plan's steps for a cell's own items: addresses, routes,
 * sysctls, firewall, ports
 *
 * Theory of operation: once the cells and links are planned (labplan.c),
 * each item of a cell of the file ("CELL addr ...", "CELL route ...",
 * "CELL sysctl ...", "CELL fw ...", "CELL port ...") the live cell lacks
 * (lablive.c) is a step, and so is its opposite for each item of the
 * record the file dropped in a cell that stays.  An interface made now
 * ("fresh": a link made or made again) has none of its addresses, routes
 * or per-interface sysctls, whatever the live view says; one removed now
 * takes them along, so nothing of it is removed.  A sysctl the file drops
 * goes back to the value it had before the lab set it ("sysold" items).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/lab.h"

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
 * lab_item_plan() - one wanted item of a cell of the file
 * @lab:	lab
 * @p:		plan
 * @ci:		cell index
 * @it:		item "CELL KIND ARGS"
 * @fresh:	interfaces made now
 *
 * Return: 0 or -ENOMEM
 */
int lab_item_plan(const struct nc_lab *lab, struct lab_plan *p, int ci, const char *it,
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
		return lab_plan_op(p, LOP_ADDR_ADD, ci, c->full, arg, "add", "addr", why);
	}
	if (!strncmp(rest, "route ", 6)) {
		/* a link made again takes the routes through it along */
		snprintf(probe, sizeof(probe), "%s if ", c->name);
		for (k = 0; k < fresh->nitems && strncmp(fresh->items[k], probe, strlen(probe)); k++)
			;
		if (ok && lab_live_route(p->live, it) && k == fresh->nitems)
			return 0;
		snprintf(arg, sizeof(arg), "R+ %s", args);
		return lab_plan_op(p, LOP_ROUTE_ADD, ci, c->full, arg, "add", "route", why);
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
		return lab_plan_op(p, LOP_SYSCTL, ci, c->full, arg, "change", "sysctl", why);
	}
	if (!strncmp(rest, "fw ", 3)) {
		if (ok && had && p->fwgen[ci] && !p->fwdrift[ci] &&
		    p->fwgen[ci] == p->rec->cell[lab_plan_rec_cell(p->rec, c->name)].fwgen)
			return 0;
		return lab_plan_op(p, LOP_FW, ci, c->full, c->fw, "change", "firewall",
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
			if (lab_plan_op(p, LOP_PORT_RM, ci, c->full, args, "remove", "port", why))
				return -ENOMEM;
		}
		return lab_plan_op(p, LOP_PORT_ADD, ci, c->full, args, "add", "port", why);
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
		    lab_live_route(p->live, p->want->items[i]) && lab_rec_has(p->live, it[len] == '-' ?
				   p->want->items[i] : it))
			return 1;
	return 0;
}

/**
 * lab_item_gone() - items of the record that the file dropped, in cells that stay
 * @lab:	lab
 * @p:		plan
 * @fresh:	interfaces made or removed now (their addresses go with them)
 *
 * Return: 0 or -ENOMEM
 */
int lab_item_gone(const struct nc_lab *lab, struct lab_plan *p, const struct lab_rec *fresh)
{
	const char *why = "not in the file any more";
	char name[NC_NAME_MAX + 1], kind[16], a[128], b[128], probe[LAB_ITEM_MAX], arg[LAB_ITEM_MAX];
	unsigned i, k;
	int ret = 0, ci;

	for (i = 0; i < p->rec->nitems && !ret; i++) {
		const char *it = p->rec->items[i];

		if (sscanf(it, "%64s %15s %127s %127s", name, kind, a, b) < 3 ||
		    lab_rec_has(p->want, it) || !lab_plan_stays(lab, p, name))
			continue;
		ci = lab_find_cell(lab, name);
		snprintf(probe, sizeof(probe), "%s if %s", name, a);
		if (!strcmp(kind, "addr") && lab_rec_has(p->live, it) && !lab_rec_has(fresh, probe)) {
			snprintf(arg, sizeof(arg), "A- %s %s", a, b);
			ret = lab_plan_op(p, LOP_ADDR_DEL, ci, lab->cells[ci].full, arg, "remove", "addr", why);
		} else if (!strcmp(kind, "route") && lab_live_route(p->live, it) && !route_wanted(p, it)) {
			snprintf(arg, sizeof(arg), "R- %s", strstr(it, " route ") + 7);
			ret = lab_plan_op(p, LOP_ROUTE_DEL, ci, lab->cells[ci].full, arg, "remove", "route", why);
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
			ret = lab_plan_op(p, LOP_SYSCTL, ci, lab->cells[ci].full, arg, "change", "sysctl",
					  "not in the file any more: the value before the lab");
		} else if (!strcmp(kind, "fw")) {
			snprintf(probe, sizeof(probe), "%s fw ", name);
			for (k = 0; k < p->want->nitems && strncmp(p->want->items[k], probe, strlen(probe)); k++)
				;
			if (k == p->want->nitems)
				ret = lab_plan_op(p, LOP_FW_CLEAR, ci, lab->cells[ci].full, "", "remove", "firewall", why);
		} else if (!strcmp(kind, "port")) {
			snprintf(probe, sizeof(probe), "%s liveport %s", name, a);
			k = lab_rec_has(p->live, probe);
			snprintf(probe, sizeof(probe), "%s damport %s", name, a);
			if (k || lab_rec_has(p->live, probe))
				ret = lab_plan_op(p, LOP_PORT_RM, ci, lab->cells[ci].full, a, "remove", "port", why);
		}
	}
	return ret;
}
