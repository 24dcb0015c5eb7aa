// SPDX-License-Identifier: MIT
/*
 * test_doctor.c - the diagnosis against a fake /proc/sys (NETCELL_SYSROOT):
 * which setting explains which errno, the messages commands show, and the
 * shape of nc_doctor()'s result
 */
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "base/diag.h"
#include "kernel/ns.h"
#include "unit.h"

static char root[64];

/**
 * put() - write a fake sysctl, or remove it when @val is NULL
 * @rel:	path below the fake root, e.g. "user/max_user_namespaces"
 * @val:	contents
 */
static void put(const char *rel, const char *val)
{
	char path[256], dir[256], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!val) {
		unlink(path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	for (s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", val);
		fclose(f);
	}
}

/**
 * has() - does @hay contain @needle
 * @hay:	text
 * @needle:	substring
 *
 * Return: 1 if it does
 */
static int has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/**
 * test_userns_causes() - which setting explains a failed user namespace
 */
static void test_userns_causes(void)
{
	struct nc_ctx *ctx = nc_ctx_new();
	struct diag_finding f = { 0 };

	put("kernel/unprivileged_userns_clone", "0");
	put("user/max_user_namespaces", "0");
	CHECK(diag_userns_cause(-EPERM, &f) == 1, "clone=0 explains EPERM");
	CHECK(has(f.evidence, "kernel.unprivileged_userns_clone is 0"), f.evidence);
	CHECK(has(f.fix, "sysctl -w kernel.unprivileged_userns_clone=1"), f.fix);
	put("kernel/unprivileged_userns_clone", NULL);
	CHECK(diag_userns_cause(-ENOSPC, &f) == 1, "max=0 explains ENOSPC");
	CHECK(!strcmp(f.evidence, "user.max_user_namespaces is 0"), f.evidence);
	put("user/max_user_namespaces", "100");
	put("kernel/apparmor_restrict_unprivileged_userns", "1");
	CHECK(diag_userns_cause(-ENOSPC, &f) == 1 && has(f.evidence, "limit of user namespaces is reached"),
	      "ENOSPC with a limit is the limit, not AppArmor");
	CHECK(diag_userns_cause(-EPERM, &f) == 1 && has(f.evidence, "AppArmor restricts"), f.evidence);
	CHECK(has(f.fix, "apparmor_parser -r /etc/apparmor.d/netcell") && has(f.fix, "userns,"), f.fix);
	CHECK(diag_userns_failure(ctx, -EPERM) == -EPERM, "returns err");
	CHECK(nc_errkind(ctx) == NC_ERR_PERM, "kind PERM");
	CHECK(has(nc_errmsg(ctx), "cannot create a user namespace: AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns is 1); allow netcell"),
	      nc_errmsg(ctx));
	put("kernel/apparmor_restrict_unprivileged_userns", "0");
	CHECK(diag_userns_cause(-EPERM, &f) == 0 && !f.blocks && !f.fix[0], "nothing explains it");
	diag_userns_failure(ctx, -EPERM);
	CHECK(!strcmp(nc_errmsg(ctx), "cannot create a user namespace: Operation not permitted; run 'netcell doctor' to find out why"),
	      nc_errmsg(ctx));
	put("kernel/apparmor_restrict_unprivileged_userns", NULL);
	nc_ctx_free(ctx);
}

/**
 * test_netns_causes() - which setting explains a failed network namespace
 */
static void test_netns_causes(void)
{
	struct nc_ctx *ctx = nc_ctx_new();

	put("user/max_net_namespaces", "0");
	CHECK(diag_netns_failure(ctx, -ENOSPC) == -ENOSPC, "returns err");
	CHECK(has(nc_errmsg(ctx), "cannot create a network namespace: user.max_net_namespaces is 0; run 'sysctl -w user.max_net_namespaces=15000' as root"),
	      nc_errmsg(ctx));
	put("user/max_net_namespaces", "100");
	put("kernel/apparmor_restrict_unprivileged_userns", "1");
	diag_netns_failure(ctx, -EPERM);
	CHECK(has(nc_errmsg(ctx), "network namespace: AppArmor restricts"), nc_errmsg(ctx));
	CHECK(nc_errkind(ctx) == NC_ERR_PERM, "kind PERM");
	diag_netns_failure(ctx, -EINVAL);
	CHECK(has(nc_errmsg(ctx), "Invalid argument; run 'netcell doctor'"), nc_errmsg(ctx));
	CHECK(nc_errkind(ctx) == NC_ERR_FAILED, "EINVAL is not a permission problem");
	put("kernel/apparmor_restrict_unprivileged_userns", NULL);
	nc_ctx_free(ctx);
}

/**
 * test_port_message() - the message of a refused host port
 */
static void test_port_message(void)
{
	struct nc_ctx *ctx = nc_ctx_new();

	put("net/ipv4/ip_unprivileged_port_start", "1024");
	CHECK(diag_host_port_denied(ctx, 443) == -EACCES, "-EACCES");
	CHECK(nc_errkind(ctx) == NC_ERR_PERM, "kind PERM");
	CHECK(!strcmp(nc_errmsg(ctx), "cannot publish host port 443: ports below 1024 need the host's root (net.ipv4.ip_unprivileged_port_start is 1024); run 'sysctl -w net.ipv4.ip_unprivileged_port_start=443' as root, or publish a high port such as 8080:443"),
	      nc_errmsg(ctx));
	nc_ctx_free(ctx);
}

/**
 * test_not_host_root() - the message for root of a user namespace, made in
 * a child that becomes root of a namespace of its own
 */
static void test_not_host_root(void)
{
	struct nc_ctx *ctx = nc_ctx_new();
	char msg[NC_MSG_MAX] = "", map[64];
	uid_t me = geteuid(), host = 12345;
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	CHECK(diag_host_uid(getuid(), &host) == 0 && host == getuid(), "the host is no user namespace");
	diag_not_host_root(ctx, "set the clock", -EPERM);
	CHECK(has(nc_errmsg(ctx), "cannot set the clock: Operation not permitted;"), nc_errmsg(ctx));
	CHECK(nc_errkind(ctx) == NC_ERR_PERM, "kind PERM");
	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)me);
		if (unshare(CLONE_NEWUSER) || ns_write_file("/proc/self/setgroups", "deny") ||
		    ns_write_file("/proc/self/uid_map", map))
			_exit(2);
		diag_not_host_root(ctx, "set the clock", -EPERM);
		_exit(write(pfd[1], nc_errmsg(ctx), strlen(nc_errmsg(ctx))) > 0 ? 0 : 1);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	snprintf(map, sizeof(map), "(uid 0 here is uid %u on the host)", (unsigned)me);
	CHECK(has(msg, "the cell's root is not the host's root") && has(msg, map), msg);
	nc_ctx_free(ctx);
}

/**
 * ping_check() - run the doctor, return the "ping" check's status and text
 * @evidence:	its evidence, copied
 * @len:	size of @evidence
 *
 * Return: status, or -1 when there is no such check
 */
static int ping_check(char *evidence, size_t len)
{
	struct nc_ctx *ctx = nc_ctx_new();
	struct nc_check *c = NULL;
	size_t n = 0, i;
	int st = -1;

	if (nc_doctor(ctx, &c, &n) == 0)
		for (i = 0; i < n; i++)
			if (!strcmp(c[i].id, "ping")) {
				st = (int)c[i].status;
				snprintf(evidence, len, "%s", c[i].evidence);
			}
	free(c);
	nc_ctx_free(ctx);
	return st;
}

/**
 * test_ping_range() - the ping check follows net.ipv4.ping_group_range
 */
static void test_ping_range(void)
{
	char ev[512] = "";

	put("net/ipv4/ping_group_range", "1\t0");
	CHECK(ping_check(ev, sizeof(ev)) == NC_CHECK_WARN && has(ev, "is 1 0, which excludes your group"), ev);
	put("net/ipv4/ping_group_range", "0\t2147483647");
	CHECK(ping_check(ev, sizeof(ev)) == NC_CHECK_OK && has(ev, "includes your group"), ev);
	put("net/ipv4/ping_group_range", NULL);
	CHECK(ping_check(ev, sizeof(ev)) == NC_CHECK_WARN && has(ev, "cannot be read"), ev);
}

/**
 * test_doctor_shape() - nc_doctor() gives every check once, filled in
 */
static void test_doctor_shape(void)
{
	static const char *ids[] = { "context", "userns", "apparmor", "netns",
		"nftables", "libnftables", "wmem_max", "tun", "pasta", "slirp4netns", "ports", "ping",
		"xdg", "rundir", "subuid" };
	struct nc_ctx *ctx = nc_ctx_new();
	struct nc_check *c = NULL;
	size_t n = 0, i;

	put("user/max_user_namespaces", "100");
	put("user/max_net_namespaces", "100");
	put("net/core/wmem_max", "212992");
	put("net/ipv4/ip_unprivileged_port_start", "1024");
	put("net/ipv4/ping_group_range", "1\t0");
	put("kernel/apparmor_restrict_unprivileged_userns", "1");
	CHECK(nc_doctor(ctx, &c, &n) == 0, "nc_doctor");
	CHECK(n == ARRAY_SIZE(ids), "15 checks");
	for (i = 0; c && i < n && i < ARRAY_SIZE(ids); i++) {
		CHECK(!strcmp(c[i].id, ids[i]), ids[i]);
		CHECK(c[i].title[0] && c[i].evidence[0], c[i].id);
		CHECK(strlen(c[i].evidence) < sizeof(c[i].evidence) - 1, "evidence not truncated");
		CHECK(strlen(c[i].fix) < sizeof(c[i].fix) - 1, "fix not truncated");
		CHECK(!c[i].fix[0] == (c[i].status == NC_CHECK_OK), "a fix exactly when not OK");
	}
	CHECK(n > 5 && c[5].status == NC_CHECK_OK && has(c[5].evidence, "libnftables.so.1 loaded"), c ? c[5].evidence : "");
	CHECK(n > 6 && c[6].status == NC_CHECK_WARN && has(c[6].evidence, "416 KiB"), c ? c[6].evidence : "");
	CHECK(n > 2 && c[2].status == NC_CHECK_OK && has(c[2].evidence, "own attempt worked"), c ? c[2].evidence : "");
	free(c);
	nc_ctx_free(ctx);
}

/**
 * main() - run the diagnosis tests against a fake /proc/sys
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/nc-test-doctor.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	setenv("NETCELL_SYSROOT", root, 1);
	test_userns_causes();
	test_netns_causes();
	test_port_message();
	test_not_host_root();
	test_doctor_shape();
	test_ping_range();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		CHECK(0, "cleanup");
	return unit_done();
}
