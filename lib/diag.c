// SPDX-License-Identifier: MIT
/*
 * diag.c - name the cause of a rootless networking failure
 *
 * Theory of operation: when the kernel refuses something with EPERM or
 * ENOSPC, the reason is almost always one of a handful of settings.  These
 * helpers read them and turn a bare errno into the setting, its value and
 * the fix.  `netcell doctor` and every command share them, so a user sees the
 * same diagnosis whether they asked for it or hit it.  The /proc/sys root
 * can be redirected (NETCELL_SYSROOT, for tests only) to exercise settings
 * that cannot be created on the test machine, such as AppArmor's.
 */
#include <stdio.h>
#include <string.h>
#include "diag.h"

/**
 * diag_sysroot() - where sysctls are read from
 *
 * Return: "/proc/sys" unless NETCELL_SYSROOT says otherwise
 */
const char *diag_sysroot(void)
{
	const char *r = getenv("NETCELL_SYSROOT");

	return r && r[0] == '/' ? r : "/proc/sys";
}

/**
 * diag_read_sysctl() - read an integer sysctl
 * @name:	dotted name, e.g. "user.max_user_namespaces"
 * @val:	result
 *
 * Return: 0, or -errno (-ENOENT when this kernel has no such setting)
 */
int diag_read_sysctl(const char *name, long *val)
{
	char path[512], *s;
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", diag_sysroot(), name);
	for (s = path + strlen(diag_sysroot()) + 1; *s; s++)
		if (*s == '.')
			*s = '/';
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", val) != 1)
		return -EINVAL;
	return 0;
}

/**
 * diag_userns_failure() - explain why creating a user namespace failed
 * @ctx:	context
 * @err:	negative errno of unshare(CLONE_NEWUSER) or of writing a map
 *
 * Return: @err, with a message naming the setting and the fix
 */
int diag_userns_failure(struct nc_ctx *ctx, int err)
{
	long v;

	if (!diag_read_sysctl("kernel.unprivileged_userns_clone", &v) && !v)
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a user namespace: kernel.unprivileged_userns_clone is 0; run 'sysctl -w kernel.unprivileged_userns_clone=1' as root");
	if (!diag_read_sysctl("user.max_user_namespaces", &v) && !v)
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a user namespace: user.max_user_namespaces is 0; run 'sysctl -w user.max_user_namespaces=15000' as root");
	if (!diag_read_sysctl("kernel.apparmor_restrict_unprivileged_userns", &v) && v)
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a user namespace: AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1); add an AppArmor profile for netcell with 'userns,' or run 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' as root");
	if (err == -ENOSPC)
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a user namespace: the limit of user namespaces is reached (user.max_user_namespaces); raise it or end other containers");
	return ctx_err(ctx, err, NC_ERR_PERM,
		       "cannot create a user namespace: %s; run 'netcell doctor' to find out why",
		       strerror(-err));
}
