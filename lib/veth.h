/* SPDX-License-Identifier: MIT */
/* veth.h - the root uplink: a veth pair to the host, routing and NAT */
#ifndef NC_VETH_H
#define NC_VETH_H

#include "cidr.h"
#include "ctx.h"

NC_INTERNAL int veth_host_routes_overlap(const struct cidr *net);
NC_INTERNAL int veth_pick(const char *state, struct cidr *net);
NC_INTERNAL int veth_up(struct nc_ctx *ctx, const char *cell, int netfd,
			const struct cidr *net, int host_lo);
NC_INTERNAL void veth_down(const char *cell);

#endif /* NC_VETH_H */
