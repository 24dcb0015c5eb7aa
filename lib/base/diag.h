/* SPDX-License-Identifier: MIT */
/* diag.h - name the cause of a rootless networking failure */
#ifndef NC_DIAG_H
#define NC_DIAG_H

#include <sys/types.h>
#include "base/ctx.h"

/**
 * struct diag_finding - one setting as read, and its fix when it is in the way
 * @blocks:	1 when the setting forbids what was tried (or explains a failure)
 * @evidence:	what was read, e.g. "user.max_user_namespaces is 0"
 * @fix:	the exact fix when @blocks, else ""
 */
struct diag_finding {
	int blocks;
	char evidence[256];
	char fix[512];
};

NC_INTERNAL const char *diag_sysroot(void);
NC_INTERNAL int diag_read_sysctl(const char *name, long *val);
NC_INTERNAL int diag_read_sysctl_n(const char *name, long *val, int n);

NC_INTERNAL void diag_userns_clone(struct diag_finding *f);
NC_INTERNAL void diag_max_userns(struct diag_finding *f);
NC_INTERNAL void diag_max_netns(struct diag_finding *f);
NC_INTERNAL void diag_apparmor_userns(struct diag_finding *f);
NC_INTERNAL int diag_userns_cause(int err, struct diag_finding *f);
NC_INTERNAL int diag_netns_cause(int err, struct diag_finding *f);
NC_INTERNAL int diag_tun(struct diag_finding *f);
NC_INTERNAL int diag_host_uid(uid_t uid, uid_t *host);

NC_INTERNAL int diag_userns_failure(struct nc_ctx *ctx, int err);
NC_INTERNAL int diag_netns_failure(struct nc_ctx *ctx, int err);
NC_INTERNAL int diag_uplink_failure(struct nc_ctx *ctx, const char *engine,
				    const char *cell, const char *text);
NC_INTERNAL int diag_host_port_denied(struct nc_ctx *ctx, int port);
NC_INTERNAL int diag_not_host_root(struct nc_ctx *ctx, const char *what,
				   int err);

#endif /* NC_DIAG_H */
