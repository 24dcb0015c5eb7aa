/* SPDX-License-Identifier: MIT */
/* paths.h - where a user's keeper socket, locks and saved cells live */
#ifndef NC_PATHS_H
#define NC_PATHS_H

#include <limits.h>
#include <sys/types.h>
#include "base/ctx.h"

/**
 * struct nc_paths - directories of one user's netcell state
 * @run:	runtime directory: keeper PID, xtables lock, rebuild report
 * @state:	durable directory: saved cell configurations (state/cells),
 *		the keeper's socket and locks
 * @etc:	per-cell /etc overlay root; the cell's files are in @etc/NAME
 *		(root: /etc/netns; rootless: ~/.config/netcell, files in NAME/etc)
 * @rootless:	1 when the caller is not uid 0
 * @uid:	caller's uid in the initial user namespace
 * @gid:	caller's gid
 */
struct nc_paths {
	char run[PATH_MAX / 4];
	char state[PATH_MAX / 4];
	char etc[PATH_MAX / 4];
	int rootless;
	uid_t uid;
	gid_t gid;
};

NC_INTERNAL void paths_resolve(struct nc_paths *p);
NC_INTERNAL int paths_get(struct nc_ctx *ctx, struct nc_paths *p);
NC_INTERNAL int paths_which(const char *name, char *buf, size_t len);
NC_INTERNAL int paths_host_lock(const struct nc_paths *p);
NC_INTERNAL int paths_fast_dir(const struct nc_paths *p, char *buf, size_t len);
NC_INTERNAL void paths_remove_tree(const char *dir);
NC_INTERNAL void paths_remove_below(int fd, int depth);
NC_INTERNAL int paths_mkdir_private(struct nc_ctx *ctx, const char *dir,
				    uid_t uid);
NC_INTERNAL void paths_cell_etc(const struct nc_paths *p, const char *name,
				char *buf, size_t len);

struct sockaddr_un;
NC_INTERNAL int paths_keeper_addr(struct nc_ctx *ctx, const struct nc_paths *p,
				  struct sockaddr_un *sa);

NC_INTERNAL void paths_remove_dir(const char *dir);

#endif /* NC_PATHS_H */
