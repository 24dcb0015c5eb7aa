/* SPDX-License-Identifier: MIT */
/* cninet.h - the CNI plugin's links: bridge, veth pair, addresses, routes
 * (cninet.c the links, cniaddr.c the addresses and routes) */
#ifndef NC_CNINET_H
#define NC_CNINET_H

#include <net/if.h>
#include "base/cidr.h"
#include "base/ctx.h"

#define CNI_IPS_MAX NC_CNI_IPS_MAX
#define CNI_ROUTES_MAX NC_CNI_ROUTES_MAX

/**
 * struct cni_ip - one address of the container, as IPAM gave it
 * @addr:	address and prefix length
 * @gw:		gateway (family of @addr), valid when @has_gw
 * @has_gw:	1 when IPAM named a gateway
 */
struct cni_ip {
	struct cidr addr;
	unsigned char gw[16];
	int has_gw;
};

/**
 * struct cni_route - one route in the container
 * @dst:	destination prefix (plen 0: default)
 * @gw:		gateway, valid when @has_gw
 * @has_gw:	1 for a route via a gateway
 */
struct cni_route {
	struct cidr dst;
	unsigned char gw[16];
	int has_gw;
};

/**
 * struct cni_link - what one attachment is made of
 * @bridge:	host bridge
 * @hostif:	host end of the veth pair
 * @ifname:	container end (CNI_IFNAME)
 * @mac:	container end's MAC (6 bytes), set before it goes up
 * @mtu:	MTU of both ends and of a bridge made here, 0 for the default
 * @is_gw:	the bridge carries each IPAM gateway address
 * @ips:	addresses
 * @nips:	how many
 * @routes:	routes
 * @nroutes:	how many
 */
struct cni_link {
	char bridge[IFNAMSIZ];
	char hostif[IFNAMSIZ];
	char ifname[IFNAMSIZ];
	unsigned char mac[6];
	unsigned mtu;
	int is_gw;
	struct cni_ip ips[CNI_IPS_MAX];
	int nips;
	struct cni_route routes[CNI_ROUTES_MAX];
	int nroutes;
};

NC_INTERNAL void cninet_names(const char *id, const char *ifname,
			      char hostif[IFNAMSIZ], unsigned char mac[6]);
NC_INTERNAL int cninet_add(struct nc_ctx *ctx, const struct cni_link *l,
			   const char *netns, unsigned char hostmac[6]);
NC_INTERNAL int cninet_del(struct nc_ctx *ctx, const char *hostif,
			   const char *ifname, const unsigned char mac[6],
			   const char *netns);
NC_INTERNAL int cninet_bridge_del(struct nc_ctx *ctx, const char *bridge);
NC_INTERNAL int cninet_check(struct nc_ctx *ctx, const struct cni_link *l,
			     const char *netns);
NC_INTERNAL int cninet_sysctl(struct nc_ctx *ctx, const char *bridge, int localnet);

/* cniaddr.c: the container end's addresses and routes */
struct mnl_socket;
NC_INTERNAL int cniaddr_add(struct nc_ctx *ctx, struct mnl_socket *nl, int idx,
			    const struct cni_link *l);
NC_INTERNAL int cniaddr_check(struct nc_ctx *ctx, const struct cni_link *l);

#endif /* NC_CNINET_H */
