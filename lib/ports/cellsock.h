/* SPDX-License-Identifier: MIT */
/* cellsock.h - sockets made inside a cell by a helper process */
#ifndef NC_CELLSOCK_H
#define NC_CELLSOCK_H

#include <sys/types.h>
#include "base/ctx.h"

/* routing table and rule preference the helper adds to a cell */
#define CELLSOCK_TABLE 28259

NC_INTERNAL int cellsock_start(struct nc_ctx *ctx, int netfd, pid_t *pid,
			       int *sock);
NC_INTERNAL void cellsock_stop(pid_t pid, int sock);
NC_INTERNAL int cellsock_request(int sock, int family, int type,
				 unsigned count);
NC_INTERNAL int cellsock_receive(int sock, int *fds, int *nfds, int *family,
				 int *type);

#endif /* NC_CELLSOCK_H */
