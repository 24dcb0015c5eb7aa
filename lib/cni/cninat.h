/* SPDX-License-Identifier: MIT */
/* cninat.h - the CNI plugin's NAT and published ports in table inet netcell_cni */
#ifndef NC_CNINAT_H
#define NC_CNINAT_H

#include <net/if.h>
#include "cidr.h"
#include "ctx.h"

#define CNI_PORTS_MAX 64
#define CNINAT_TABLE "netcell_cni"

/**
 * struct cni_port - one entry of the runtime's "portMappings"
 * @proto:	"tcp" or "udp"
 * @hport:	port on the host
 * @cport:	port in the container
 * @hip:	host address it is limited to, "" for every local address
 */
struct cni_port {
	char proto[4];
	unsigned hport;
	unsigned cport;
	char hip[46];
};

/**
 * struct cni_nat - what one container has in the table
 * @bridge:	its bridge
 * @ips:	its addresses (prefix lengths ignored)
 * @nips:	how many
 * @masq:	masquerade what it sends out of the bridge
 * @ports:	published ports
 * @nports:	how many
 */
struct cni_nat {
	char bridge[IFNAMSIZ];
	struct cidr ips[8];
	int nips;
	int masq;
	struct cni_port ports[CNI_PORTS_MAX];
	int nports;
};

NC_INTERNAL int cninat_add(struct nc_ctx *ctx, const struct cni_nat *n);
NC_INTERNAL int cninat_del(struct nc_ctx *ctx, const struct cni_nat *n, int drop_bridge,
			   int drop_table);
NC_INTERNAL int cninat_check(struct nc_ctx *ctx, const struct cni_nat *n);

#endif /* NC_CNINAT_H */
