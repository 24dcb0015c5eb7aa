/* SPDX-License-Identifier: MIT */
/* proto.h - messages between commands and the keeper */
#ifndef NC_PROTO_H
#define NC_PROTO_H

#include <stddef.h>
#include "base/util.h"

#define PROTO_MAX (64 * 1024)
/* room kept at the end of a page for its "MORE\tINDEX\n" line */
#define PROTO_MORE 32
/* a notice of the request, a line of its own after "OK\t..." ('!' is in no
 * cell name, so no record of a listing starts so) */
#define PROTO_NOTICE "!NOTICE\t"
#define PROTO_MAXFDS 32	/* the forwarder's socket helper sends batches */

NC_INTERNAL int proto_send(int sock, const char *msg, size_t len,
			   const int *fds, int nfds);
NC_INTERNAL ssize_t proto_recv(int sock, char *buf, size_t len, int *fds,
			       int *nfds);
NC_INTERNAL int proto_split(char *line, char **field, int max);

#endif /* NC_PROTO_H */
