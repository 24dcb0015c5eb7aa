// SPDX-License-Identifier: MIT
/*
 * labrec.c - what a lab made: STATE/labs/NAME.lab, and canonical items
 *
 * Theory of operation: everything a lab asks for is written as one
 * canonical line, an *item* ("a addr e1 10.0.1.1/24", "link a:e1 r:e1",
 * "r fw 5d1c...", "b port 127.0.0.1:18080:80/tcp").  The file gives the
 * desired items (lab_items()); the record holds the items of the last good
 * "up", the cells it made with their creation time (a cell deleted and made
 * again by hand is not the lab's), the firewall generation each got, and
 * the value each sysctl had before the lab set it ("sysold" items).  So the
 * plan is a difference of two sets, checked against the live cells; and
 * "down" removes exactly the recorded cells.  The record is written whole
 * through safefile.c (a crash leaves the old record or the new one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/paths.h"
#include "base/safefile.h"
#include "base/store.h"
#include "lab/lab.h"

#define LAB_ITEMS_MAX 65536

/**
 * lab_rec_path() - STATE/labs/NAME.lab
 * @ctx:	context
 * @lab:	lab name
 * @path:	result
 * @len:	its size
 * @make:	1 to create STATE/labs
 *
 * Return: 0 or -errno with a message
 */
int lab_rec_path(struct nc_ctx *ctx, const char *lab, char *path, size_t len, int make)
{
	struct nc_paths p;
	int ret = paths_get(ctx, &p);

	if (ret)
		return ret;
	snprintf(path, len, "%s/labs", p.state);
	if (make && (ret = paths_mkdir_private(ctx, path, p.uid)))
		return ret;
	snprintf(path, len, "%s/labs/%s.lab", p.state, lab);
	return 0;
}

/**
 * lab_lock() - take STATE/labs/NAME.lock: one "up" or "down" of a lab at a
 * time (the keeper never takes it, so holding it while asking the keeper
 * cannot deadlock)
 * @ctx:	context
 * @lab:	lab name
 * @path:	the lock file's path (for lab_unlock())
 * @len:	its size
 *
 * Return: the locked descriptor, or -errno with a message
 */
int lab_lock(struct nc_ctx *ctx, const char *lab, char *path, size_t len)
{
	int ret = lab_rec_path(ctx, lab, path, len, 1), fd;

	if (ret)
		return ret;
	snprintf(path + strlen(path) - 4, 6, ".lock");	/* NAME.lab -> NAME.lock */
	fd = store_lock(path);
	if (fd < 0)
		return ctx_err(ctx, fd, NC_ERR_FAILED, "cannot lock lab \"%s\" (%s): %s", lab, path,
			       strerror(-fd));
	return fd;
}

/**
 * lab_rec_add() - append an item
 * @r:		record
 * @item:	canonical item
 *
 * Return: 0 or -ENOMEM / -E2BIG
 */
int lab_rec_add(struct lab_rec *r, const char *item)
{
	if (r->nitems == LAB_ITEMS_MAX)
		return -E2BIG;
	if (!(r->nitems & (r->nitems - 1)) || !r->items) {	/* 0, 1, 2, 4...: grow */
		void *n = realloc(r->items, (r->nitems ? r->nitems * 2 : 16) * sizeof(*r->items));

		if (!n)
			return -ENOMEM;
		r->items = n;
	}
	snprintf(r->items[r->nitems++], LAB_ITEM_MAX, "%s", item);
	return 0;
}

/**
 * lab_rec_has() - whether the record holds an item
 * @r:		record
 * @item:	item
 *
 * Return: 1 if it does
 */
int lab_rec_has(const struct lab_rec *r, const char *item)
{
	unsigned i;

	for (i = 0; i < r->nitems; i++)
		if (!strcmp(r->items[i], item))
			return 1;
	return 0;
}

/**
 * lab_rec_release() - free a record's items
 * @r:		record
 */
void lab_rec_release(struct lab_rec *r)
{
	free(r->items);
	r->items = NULL;
	r->nitems = 0;
}

/**
 * lab_rec_load() - read a record; a missing file is an empty record
 * @path:	record file
 * @r:		result (lab_rec_release() it)
 *
 * Return: 0, -ENOENT when there is none, or -errno
 */
int lab_rec_load(const char *path, struct lab_rec *r)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[LAB_ITEM_MAX + 16];

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct lab_rec_cell *c = &r->cell[r->ncells];

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "item ", 5) && lab_rec_add(r, line + 5))
			return -ENOMEM;
		if (!strncmp(line, "cell ", 5) && r->ncells < LAB_CELLS_MAX &&
		    sscanf(line + 5, "%64s %64s %lld %u", c->name, c->full, &c->created,
			   &c->fwgen) == 4)
			r->ncells++;
	}
	return 0;
}

/**
 * lab_rec_save() - write a record whole, or remove it when empty
 * @ctx:	context
 * @path:	record file
 * @lab:	lab name
 * @r:		record
 *
 * Return: 0 or -errno with a message
 */
int lab_rec_save(struct nc_ctx *ctx, const char *path, const char *lab, const struct lab_rec *r)
{
	_cleanup_free_ char *text = NULL;
	size_t tl = 0;
	unsigned i;
	FILE *f;
	int ret;

	if (!r->ncells) {
		if (unlink(path) && errno != ENOENT)
			return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot remove the record of lab \"%s\": %s",
				       lab, strerror(errno));
		return 0;
	}
	f = open_memstream(&text, &tl);
	if (!f)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	fprintf(f, "netcell-lab 1 %s\n", lab);
	for (i = 0; i < r->ncells; i++)
		fprintf(f, "cell %s %s %lld %u\n", r->cell[i].name, r->cell[i].full,
			r->cell[i].created, r->cell[i].fwgen);
	for (i = 0; i < r->nitems; i++)
		fprintf(f, "item %s\n", r->items[i]);
	if (fclose(f) || !text)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	ret = safefile_write(path, text, tl, 0600);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot save the record of lab \"%s\" (%s): %s",
			       lab, path, strerror(-ret));
	return 0;
}

/**
 * lab_route_text() - a route's canonical words: "DST GW DEV" ("-" for none)
 * @rt:		route
 * @buf:	output
 * @len:	its size
 */
void lab_route_text(const struct lab_route *rt, char *buf, size_t len)
{
	char dst[64] = "default", gw[64] = "-";

	if (rt->dst.plen)
		cidr_format(&rt->dst, dst, sizeof(dst));
	else if (rt->family == AF_INET6)
		snprintf(dst, sizeof(dst), "default6");
	if (rt->gw.family) {
		cidr_format(&rt->gw, gw, sizeof(gw));
		gw[strcspn(gw, "/")] = '\0';
	}
	snprintf(buf, len, "%s %s %s", dst, gw, rt->dev[0] ? rt->dev : "-");
}

/**
 * cell_items() - one cell's desired items
 * @c:		cell
 * @r:		record to add to
 *
 * Return: 0 or -errno
 */
static int cell_items(const struct lab_cell *c, struct lab_rec *r)
{
	char item[LAB_ITEM_MAX], a[64];
	unsigned i, k;
	int ret = 0;

	snprintf(item, sizeof(item), "%s uplink %s", c->name, c->uplink);
	ret |= lab_rec_add(r, item);
	for (i = 0; i < c->nifs; i++)
		for (k = 0; k < c->ifs[i].naddr; k++) {
			cidr_format(&c->ifs[i].addr[k], a, sizeof(a));
			snprintf(item, sizeof(item), "%s addr %s %s", c->name, c->ifs[i].name, a);
			ret |= lab_rec_add(r, item);
		}
	for (i = 0; i < c->nroutes; i++) {
		lab_route_text(&c->routes[i], a, sizeof(a));
		snprintf(item, sizeof(item), "%s route %s", c->name, a);
		ret |= lab_rec_add(r, item);
	}
	for (i = 0; i < c->nsysctls; i++) {
		snprintf(item, sizeof(item), "%s sysctl %s %s", c->name, c->sysctls[i].key,
			 c->sysctls[i].val);
		ret |= lab_rec_add(r, item);
	}
	if (c->fw[0]) {
		snprintf(item, sizeof(item), "%s fw %016llx", c->name, c->fwhash);
		ret |= lab_rec_add(r, item);
	}
	for (i = 0; i < c->nports; i++) {
		snprintf(item, sizeof(item), "%s port %s", c->name, c->ports[i]);
		ret |= lab_rec_add(r, item);
	}
	return ret;
}

/**
 * lab_items() - everything the file asks for, as items and cells
 * @lab:	lab
 * @r:		result (creation times 0), lab_rec_release() it
 *
 * A link's ends are written in the order of their cells' names, so a link
 * written the other way round is the same item.
 *
 * Return: 0 or -errno
 */
int lab_items(const struct nc_lab *lab, struct lab_rec *r)
{
	char item[LAB_ITEM_MAX];
	unsigned i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < lab->ncells && !ret; i++) {
		snprintf(r->cell[i].name, sizeof(r->cell[i].name), "%s", lab->cells[i].name);
		snprintf(r->cell[i].full, sizeof(r->cell[i].full), "%s", lab->cells[i].full);
		r->ncells++;
		ret = cell_items(&lab->cells[i], r);
	}
	for (i = 0; i < lab->nlinks && !ret; i++) {
		const struct lab_link *l = &lab->links[i];
		const char *na = lab->cells[l->ca].name, *nb = lab->cells[l->cb].name;
		int swap = strcmp(na, nb) > 0;

		snprintf(item, sizeof(item), "link %s:%s %s:%s", swap ? nb : na, swap ? l->ifb : l->ifa,
			 swap ? na : nb, swap ? l->ifa : l->ifb);
		ret = lab_rec_add(r, item);
	}
	return ret ? -ENOMEM : 0;
}

/**
 * lab_link_words() - "A:IFA B:IFB" into its four words
 * @ends:	text
 * @w:		A, IFA, B, IFB
 *
 * Return: 0, or -EINVAL for a malformed text
 */
int lab_link_words(const char *ends, char w[4][NC_NAME_MAX + 1])
{
	char a[2][2 * NC_NAME_MAX], *c0, *c1;

	if (sscanf(ends, "%127s %127s", a[0], a[1]) != 2 || !(c0 = strrchr(a[0], ':')) ||
	    !(c1 = strrchr(a[1], ':')))
		return -EINVAL;
	*c0++ = *c1++ = '\0';
	snprintf(w[0], NC_NAME_MAX + 1, "%s", a[0]);
	snprintf(w[1], NC_NAME_MAX + 1, "%s", c0);
	snprintf(w[2], NC_NAME_MAX + 1, "%s", a[1]);
	snprintf(w[3], NC_NAME_MAX + 1, "%s", c1);
	return 0;
}
