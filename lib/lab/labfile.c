// SPDX-License-Identifier: MIT
/*
 * labfile.c - the lab file: YAML (libyaml) to struct nc_lab, validated whole
 * (its cells in labcell.c, the node helpers in labwalk.c)
 *
 * Theory of operation: the file is loaded as one libyaml document (nodes
 * carry their start marks), then walked once.  Every check a lab can fail
 * before anything changes is made here: unknown keys, names, addresses,
 * routes, sysctl keys, firewall files, ports, link ends.  The first problem
 * stops the walk and becomes "FILE:LINE:COL: what: why" (exit 2), so "up"
 * never starts on a file it would have to give up on halfway.
 *
 * Shape (docs/labs.md): name; cells: NAME: { interfaces: { IF: [CIDR...] },
 * routes: ["DST [via GW] [dev IF]"], sysctl: { KEY: VALUE }, firewall: FILE,
 * uplink: none|pasta|slirp4netns|veth, publish: [SPEC] }; links: [[C:IF, C:IF]].
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lab/labwalk.h"
#include "lab/labyaml.h"

/**
 * lab_find_cell() - a cell of the lab by its name in the file
 * @lab:	lab
 * @name:	name
 *
 * Return: index, or -1
 */
int lab_find_cell(const struct nc_lab *lab, const char *name)
{
	unsigned i;

	for (i = 0; i < lab->ncells; i++)
		if (!strcmp(lab->cells[i].name, name))
			return (int)i;
	return -1;
}

/**
 * parse_cells() - cells: { NAME: {...} }
 * @w:		walk
 * @n:		mapping
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_cells(struct walk *w, yaml_node_t *n)
{
	struct nc_lab *lab = w->lab;
	yaml_node_pair_t *p;
	size_t count;
	int ret;

	if (lab_want(w, n, YAML_MAPPING_NODE, "cells"))
		return -EINVAL;
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (!count)
		return lab_bad(w, n, "cells: a lab needs at least one cell");
	if (count > LAB_CELLS_MAX)
		return lab_bad(w, n, "cells: more than %d cells", LAB_CELLS_MAX);
	lab->cells = calloc(count, sizeof(*lab->cells));
	if (!lab->cells)
		return ctx_err(w->ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lab_node(w, p->key);
		const char *name = lab_short_text(w, kn, "cell", NC_NAME_MAX + 1);
		struct lab_cell *c = &lab->cells[lab->ncells];
		struct nc_ctx nc = { .kfd = -1 };

		if (!name)
			return -EINVAL;
		if (lab_find_cell(lab, name) >= 0)
			return lab_bad(w, kn, "cell \"%s\": given twice", name);
		if (strchr(name, ':') || strchr(name, ' '))
			return lab_bad(w, kn, "cell \"%s\": a cell name has no ':' or blanks", name);
		snprintf(c->name, sizeof(c->name), "%s", name);
		if ((size_t)snprintf(c->full, sizeof(c->full), "%s-%s", lab->name, name) >= sizeof(c->full) ||
		    nc_name_check(&nc, c->full))
			return lab_bad(w, kn, "cell \"%s\": \"%s-%s\" is not a valid cell name: %s", name,
				   lab->name, name, nc.msg[0] ? nc.msg : "longer than 64 characters");
		c->pos.line = (unsigned)kn->start_mark.line + 1;
		c->pos.col = (unsigned)kn->start_mark.column + 1;
		lab->ncells++;
		ret = lab_parse_cell(w, c, lab_node(w, p->value));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * parse_end() - one end of a link, "CELL:IF"
 * @w:		walk
 * @n:		scalar
 * @cell:	index of the cell
 * @ifname:	IFNAMSIZ buffer
 *
 * An end not declared under the cell's interfaces is declared here (no
 * addresses); one that another link has is a duplicate.
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_end(struct walk *w, yaml_node_t *n, unsigned *cell, char *ifname)
{
	const char *s = lab_short_text(w, n, "link endpoint", 128), *colon;
	char cname[NC_NAME_MAX + 1];
	struct lab_if *f;
	int i;

	if (!s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) > NC_NAME_MAX)
		return lab_bad(w, n, "link endpoint \"%s\": write CELL:INTERFACE", s);
	snprintf(cname, sizeof(cname), "%.*s", (int)(colon - s), s);
	i = lab_find_cell(w->lab, cname);
	if (i < 0)
		return lab_bad(w, n, "link endpoint \"%s\": no such cell \"%s\"", s, cname);
	f = lab_find_if(&w->lab->cells[i], colon + 1);
	if (!f)
		f = lab_new_if(w, &w->lab->cells[i], n, colon + 1);
	if (!f)
		return -EINVAL;
	if (f->linked)
		return lab_bad(w, n, "link endpoint \"%s\": duplicate interface (another link has it)", s);
	f->linked = 1;
	*cell = (unsigned)i;
	snprintf(ifname, IFNAMSIZ, "%s", f->name);
	return 0;
}

/**
 * parse_links() - links: [[CELL:IF, CELL:IF], ...]
 * @w:		walk
 * @n:		sequence
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_links(struct walk *w, yaml_node_t *n)
{
	struct nc_lab *lab = w->lab;
	yaml_node_item_t *it;
	unsigned i;

	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_SEQUENCE_NODE, "links"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *ln = lab_node(w, *it);
		struct lab_link *l = &lab->links[lab->nlinks];

		if (lab_want(w, ln, YAML_SEQUENCE_NODE, "link"))
			return -EINVAL;
		if (ln->data.sequence.items.top - ln->data.sequence.items.start != 2)
			return lab_bad(w, ln, "link: expected two ends, [CELL:IF, CELL:IF]");
		if (lab->nlinks == LAB_LINKS_MAX)
			return lab_bad(w, ln, "links: more than %d", LAB_LINKS_MAX);
		if (parse_end(w, lab_node(w, ln->data.sequence.items.start[0]), &l->ca, l->ifa) ||
		    parse_end(w, lab_node(w, ln->data.sequence.items.start[1]), &l->cb, l->ifb))
			return -EINVAL;
		if (l->ca == l->cb)
			return lab_bad(w, ln, "link: both ends are in cell \"%s\"", lab->cells[l->ca].name);
		for (i = 0; i < lab->nlinks; i++)
			if ((lab->links[i].ca == l->ca && lab->links[i].cb == l->cb) ||
			    (lab->links[i].ca == l->cb && lab->links[i].cb == l->ca))
				return lab_bad(w, ln, "link: cells \"%s\" and \"%s\" are linked twice; netcell keeps one link per pair of cells",
					   lab->cells[l->ca].name, lab->cells[l->cb].name);
		lab->nlinks++;
	}
	return 0;
}

/**
 * check_cells() - what needs the whole file: every interface on a link,
 * every route's interface known
 * @w:		walk
 *
 * Return: 0 or -EINVAL with a message
 */
static int check_cells(struct walk *w)
{
	unsigned i, k;

	for (i = 0; i < w->lab->ncells; i++) {
		struct lab_cell *c = &w->lab->cells[i];

		for (k = 0; k < c->nifs; k++)
			if (!c->ifs[k].linked)
				return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE,
					       "%s:%u:%u: interface \"%s\" of cell \"%s\": on no link; add it to links or remove it",
					       w->lab->file, c->ifs[k].pos.line, c->ifs[k].pos.col,
					       c->ifs[k].name, c->name);
		for (k = 0; k < c->nroutes; k++)
			if (c->routes[k].dev[0] && !lab_find_if(c, c->routes[k].dev))
				return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE,
					       "%s:%u:%u: route of cell \"%s\": no interface \"%s\" in that cell",
					       w->lab->file, c->routes[k].pos.line, c->routes[k].pos.col,
					       c->name, c->routes[k].dev);
	}
	return 0;
}

/**
 * parse_top() - the document's top mapping: name, cells, links
 * @w:		walk
 * @n:		root node
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_top(struct walk *w, yaml_node_t *n)
{
	static const char *const keys[] = { "name", "cells", "links" };
	yaml_node_t *cells = NULL, *links = NULL;
	yaml_node_pair_t *p;
	struct nc_ctx nc = { .kfd = -1 };

	if (lab_want(w, n, YAML_MAPPING_NODE, "lab file"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lab_node(w, p->key), *vn = lab_node(w, p->value);
		const char *key = lab_scalar(kn), *name;

		if (w->name_only && (!key || strcmp(key, "name")))
			continue;
		if (!key || !lab_find_key(keys, 3, key))
			return lab_bad(w, kn, "unknown key \"%.40s\"; known: name, cells, links",
				   key ? key : "(not a string)");
		if (!strcmp(key, "cells"))
			cells = vn;
		else if (!strcmp(key, "links"))
			links = vn;
		else if (!(name = lab_short_text(w, vn, "name", NC_NAME_MAX + 1)))
			return -EINVAL;
		else if (nc_name_check(&nc, name) || strchr(name, ':'))
			return lab_bad(w, vn, "name \"%s\": %s", name, nc.msg[0] ? nc.msg : "no ':' allowed");
		else
			snprintf(w->lab->name, sizeof(w->lab->name), "%s", name);
	}
	if (!w->lab->name[0])
		return lab_bad(w, n, "the lab has no name; add name: NAME (its cells are NAME-CELL)");
	if (w->name_only)
		return 0;
	if (!cells)
		return lab_bad(w, n, "the lab has no cells; add cells:");
	if (parse_cells(w, cells) || (links && parse_links(w, links)))
		return -EINVAL;
	return check_cells(w);
}

/**
 * lab_parse() - parse and validate a lab file's text
 * @ctx:	context
 * @file:	the file's name, for messages
 * @text:	its content
 * @len:	its length
 * @dir:	its directory (firewall files are relative to it)
 * @flags:	LAB_ROOTLESS (veth uplinks are refused), LAB_NAME_ONLY
 *		(only the name is read and checked: "down" of a file that an
 *		edit broke still finds its lab)
 * @out:	the lab, nc_lab_free() it
 *
 * Return: 0 or -EINVAL with "FILE:LINE:COL: ..." (NC_ERR_USAGE)
 */
int lab_parse(struct nc_ctx *ctx, const char *file, const char *text, size_t len,
	      const char *dir, unsigned flags, struct nc_lab **out)
{
	struct walk w = { .ctx = ctx, .dir = dir, .rootless = !!(flags & LAB_ROOTLESS),
			  .name_only = !!(flags & LAB_NAME_ONLY) };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	const char *why;
	int ret;

	*out = NULL;
	if (labyaml_load(&why))
		return ctx_err(ctx, -ELIBACC, NC_ERR_PERM, "%s", why);
	w.lab = calloc(1, sizeof(*w.lab));
	if (!w.lab || !yl.parser_initialize(&parser)) {
		free(w.lab);
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	snprintf(w.lab->file, sizeof(w.lab->file), "%s", file);
	yl.parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yl.parser_load(&parser, &doc)) {
		ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "%s:%lu:%lu: invalid YAML: %s%s%s", file,
			      (unsigned long)parser.problem_mark.line + 1,
			      (unsigned long)parser.problem_mark.column + 1,
			      parser.problem ? parser.problem : "unreadable",
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yl.parser_delete(&parser);
		nc_lab_free(w.lab);
		return ret;
	}
	w.doc = &doc;
	root = yl.document_get_root_node(&doc);
	ret = root ? parse_top(&w, root) :
		ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "%s:1:1: the file is empty", file);
	yl.document_delete(&doc);
	yl.parser_delete(&parser);
	if (ret) {
		nc_lab_free(w.lab);
		return ret;
	}
	*out = w.lab;
	return 0;
}

/**
 * nc_lab_free() - free a lab from nc_lab_load()
 * @lab:	lab, or NULL
 */
void nc_lab_free(struct nc_lab *lab)
{
	if (!lab)
		return;
	free(lab->cells);
	free(lab);
}
