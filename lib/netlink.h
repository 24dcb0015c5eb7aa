/* SPDX-License-Identifier: MIT */
/* netlink.h - rtnetlink requests over libmnl */
#ifndef NC_NETLINK_H
#define NC_NETLINK_H

#include <libmnl/libmnl.h>
#include "ctx.h"

NC_INTERNAL struct mnl_socket *nl_open(struct nc_ctx *ctx);
NC_INTERNAL int nl_do(struct nc_ctx *ctx, struct mnl_socket *nl,
		      struct nlmsghdr *req);
NC_INTERNAL int nl_link_up(struct nc_ctx *ctx, struct mnl_socket *nl,
			   int ifindex);

#endif /* NC_NETLINK_H */
