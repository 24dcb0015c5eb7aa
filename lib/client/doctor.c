// SPDX-License-Identifier: MIT
/*
 * doctor.c - check every prerequisite of (rootless) cells, up front
 *
 * Theory of operation: nc_doctor() runs a fixed list of checks and returns
 * one struct nc_check per check: OK, WARN or FAIL, the evidence it read
 * (file or setting and value) and the exact fix.  Settings are read through
 * diag.c, the same code that explains a failing command, so `doctor` and an
 * error message never disagree; sysctls honour NETCELL_SYSROOT (tests).
 *
 * Settings alone can lie, so doctor also does the real thing in a throwaway
 * child (probe.c) and judges by how far it got.
 *
 * Run by root, doctor checks root's own path and, in a second child that
 * drops to uid 65534, what an ordinary user would get.  Problems that only
 * affect ordinary users are WARN for root, not FAIL: root's cells work.
 * Run as uid 0 inside a user namespace (a rootless cell), it says that this
 * root is not the host's root.
 */
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include "base/diag.h"
#include "base/paths.h"
#include "kernel/nftlib.h"
#include "client/docint.h"



/**
 * doc_add() - the next check
 * @d:		doctor run
 * @id:		stable identifier
 * @title:	what is checked
 *
 * Return: the check, zeroed but for @id and @title
 */
struct nc_check *doc_add(struct doc *d, const char *id, const char *title)
{
	struct nc_check *c = &d->c[d->n < DOC_MAX - 1 ? d->n++ : DOC_MAX - 1];

	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->title, sizeof(c->title), "%s", title);
	return c;
}

/**
 * doc_verdict() - set a check's status, fix and evidence
 * @c:		check
 * @status:	verdict
 * @fix:	the fix, "" when none
 * @fmt:	evidence format
 */
void doc_verdict(struct nc_check *c, enum nc_check_status status, const char *fix,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->evidence, sizeof(c->evidence), fmt, ap);
	va_end(ap);
	c->status = status;
	snprintf(c->fix, sizeof(c->fix), "%s", status == NC_CHECK_OK ? "" : fix);
}

/**
 * doc_for_users() - the status of a problem that only ordinary users have
 * @d:		doctor run
 * @s:		status for an ordinary user
 *
 * Return: @s, but WARN instead of FAIL for the host's root, whose cells work
 */
enum nc_check_status doc_for_users(const struct doc *d, enum nc_check_status s)
{
	return d->host_root && s == NC_CHECK_FAIL ? NC_CHECK_WARN : s;
}

/**
 * check_context() - who runs netcell, and whether its root is the host's
 * @d:		doctor run
 */
static void check_context(struct doc *d)
{
	struct nc_check *c = doc_add(d, "context", "who runs netcell");
	const char *cell = getenv("NETCELL_CELL");
	char fix[200];

	if (d->in_userns) {
		snprintf(fix, sizeof(fix), "run 'netcell doctor' on the host as uid %u to check the host; inside a cell, only the cell's network is yours to change",
			 (unsigned)d->host_uid);
		doc_verdict(c, d->uid == 0 ? NC_CHECK_WARN : NC_CHECK_OK, fix,
			"uid %u in a user namespace%s%s (uid %u on the host): %s",
			(unsigned)d->uid, cell ? ", in cell " : "", cell ? cell : "",
			(unsigned)d->host_uid,
			d->uid == 0 ? "root here is not the host's root; host settings below are as seen from here and cannot be changed from here" :
				      "the checks below are as seen from this namespace");
	} else if (d->host_root) {
		doc_verdict(c, NC_CHECK_OK, "", "root on the host%s%s: root cells are named network namespaces; problems that only ordinary users have are WARN",
			cell ? ", in cell " : "", cell ? cell : "");
	} else {
		doc_verdict(c, NC_CHECK_OK, "", "uid %u (%s) on the host%s%s: rootless mode, cells live in the user's own user namespace",
			(unsigned)d->uid, d->user, cell ? ", in cell " : "",
			cell ? cell : "");
	}
}

/**
 * check_userns() - may an ordinary user create a user namespace
 * @d:		doctor run
 */
static void check_userns(struct doc *d)
{
	struct nc_check *c = doc_add(d, "userns", "unprivileged user namespaces");
	const struct probe *pr = &d->users;
	struct diag_finding clone = { 0 }, max = { 0 }, why = { 0 };
	char who[64];

	diag_userns_clone(&clone);
	diag_max_userns(&max);
	probe_who(pr, who, sizeof(who));
	if (pr->stage == PROBE_SETUP) {
		doc_verdict(c, NC_CHECK_WARN, "run 'netcell doctor' as that user to test it",
			"%s; %s; could not test: %s", clone.evidence,
			max.evidence, pr->msg);
	} else if (pr->stage == PROBE_USERNS) {
		if (!diag_userns_cause(pr->err, &why))
			snprintf(why.fix, sizeof(why.fix), "no setting explains it: look for a seccomp filter or security module that forbids user namespaces (a container runtime, systemd's RestrictNamespaces=, the kernel log)");
		doc_verdict(c, doc_for_users(d, NC_CHECK_FAIL), why.fix,
			"creating one as %s failed: %s; %s", who,
			strerror(-pr->err), why.blocks ? why.evidence : max.evidence);
	} else {
		doc_verdict(c, NC_CHECK_OK, "", "%s; %s; creating one as %s worked",
			clone.evidence, max.evidence, who);
	}
}

/**
 * check_apparmor() - Ubuntu's restriction on unprivileged user namespaces
 * @d:		doctor run
 *
 * The setting alone does not decide: a profile may allow netcell.  It is
 * FAIL only when the probe's namespaces failed too.
 */
static void check_apparmor(struct doc *d)
{
	struct nc_check *c = doc_add(d, "apparmor", "AppArmor restriction on user namespaces");
	const struct probe *pr = &d->users;
	struct diag_finding f = { 0 };

	diag_apparmor_userns(&f);
	if (!f.blocks)
		doc_verdict(c, NC_CHECK_OK, "", "%s", f.evidence);
	else if (pr->stage == PROBE_USERNS || pr->stage == PROBE_NETNS)
		doc_verdict(c, doc_for_users(d, NC_CHECK_FAIL), f.fix,
			"%s, and netcell's own attempt failed: %s", f.evidence,
			strerror(-pr->err));
	else if (pr->stage == PROBE_SETUP)
		doc_verdict(c, NC_CHECK_WARN, f.fix, "%s; could not test whether a profile allows netcell: %s",
			f.evidence, pr->msg);
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s, but netcell's own attempt worked (a profile allows it)",
			f.evidence);
}

/**
 * check_netns() - may the caller create a network namespace
 * @d:		doctor run
 */
static void check_netns(struct doc *d)
{
	struct nc_check *c = doc_add(d, "netns", "network namespaces");
	const struct probe *pr = &d->own;
	struct diag_finding f = { 0 }, why = { 0 };

	diag_max_netns(&f);
	if (f.blocks)
		doc_verdict(c, NC_CHECK_FAIL, f.fix, "%s", f.evidence);
	else if (pr->stage < PROBE_NETNS)
		doc_verdict(c, NC_CHECK_WARN, "fix the user namespace first (see userns)",
			"%s; not tested: no user namespace to make it in", f.evidence);
	else if (pr->stage == PROBE_NETNS && diag_netns_cause(pr->err, &why))
		doc_verdict(c, NC_CHECK_FAIL, why.fix, "creating one failed: %s; %s",
			strerror(-pr->err), why.evidence);
	else if (pr->stage == PROBE_NETNS)
		doc_verdict(c, NC_CHECK_FAIL, "no setting explains it: look for a seccomp filter or security module that forbids namespaces (the kernel log)",
			"%s; creating one failed: %s", f.evidence, strerror(-pr->err));
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s; creating one worked", f.evidence);
}

/**
 * check_nft() - does nf_tables answer inside a namespace the caller owns
 * @d:		doctor run
 */
static void check_nft(struct doc *d)
{
	struct nc_check *c = doc_add(d, "nftables", "nftables in a user-owned network namespace");
	const struct probe *pr = &d->own;
	const char *fix = pr->err == -EPERM || pr->err == -EACCES ?
		"a security module or seccomp filter refuses nftables to the namespace's root; see the kernel log" :
		"load nf_tables as root: modprobe nf_tables; to load it at boot: echo nf_tables >/etc/modules-load.d/netcell.conf";

	if (pr->stage < PROBE_NFT)
		doc_verdict(c, NC_CHECK_WARN, "fix the namespaces first (see userns, netns)",
			"not tested: no namespace to test in");
	else if (pr->stage == PROBE_NFT)
		doc_verdict(c, NC_CHECK_FAIL, fix, "in a new network namespace%s, nf_tables did not answer: %s",
			d->host_root ? "" : " owned by the user's own user namespace",
			pr->msg);
	else if (d->host_root && d->users.stage == PROBE_NFT)
		doc_verdict(c, NC_CHECK_WARN, fix, "root: nf_tables answered; as uid %d in its own namespaces: %s",
			PROBE_NOBODY, d->users.msg);
	else
		doc_verdict(c, NC_CHECK_OK, "", "nf_tables answered in a new network namespace%s (a cell's firewall works)",
			d->host_root ? "" : " owned by the user's own user namespace");
}

/**
 * check_nftlib() - does libnftables load (it is opened when first needed,
 * base/dynlib.c, so a missing or broken one shows only there)
 * @d:		doctor run
 */
static void check_nftlib(struct doc *d)
{
	struct nc_check *c = doc_add(d, "libnftables", "the nftables library (firewalls, port tables)");

	if (nftlib_load())
		doc_verdict(c, NC_CHECK_FAIL, "apt-get install --reinstall libnftables1",
			"%s", nftlib_error());
	else
		doc_verdict(c, NC_CHECK_OK, "", "libnftables.so.1 loaded");
}

/**
 * check_wmem() - the largest netlink transaction a rootless user can send
 * @d:		doctor run
 *
 * An unprivileged socket may raise SO_SNDBUF only up to net.core.wmem_max
 * (the kernel doubles the value); one nftables transaction is one
 * sendmsg(), so a ruleset larger than that fails with EMSGSIZE unless
 * netcell splits it (nftsplit.c).
 */
static void check_wmem(struct doc *d)
{
	struct nc_check *c = doc_add(d, "wmem_max", "largest netlink transaction");
	long v;
	int ret = diag_read_sysctl("net.core.wmem_max", &v);

	if (ret) {
		doc_verdict(c, NC_CHECK_WARN, "read it on the host: sysctl net.core.wmem_max",
			"net.core.wmem_max cannot be read (%s)", strerror(-ret));
		return;
	}
	doc_verdict(c, v < 1024 * 1024 ? NC_CHECK_WARN : NC_CHECK_OK,
		"raise it, as root: sysctl -w net.core.wmem_max=4194304, and put 'net.core.wmem_max = 4194304' in /etc/sysctl.d/99-netcell.conf to keep it",
		"net.core.wmem_max is %ld: %sa rootless netlink socket takes at most %ld KiB, so one nftables transaction up to that size goes in at once; netcell loads larger rulesets in steps with one atomic switch",
		v, d->host_root ? "root is not limited by it; " : "", v * 2 / 1024);
}

/**
 * check_tun() - can the caller open /dev/net/tun (pasta and slirp4netns
 *		 give rootless cells their uplink through a tap device)
 * @d:		doctor run
 */
static void check_tun(struct doc *d)
{
	struct nc_check *c = doc_add(d, "tun", "/dev/net/tun");
	struct diag_finding f = { 0 };
	struct stat st;

	if (diag_tun(&f))
		doc_verdict(c, doc_for_users(d, NC_CHECK_FAIL), f.fix,
			"%s; rootless cells get no uplink", f.evidence);
	else if (d->host_root && !stat("/dev/net/tun", &st) &&
		 (st.st_mode & 0006) != 0006)
		doc_verdict(c, NC_CHECK_WARN, "as root: chmod 0666 /dev/net/tun; to keep it, put KERNEL==\"tun\", MODE=\"0666\" in /etc/udev/rules.d/60-netcell-tun.rules",
			"%s; ordinary users cannot open it, so their cells get no uplink",
			f.evidence);
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s", f.evidence);
}

/**
 * check_tool() - is an uplink helper installed
 * @d:		doctor run
 * @id:		check id
 * @prog:	program
 * @pkg:	Debian package
 * @other:	the alternative program
 */
static void check_tool(struct doc *d, const char *id, const char *prog,
		       const char *pkg, const char *other)
{
	char title[96], path[PATH_MAX], alt[PATH_MAX], fix[128];
	struct nc_check *c;

	snprintf(title, sizeof(title), "%s (package %s)", prog, pkg);
	c = doc_add(d, id, title);
	snprintf(fix, sizeof(fix), "install it, as root: apt-get install %s", pkg);
	if (paths_which(prog, path, sizeof(path)))
		doc_verdict(c, NC_CHECK_OK, "", "%s", path);
	else if (!paths_which(other, alt, sizeof(alt)))
		doc_verdict(c, doc_for_users(d, NC_CHECK_FAIL), fix,
			"neither %s nor %s is in PATH: rootless cells get no uplink and cannot publish ports",
			prog, other);
	else if (!strcmp(prog, "pasta"))
		doc_verdict(c, NC_CHECK_WARN, fix, "%s is not in PATH; only %s is, which is slower", prog, alt);
	else
		doc_verdict(c, NC_CHECK_OK, "", "%s is not in PATH; not needed while %s is there", prog, alt);
}

/**
 * check_pasta() - pasta, the preferred uplink helper
 * @d:		doctor run
 */
static void check_pasta(struct doc *d)
{
	check_tool(d, "pasta", "pasta", "passt", "slirp4netns");
}

/**
 * check_slirp() - slirp4netns, the older uplink helper
 * @d:		doctor run
 */
static void check_slirp(struct doc *d)
{
	check_tool(d, "slirp4netns", "slirp4netns", "slirp4netns", "pasta");
}

/**
 * check_ports() - which host ports an ordinary user can publish
 * @d:		doctor run
 */
static void check_ports(struct doc *d)
{
	struct nc_check *c = doc_add(d, "ports", "publishing host ports");
	long v;
	int ret = diag_read_sysctl("net.ipv4.ip_unprivileged_port_start", &v);

	if (ret)
		doc_verdict(c, NC_CHECK_WARN, "read it on the host: sysctl net.ipv4.ip_unprivileged_port_start",
			"net.ipv4.ip_unprivileged_port_start cannot be read (%s)",
			strerror(-ret));
	else
		doc_verdict(c, NC_CHECK_OK, "",
			"net.ipv4.ip_unprivileged_port_start is %ld: %sordinary users can publish host ports %ld and up; for lower ones: sysctl -w net.ipv4.ip_unprivileged_port_start=80 as root, or publish a high port such as 8080:80",
			v, d->host_root ? "root can publish any port; " : "", v);
}

/**
 * check_ping() - may the uplink answer a cell's ICMP echo (ping)
 * @d:		doctor run
 *
 * pasta turns a cell's echo requests into the host's ping sockets
 * (SOCK_DGRAM, IPPROTO_ICMP), which the kernel allows to the groups in
 * net.ipv4.ping_group_range only; TCP and UDP do not depend on it.
 */
static void check_ping(struct doc *d)
{
	struct nc_check *c = doc_add(d, "ping", "ICMP echo from cells");
	long r[2], gid = (long)getgid();

	if (diag_read_sysctl_n("net.ipv4.ping_group_range", r, 2))
		doc_verdict(c, NC_CHECK_WARN, "read it on the host: sysctl net.ipv4.ping_group_range",
			"net.ipv4.ping_group_range cannot be read");
	else if (r[0] <= gid && gid <= r[1])
		doc_verdict(c, NC_CHECK_OK, "",
			"net.ipv4.ping_group_range is %ld %ld, which includes your group %ld: ping works from cells through pasta",
			r[0], r[1], gid);
	else
		doc_verdict(c, NC_CHECK_WARN,
			"as root: sysctl -w net.ipv4.ping_group_range='0 2147483647' (TCP and UDP work without it)",
			"net.ipv4.ping_group_range is %ld %ld, which excludes your group %ld: ping from cells gets no answer through pasta",
			r[0], r[1], gid);
}

/**
 * subid_entry() - the caller's line in /etc/subuid or /etc/subgid
 * @file:	the file
 * @user:	login name
 * @uid:	the uid, which may stand for the name (in both files)
 * @line:	the entry when found
 * @len:	size of @line
 *
 * Return: 1 when an entry was found, else 0
 */
static int subid_entry(const char *file, const char *user, unsigned uid,
		       char *line, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char num[16];
	size_t ul = strlen(user), nl;

	nl = (size_t)snprintf(num, sizeof(num), "%u", uid);
	while (f && fgets(line, (int)len, f)) {
		line[strcspn(line, "\n")] = '\0';
		if ((!strncmp(line, user, ul) && line[ul] == ':') ||
		    (!strncmp(line, num, nl) && line[nl] == ':'))
			return 1;
	}
	line[0] = '\0';
	return 0;
}

/**
 * check_subuid() - subordinate ids, needed only to map several uids
 * @d:		doctor run
 */
static void check_subuid(struct doc *d)
{
	struct nc_check *c = doc_add(d, "subuid", "/etc/subuid and /etc/subgid");
	char u[128], g[128], fix[256];
	int hu, hg;

	if (d->host_root) {
		doc_verdict(c, NC_CHECK_OK, "", "not needed by root");
		return;
	}
	hu = subid_entry("/etc/subuid", d->user, (unsigned)d->host_uid, u, sizeof(u));
	hg = subid_entry("/etc/subgid", d->user, (unsigned)d->host_uid, g, sizeof(g));
	snprintf(fix, sizeof(fix), "as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s (pick a range no other user has)",
		 d->user);
	if (hu && hg)
		doc_verdict(c, NC_CHECK_OK, "", "/etc/subuid: %s; /etc/subgid: %s", u, g);
	else
		doc_verdict(c, NC_CHECK_WARN, fix, "no entry for %s in %s: only features that map several uids into a cell need one; plain cells do not",
			d->user, !hu && !hg ? "/etc/subuid and /etc/subgid" : !hu ? "/etc/subuid" : "/etc/subgid");
}

/**
 * doc_init() - who is asking, and the probes
 * @d:		doctor run, with @c allocated
 */
static void doc_init(struct doc *d)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	d->uid = getuid();
	d->in_userns = diag_host_uid(d->uid, &d->host_uid);
	d->host_root = d->uid == 0 && !d->in_userns;
	if (!getpwuid_r(d->host_uid, &pw, pwbuf, sizeof(pwbuf), &res) && res)
		snprintf(d->user, sizeof(d->user), "%s", pw.pw_name);
	else
		snprintf(d->user, sizeof(d->user), "%u", (unsigned)d->host_uid);
	fflush(NULL);
	probe_run(&d->own, 0);
	if (d->host_root)
		probe_run(&d->users, 1);
	else
		d->users = d->own;
}

/* the checks, in the order they are reported */
static void (*const doc_checks[])(struct doc *d) = {
	check_context, check_userns, check_apparmor, check_netns, check_nft,
	check_nftlib, check_wmem, check_tun, check_pasta, check_slirp, check_ports,
	check_ping, check_xdg, check_rundir, check_subuid,
};

/**
 * nc_doctor() - check every prerequisite of cells for the caller
 * @ctx:	context
 * @checks:	array of results, to be freed with free()
 * @n:		number of results
 *
 * A failed check is a result, not an error: the call fails only when it
 * cannot run at all.
 *
 * Return: 0, or -ENOMEM with a message
 */
int nc_doctor(struct nc_ctx *ctx, struct nc_check **checks, size_t *n)
{
	struct doc d = { 0 };
	size_t i;

	*checks = NULL;
	*n = 0;
	d.c = calloc(DOC_MAX, sizeof(*d.c));
	if (!d.c)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	doc_init(&d);
	for (i = 0; i < ARRAY_SIZE(doc_checks); i++)
		doc_checks[i](&d);
	*checks = d.c;
	*n = d.n;
	return 0;
}
