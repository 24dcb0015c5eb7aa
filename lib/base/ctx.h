/* SPDX-License-Identifier: MIT */
/* ctx.h - the context object: keeper connection, last error, notices */
#ifndef NC_CTX_H
#define NC_CTX_H

#include <stdarg.h>
#include "netcell.h"
#include "base/util.h"

#define NC_MSG_MAX 1024
#define NC_NOTICES 16

/**
 * struct nc_ctx - per-caller state of libnetcell
 * @kfd:	connected socket to the keeper, -1 until first needed
 * @kind:	class of the last error
 * @msg:	text of the last error
 * @notice:	notices queued for the caller (heap strings)
 * @nnotice:	number of queued notices
 * @ndropped:	notices that found the queue full
 * @setup_name:	the cell this caller is creating (nc_create_id() with
 *		NC_CREATE_SETUP), until it is kept
 * @setup_id:	its creation identity: what the caller does to a cell of
 *		that name goes to this creation only (0: none)
 * @progress:	told every second of a long wait (nc_ctx_set_progress())
 * @progress_arg: its argument
 */
struct nc_ctx {
	int kfd;
	enum nc_errkind kind;
	char msg[NC_MSG_MAX];
	char *notice[NC_NOTICES];
	int nnotice;
	unsigned ndropped;
	char setup_name[NC_NAME_MAX + 1];
	unsigned long long setup_id;
	nc_progress_fn progress;
	void *progress_arg;
};

NC_INTERNAL int ctx_err(struct nc_ctx *ctx, int ret, enum nc_errkind kind,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
NC_INTERNAL int ctx_wrap(struct nc_ctx *ctx, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
NC_INTERNAL void ctx_notice(struct nc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
NC_INTERNAL enum nc_errkind ctx_kind_of_errno(int ret);

#endif /* NC_CTX_H */
