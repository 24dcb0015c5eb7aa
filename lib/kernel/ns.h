/* SPDX-License-Identifier: MIT */
/* ns.h - making and holding namespaces */
#ifndef NC_NS_H
#define NC_NS_H

#include <sys/types.h>
#include "base/ctx.h"

NC_INTERNAL int ns_write_file(const char *path, const char *text);
NC_INTERNAL int ns_become_userns_root(struct nc_ctx *ctx, uid_t uid,
				      gid_t gid);
NC_INTERNAL int ns_map_self(struct nc_ctx *ctx, uid_t inside, uid_t outside,
			    gid_t ginside, gid_t goutside);
NC_INTERNAL int ns_new_net(struct nc_ctx *ctx, const char *bind_at, int *fd);
NC_INTERNAL int ns_is_netns_file(const char *path);

#endif /* NC_NS_H */
