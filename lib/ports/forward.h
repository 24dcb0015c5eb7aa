/* SPDX-License-Identifier: MIT */
/* forward.h - published ports: the keeper's forwarder */
#ifndef NC_FORWARD_H
#define NC_FORWARD_H

#include <sys/epoll.h>
#include "base/ctx.h"
#include "base/portspec.h"

struct fwd;
struct fwd_cell;

NC_INTERNAL int fwd_new(struct nc_ctx *ctx, int epfd, struct fwd **f);
NC_INTERNAL void fwd_free(struct fwd *f);
NC_INTERNAL int fwd_event(struct fwd *f, const struct epoll_event *ev);
NC_INTERNAL void fwd_batch_end(struct fwd *f);
NC_INTERNAL int fwd_poll(struct fwd *f, int epfd, struct epoll_event *ev,
			 int max);
NC_INTERNAL int fwd_cell_new(struct fwd *f, struct nc_ctx *ctx, int netfd,
			     struct fwd_cell **fc);
NC_INTERNAL void fwd_cell_free(struct fwd_cell *fc);
NC_INTERNAL int fwd_open(struct fwd_cell *fc, struct nc_ctx *ctx,
			 const struct portspec *s);
NC_INTERNAL void fwd_close(struct fwd_cell *fc, const struct portspec *s);
NC_INTERNAL unsigned fwd_count(const struct fwd_cell *fc);

#endif /* NC_FORWARD_H */
