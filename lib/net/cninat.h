/* SPDX-License-Identifier: MIT */
/* cninat.h - the CNI plugin's NAT and published ports in table inet netcell_cni */
#ifndef NC_CNINAT_H
#define NC_CNINAT_H

#include <net/if.h>
#include "base/cidr.h"
#include "base/ctx.h"

#define CNINAT_TABLE "netcell_cni"

/**
 * struct cni_nat - what one container has in the table
 * @bridge:	its bridge
 * @ips:	its addresses (prefix lengths ignored)
 * @nips:	how many
 * @masq:	masquerade what it sends out of the bridge
 * @ports:	published ports (the public struct nc_cni_port)
 * @nports:	how many
 */
struct cni_nat {
	char bridge[IFNAMSIZ];
	struct cidr ips[NC_CNI_IPS_MAX];
	int nips;
	int masq;
	struct nc_cni_port ports[NC_CNI_PORTS_MAX];
	int nports;
};

NC_INTERNAL int cninat_add(struct nc_ctx *ctx, const struct cni_nat *n);
NC_INTERNAL int cninat_del(struct nc_ctx *ctx, const struct cni_nat *n, int drop_bridge,
			   int drop_table);
NC_INTERNAL int cninat_check(struct nc_ctx *ctx, const struct cni_nat *n);
NC_INTERNAL int cninat_ready(struct nc_ctx *ctx);

#endif /* NC_CNINAT_H */
