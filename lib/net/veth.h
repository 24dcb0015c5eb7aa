/* SPDX-License-Identifier: MIT */
/* veth.h - the root uplink: a veth pair to the host, routing and NAT */
#ifndef NC_VETH_H
#define NC_VETH_H

#include <stddef.h>
#include "base/cidr.h"
#include "base/ctx.h"


/**
 * struct cidrs - a list of prefixes
 * @v:		prefixes
 * @n:		how many
 * @cap:	room in @v
 */
struct cidrs {
	struct cidr *v;
	size_t n, cap;
};

NC_INTERNAL int veth_taken(const char *state, struct cidrs *l);
NC_INTERNAL int veth_taken_overlap(const struct cidrs *l,
				   const struct cidr *net);
NC_INTERNAL void veth_taken_free(struct cidrs *l);
NC_INTERNAL int veth_pick(const char *state, struct cidr *net);
NC_INTERNAL int veth_up(struct nc_ctx *ctx, const char *cell, int netfd,
			const struct cidr *net, int host_lo);
NC_INTERNAL void veth_down(const char *cell);

#endif /* NC_VETH_H */
