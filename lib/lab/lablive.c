// SPDX-License-Identifier: MIT
/*
 * lablive.c - the live lab as the plan sees it: items read from the cells
 *
 * Theory of operation: the plan (labplan.c) compares the file's items with
 * what the live cells hold, said as items of the same form ("CELL if
 * IF", "CELL addr IF CIDR", "CELL route DST GW DEV", "CELL sysctl KEY
 * VALUE", "CELL liveport SPEC").  Reading them costs a fixed number of
 * processes and requests whatever the lab's size: the cells that stay
 * (state LCS_OK) are opened with one GET each over one keeper connection
 * and read by ONE child that moves between them (labnet.c); the ports of
 * every cell come from one PORTLIST, a root cell's kernel path read back
 * damaged said as "damport" (not in force); and the firewall generation
 * in force of each cell with a firewall, with whether its live ruleset
 * drifted from it, from its history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lab/lab.h"
#include "lab/labnet.h"

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
 * lab_live_route() - whether a live route matches a wanted one ("-" as the
 * wanted interface matches any: the kernel picks it from the gateway)
 * @live:	live items
 * @item:	"CELL route DST GW DEV"
 *
 * Return: 1 if present
 */
int lab_live_route(const struct lab_rec *live, const char *item)
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
 * lab_live_read() - dump the cells that stay, in one child
 * @ctx:	context
 * @lab:	lab
 * @p:		plan (@state set; @live filled)
 *
 * Return: 0 or -errno with a message
 */
int lab_live_read(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p)
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
 * lab_live_ports_fw() - the published ports and firewall generations in force
 * of the cells that stay, and whether each cell's live ruleset still is
 * its generation (a ruleset changed or flushed inside the cell is drift)
 * @ctx:	context
 * @lab:	lab
 * @p:		plan
 *
 * Return: 0 or -errno with a message
 */
int lab_live_ports_fw(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_plan *p)
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
