/* SPDX-License-Identifier: MIT */
/* proto.h - messages between commands and the keeper */
#ifndef NC_PROTO_H
#define NC_PROTO_H

#include <stddef.h>
#include "base/util.h"

#define PROTO_MAX (64 * 1024)
/* room kept at the end of a page for its "MORE\tINDEX\n" line */
#define PROTO_MORE 32
#define PROTO_MAXFDS 32	/* the forwarder's socket helper sends batches */

NC_INTERNAL int proto_send(int sock, const char *msg, size_t len,
			   const int *fds, int nfds);
NC_INTERNAL ssize_t proto_recv(int sock, char *buf, size_t len, int *fds,
			       int *nfds);
NC_INTERNAL int proto_split(char *line, char **field, int max);

#endif /* NC_PROTO_H */
