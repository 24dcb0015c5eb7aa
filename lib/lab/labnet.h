/* SPDX-License-Identifier: MIT */
/* labnet.h - a lab's addresses, routes and sysctls, inside its cells */
#ifndef NC_LABNET_H
#define NC_LABNET_H

#include "base/ctx.h"

/**
 * struct lab_net_job - a script for the cells of a lab (labnet.c)
 * @userfd:	the cells' user namespace, -1 for root
 * @netfd:	each cell's network namespace
 * @names:	each cell's name, for messages
 * @ncells:	how many
 * @script:	the steps, one per line
 * @apply:	1: change (the output is the undo script); 0: dump
 * @reverse:	1: run the lines last to first (an undo script)
 */
struct lab_net_job {
	int userfd;
	const int *netfd;
	char (*names)[NC_NAME_MAX + 1];
	unsigned ncells;
	const char *script;
	int apply;
	int reverse;
};

NC_INTERNAL int lab_net_run(struct nc_ctx *ctx, const struct lab_net_job *j, char **out);

#endif /* NC_LABNET_H */
