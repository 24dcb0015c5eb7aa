/* SPDX-License-Identifier: MIT */
/* netlink.h - rtnetlink requests over libmnl */
#ifndef NC_NETLINK_H
#define NC_NETLINK_H

#include <libmnl/libmnl.h>
#include "base/cidr.h"
#include "base/ctx.h"

NC_INTERNAL struct mnl_socket *nl_open(struct nc_ctx *ctx);
NC_INTERNAL int nl_do(struct nc_ctx *ctx, struct mnl_socket *nl,
		      struct nlmsghdr *req);
NC_INTERNAL struct nlmsghdr *nl_link_req(char *buf, int ifindex, int up);
NC_INTERNAL int nl_link_up(struct nc_ctx *ctx, struct mnl_socket *nl,
			   int ifindex);
NC_INTERNAL int nl_link_up_big(struct nc_ctx *ctx, struct mnl_socket *nl, int ifindex,
				   unsigned size);
NC_INTERNAL int nl_link_up_mtu(struct nc_ctx *ctx, struct mnl_socket *nl,
			       int ifindex, unsigned mtu);
NC_INTERNAL int nl_end_up(struct nc_ctx *ctx, struct mnl_socket *nl,
			  const char *ifname, const struct cidr *nets, int n,
			  unsigned host, unsigned mtu);
NC_INTERNAL int nl_default_via(struct nc_ctx *ctx, struct mnl_socket *nl,
			       const struct cidr *net, int ifindex);

NC_INTERNAL int nl_veth_add(struct nc_ctx *ctx, struct mnl_socket *nl,
			    const char *name, const char *peer, int peer_ns);
NC_INTERNAL int nl_link_del(struct nc_ctx *ctx, struct mnl_socket *nl,
			    const char *name);
NC_INTERNAL int nl_addr_add(struct nc_ctx *ctx, struct mnl_socket *nl,
			    int ifindex, int family, const void *addr, int plen);
NC_INTERNAL int nl_route_add(struct nc_ctx *ctx, struct mnl_socket *nl,
			     int family, const void *dst, int plen,
			     const void *gw, int ifindex, unsigned metric);

NC_INTERNAL int nl_dump(struct mnl_socket *nl, int type, mnl_cb_t cb, void *data);

#endif /* NC_NETLINK_H */
