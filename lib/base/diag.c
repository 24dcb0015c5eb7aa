// SPDX-License-Identifier: MIT
/*
 * diag.c - name the cause of a rootless networking failure
 *
 * Theory of operation: when the kernel refuses something with EPERM or
 * ENOSPC, the reason is almost always one of a handful of settings.  These
 * helpers read them and turn a bare errno into the setting, its value and
 * the fix.  `netcell doctor` and every command share them, so a user sees the
 * same diagnosis whether they asked for it or hit it: each setting has one
 * reader (diag_userns_clone() and friends) that fills a struct diag_finding
 * with what it read and, when the setting is in the way, the exact fix;
 * doctor shows findings as checks, the *_failure() helpers turn the one that
 * explains an errno into the context's error message.
 *
 * The /proc/sys root can be redirected (NETCELL_SYSROOT, for tests only) to
 * exercise settings that cannot be created on the test machine, such as
 * AppArmor's.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "base/diag.h"

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
 * diag_read_sysctl_n() - read a sysctl of one or more integers
 * @name:	dotted name, e.g. "net.ipv4.ping_group_range"
 * @val:	results
 * @n:		how many integers it holds
 *
 * Return: 0, or -errno (-ENOENT when this kernel has no such setting,
 * -EINVAL when it holds fewer than @n integers)
 */
int diag_read_sysctl_n(const char *name, long *val, int n)
{
	char path[512], *s;
	_cleanup_fclose_ FILE *f = NULL;
	int i;

	snprintf(path, sizeof(path), "%s/%s", diag_sysroot(), name);
	for (s = path + strlen(diag_sysroot()) + 1; *s; s++)
		if (*s == '.')
			*s = '/';
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		if (fscanf(f, "%ld", &val[i]) != 1)
			return -EINVAL;
	return 0;
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
	return diag_read_sysctl_n(name, val, 1);
}

/**
 * finding() - fill a finding
 * @f:		finding
 * @blocks:	1 when the setting is in the way
 * @fix:	the fix (used only when @blocks), a constant string
 * @fmt:	evidence format
 */
static void finding(struct diag_finding *f, int blocks, const char *fix,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->evidence, sizeof(f->evidence), fmt, ap);
	va_end(ap);
	f->blocks = blocks;
	snprintf(f->fix, sizeof(f->fix), "%s", blocks ? fix : "");
}

/**
 * read_limit() - read a sysctl that is in the way when it is 0
 * @f:		finding
 * @name:	dotted sysctl name
 * @fix:	the fix when it is 0
 */
static void read_limit(struct diag_finding *f, const char *name,
		       const char *fix)
{
	long v;
	int ret = diag_read_sysctl(name, &v);

	if (ret)
		finding(f, 0, "", "%s cannot be read (%s)", name, strerror(-ret));
	else
		finding(f, v == 0, fix, "%s is %ld", name, v);
}

/**
 * diag_userns_clone() - Debian's switch for unprivileged user namespaces
 * @f:		finding; blocks when kernel.unprivileged_userns_clone is 0
 */
void diag_userns_clone(struct diag_finding *f)
{
	long v;

	if (diag_read_sysctl("kernel.unprivileged_userns_clone", &v))
		finding(f, 0, "", "kernel.unprivileged_userns_clone is not present (only Debian kernels have it)");
	else
		finding(f, v == 0,
			"run 'sysctl -w kernel.unprivileged_userns_clone=1' as root, and put 'kernel.unprivileged_userns_clone = 1' in /etc/sysctl.d/99-netcell.conf to keep it",
			"kernel.unprivileged_userns_clone is %ld", v);
}

/**
 * diag_max_userns() - the number of user namespaces allowed
 * @f:		finding; blocks when user.max_user_namespaces is 0
 */
void diag_max_userns(struct diag_finding *f)
{
	read_limit(f, "user.max_user_namespaces",
		   "run 'sysctl -w user.max_user_namespaces=15000' as root, and put 'user.max_user_namespaces = 15000' in /etc/sysctl.d/99-netcell.conf to keep it");
}

/**
 * diag_max_netns() - the number of network namespaces allowed
 * @f:		finding; blocks when user.max_net_namespaces is 0
 */
void diag_max_netns(struct diag_finding *f)
{
	read_limit(f, "user.max_net_namespaces",
		   "run 'sysctl -w user.max_net_namespaces=15000' as root, and put 'user.max_net_namespaces = 15000' in /etc/sysctl.d/99-netcell.conf to keep it");
}

/**
 * diag_apparmor_userns() - Ubuntu's (23.10+) AppArmor restriction
 * @f:		finding; blocks when kernel.apparmor_restrict_unprivileged_userns
 *		is 1, i.e. unconfined programs get user namespaces without
 *		capabilities unless a profile allows them ('userns,')
 */
void diag_apparmor_userns(struct diag_finding *f)
{
	char exe[200];
	ssize_t n;
	long v;

	if (diag_read_sysctl("kernel.apparmor_restrict_unprivileged_userns", &v)) {
		finding(f, 0, "", "kernel.apparmor_restrict_unprivileged_userns is not present (no AppArmor restriction)");
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	finding(f, v != 0, "", "%s (kernel.apparmor_restrict_unprivileged_userns is %ld)",
		v ? "AppArmor restricts unprivileged user namespaces" :
		    "AppArmor does not restrict unprivileged user namespaces", v);
	if (v)
		snprintf(f->fix, sizeof(f->fix),
			 "allow netcell with an AppArmor profile, as root: printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile netcell %s flags=(unconfined) {\\n  userns,\\n}\\n' >/etc/apparmor.d/netcell && apparmor_parser -r /etc/apparmor.d/netcell; or lift the restriction for all programs: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
			 exe[0] ? exe : "/usr/bin/netcell");
}

/**
 * diag_userns_cause() - the setting that explains a failed user namespace
 * @err:	negative errno of unshare(CLONE_NEWUSER) or of writing a map
 * @f:		the finding that explains it
 *
 * Return: 1 when a cause was found, 0 when none (then @f is the last setting
 * read, which does not block)
 */
int diag_userns_cause(int err, struct diag_finding *f)
{
	long v = -1;

	diag_userns_clone(f);
	if (f->blocks)
		return 1;
	diag_max_userns(f);
	if (f->blocks)
		return 1;
	if (err == -ENOSPC) {
		diag_read_sysctl("user.max_user_namespaces", &v);
		finding(f, 1, "end other containers or sandboxes of this user, or raise the limit: sysctl -w user.max_user_namespaces=30000 as root",
			"the limit of user namespaces is reached (user.max_user_namespaces is %ld; nesting is limited to 32 levels)", v);
		return 1;
	}
	diag_apparmor_userns(f);
	return f->blocks;
}

/**
 * diag_netns_cause() - the setting that explains a failed network namespace
 * @err:	negative errno of unshare(CLONE_NEWNET)
 * @f:		the finding that explains it
 *
 * Under Ubuntu's AppArmor restriction unshare(CLONE_NEWUSER) itself may
 * succeed; it is the next step, which needs a capability in the new user
 * namespace, that fails with EPERM.
 *
 * Return: 1 when a cause was found, else 0
 */
int diag_netns_cause(int err, struct diag_finding *f)
{
	long v = -1;

	diag_max_netns(f);
	if (f->blocks)
		return 1;
	if (err == -ENOSPC) {
		diag_read_sysctl("user.max_net_namespaces", &v);
		finding(f, 1, "delete cells or containers of this user, or raise the limit: sysctl -w user.max_net_namespaces=30000 as root",
			"the limit of network namespaces is reached (user.max_net_namespaces is %ld)", v);
		return 1;
	}
	if (err != -EPERM && err != -EACCES)
		return 0;
	diag_apparmor_userns(f);
	return f->blocks;
}

/**
 * tun_fix() - the fix for a /dev/net/tun problem
 * @err:	negative errno of stat() or open()
 *
 * Return: a constant string
 */
static const char *tun_fix(int err)
{
	if (err == -ENOENT || err == -ENODEV || err == -ENXIO)
		return "as root: modprobe tun; if /dev/net/tun is still missing: mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200";
	return "as root: chmod 0666 /dev/net/tun (Debian's default: every tun device still checks its own owner); to keep it, put KERNEL==\"tun\", MODE=\"0666\" in /etc/udev/rules.d/60-netcell-tun.rules";
}

/**
 * uid_up() - what a uid of the caller's user namespace is one level up
 * @uid:	the uid
 * @host:	result; @uid itself when the map does not hold it
 * @initial:	set when the caller is in the initial user namespace
 *
 * Return: 1 when the map holds @uid, else 0
 */
static int uid_up(uid_t uid, uid_t *host, int *initial)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long in, out, count;
	int mapped = 0;

	*host = uid;
	*initial = 0;
	while (f && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
		if (in == 0 && out == 0 && count == 4294967295UL)
			*initial = 1;
		if (uid >= in && uid - in < count) {
			*host = (uid_t)(out + (uid - in));
			mapped = 1;
		}
	}
	*initial |= !f;
	return mapped;
}

/**
 * tun_owner() - "owner uid N" of /dev/net/tun and the caller's uid, as the
 * host counts them
 * @uid:	st_uid, as the caller's user namespace sees it
 * @buf:	output
 * @len:	size of @buf
 * @me:		the caller's uid on the host
 *
 * In a cell's hub (the rootless keeper) the caller is uid 0 and a host uid
 * the namespace does not map reads as the overflow uid (65534): the
 * message once said "owner uid 65534; uid 0 cannot open it".
 */
static void tun_owner(uid_t uid, char *buf, size_t len, uid_t *me)
{
	int initial;
	uid_t host;

	uid_up(getuid(), me, &initial);
	if (initial || uid_up(uid, &host, &initial))
		snprintf(buf, len, "owner uid %u", (unsigned)(initial ? uid : host));
	else
		snprintf(buf, len, "owner a host uid other than %u (likely root)", (unsigned)*me);
}

/**
 * diag_tun() - can the caller open /dev/net/tun
 * @f:		finding; blocks when it is missing, not the tun device, or
 *		cannot be opened read-write
 *
 * pasta and slirp4netns attach a rootless cell through a tap device made
 * by opening /dev/net/tun, as the user (the hub's root has no privilege
 * over a device node owned by the host's root).
 *
 * Return: 0, or the negative errno that makes it block
 */
int diag_tun(struct diag_finding *f)
{
	char owner[96];
	struct stat st;
	int fd, err = 0;
	uid_t me;

	if (stat("/dev/net/tun", &st)) {
		err = -errno;
		finding(f, 1, tun_fix(err), "/dev/net/tun: %s", strerror(-err));
		return err;
	}
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 || minor(st.st_rdev) != 200) {
		finding(f, 1, tun_fix(-ENOENT), "/dev/net/tun is not the tun device (character device 10:200)");
		return -ENODEV;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	else
		close(fd);
	tun_owner(st.st_uid, owner, sizeof(owner), &me);
	if (err)
		finding(f, 1, tun_fix(err), "/dev/net/tun has mode %04o, %s; uid %u cannot open it: %s",
			st.st_mode & 07777, owner, (unsigned)me, strerror(-err));
	else
		finding(f, 0, "", "/dev/net/tun has mode %04o, %s; uid %u opened it",
			st.st_mode & 07777, owner, (unsigned)me);
	return err;
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
	struct diag_finding f = { 0 };

	if (diag_userns_cause(err, &f))
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a user namespace: %s; %s",
			       f.evidence, f.fix);
	return ctx_err(ctx, err, NC_ERR_PERM,
		       "cannot create a user namespace: %s; run 'netcell doctor' to find out why",
		       strerror(-err));
}

/**
 * diag_netns_failure() - explain why creating a network namespace failed
 * @ctx:	context
 * @err:	negative errno of unshare(CLONE_NEWNET)
 *
 * Return: @err, with a message naming the setting and the fix
 */
int diag_netns_failure(struct nc_ctx *ctx, int err)
{
	struct diag_finding f = { 0 };

	if (diag_netns_cause(err, &f))
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot create a network namespace: %s; %s",
			       f.evidence, f.fix);
	return ctx_err(ctx, err, ctx_kind_of_errno(err),
		       "cannot create a network namespace: %s; run 'netcell doctor' to find out why",
		       strerror(-err));
}

/**
 * diag_uplink_failure() - explain why a cell's uplink engine did not start
 * @ctx:	context
 * @engine:	"pasta" or "slirp4netns"
 * @cell:	cell name
 * @text:	what the engine said, may be ""
 *
 * Return: -errno, with the /dev/net/tun diagnosis and fix when that is the
 * cause, else with the engine's own words
 */
int diag_uplink_failure(struct nc_ctx *ctx, const char *engine,
			const char *cell, const char *text)
{
	struct diag_finding f = { 0 };
	int err = diag_tun(&f);

	if (err)
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot start %s for cell \"%s\": %s; %s", engine,
			       cell, f.evidence, f.fix);
	return ctx_err(ctx, -EIO, NC_ERR_FAILED,
		       "cannot start %s for cell \"%s\": %s", engine, cell,
		       text && text[0] ? text : "it failed");
}

/**
 * diag_host_uid() - is the caller in a user namespace below the host's
 * @uid:	a uid of the caller's user namespace
 * @host:	what @uid is one level up (the host for a cell's hub)
 *
 * The initial user namespace maps "0 0 4294967295"; any other map means
 * that uid 0 here holds capabilities over this namespace only.
 *
 * Return: 1 in a user namespace other than the initial one, else 0
 */
int diag_host_uid(uid_t uid, uid_t *host)
{
	int initial;

	uid_up(uid, host, &initial);
	return !initial;
}

/**
 * diag_host_port_denied() - explain why a host port cannot be published
 * @ctx:	context
 * @port:	the host port that was refused
 *
 * Ports below net.ipv4.ip_unprivileged_port_start need CAP_NET_BIND_SERVICE
 * in the initial user namespace, which no rootless process has.
 *
 * Return: -EACCES, with a message naming the setting, its value and the fixes
 */
int diag_host_port_denied(struct nc_ctx *ctx, int port)
{
	long v = 1024;

	diag_read_sysctl("net.ipv4.ip_unprivileged_port_start", &v);
	return ctx_err(ctx, -EACCES, NC_ERR_PERM,
		       "cannot publish host port %d: ports below %ld need the host's root (net.ipv4.ip_unprivileged_port_start is %ld); run 'sysctl -w net.ipv4.ip_unprivileged_port_start=%d' as root, or publish a high port such as 8080:%d",
		       port, v, v, port, port);
}

/**
 * diag_not_host_root() - explain a refusal that needs the host's real root
 * @ctx:	context
 * @what:	what was attempted, e.g. "set the clock"
 * @err:	negative errno the kernel gave
 *
 * Root in a rootless cell is root of the cell's user namespace: it has every
 * capability over the cell's network, none over the host's clock, modules,
 * devices, sysctls or ports below ip_unprivileged_port_start.
 *
 * Return: @err, kind NC_ERR_PERM, with a message saying so and what works
 */
int diag_not_host_root(struct nc_ctx *ctx, const char *what, int err)
{
	uid_t host;

	if (!diag_host_uid(getuid(), &host))
		return ctx_err(ctx, err, NC_ERR_PERM,
			       "cannot %s: %s; only the host's root can do this (you are uid %u); run it as root (sudo), or in a cell that root created ('sudo netcell create')",
			       what, strerror(-err), (unsigned)getuid());
	return ctx_err(ctx, err, NC_ERR_PERM,
		       "cannot %s: %s; the cell's root is not the host's root (uid %u here is uid %u on the host): it controls the cell's network only, not the host's clock, modules, devices or sysctls; do this on the host as root, or in a cell that root created ('sudo netcell create')",
		       what, strerror(-err), (unsigned)getuid(), (unsigned)host);
}
