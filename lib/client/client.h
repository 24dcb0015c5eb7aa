/* SPDX-License-Identifier: MIT */
/* client.h - talking to the keeper, starting it when needed */
#ifndef NC_CLIENT_H
#define NC_CLIENT_H

#include <stddef.h>
#include "base/paths.h"

struct sockaddr_un;

NC_INTERNAL int client_find(struct nc_ctx *ctx, struct nc_paths *p,
			    struct sockaddr_un *sa);
NC_INTERNAL int client_start_lock(struct nc_ctx *ctx, const struct nc_paths *p);
NC_INTERNAL int client_try_connect(const struct sockaddr_un *sa);
NC_INTERNAL int client_call(struct nc_ctx *ctx, const char *req, char *rep,
			    size_t len, int *fds, int *nfds);

NC_INTERNAL int cell_get(struct nc_ctx *ctx, const char *name,
			 struct nc_cell_info *info, int *fds, int *nfds);

#endif /* NC_CLIENT_H */
