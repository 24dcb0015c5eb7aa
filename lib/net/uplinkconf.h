/* SPDX-License-Identifier: MIT */
/* uplinkconf.h - a cell's saved uplink settings and its resolv.conf */
#ifndef NC_UPLINKCONF_H
#define NC_UPLINKCONF_H

#include <stddef.h>
#include "base/ctx.h"
#include "base/cidr.h"
#include "base/paths.h"

/* where DNS queries of a pasta cell go when no --dns was given: pasta
 * forwards them to the host's resolver (--dns-forward) */
#define PASTA_DNS "169.254.1.53"

/**
 * struct uplink - a cell's uplink settings
 * @engine:	"pasta", "slirp4netns" or "none"
 * @host_loopback: 1 when the cell may reach the host's loopback services
 * @dns:	resolver address given with --dns, "" for the engine's
 * @addr:	veth: the pair's prefix; hub: the cell's /30 (hub.c)
 * @hub:	1 when the cell shares the hub's pasta (hub.c) rather than
 *		having an engine of its own
 */
struct uplink {
	char engine[16];
	int host_loopback;
	int hub;
	char dns[64];
	char addr[64];
};

NC_INTERNAL int uplink_in_path(const char *prog);
NC_INTERNAL const char *uplink_default(void);
NC_INTERNAL int uplink_load(const char *state, const char *cell, struct uplink *u);
NC_INTERNAL int uplink_save(const char *state, const char *cell,
			    const struct uplink *u);
NC_INTERNAL int uplink_write_resolv(const struct nc_paths *p, const char *cell,
				    const struct uplink *u);
NC_INTERNAL void uplink_etc_forget(const struct nc_paths *p, const char *cell);
NC_INTERNAL int uplink_each_addr(const char *state,
				 int (*fn)(const char *cell, const char *addr, void *arg),
				 void *arg);
NC_INTERNAL int uplink_addr_holder(const char *state, const struct cidr *net,
				   char *buf, size_t len);
NC_INTERNAL void uplink_resolv(const char *state, const char *cell, char *buf,
			       size_t len);
NC_INTERNAL char *uplink_path(const char *state, const char *cell, const char *ext,
			      char *buf, size_t len);

#endif /* NC_UPLINKCONF_H */
