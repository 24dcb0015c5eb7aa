// SPDX-License-Identifier: MIT
/*
 * stageout.c - fw stage's result: the ruleset the script built, as one
 * file that fw apply takes, checked by loading it again
 *
 * Theory of operation: after the script (stage.c), the scratch namespace
 * holds what it built.  Three views of it are taken: nft's listing, and
 * iptables-save and ip6tables-save (which hold what nft cannot say: the
 * iptables extensions nft lists only as "xt match ...", -m comment texts).
 * The output is written in the format asked for:
 *  - default (NC_FW_AUTO): nft syntax for the tables nft made, and the
 *    tables iptables made in iptables-restore syntax, in sections after a
 *    "# netcell: iptables-restore" and a "# netcell: ip6tables-restore"
 *    line; iptables keeps working on them once applied;
 *  - NC_FW_NFT: everything in nft syntax, refused where that loses
 *    something (-m comment) and said where iptables cannot read it back;
 *  - NC_FW_IPTABLES: iptables-save sections only, refused when nft made
 *    tables that syntax cannot hold.
 * Then the output is loaded, by the same code as fw apply, into a fresh
 * network namespace, the three views are taken again and compared with the
 * first (counters aside).  Output that does not load, or loads into
 * anything else, is never given out: the stage fails and says where.
 */
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fw/fwgen.h"
#include "fw/fwsnap.h"
#include "fw/fwsnapcut.h"
#include "fw/fwsnapdiff.h"
#include "kernel/nft.h"
#include "fw/stage.h"
#include "fw/stagelog.h"
#include "base/store.h"

/**
 * compose() - the output file in the format asked for
 * @dir:	stage directory
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @b:		what the script built
 * @err:	why it cannot be written so
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int compose(const char *dir, enum nc_fw_format format, const struct fw_snap *b,
		   char *err, size_t len)
{
	char t4[1024], t6[1024], path[PATH_MAX], note[1024];
	_cleanup_free_ char *text = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);
	int others, ipt;

	if (!f)
		return -ENOMEM;
	fw_ipt_tables(b->v4, t4, sizeof(t4));
	fw_ipt_tables(b->v6, t6, sizeof(t6));
	ipt = strlen(t4) > 1 || strlen(t6) > 1;
	if (format == NC_FW_IPTABLES) {
		others = fw_nft_without(b->nft, t4, t6, NULL);
		fprintf(f, "%s%s%s", b->v4, FW_IP6_MARK, b->v6);
	} else if (format == NC_FW_NFT || !ipt) {
		fprintf(f, "flush ruleset\n%s", b->nft);
		others = 0;
	} else {
		fputs("flush ruleset\n", f);
		others = fw_nft_without(b->nft, t4, t6, f);
		fprintf(f, "%s%s%s%s", FW_IP4_MARK, b->v4, FW_IP6_MARK, b->v6);
	}
	fclose(f);
	if (format == NC_FW_IPTABLES && others) {
		snprintf(err, len, "the script made %d table(s) with nft, which iptables-save syntax cannot hold; stage without --format iptables (nft syntax with iptables sections) or --format nft",
			 others);
		return -EINVAL;
	}
	if (format == NC_FW_NFT && (strstr(b->v4, "--comment") || strstr(b->v6, "--comment"))) {
		snprintf(err, len, "nft syntax cannot keep the comments of iptables rules (-m comment): stage without --format nft, which keeps the tables iptables made in iptables-restore syntax");
		return -EINVAL;
	}
	if (format == NC_FW_NFT && ipt) {
		snprintf(note, sizeof(note),
			 "the tables iptables made (IPv4:%s IPv6:%s) are written in nft syntax: once applied, iptables cannot list or change them; stage without --format nft to keep them in iptables-restore syntax",
			 t4, t6);
		store_write_atomic(stage_path(dir, "format-note", path, sizeof(path)), note, strlen(note));
	}
	return store_write_atomic(stage_path(dir, "out", path, sizeof(path)), text, tl);
}

/**
 * reload() - in a child, in a fresh network namespace: load the output as
 * fw apply would and take the three views of the result
 * @dir:	stage directory
 *
 * The views go to STAGE/re.nft, re.v4, re.v6, nft's JSON listing to
 * re.json; a load error to re.err.
 */
static void __attribute__((noreturn)) reload(const char *dir)
{
	char path[PATH_MAX], vdir[PATH_MAX], err[STAGE_ERR] = "";
	_cleanup_free_ char *text = NULL;
	struct fw_job job = { 0 };
	struct fw_snap s = { 0 };
	size_t l;
	int ret;

	text = stage_read_file(stage_path(dir, "out", path, sizeof(path)), &l);
	stage_path(dir, "verify", vdir, sizeof(vdir));
	if (!text || unshare(CLONE_NEWNET) || (mkdir(vdir, 0700) && errno != EEXIST))
		_exit(3);
	fw_remove_gen(vdir, 1);
	if (fw_find_mark(text, FW_IP4_MARK) || fw_find_mark(text, FW_IP6_MARK)) {
		ret = fw_split_combined(vdir, 1, "the staged output", text, &job);
	} else {
		job.format = NC_FW_NFT;
		snprintf(job.file[0], sizeof(job.file[0]), "%s", path);
		snprintf(job.shown[0], sizeof(job.shown[0]), "the staged output");
		ret = 0;
	}
	job.fresh = 1;	/* a new namespace: nothing to put back on failure */
	if (!ret)
		ret = fw_job_in_ns(&job, err, sizeof(err));
	if (!ret)
		ret = fw_snap_take(stage_path(dir, "save", vdir, sizeof(vdir)), 0, &s, err, sizeof(err));
	if (ret) {
		store_write_atomic(stage_path(dir, "re.err", path, sizeof(path)), err, strlen(err));
		_exit(1);
	}
	store_write_atomic(stage_path(dir, "re.nft", path, sizeof(path)), s.nft, strlen(s.nft));
	store_write_atomic(stage_path(dir, "re.v4", path, sizeof(path)), s.v4, strlen(s.v4));
	store_write_atomic(stage_path(dir, "re.v6", path, sizeof(path)), s.v6, strlen(s.v6));
	fw_snap_free(&s);
	if (nft_list_json(&s.nft))
		_exit(1);
	store_write_atomic(stage_path(dir, "re.json", path, sizeof(path)), s.nft, strlen(s.nft));
	_exit(0);
}

/**
 * xt_outside_ip() - did ebtables or arptables make a table with xtables
 * matches or targets (nft lists them as "xt match"/"xt target", which it
 * cannot read back)
 * @nft:	the listing of what the script built
 *
 * Return: 1 if so
 */
static int xt_outside_ip(const char *nft)
{
	const char *t = nft, *end;

	while (t && (t = strstr(t, "table "))) {
		end = strstr(t + 6, "\ntable ");
		if ((!strncmp(t + 6, "bridge ", 7) || !strncmp(t + 6, "arp ", 4))) {
			const char *x = strstr(t, " xt ");

			if (x && (!end || x < end))
				return 1;
		}
		t = end ? end + 1 : NULL;
	}
	return 0;
}

/**
 * nft_line() - the script line that most likely added nft's rule to a
 * table iptables made: the first naming "FAMILY NAME" after "nft" on the
 * line, else the first with "rule FAMILY NAME" or "table FAMILY NAME" (an
 * nft -f file or here-document)
 * @script:	script path
 * @table:	"FAMILY NAME"
 *
 * Return: line number, 0 when none
 */
static unsigned nft_line(const char *script, const char *table)
{
	_cleanup_free_ char *text = NULL;
	char rule[300], tab[300];
	unsigned n, pass, found = 0;
	const char *p;
	char *l, *nl;
	size_t len;

	snprintf(rule, sizeof(rule), "rule %s ", table);
	snprintf(tab, sizeof(tab), "table %s", table);
	for (pass = 0; pass < 2 && !found; pass++) {
		free(text);
		text = stage_read_file(script, &len);
		for (l = text, n = 1; l && *l && !found; l = nl ? nl + 1 : NULL, n++) {
			nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			p = strstr(l, "nft ");
			if (pass == 0 && p && strstr(p, table))
				found = n;
			else if (pass == 1 && (strstr(l, rule) || strstr(l, tab)))
				found = n;
		}
	}
	return found;
}

/**
 * lossy_table() - the message for a table that iptables made and nft
 * added a rule to that iptables-save cannot write
 * @script:	script path
 * @table:	"FAMILY NAME"
 * @la:		the rule as the script built it (nft's listing)
 * @lb:		as it loads back from iptables-save's text
 * @err:	message
 * @len:	size of @err
 *
 * Return: -EINVAL
 */
static int lossy_table(const char *script, const char *table, const char *la, const char *lb,
		       char *err, size_t len)
{
	unsigned line = nft_line(script, table);
	char where[PATH_MAX + 32];

	if (line)
		snprintf(where, sizeof(where), "%s:%u", script, line);
	else
		snprintf(where, sizeof(where), "%s", script);
	snprintf(err, len,
		 "%s: the script cannot be staged exactly: table %s holds rules iptables made and a rule nft added, \"%s\", which loads back from iptables-save's text as \"%s\"; put nft's rules in a table of nft's own (nft add table inet NAME) or write that rule with iptables",
		 where, table, la, lb);
	return -EINVAL;
}

/**
 * verify() - load the output into a fresh namespace and compare
 * @dir:	stage directory
 * @script:	the script (to name the line of a rule that cannot be written)
 * @format:	output format
 * @b:		what the script built
 * @bj:		its nft JSON listing
 * @lossy:	out: "FAMILY NAME" of a table iptables-save cannot write exactly
 * @llen:	size of @lossy
 * @err:	why not
 * @len:	size of @err
 * @format_unused:	output format
 * @b:		what the script built
 * @err:	why not
 * @len:	size of @err
 *
 * The tables nft made are compared in nft's listing, those iptables made
 * in iptables-save's (with --format nft, only that they load), and in
 * nft's listing too: iptables-save can give the same text for a rule nft
 * added to an iptables table (a set lookup it cannot parse and leaves out)
 * and for a table nft made with chains of other names.
 *
 * Return: 0, 1 (a table written in iptables-save syntax loads as another
 * ruleset: its name in @lossy, the message for the user in @err), -EINVAL
 */
static int verify(const char *dir, const char *script, enum nc_fw_format format,
		  const struct fw_snap *b, const char *bj, char *lossy, size_t llen, char *err,
		  size_t len)
{
	_cleanup_free_ char *why = NULL, *rj = NULL;
	char path[PATH_MAX], what[32], la[201], lb[201];
	struct fw_snap r = { 0 };
	int status = 0, ret = -EIO;
	unsigned line = 0;
	size_t l = 0;
	pid_t pid;

	unlink(stage_path(dir, "re.err", path, sizeof(path)));
	pid = fork();
	if (pid == 0)
		reload(dir);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -ECHILD;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		why = stage_read_file(stage_path(dir, "re.err", path, sizeof(path)), &l);
		snprintf(err, len, "the ruleset the script built cannot be written in %s syntax: it does not load again:\n%s%s%s",
			 format == NC_FW_NFT ? "nft" : format == NC_FW_IPTABLES ? "iptables-save" :
			 "netcell's", why && l ? why : "(no error text)",
			 xt_outside_ip(b->nft) ?
			 "\nebtables and arptables rules (tables of family bridge or arp) are written as nft text, which cannot hold the xtables matches they use: write those rules with nft in the script (nft add rule bridge filter ...), or keep them out of the staged firewall" : "",
			 why && strstr(why, "-m set") && strstr(why, "doesn't exist") ?
			 "\nthe rule matches an ipset set: ipset sets are kernel objects of their own, not part of a ruleset, so no ruleset file can carry them (and fw apply checks a file in a namespace of its own, where the set would not exist): use an nft set in the script instead (nft add set inet t blk '{ type ipv4_addr; }'; nft add element inet t blk '{ 192.0.2.1 }'; nft add rule inet t input ip saddr @blk drop)" : "");
		return -EINVAL;
	}
	r.nft = stage_read_file(stage_path(dir, "re.nft", path, sizeof(path)), &l);
	r.v4 = stage_read_file(stage_path(dir, "re.v4", path, sizeof(path)), &l);
	r.v6 = stage_read_file(stage_path(dir, "re.v6", path, sizeof(path)), &l);
	/* a table written in nft syntax that iptables-save can read is
	 * compared in nft's listing, as the script's is */
	if (r.nft && r.v4 && r.v6 && !fw_snap_cut_ipt(&r, b))
		/* with --format nft, nft renders the tables iptables made in
		 * other words once loaded from nft syntax: only that they load */
		ret = fw_snap_diff(b, &r, format == NC_FW_NFT, what, sizeof(what), la, lb,
				   sizeof(la), &line);
	rj = stage_read_file(stage_path(dir, "re.json", path, sizeof(path)), &l);
	if (!ret && format != NC_FW_NFT && rj &&
	    fw_ipt_nft_diff(b, bj, rj, lossy, llen, la, lb, sizeof(la)) == 1) {
		fw_snap_free(&r);
		lossy_table(script, lossy, la, lb, err, len);
		return 1;
	}
	fw_snap_free(&r);
	if (ret > 0)
		snprintf(err, len,
			 "the staged output does not reproduce what the script built (%s, line %u): the script built \"%s\", the output loads as \"%s\"; please report this with the script",
			 what, line, la, lb);
	return ret > 0 ? -EINVAL : ret;
}

/**
 * ipt_too_large() - will iptables-restore be unable to load a section here
 * @b:		what the script built
 *
 * iptables-restore sends a table as one netlink message and, without
 * CAP_NET_ADMIN in the initial user namespace, cannot raise its send
 * buffer above net.core.wmem_default: about 450 bytes a rule.
 *
 * Return: 1 if a section surely does not fit
 */
static int ipt_too_large(const struct fw_snap *b)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/core/wmem_default", "re");
	const char *sec[2] = { b->v4, b->v6 }, *l;
	unsigned long w = 0, rules;
	int i;

	if (nft_init_root() || !f || fscanf(f, "%lu", &w) != 1)
		return 0;
	for (i = 0; i < 2; i++) {
		rules = 0;
		for (l = sec[i]; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
			rules += !strncmp(l, "-A ", 3);
		if (rules * 450 + 4096 > w)
			return 1;
	}
	return 0;
}

/**
 * drop_ipt_table() - take one table out of the iptables-save views, so that
 * compose() writes it in nft syntax
 * @b:		views, changed
 * @table:	"FAMILY NAME" (ip or ip6)
 *
 * Return: 0, or -ENOENT when the views do not hold it
 */
static int drop_ipt_table(struct fw_snap *b, const char *table)
{
	char fam[16], name[256], head[270];
	char **text;
	char *p, *end;

	if (sscanf(table, "%15s %255s", fam, name) != 2)
		return -ENOENT;
	text = !strcmp(fam, "ip") ? &b->v4 : !strcmp(fam, "ip6") ? &b->v6 : NULL;
	snprintf(head, sizeof(head), "*%s\n", name);
	p = text && *text ? strstr(*text, head) : NULL;
	if (!p || (p != *text && p[-1] != '\n'))
		return -ENOENT;
	end = strstr(p, "\nCOMMIT\n");
	end = end ? end + 8 : p + strlen(p);
	memmove(p, end, strlen(end) + 1);
	return 0;
}

/**
 * write_checked() - write the output and check it; in the default format a
 * table that loads from iptables-save's text as another ruleset is written
 * in nft syntax instead, and the user told
 * @dir:	stage directory
 * @script:	the script
 * @format:	output format
 * @b:		what the script built (its iptables-save views changed)
 * @bj:		its nft JSON listing
 * @err:	why not
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int write_checked(const char *dir, const char *script, enum nc_fw_format format,
			 struct fw_snap *b, const char *bj, char *err, size_t len)
{
	char lossy[300], first[STAGE_ERR] = "", moved[1024] = "", path[PATH_MAX], note[1400];
	int ret = 0, tries;
	size_t ml;

	for (tries = 0; tries < 16; tries++) {
		ret = compose(dir, format, b, err, len);
		if (!ret)
			ret = verify(dir, script, format, b, bj, lossy, sizeof(lossy), err, len);
		if (ret != 1)
			break;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", err);
		if (format != NC_FW_AUTO || drop_ipt_table(b, lossy))
			break;
		ml = strlen(moved);
		snprintf(moved + ml, sizeof(moved) - ml, "%s%s", ml ? ", " : "", lossy);
	}
	if (ret && first[0]) {	/* nft syntax does not load it either */
		snprintf(err, len, "%s%s", first,
			 format == NC_FW_IPTABLES ? "; or stage without --format iptables" : "");
		return -EINVAL;
	}
	if (!ret && moved[0]) {
		snprintf(note, sizeof(note),
			 "table(s) %s written in nft syntax: iptables-save writes them as another ruleset (rules nft added, or chains nft named); once applied, iptables may not list or change them",
			 moved);
		store_write_atomic(stage_path(dir, "format-note", path, sizeof(path)), note,
				   strlen(note));
	}
	return ret;
}

/**
 * stage_output() - write the ruleset the script built to STAGE/out, checked
 * @dir:	stage directory
 * @script:	the script (for messages)
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @err:	why no output can be given
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
int stage_output(const char *dir, const char *script, enum nc_fw_format format, char *err,
		 size_t len)
{
	struct fw_snap b = { 0 };
	_cleanup_free_ char *bj = NULL;
	char save[PATH_MAX];
	int ret = fw_snap_take(stage_path(dir, "save", save, sizeof(save)), 0, &b, err, len);

	if (!ret && (ret = nft_list_json(&bj)))
		snprintf(err, len, "cannot list the ruleset the script built");

	if (!ret && format == NC_FW_AUTO && ipt_too_large(&b)) {
		ret = -EINVAL;	/* foreseen: no need to write and load it first */
		snprintf(err, len, "larger than one netlink transaction");
	} else if (!ret) {
		ret = write_checked(dir, script, format, &b, bj, err, len);
	}
	if (ret == -EINVAL && format == NC_FW_AUTO && strstr(err, "larger than one netlink transaction")) {
		/* iptables-restore cannot raise its send buffer rootless: nft
		 * syntax (loaded in steps when needed) is the form that loads */
		char path[PATH_MAX], note[] = "the tables iptables made are written in nft syntax: as iptables-restore input they are larger than one netlink transaction a rootless process may send; once applied, iptables cannot list or change them";

		char lossy[300];

		ret = compose(dir, NC_FW_NFT, &b, err, len);
		if (!ret)	/* never 1: nft syntax throughout */
			ret = verify(dir, script, NC_FW_NFT, &b, bj, lossy, sizeof(lossy), err, len);
		if (!ret)
			store_write_atomic(stage_path(dir, "format-note", path, sizeof(path)), note,
					   strlen(note));
	}
	fw_snap_free(&b);
	return ret;
}
