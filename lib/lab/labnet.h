/* SPDX-License-Identifier: MIT */
/* labnet.h - a lab's addresses, routes and sysctls, inside its cells */
#ifndef NC_LABNET_H
#define NC_LABNET_H

#include "base/ctx.h"
#include "lab/lab.h"

/**
 * struct lab_ns - the namespaces of a lab's cells, fetched as needed
 * @userfd:	the cells' user namespace, -1 for root (or none fetched yet)
 * @netfd:	each cell's network namespace, -1 when not fetched
 * @names:	each cell's name, for messages (heap)
 * @ncells:	how many
 */
struct lab_ns {
	int userfd;
	int netfd[LAB_CELLS_MAX];
	char (*names)[NC_NAME_MAX + 1];
	unsigned ncells;
};

/**
 * struct lab_net_job - a script for the cells of a lab (labnet.c)
 * @ns:		the cells' namespaces (those the script names fetched)
 * @script:	the steps, one per line
 * @apply:	1: change (the output is the undo script); 0: dump
 * @reverse:	1: run the lines last to first (an undo script)
 */
struct lab_net_job {
	const struct lab_ns *ns;
	const char *script;
	int apply;
	int reverse;
};

NC_INTERNAL int lab_ns_init(struct nc_ctx *ctx, const struct nc_lab *lab, struct lab_ns *ns);
NC_INTERNAL int lab_ns_cell(struct nc_ctx *ctx, struct lab_ns *ns, unsigned i);
NC_INTERNAL void lab_ns_release(struct lab_ns *ns);
NC_INTERNAL int lab_net_run(struct nc_ctx *ctx, const struct lab_net_job *j, char **out);

#endif /* NC_LABNET_H */
