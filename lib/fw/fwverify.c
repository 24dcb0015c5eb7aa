// SPDX-License-Identifier: MIT
/*
 * fwverify.c - is a cell's live ruleset the generation that was loaded
 *
 * Theory of operation: fw apply promises that the generation in force is
 * the cell's whole ruleset.  It does not take that on trust: the
 * generation is first loaded into a throwaway namespace by the very same
 * loader, and the three views of the result (fwsnap.c: nft's listing,
 * iptables-save, ip6tables-save, with what traffic changes taken out) are
 * kept beside the generation as G.live-nft, -v4, -v6.  Right after the
 * load into the cell, in the same child, the cell's views are taken and
 * compared.  A difference means the cell does not hold what netcell would
 * record: fw apply then puts the generation on record back and says where
 * the two differ, rather than report success.  A rollback compares with the
 * views kept when its generation was applied.
 *
 * Outside nftables: rules loaded with iptables-legacy live in the kernel's
 * x_tables, which no nft transaction touches.  When a cell has any, the
 * apply succeeds (they are not netcell's to remove) and a notice names
 * them and how to remove them, so the user is never told the generation is
 * the whole ruleset while legacy rules still filter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/store.h"
#include "fw/fwsnap.h"
#include "fw/fwsnapcut.h"
#include "fw/fwsnapdiff.h"
#include "fw/fwverify.h"
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "kernel/tool.h"

/* G.live-nft, G.live-v4, G.live-v6: never *.nft, which names generations */
static const char *const view_ext[3] = { "-nft", "-v4", "-v6" };

/**
 * view_path() - EXPECT-EXT
 * @expect:	base path
 * @i:		view: 0 nft, 1 v4, 2 v6
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
static char *view_path(const char *expect, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", expect, view_ext[i]);
	return buf;
}

/**
 * seen_now() - this namespace's identity and nf_tables generation
 * @buf:	"INODE GENID"
 * @len:	size of @buf
 *
 * Return: 0, or -errno when either cannot be read
 */
static int seen_now(char *buf, size_t len)
{
	struct stat st;
	unsigned gen;

	if (stat("/proc/self/ns/net", &st) || nft_genid(&gen))
		return -EIO;
	snprintf(buf, len, "%llu %u\n", (unsigned long long)st.st_ino, gen);
	return 0;
}

/**
 * stamp() - note that this namespace, as it is now, holds the views
 * @expect:	their base path (EXPECT-seen is written)
 *
 * Any nf_tables transaction moves the generation, so a later check that
 * finds the same namespace at the same generation needs no listing.
 */
static void stamp(const char *expect)
{
	char now[64], path[PATH_MAX];

	if (!seen_now(now, sizeof(now))) {
		snprintf(path, sizeof(path), "%s-seen", expect);
		store_write_atomic(path, now, strlen(now));
	}
}

/**
 * unchanged_since() - is this namespace as it was when it last held the views
 * @expect:	their base path
 *
 * Return: 1 if so (same namespace, no nf_tables transaction since), else 0
 */
static int unchanged_since(const char *expect)
{
	char now[64], then[64] = "", path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s-seen", expect);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(then, sizeof(then), f))
		then[0] = '\0';
	fclose(f);
	return then[0] && !seen_now(now, sizeof(now)) && !strcmp(now, then);
}

/**
 * fw_expect_remove() - remove a generation's expected views
 * @expect:	base path
 */
void fw_expect_remove(const char *expect)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < 3; i++)
		unlink(view_path(expect, i, path, sizeof(path)));
	snprintf(path, sizeof(path), "%s-seen", expect);
	unlink(path);
}

/**
 * read_views() - the expected views kept for a generation
 * @expect:	base path
 * @s:		result (fw_snap_free() it)
 *
 * Return: 0, -ENOENT when none were kept, -errno
 */
static int read_views(const char *expect, struct fw_snap *s)
{
	char *v[3] = { NULL, NULL, NULL }, path[PATH_MAX];
	int i, fd, ret = 0;

	for (i = 0; !ret && i < 3; i++) {
		fd = open(view_path(expect, i, path, sizeof(path)), O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			break;
		}
		fd_read_grow(fd, &v[i]);
		close(fd);
		if (!v[i])
			ret = -EIO;
	}
	s->nft = v[0];
	s->v4 = v[1];
	s->v6 = v[2];
	return ret;
}

/**
 * legacy_rules() - rules this namespace holds in iptables-legacy's x_tables
 * @names:	out: " table/ip6:table " of the tables that hold any
 * @len:	size of @names
 *
 * A table is listed when it has a rule or a chain policy that is not
 * ACCEPT: x_tables instantiates empty tables by merely being asked.
 *
 * Return: the number of rules found (0 also when unknown)
 */
static unsigned legacy_rules(char *names, size_t len)
{
	static const char *const procf[2] = { "/proc/self/net/ip_tables_names",
					      "/proc/self/net/ip6_tables_names" };
	static const char *const save[2] = { "iptables-legacy-save", "ip6tables-legacy-save" };
	char line[512], table[64] = "", tmp[] = "/tmp/netcell-legacy-XXXXXX", e[256];
	unsigned n = 0, here;
	size_t off = 0;
	int i, fd, busy;
	FILE *f;

	names[0] = '\0';
	for (i = 0; i < 2; i++) {
		const char *argv[] = { save[i], NULL };

		f = fopen(procf[i], "re");
		busy = f && fgets(line, sizeof(line), f);
		if (f)
			fclose(f);
		if (!busy || (fd = mkstemp(tmp)) < 0)
			continue;
		close(fd);
		if (!tool_run(argv, NULL, tmp, e, sizeof(e)) && (f = fopen(tmp, "re"))) {
			here = 0;
			while (fgets(line, sizeof(line), f)) {
				if (line[0] == '*') {
					snprintf(table, sizeof(table), "%.*s", (int)strcspn(line + 1, "\n"),
						 line + 1);
					here = 0;
				}
				if (!strncmp(line, "-A ", 3) ||
				    (line[0] == ':' && !strstr(line, " ACCEPT ") && !strstr(line, " - ")))
					if (!here++ && off + strlen(table) + 6 < len)
						off += (size_t)snprintf(names + off, len - off, " %s%s",
									i ? "ip6:" : "", table);
				n += !strncmp(line, "-A ", 3);
			}
			fclose(f);
		}
		unlink(tmp);
		snprintf(tmp, sizeof(tmp), "/tmp/netcell-legacy-XXXXXX");
	}
	return n || names[0] ? (n ? n : 1) : 0;
}

/**
 * legacy_notice() - a notice naming iptables-legacy rules of this namespace
 * @out:	the notice is appended here
 * @len:	size of @out
 */
static void legacy_notice(char *out, size_t len)
{
	char legacy[256];
	unsigned n = legacy_rules(legacy, sizeof(legacy));
	size_t l = strlen(out);

	if (n)
		snprintf(out + l, len - l,
			 FW_NOTICE "the cell also has %u iptables-legacy rule(s) (tables:%s), which nftables does not hold and no generation changes; remove them with 'iptables-legacy -F' and 'iptables-legacy -X' (ip6tables-legacy likewise) inside the cell, or load them into a generation with fw stage\n",
			 n, legacy);
}

/**
 * describe() - where two views differ, in words
 * @want:	the generation's views
 * @got:	the cell's (cut to @want's tables with @only)
 * @only:	the host: only the tables the generation defines are its
 * @out:	the words
 * @len:	size of @out
 *
 * Return: 0 equal, 1 different, -ENOMEM
 */
static int describe(const struct fw_snap *want, struct fw_snap *got, int only, char *out,
		    size_t len)
{
	char what[32], la[201], lb[201];
	unsigned line = 0;
	int ret = only ? fw_snap_only(got, want) : 0;

	if (!ret)
		ret = fw_snap_diff(want, got, 0, what, sizeof(what), la, lb, sizeof(la), &line);

	if (ret == 1)
		snprintf(out, len, "%s, line %u: the generation is \"%s\", the %s holds \"%s\"",
			 what, line, la, only ? "host" : "cell", lb);
	return ret;
}

/**
 * fw_verify_in_ns() - after a load, in its namespace: keep the views
 * (a throwaway namespace, or the cell's for the caller to compare) or
 * compare the live ones with those kept
 * @expect:	base path of the views ("" for none)
 * @mode:	FW_EXPECT_WRITE, FW_EXPECT_TAKE (WRITE, in a cell) or
 *		FW_EXPECT_CHECK
 * @only:	the host: compare only the tables the generation defines
 * @out:	a difference, or notices (FW_NOTICE ...) on success
 * @len:	size of @out
 *
 * Return: 0, -EPROTO when the live ruleset differs (@out says where), or
 * -errno when the views could not be kept or taken
 */
int fw_verify_in_ns(const char *expect, enum fw_expect mode, int only, char *out, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct fw_snap want = { 0 }, live = { 0 };
	int ret, i;

	if (!expect[0] || mode == FW_EXPECT_NONE)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s-save", expect);
	ret = fw_snap_take(tmp, 1, &live, out, len);
	if (!ret && mode != FW_EXPECT_CHECK) {
		const char *v[3] = { live.nft, live.v4, live.v6 };

		for (i = 0; !ret && i < 3; i++)
			ret = store_write_atomic(view_path(expect, i, path, sizeof(path)), v[i],
						 strlen(v[i]));
		if (ret)
			snprintf(out, len, "cannot keep the ruleset's views: %s", strerror(-ret));
	} else if (!ret) {
		ret = read_views(expect, &want);
		if (ret == -ENOENT) {
			ret = 0;
			snprintf(out, len, FW_NOTICE "this generation was recorded before netcell compared a cell's live ruleset with it: loaded, not compared\n");
		} else if (!ret && describe(&want, &live, only, out, len) == 1) {
			ret = -EPROTO;
		}
	}
	if (!ret && mode != FW_EXPECT_WRITE) {
		stamp(expect);	/* TAKE: the caller keeps it if the views agree */
		if (!only)	/* the host's legacy rules are other tools' */
			legacy_notice(out, len);
	}
	fw_snap_free(&want);
	fw_snap_free(&live);
	return ret;
}

/**
 * fw_views_diff() - compare two kept sets of views (no namespace needed)
 * @want:	base path of the generation's views
 * @got:	base path of the cell's
 * @only:	the host: compare only the tables the generation defines
 * @out:	where they differ
 * @len:	size of @out
 *
 * Return: 0 equal, 1 different, -errno when either cannot be read
 */
int fw_views_diff(const char *want, const char *got, int only, char *out, size_t len)
{
	struct fw_snap a = { 0 }, b = { 0 };
	int ret = read_views(want, &a);

	if (!ret)
		ret = read_views(got, &b);
	if (!ret)
		ret = describe(&a, &b, only, out, len);
	fw_snap_free(&a);
	fw_snap_free(&b);
	return ret;
}

/**
 * fw_views_link() - give a generation the views another one with the same
 * files has (a ruleset applied again needs no second load to know them)
 * @from:	base path of the kept views
 * @to:		base path for the new generation
 *
 * Return: 0 or -errno (nothing linked)
 */
int fw_views_link(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	for (i = 0; i < 3; i++) {
		unlink(view_path(to, i, b, sizeof(b)));
		if (link(view_path(from, i, a, sizeof(a)), b)) {
			int e = -errno;

			fw_expect_remove(to);
			return e;
		}
	}
	return 0;
}

/**
 * fw_drift_in_ns() - incell_fn: has the cell's ruleset changed since its
 * generation was applied (a rule added inside the cell, a table removed)
 * @arg:	struct fw_drift: the generation's expected views' base path,
 *		and whether only its own tables count (the host)
 * @out:	where the two differ
 * @len:	size of @out
 *
 * Return: 0 when the cell holds its generation, 1 when it does not (@out
 * says where), -ENOENT when no views were kept for it, -errno
 */
int fw_drift_in_ns(void *arg, char *out, size_t len)
{
	const struct fw_drift *d = arg;
	const char *expect = d->expect;
	char tmp[PATH_MAX], what[32], la[201], lb[201];
	struct fw_snap want = { 0 }, live = { 0 };
	unsigned line = 0;
	int ret;

	if (unchanged_since(expect))
		return 0;	/* no transaction since it was seen to hold them */
	ret = read_views(expect, &want);
	snprintf(tmp, sizeof(tmp), "%s-save", expect);
	if (!ret)
		ret = fw_snap_take(tmp, 1, &live, out, len);
	if (!ret && d->only)	/* the host: other tools' tables are theirs */
		ret = fw_snap_only(&live, &want);
	if (!ret)
		ret = fw_snap_diff(&want, &live, 0, what, sizeof(what), la, lb, sizeof(la), &line);
	if (!ret)
		stamp(expect);
	if (ret == 1)
		snprintf(out, len, "%s, line %u: the generation has \"%s\", the %s \"%s\"",
			 what, line, la, d->only ? "host" : "cell", lb);
	fw_snap_free(&want);
	fw_snap_free(&live);
	return ret;
}
