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
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fw/fwgen.h"
#include "fw/fwload.h"
#include "kernel/nft.h"
#include "fw/stage.h"
#include "fw/stagelog.h"
#include "base/store.h"
#include "kernel/tool.h"

/**
 * struct snap - three views of a ruleset
 * @nft:	nft list ruleset, counters zeroed
 * @v4:		iptables-save, without comment lines and counters zeroed
 * @v6:		ip6tables-save, likewise
 */
struct snap {
	char *nft;
	char *v4;
	char *v6;
};

/**
 * snap_free() - free a snapshot's texts
 * @s:		snapshot
 */
static void snap_free(struct snap *s)
{
	free(s->nft);
	free(s->v4);
	free(s->v6);
	memset(s, 0, sizeof(*s));
}

/**
 * zero_counters() - one line with its counters zeroed
 * @line:	NUL-terminated line, modified in place
 */
static void zero_counters(char *line)
{
	char *p, *q, *b;

	/* ":CHAIN POLICY [12:345]" (iptables-save) */
	if (*line == ':' && (p = strchr(line, '[')) && (q = strchr(p, ']'))) {
		memmove(p + 5, q + 1, strlen(q + 1) + 1);
		memcpy(p, "[0:0]", 5);
	}
	/* "packets 1 bytes 2" (nft) */
	for (p = line; (p = strstr(p, "packets "));) {
		q = p + 8 + strspn(p + 8, "0123456789");
		if (strncmp(q, " bytes ", 7)) {
			p += 8;
			continue;
		}
		b = q + 7 + strspn(q + 7, "0123456789");
		memmove(p + 17, b, strlen(b) + 1);
		memcpy(p, "packets 0 bytes 0", 17);
		p += 17;
	}
}

/**
 * normalise() - zero counters, drop comment lines (timestamps, notes)
 * @text:	heap text, replaced
 *
 * Return: 0 or -ENOMEM
 */
static int normalise(char **text)
{
	char *out = NULL, *l, *nl;
	size_t ol = 0;
	FILE *f = open_memstream(&out, &ol);

	if (!f)
		return -ENOMEM;
	for (l = *text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (*l != '#') {
			zero_counters(l);
			fprintf(f, "%s\n", l);
		}
	}
	if (fclose(f) || !out)
		return -ENOMEM;
	free(*text);
	*text = out;
	return 0;
}

/**
 * save_text() - one family's iptables-save output
 * @dir:	stage directory
 * @tool:	"iptables-save" or "ip6tables-save"
 * @text:	heap text
 * @err:	error
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int save_text(const char *dir, const char *tool, char **text, char *err, size_t len)
{
	const char *argv[] = { tool, NULL };
	char path[PATH_MAX];
	size_t l;
	int ret = tool_run(argv, NULL, stage_path(dir, "save", path, sizeof(path)), err, len);

	if (ret)
		return ret;
	*text = stage_read_file(path, &l);
	return *text ? 0 : -EIO;
}

/**
 * take_snap() - the three views of the current namespace's ruleset
 * @dir:	stage directory
 * @s:		result
 * @err:	error
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int take_snap(const char *dir, struct snap *s, char *err, size_t len)
{
	int ret = nft_list_ruleset(&s->nft);

	if (ret)
		snprintf(err, len, "cannot list the ruleset the script built");
	/* iptables tables are of family ip or ip6: without one, a save has
	 * nothing to say, and not running it saves an exec */
	if (!ret)
		ret = strstr(s->nft, "table ip ") ? save_text(dir, "iptables-save", &s->v4, err, len) :
		      !(s->v4 = strdup("")) ? -ENOMEM : 0;
	if (!ret)
		ret = strstr(s->nft, "table ip6 ") ? save_text(dir, "ip6tables-save", &s->v6, err, len) :
		      !(s->v6 = strdup("")) ? -ENOMEM : 0;
	if (ret)
		return ret;
	if (normalise(&s->nft) || normalise(&s->v4) || normalise(&s->v6))
		return -ENOMEM;
	return 0;
}

/**
 * ipt_tables() - the tables an iptables-save text holds
 * @text:	iptables-save text
 * @names:	" name name "
 * @len:	size of @names
 */
static void ipt_tables(const char *text, char *names, size_t len)
{
	const char *l = text;
	char name[64];
	size_t off = (size_t)snprintf(names, len, " ");

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (sscanf(l, "*%63[a-z]", name) == 1 && off + strlen(name) + 2 < len)
			off += (size_t)snprintf(names + off, len - off, "%s ", name);
}

/**
 * nft_without() - the nft listing without the tables iptables holds
 * @nft:	listing
 * @t4:		IPv4 tables iptables-save holds
 * @t6:		IPv6 likewise
 * @f:		output, or NULL only to count them
 *
 * Return: number of tables written
 */
static int nft_without(const char *nft, const char *t4, const char *t6, FILE *f)
{
	const char *l = nft, *nl;
	char fam[16], name[256], key[300];
	int skip = 0, n = 0;

	for (; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (sscanf(l, "table %15s %255s {", fam, name) == 2) {
			snprintf(key, sizeof(key), " %s ", name);
			skip = (!strcmp(fam, "ip") && strstr(t4, key)) ||
			       (!strcmp(fam, "ip6") && strstr(t6, key));
			n += !skip;
		}
		if (!skip && f)
			fwrite(l, 1, nl ? (size_t)(nl - l + 1) : strlen(l), f);
		if (*l == '}')
			skip = 0;
	}
	return n;
}

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
static int compose(const char *dir, enum nc_fw_format format, const struct snap *b,
		   char *err, size_t len)
{
	char t4[1024], t6[1024], path[PATH_MAX], note[1024];
	_cleanup_free_ char *text = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);
	int others, ipt;

	if (!f)
		return -ENOMEM;
	ipt_tables(b->v4, t4, sizeof(t4));
	ipt_tables(b->v6, t6, sizeof(t6));
	ipt = strlen(t4) > 1 || strlen(t6) > 1;
	if (format == NC_FW_IPTABLES) {
		others = nft_without(b->nft, t4, t6, NULL);
		fprintf(f, "%s%s%s", b->v4, FW_IP6_MARK, b->v6);
	} else if (format == NC_FW_NFT || !ipt) {
		fprintf(f, "flush ruleset\n%s", b->nft);
		others = 0;
	} else {
		fputs("flush ruleset\n", f);
		others = nft_without(b->nft, t4, t6, f);
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
 * The views go to STAGE/re.nft, re.v4, re.v6; a load error to re.err.
 */
static void __attribute__((noreturn)) reload(const char *dir)
{
	char path[PATH_MAX], vdir[PATH_MAX], err[STAGE_ERR] = "";
	_cleanup_free_ char *text = NULL;
	struct fw_job job = { 0 };
	struct snap s = { 0 };
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
		ret = take_snap(dir, &s, err, sizeof(err));
	if (ret) {
		store_write_atomic(stage_path(dir, "re.err", path, sizeof(path)), err, strlen(err));
		_exit(1);
	}
	store_write_atomic(stage_path(dir, "re.nft", path, sizeof(path)), s.nft, strlen(s.nft));
	store_write_atomic(stage_path(dir, "re.v4", path, sizeof(path)), s.v4, strlen(s.v4));
	store_write_atomic(stage_path(dir, "re.v6", path, sizeof(path)), s.v6, strlen(s.v6));
	_exit(0);
}

/**
 * first_diff() - describe where two texts first differ
 * @what:	which view
 * @a:		built
 * @b:		reloaded
 * @err:	message
 * @len:	size of @err
 */
static void first_diff(const char *what, const char *a, const char *b, char *err, size_t len)
{
	size_t i = 0, la, lb;
	unsigned line = 1;
	const char *sa, *sb;

	for (; a[i] && a[i] == b[i]; i++)
		line += a[i] == '\n';
	for (sa = a + i; sa > a && sa[-1] != '\n'; sa--)
		;
	sb = b + (sa - a);
	la = strcspn(sa, "\n");
	lb = strcspn(sb, "\n");
	snprintf(err, len,
		 "the staged output does not reproduce what the script built (%s, line %u): the script built \"%.*s\", the output loads as \"%.*s\"; please report this with the script",
		 what, line, (int)(la > 200 ? 200 : la), sa, (int)(lb > 200 ? 200 : lb), sb);
}

/**
 * verify() - load the output into a fresh namespace and compare
 * @dir:	stage directory
 * @format:	output format
 * @b:		what the script built
 * @err:	why not
 * @len:	size of @err
 *
 * The tables nft made are compared in nft's listing, those iptables made
 * in iptables-save's (with --format nft, only that they load).
 *
 * Return: 0 or -EINVAL
 */
static int verify(const char *dir, enum nc_fw_format format, const struct snap *b,
		  char *err, size_t len)
{
	_cleanup_free_ char *rn = NULL, *r4 = NULL, *r6 = NULL, *why = NULL;
	_cleanup_free_ char *bn = NULL, *rn2 = NULL;
	char path[PATH_MAX], t4[1024], t6[1024];
	size_t l = 0, l2 = 0;
	int status = 0;
	pid_t pid;
	FILE *f;

	unlink(stage_path(dir, "re.err", path, sizeof(path)));
	pid = fork();
	if (pid == 0)
		reload(dir);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -ECHILD;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		why = stage_read_file(stage_path(dir, "re.err", path, sizeof(path)), &l);
		snprintf(err, len, "the ruleset the script built cannot be written in %s syntax: it does not load again:\n%s",
			 format == NC_FW_NFT ? "nft" : format == NC_FW_IPTABLES ? "iptables-save" :
			 "netcell's", why && l ? why : "(no error text)");
		return -EINVAL;
	}
	rn = stage_read_file(stage_path(dir, "re.nft", path, sizeof(path)), &l);
	r4 = stage_read_file(stage_path(dir, "re.v4", path, sizeof(path)), &l);
	r6 = stage_read_file(stage_path(dir, "re.v6", path, sizeof(path)), &l);
	if (!rn || !r4 || !r6)
		return -EIO;
	/* the tables iptables made are compared as iptables-save gives them:
	 * in nft's listing their chains come in creation order, which
	 * iptables-restore does not keep; and with --format nft, nft renders
	 * them in other words once loaded from nft syntax */
	ipt_tables(b->v4, t4, sizeof(t4));
	ipt_tables(b->v6, t6, sizeof(t6));
	if ((f = open_memstream(&bn, &l)))
		nft_without(b->nft, t4, t6, f), fclose(f);
	if ((f = open_memstream(&rn2, &l2)))
		nft_without(rn, t4, t6, f), fclose(f);
	if (!bn || !rn2)
		return -ENOMEM;
	if (strcmp(bn, rn2))
		return first_diff("nft listing", bn, rn2, err, len), -EINVAL;
	if (format == NC_FW_NFT)
		return 0;
	if (strcmp(b->v4, r4))
		return first_diff("iptables-save", b->v4, r4, err, len), -EINVAL;
	if (strcmp(b->v6, r6))
		return first_diff("ip6tables-save", b->v6, r6, err, len), -EINVAL;
	return 0;
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
static int ipt_too_large(const struct snap *b)
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
 * stage_output() - write the ruleset the script built to STAGE/out, checked
 * @dir:	stage directory
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @err:	why no output can be given
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
int stage_output(const char *dir, enum nc_fw_format format, char *err, size_t len)
{
	struct snap b = { 0 };
	int ret = take_snap(dir, &b, err, len);

	if (!ret && format == NC_FW_AUTO && ipt_too_large(&b)) {
		ret = -EINVAL;	/* foreseen: no need to write and load it first */
		snprintf(err, len, "larger than one netlink transaction");
	} else if (!ret) {
		ret = compose(dir, format, &b, err, len);
		if (!ret)
			ret = verify(dir, format, &b, err, len);
	}
	if (ret == -EINVAL && format == NC_FW_AUTO && strstr(err, "larger than one netlink transaction")) {
		/* iptables-restore cannot raise its send buffer rootless: nft
		 * syntax (loaded in steps when needed) is the form that loads */
		char path[PATH_MAX], note[] = "the tables iptables made are written in nft syntax: as iptables-restore input they are larger than one netlink transaction a rootless process may send; once applied, iptables cannot list or change them";

		ret = compose(dir, NC_FW_NFT, &b, err, len);
		if (!ret)
			ret = verify(dir, NC_FW_NFT, &b, err, len);
		if (!ret)
			store_write_atomic(stage_path(dir, "format-note", path, sizeof(path)), note,
					   strlen(note));
	}
	snap_free(&b);
	return ret;
}
