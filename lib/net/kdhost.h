/* SPDX-License-Identifier: MIT */
/* kdhost.h - the host's table of a root cell's kernel-carried ports */
#ifndef NC_KDHOST_H
#define NC_KDHOST_H

#include <net/if.h>
#include <stddef.h>
#include "base/cidr.h"
#include "base/ctx.h"
#include "base/portspec.h"

NC_INTERNAL void kdhost_ifname(const char *cell, char out[IFNAMSIZ]);
NC_INTERNAL void kdhost_port_line(const struct portspec *s, const char *ca, char *buf,
				  size_t len);
NC_INTERNAL char *kdhost_body(const char *cell, const struct cidr *net,
			      const struct portspec *ports, unsigned n, const unsigned char *skip);
NC_INTERNAL int kdhost_load(struct nc_ctx *ctx, const char *cell, const char *body);
NC_INTERNAL int kdhost_check(struct nc_ctx *ctx, const char *cell, const char *body,
			     const char *found);
NC_INTERNAL char *kdhost_list(const char *cell);

#endif /* NC_KDHOST_H */
