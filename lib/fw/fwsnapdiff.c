// SPDX-License-Identifier: MIT
/*
 * fwsnapdiff.c - two rulesets' views compared: where they first differ
 *
 * Theory of operation: two sets of views (fwsnap.c) hold the same ruleset
 * when each view is the same text, with two allowances.  nft lists tables
 * and their sets, maps and chains in creation order, which a ruleset built
 * in steps (nftsplit.c) does not share with one made in one transaction:
 * the listings are compared in a canonical order (tables, and the objects
 * of each, sorted; rules keep their order, which packets meet).  And the
 * tables iptables made are compared in iptables-save's words only
 * (fwsnapcut.c), except that iptables-save writes a rule it cannot fully
 * parse as the part it understands: fw stage compares those tables once
 * more in nft's JSON listing, which holds every expression
 * (fw_ipt_nft_diff()).  A difference is told as the view, the line number
 * and both lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fw/fwsnapcut.h"
#include "fw/fwsnapdiff.h"

/**
 * struct block - a span of lines, sorted by its first
 * @text:	where it starts
 * @len:	its length
 */
struct block {
	const char *text;
	size_t len;
};

/**
 * block_cmp() - qsort order of blocks: by their text
 * @a:		struct block
 * @b:		struct block
 *
 * Return: <0, 0, >0
 */
static int block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/**
 * put_sorted() - write the blocks of one level of a listing in sorted order
 * @f:		output
 * @text:	the level's lines
 * @len:	their length
 * @depth:	tabs before a block's opening line (0 tables, 1 their objects)
 *
 * A block opens with a line of @depth tabs ending in '{' and closes with
 * the line of @depth tabs that is "}"; lines of the level outside blocks
 * (a table's flags, comment) come first, in their order.
 */
static void put_sorted(FILE *f, const char *text, size_t len, int depth)
{
	struct block *b = NULL, *nb;
	size_t n = 0, cap = 0, i, ll;
	const char *l = text, *end = text + len, *start = NULL, *nl;

	for (; l < end; l = nl) {
		nl = memchr(l, '\n', (size_t)(end - l));
		nl = nl ? nl + 1 : end;
		ll = (size_t)(nl - l);
		if (!start && (int)strspn(l, "\t") == depth && ll > 1 &&
		    l[ll - 1 - (l[ll - 1] == '\n')] == '{') {
			start = l;
		} else if (start && (int)strspn(l, "\t") == depth && l[depth] == '}') {
			if (n == cap) {
				nb = realloc(b, (cap = cap ? cap * 2 : 16) * sizeof(*b));
				if (!nb)
					break;
				b = nb;
			}
			b[n++] = (struct block){ start, (size_t)(nl - start) };
			start = NULL;
		} else if (!start) {
			fwrite(l, 1, ll, f);
		}
	}
	if (start)	/* unclosed: as it is */
		fwrite(start, 1, (size_t)(end - start), f);
	if (b)
		qsort(b, n, sizeof(*b), block_cmp);
	for (i = 0; i < n; i++) {
		if (depth) {
			fwrite(b[i].text, 1, b[i].len, f);
			continue;
		}
		/* a table: its header, its objects sorted, its closing brace */
		const char *body = memchr(b[i].text, '\n', b[i].len);
		const char *close = b[i].text + b[i].len - 1;

		while (close > b[i].text && close[-1] != '\n')
			close--;
		if (!body || close <= body) {
			fwrite(b[i].text, 1, b[i].len, f);
			continue;
		}
		body++;
		fwrite(b[i].text, 1, (size_t)(body - b[i].text), f);
		put_sorted(f, body, (size_t)(close - body), 1);
		fwrite(close, 1, (size_t)(b[i].text + b[i].len - close), f);
	}
	free(b);
}

/**
 * canon_nft() - nft's listing in an order of its own: tables, and the
 * sets, maps and chains of each, sorted by name
 * @nft:	listing
 *
 * nft lists tables and their objects in creation order, and a ruleset
 * built in steps (nftsplit.c) creates them in another order than one
 * transaction does; what a packet meets does not depend on that order.
 * Rules keep theirs, which it does.
 *
 * Return: heap text, NULL when out of memory
 */
static char *canon_nft(const char *nft)
{
	char *out = NULL;
	size_t ol = 0;
	FILE *f = open_memstream(&out, &ol);

	if (!f)
		return NULL;
	put_sorted(f, nft, strlen(nft), 0);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/**
 * first_line_diff() - where two texts first differ
 * @a:		one
 * @b:		other
 * @la:		out: @a's line there (cut to @llen)
 * @lb:		out: @b's line there
 * @llen:	size of @la and @lb
 *
 * Return: the 1-based line number, 0 when the texts are equal
 */
static unsigned first_line_diff(const char *a, const char *b, char *la, char *lb, size_t llen)
{
	size_t i = 0;
	unsigned line = 1;
	const char *sa, *sb;

	if (!strcmp(a, b))
		return 0;
	for (; a[i] && a[i] == b[i]; i++)
		line += a[i] == '\n';
	for (sa = a + i; sa > a && sa[-1] != '\n'; sa--)
		;
	sb = b + (sa - a);
	sa += strspn(sa, "\t ");	/* the words, not the listing's indent */
	sb += strspn(sb, "\t ");
	snprintf(la, llen, "%.*s", (int)strcspn(sa, "\n"), sa);
	snprintf(lb, llen, "%.*s", (int)strcspn(sb, "\n"), sb);
	return line;
}

/**
 * fw_snap_diff() - compare two rulesets' views
 * @a:		the reference (what the script built, what the generation is)
 * @b:		what was loaded
 * @nft_only:	compare nft's listing only
 * @what:	out: which view differs ("nft listing", "iptables-save", ...)
 * @wlen:	size of @what
 * @la:		out: @a's first differing line
 * @lb:		out: @b's
 * @llen:	size of @la and @lb
 * @line:	out: its number in that view
 *
 * The tables iptables holds in @a are compared as iptables-save gives
 * them, everything else in nft's listing.
 *
 * Return: 0 when equal, 1 when they differ, -ENOMEM
 */
int fw_snap_diff(const struct fw_snap *a, const struct fw_snap *b, int nft_only,
		 char *what, size_t wlen, char *la, char *lb, size_t llen, unsigned *line)
{
	_cleanup_free_ char *an = NULL, *bn = NULL, *ac = NULL, *bc = NULL;
	char t4[1024], t6[1024];
	size_t l1 = 0, l2 = 0;
	FILE *f;

	fw_ipt_tables(a->v4, t4, sizeof(t4));
	fw_ipt_tables(a->v6, t6, sizeof(t6));
	if ((f = open_memstream(&an, &l1)))
		fw_nft_without(a->nft, t4, t6, f), fclose(f);
	if ((f = open_memstream(&bn, &l2)))
		fw_nft_without(b->nft, t4, t6, f), fclose(f);
	if (!an || !bn || !(ac = canon_nft(an)) || !(bc = canon_nft(bn)))
		return -ENOMEM;
	if ((*line = first_line_diff(ac, bc, la, lb, llen)))
		return snprintf(what, wlen, "nft listing"), 1;
	if (nft_only)
		return 0;
	if ((*line = first_line_diff(a->v4, b->v4, la, lb, llen)))
		return snprintf(what, wlen, "iptables-save"), 1;
	if ((*line = first_line_diff(a->v6, b->v6, la, lb, llen)))
		return snprintf(what, wlen, "ip6tables-save"), 1;
	return 0;
}

/**
 * json_end() - the end of the JSON object or array that starts at @p
 * @p:		its opening brace or bracket
 *
 * Return: the character after its closing one (the string's end if none)
 */
static const char *json_end(const char *p)
{
	int depth = 0, str = 0;

	for (; *p; p++) {
		if (str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				str = 0;
		} else if (*p == '"') {
			str = 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
	}
	return p;
}

/**
 * json_zero_counters() - zero the counters of a JSON text in place
 * @text:	NUL-terminated text ("packets": N, "bytes": N)
 */
static void json_zero_counters(char *text)
{
	static const char *const keys[] = { "\"packets\": ", "\"bytes\": " };
	char *p, *d;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(keys); k++)
		for (p = text; (p = strstr(p, keys[k]));) {
			p += strlen(keys[k]);
			d = p + strspn(p, "0123456789");
			if (d > p) {
				*p = '0';
				memmove(p + 1, d, strlen(d) + 1);
			}
		}
}

/**
 * struct jrule - one rule of nft's JSON listing
 * @key:	"FAMILY TABLE CHAIN"
 * @text:	its expressions and what follows them, counters zeroed (heap)
 * @idx:	its place in the listing
 */
struct jrule {
	char key[600];
	char *text;
	size_t idx;
};

/**
 * jrule_cmp() - qsort order of rules: by chain, then in listing order
 * @a:		struct jrule
 * @b:		struct jrule
 *
 * Return: <0, 0, >0
 */
static int jrule_cmp(const void *a, const void *b)
{
	const struct jrule *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/**
 * ipt_rules() - the rules of the tables iptables-save holds, from nft's
 * JSON listing, one "FAMILY TABLE CHAIN: EXPR" line each, chains sorted
 * (nft lists them in creation order, which iptables-restore does not
 * keep), rules in their order, counters zeroed, handles left out
 * @json:	nft's JSON listing
 * @t4:		IPv4 tables iptables-save holds (fw_ipt_tables())
 * @t6:		IPv6 likewise
 *
 * Return: heap text, NULL when out of memory
 */
static char *ipt_rules(const char *json, const char *t4, const char *t6)
{
	char fam[16], tab[256], ch[256], key[300], *out = NULL;
	const char *p = json, *e, *x;
	struct jrule *r = NULL, *nr;
	size_t n = 0, cap = 0, i, ol = 0;
	FILE *f;

	while (p && (p = strstr(p, "{\"rule\": {"))) {
		e = json_end(p);
		if (sscanf(p, "{\"rule\": {\"family\": \"%15[^\"]\", \"table\": \"%255[^\"]\", \"chain\": \"%255[^\"]\"",
			   fam, tab, ch) == 3 && (x = strstr(p, "\"expr\": ")) && x < e) {
			snprintf(key, sizeof(key), " %s ", tab);
			if ((!strcmp(fam, "ip") && strstr(t4, key)) ||
			    (!strcmp(fam, "ip6") && strstr(t6, key))) {
				if (n == cap) {
					nr = realloc(r, (cap = cap ? cap * 2 : 64) * sizeof(*r));
					if (!nr)
						goto out;
					r = nr;
				}
				snprintf(r[n].key, sizeof(r[n].key), "%s %s %s", fam, tab, ch);
				x += strlen("\"expr\": ");	/* and the rule's closing braces */
				r[n].text = strndup(x, e - x > 2 ? (size_t)(e - x - 2) : 0);
				r[n].idx = n;
				if (!r[n].text)
					goto out;
				json_zero_counters(r[n++].text);
			}
		}
		p = e;
	}
	if (r)
		qsort(r, n, sizeof(*r), jrule_cmp);
	f = open_memstream(&out, &ol);
	for (i = 0; f && i < n; i++)
		fprintf(f, "%s: %s\n", r[i].key, r[i].text);
	if (f && fclose(f)) {
		free(out);
		out = NULL;
	}
out:
	for (i = 0; i < n; i++)
		free(r[i].text);
	free(r);
	return out;
}

/**
 * fw_ipt_nft_diff() - do the tables iptables holds differ in nft's terms
 * @a:		the reference (what a script built)
 * @aj:		its nft JSON listing (nft_list_json())
 * @bj:		the JSON listing of what was loaded from @a's iptables-save text
 * @table:	out: "FAMILY NAME" of the table where they first differ
 * @tlen:	size of @table
 * @la:		out: @a's first differing rule ("FAMILY TABLE CHAIN: EXPR")
 * @lb:		out: @b's
 * @llen:	size of @la and @lb
 *
 * iptables-save writes a rule it cannot fully parse (one nft added to a
 * table iptables made: a set lookup, a native expression) as the part it
 * understands, so two rulesets can give the same iptables-save text and
 * still differ; nft's JSON holds every expression (and names xtables
 * extensions, whose options iptables-save compares).
 *
 * Return: 0 when equal, 1 when they differ, -ENOMEM
 */
int fw_ipt_nft_diff(const struct fw_snap *a, const char *aj, const char *bj, char *table,
		    size_t tlen, char *la, char *lb, size_t llen)
{
	_cleanup_free_ char *ar = NULL, *br = NULL;
	char t4[1024], t6[1024], fam[16], name[256];

	fw_ipt_tables(a->v4, t4, sizeof(t4));
	fw_ipt_tables(a->v6, t6, sizeof(t6));
	ar = ipt_rules(aj, t4, t6);
	br = ipt_rules(bj, t4, t6);
	if (!ar || !br)
		return -ENOMEM;
	if (!first_line_diff(ar, br, la, lb, llen))
		return 0;
	if (sscanf(la[0] ? la : lb, "%15s %255s", fam, name) == 2)
		snprintf(table, tlen, "%s %s", fam, name);
	else
		snprintf(table, tlen, "?");
	return 1;
}
