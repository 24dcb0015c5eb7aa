/* SPDX-License-Identifier: MIT */
/* client.h - talking to the keeper, starting it when needed */
#ifndef NC_CLIENT_H
#define NC_CLIENT_H

#include <stddef.h>
#include "paths.h"

NC_INTERNAL int client_call(struct nc_ctx *ctx, const char *req, char *rep,
			    size_t len, int *fds, int *nfds);

NC_INTERNAL int cell_get(struct nc_ctx *ctx, const char *name,
			 struct nc_cell_info *info, int *fds, int *nfds);

#endif /* NC_CLIENT_H */
