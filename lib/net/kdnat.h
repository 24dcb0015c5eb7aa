/* SPDX-License-Identifier: MIT */
/* kdnat.h - root cells: published IPv4 ports carried by the kernel */
#ifndef NC_KDNAT_H
#define NC_KDNAT_H

#include "base/ctx.h"
#include "base/portspec.h"

/* the cell's end of the pair that carries published ports */
#define KDNAT_CELL_IF	"nc-ports"
/* the cell's table: reserved to netcell, kept by fw apply */
#define KDNAT_TABLE	"netcell"
/* routing table and connection mark of the replies in the cell */
#define KDNAT_RT_TABLE	28260
#define KDNAT_MARK	0x4e430001u

NC_INTERNAL int kdnat_shared(const struct portspec *ports, unsigned n,
			     const unsigned char *inactive, unsigned i);
NC_INTERNAL int kdnat_carries(const struct portspec *ports, unsigned n,
			      const unsigned char *inactive, unsigned i);
NC_INTERNAL unsigned kdnat_wanted(const struct portspec *ports, unsigned n,
				  const unsigned char *inactive);
NC_INTERNAL int kdnat_sync(struct nc_ctx *ctx, const char *cell, int netfd,
			   int *slot, const struct portspec *ports, unsigned n,
			   const unsigned char *inactive);
NC_INTERNAL int kdnat_check(struct nc_ctx *ctx, const char *cell, int netfd,
			    int slot, const struct portspec *ports, unsigned n,
			    const unsigned char *inactive, unsigned char *dnat);
NC_INTERNAL void kdnat_down(const char *cell, int *slot);

#endif /* NC_KDNAT_H */
