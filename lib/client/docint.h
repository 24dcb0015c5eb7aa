/* SPDX-License-Identifier: MIT */
/* docint.h - what doctor.c and its check files share */
#ifndef NC_DOCINT_H
#define NC_DOCINT_H

#include <sys/types.h>
#include "netcell.h"
#include "kernel/probe.h"

#define DOC_MAX 24

/**
 * struct doc - one doctor run
 * @c:		checks, DOC_MAX allocated
 * @n:		checks filled
 * @uid:	caller's uid
 * @host_root:	uid 0 in the initial user namespace
 * @in_userns:	in a user namespace below the host's
 * @host_uid:	@uid as the host sees it
 * @user:	login name of @host_uid, or the uid as text
 * @own:	probe as the caller
 * @users:	probe as an ordinary uid (a copy of @own unless @host_root)
 */
struct doc {
	struct nc_check *c;
	size_t n;
	uid_t uid;
	int host_root;
	int in_userns;
	uid_t host_uid;
	char user[64];
	struct probe own;
	struct probe users;
};

NC_INTERNAL struct nc_check *doc_add(struct doc *d, const char *id, const char *title);
NC_INTERNAL void __attribute__((format(printf, 4, 5)))
doc_verdict(struct nc_check *c, enum nc_check_status status, const char *fix, const char *fmt, ...);
NC_INTERNAL enum nc_check_status doc_for_users(const struct doc *d, enum nc_check_status s);
NC_INTERNAL void check_xdg(struct doc *d);
NC_INTERNAL void check_rundir(struct doc *d);

#endif /* NC_DOCINT_H */
