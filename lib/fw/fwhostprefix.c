// SPDX-License-Identifier: MIT
/*
 * fwhostprefix.c - which of the host's tables a host generation replaces
 *
 * Theory of operation: on the host a generation replaces only its own
 * tables, so other tools' tables survive.  Its tables are those its nft
 * file makes (every statement, after ';' too, in the files it includes as
 * nft finds them: kernel/nftinc.c's expansion, which reads the copies
 * taken for the apply) or the tables its iptables-save files name, and
 * those of the generation in force.  fw_host_prefix() writes "add table;
 * delete table" for each into the job's prefix, which fwload.c runs in the
 * same transaction as an nft file, or right after an iptables file's
 * iptables-restore (which replaces its own tables).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fw/fwload.h"
#include "kernel/incell.h"
#include "kernel/nft.h"

/**
 * fw_has_lines() - does @buf hold @entry at the start of one of its lines
 * @buf:	lines
 * @entry:	text of one or more whole lines
 * @n:		its length
 *
 * Return: 1 if so
 */
int fw_has_lines(const char *buf, const char *entry, size_t n)
{
	const char *p;

	for (p = buf; (p = strstr(p, entry)); p++)
		if ((p == buf || p[-1] == '\n') && !strncmp(p, entry, n))
			return 1;
	return 0;
}

/**
 * add_table() - append "add table F N; delete table F N" to @buf unless
 * there already
 * @fam:	family
 * @name:	table
 * @buf:	output
 * @len:	size of @buf
 *
 * "add" first makes "delete" succeed whether or not the table exists; in
 * one transaction with the file, the tables are replaced at once.
 *
 * Return: 0, or -E2BIG when @buf is full
 */
static int add_table(const char *fam, const char *name, char *buf, size_t len)
{
	char line[400];
	size_t off = strlen(buf);
	int n = snprintf(line, sizeof(line), "add table %s %s\ndelete table %s %s\n",
			 fam, name, fam, name);

	if (n < 0 || (size_t)n >= sizeof(line))
		return -E2BIG;
	if (fw_has_lines(buf, line, (size_t)n))
		return 0;
	if (off + (size_t)n + 1 > len)
		return -E2BIG;
	memcpy(buf + off, line, (size_t)n + 1);
	return 0;
}

/**
 * table_stmt() - the table one statement of nft syntax makes
 * ("[add|create] table [FAMILY] NAME ...")
 * @s:		the statement's start (blanks before it skipped here)
 * @n:		its length
 * @fam:	out: family ("ip" when the statement names none)
 * @name:	out: table
 *
 * Return: 1 if the statement makes a table
 */
static int table_stmt(const char *s, size_t n, char fam[16], char name[256])
{
	static const char *const fams[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };
	char w[3][256];
	size_t i, k, nw = 0;

	while (n && nw < 3) {
		for (; n && (*s == ' ' || *s == '\t' || *s == '\r'); s++, n--)
			;
		for (k = 0; k < n && !strchr(" \t\r{", s[k]); k++)
			;
		if (!k || k >= sizeof(w[0]))
			break;
		memcpy(w[nw], s, k);
		w[nw++][k] = '\0';
		s += k;
		n -= k;
		if (n && *s == '{')
			break;
		if (nw == 1 && (!strcmp(w[0], "add") || !strcmp(w[0], "create")))
			nw = 0;
	}
	if (nw < 2 || strcmp(w[0], "table"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(fams) && strcmp(w[1], fams[i]); i++)
		;
	if (i < ARRAY_SIZE(fams) && nw == 3) {
		snprintf(fam, 16, "%s", w[1]);
		snprintf(name, 256, "%s", w[2]);
	} else {
		snprintf(fam, 16, "ip");
		snprintf(name, 256, "%s", w[1]);
	}
	return 1;
}

/**
 * add_nft_tables() - add_table() for each table an nft text makes: every
 * statement (a line, or a part of one between ';'), comments and quoted
 * strings skipped, lines of any length
 * @text:	the ruleset with its includes expanded
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: 0 or -E2BIG
 */
static int add_nft_tables(const char *text, char *buf, size_t len)
{
	const char *st = text, *p;
	char fam[16], name[256];
	int quote = 0, ret = 0;

	for (p = text; !ret; p++) {
		if (*p == '"')
			quote = !quote;
		if (!quote && *p == '#') {	/* a comment: to the line's end */
			if (table_stmt(st, (size_t)(p - st), fam, name))
				ret = add_table(fam, name, buf, len);
			p += strcspn(p, "\n");
			st = p + 1;
			quote = 0;
			if (!*p)
				break;
			continue;
		}
		if (*p && *p != '\n' && (quote || *p != ';'))
			continue;
		if (table_stmt(st, (size_t)(p - st), fam, name))
			ret = add_table(fam, name, buf, len);
		if (*p == '\n')
			quote = 0;
		st = p + 1;
		if (!*p)
			break;
	}
	return ret;
}

/**
 * add_file_tables() - add_table() for each table a ruleset file defines
 * @path:	ruleset file (nft, or iptables-save with @ipt_family 4 or 6)
 * @ipt_family:	0 for nft syntax: the tables of the file and of the files
 *		it includes, as nft finds them (an include that cannot be
 *		expanded: the file's own, and its load names the error)
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: 0, -E2BIG (@buf full), or -errno when the file cannot be read
 */
static int add_file_tables(const char *path, int ipt_family, char *buf, size_t len)
{
	_cleanup_free_ char *text = NULL;
	char *l, *nl, name[64];
	int ret = 0;

	if (!ipt_family && nft_file_includes(path) > 0 && nft_expand_file(path, &text))
		text = NULL;
	if (!text && !(text = file_read_all(path)))
		return -errno;
	if (!ipt_family)
		return add_nft_tables(text, buf, len);
	for (l = text; l && !ret; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (sscanf(l, " *%63[a-z]", name) == 1)
			ret = add_table(ipt_family == 6 ? "ip6" : "ip", name, buf, len);
	}
	return ret;
}

/**
 * fw_host_prefix() - the lines that empty the host tables a change replaces:
 * those of the new generation and those of the one in force
 * @job:	the new generation's job; @job->prefix is filled
 * @cur:	the job in force, or NULL
 *
 * An nft generation's tables are the tables its file and the files it
 * includes make; an iptables one's, the tables it names.  For an iptables
 * generation the prefix holds only the tables of the one in force that it
 * does not name: iptables-restore replaces its own, and the prefix is run
 * after it (fw_job_in_ns()).
 *
 * Return: 0, or -errno (-E2BIG: more tables than fit, or a file that
 * cannot be read) with @job->prefix empty
 */
int fw_host_prefix(struct fw_job *job, const struct fw_job *cur)
{
	char mine[sizeof(job->prefix)] = "", *l, *nl;
	int k, ret = 0;

	job->prefix[0] = '\0';
	for (k = 0; !ret && k < 2; k++)
		if (job->file[k][0])
			ret = add_file_tables(job->file[k], job->format == NC_FW_NFT ? 0 : k ? 6 : 4,
					      mine, sizeof(mine));
	if (!ret && cur)
		for (k = 0; !ret && k < 2; k++)
			if (cur->file[k][0])
				ret = add_file_tables(cur->file[k], cur->format == NC_FW_NFT ? 0 : k ? 6 : 4,
						      job->prefix, sizeof(job->prefix));
	if (!ret && job->format != NC_FW_NFT) {
		/* the tables of the one in force, but those iptables-restore replaces */
		for (l = job->prefix; *l; l = nl) {
			char entry[400];

			nl = strchr(strchr(l, '\n') + 1, '\n') + 1;
			snprintf(entry, sizeof(entry), "%.*s", (int)(nl - l), l);
			if (fw_has_lines(mine, entry, strlen(entry))) {
				memmove(l, nl, strlen(nl) + 1);
				nl = l;
			}
		}
		return 0;
	}
	/* the new generation's tables, then those of the one in force */
	if (!ret && strlen(mine) + strlen(job->prefix) + 1 > sizeof(job->prefix))
		ret = -E2BIG;
	if (!ret) {
		memmove(job->prefix + strlen(mine), job->prefix, strlen(job->prefix) + 1);
		memcpy(job->prefix, mine, strlen(mine));
	}
	if (ret)
		job->prefix[0] = '\0';
	return ret;
}

/**
 * fw_prefix_in_ns() - incell_fn: run a job's prefix only (empty host tables)
 * @arg:	struct fw_job
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -EINVAL
 */
int fw_prefix_in_ns(void *arg, char *out, size_t len)
{
	const struct fw_job *job = arg;

	return job->prefix[0] ? nft_run_text(job->prefix, out, len) : 0;
}
