// SPDX-License-Identifier: MIT
/*
 * fwsnapcut.c - a ruleset's views cut to a set of tables
 *
 * Theory of operation: a ruleset's three views (fwsnap.c) name their
 * tables in two ways: nft's listing as "table FAMILY NAME {" blocks,
 * iptables-save as "*NAME" sections ending in "COMMIT".  The tables
 * iptables made appear in both; they are said in iptables-save's words
 * (nft lists their chains in creation order, which iptables-restore does
 * not keep), so the nft listing is written without them for fw stage's
 * output (stageout.c) and for the comparison (fwsnapdiff.c).  On the
 * host, where other tools keep tables of their own, a generation is only
 * the tables it defines: the host's views are cut to those before they
 * are compared (fwverify.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fw/fwsnapcut.h"

/**
 * fw_ipt_tables() - the tables an iptables-save text holds
 * @text:	iptables-save text
 * @names:	" name name "
 * @len:	size of @names
 */
void fw_ipt_tables(const char *text, char *names, size_t len)
{
	const char *l = text;
	char name[64];
	size_t off = (size_t)snprintf(names, len, " ");

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (sscanf(l, "*%63[a-z]", name) == 1 && off + strlen(name) + 2 < len)
			off += (size_t)snprintf(names + off, len - off, "%s ", name);
}

/**
 * fw_nft_without() - the nft listing without the tables iptables holds
 * @nft:	listing
 * @t4:		IPv4 tables iptables-save holds
 * @t6:		IPv6 likewise
 * @f:		output, or NULL only to count them
 *
 * Return: number of tables written
 */
int fw_nft_without(const char *nft, const char *t4, const char *t6, FILE *f)
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
 * nft_keys() - the tables an nft listing holds, as " family/name ... "
 * @nft:	listing
 *
 * Return: heap text, or NULL
 */
static char *nft_keys(const char *nft)
{
	char fam[16], name[256], *out = NULL;
	const char *l, *nl;
	size_t ol = 0;
	FILE *f = open_memstream(&out, &ol);

	if (!f)
		return NULL;
	fputc(' ', f);
	for (l = nft; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (sscanf(l, "table %15s %255s {", fam, name) == 2)
			fprintf(f, "%s/%s ", fam, name);
	}
	if (fclose(f))
		return NULL;
	return out;
}

/**
 * only_nft() - an nft listing cut to the tables named in @keys
 * @nft:	heap listing, replaced
 * @keys:	" family/name ... " (nft_keys())
 *
 * Return: 0 or -ENOMEM
 */
static int only_nft(char **nft, const char *keys)
{
	char fam[16], name[256], key[300], *out = NULL;
	const char *l, *nl;
	size_t ol = 0;
	int keep = 0;
	FILE *f = open_memstream(&out, &ol);

	if (!f)
		return -ENOMEM;
	for (l = *nft; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (sscanf(l, "table %15s %255s {", fam, name) == 2) {
			snprintf(key, sizeof(key), " %s/%s ", fam, name);
			keep = !!strstr(keys, key);
		}
		if (keep)
			fwrite(l, 1, nl ? (size_t)(nl - l + 1) : strlen(l), f);
		if (*l == '}')
			keep = 0;
	}
	if (fclose(f) || !out)
		return -ENOMEM;
	free(*nft);
	*nft = out;
	return 0;
}

/**
 * only_ipt() - an iptables-save text cut to the tables @want holds
 * @text:	heap text, replaced
 * @want:	iptables-save text whose "*table" blocks are kept
 *
 * Return: 0 or -ENOMEM
 */
static int only_ipt(char **text, const char *want)
{
	char names[1024], name[64], key[70], *out = NULL;
	const char *l, *nl;
	size_t ol = 0;
	int keep = 0;
	FILE *f;

	fw_ipt_tables(want, names, sizeof(names));
	f = open_memstream(&out, &ol);
	if (!f)
		return -ENOMEM;
	for (l = *text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (sscanf(l, "*%63[a-z]", name) == 1) {
			snprintf(key, sizeof(key), " %s ", name);
			keep = !!strstr(names, key);
		}
		if (keep)
			fwrite(l, 1, nl ? (size_t)(nl - l + 1) : strlen(l), f);
		if (!strncmp(l, "COMMIT", 6))
			keep = 0;
	}
	if (fclose(f) || !out)
		return -ENOMEM;
	free(*text);
	*text = out;
	return 0;
}

/**
 * fw_snap_only() - views cut to the tables another set of views holds
 * @s:		views, changed (the host's, which other tools share)
 * @want:	the generation's views (loaded alone in a throwaway namespace)
 *
 * On the host a generation replaces only the tables it defines; the host
 * holds it when exactly those tables are as the generation made them.
 *
 * Return: 0 or -ENOMEM
 */
int fw_snap_only(struct fw_snap *s, const struct fw_snap *want)
{
	_cleanup_free_ char *keys = nft_keys(want->nft);

	if (!keys || only_nft(&s->nft, keys) || only_ipt(&s->v4, want->v4) ||
	    only_ipt(&s->v6, want->v6))
		return -ENOMEM;
	return 0;
}

/**
 * fw_snap_cut_ipt() - iptables-save views cut to the tables another set
 * of views holds in iptables-save's words
 * @s:		views, changed
 * @want:	views whose "*table" blocks are kept
 *
 * Return: 0 or -ENOMEM
 */
int fw_snap_cut_ipt(struct fw_snap *s, const struct fw_snap *want)
{
	return only_ipt(&s->v4, want->v4) || only_ipt(&s->v6, want->v6) ? -ENOMEM : 0;
}
