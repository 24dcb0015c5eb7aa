/* SPDX-License-Identifier: MIT */
/* link.h - veth links between two cells of one user */
#ifndef NC_LINK_H
#define NC_LINK_H

#include <net/if.h>
#include "base/cidr.h"
#include "base/ctx.h"

NC_INTERNAL void link_ifname(const char *peer, char out[IFNAMSIZ]);
NC_INTERNAL int link_peers(const char *state, const char *cell,
			   struct nc_net_link **links, size_t *n);
NC_INTERNAL int link_add(struct nc_ctx *ctx, const char *state, const char *a,
			 int afd, const char *b, int bfd, const char *subnet,
			 const char *ifa, const char *ifb);
NC_INTERNAL int link_ifname_ok(const char *name);
NC_INTERNAL int link_remove(struct nc_ctx *ctx, const char *state, const char *a,
			    int afd, const char *b, int bfd);
NC_INTERNAL void link_forget(const char *state, const char *cell);
NC_INTERNAL void link_restore(struct nc_ctx *ctx, const char *state,
			      int (*netfd)(void *arg, const char *cell, int *fresh),
			      void *arg);

NC_INTERNAL int link_check_args(struct nc_ctx *ctx, const char *a, const char *b,
				const char *subnet, struct cidr *net);

#endif /* NC_LINK_H */
