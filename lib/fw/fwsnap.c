// SPDX-License-Identifier: MIT
/*
 * fwsnap.c - a namespace's ruleset in three comparable views
 *
 * Theory of operation: to say that two namespaces hold the same ruleset,
 * netcell compares three texts: nft's listing, and iptables-save and
 * ip6tables-save (which hold what nft cannot say: the iptables extensions
 * nft lists only as "xt match ...", -m comment texts).  What traffic
 * changes is taken out first: counters (nft's "packets N bytes N", the
 * "[N:N]" of iptables-save), the bytes a quota used, and the elements of
 * sets the ruleset fills itself (dynamic sets, sets with timeouts), whose
 * contents are state, not configuration; comment lines go too.  The
 * tables iptables made are compared in iptables-save's words only: nft
 * lists their chains in creation order, which iptables-restore does not
 * keep.  fw stage compares what a script built with its output loaded
 * again (stageout.c); fw apply compares a cell's live ruleset with the
 * generation loaded into a throwaway namespace (fwload.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fw/fwsnap.h"
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "kernel/tool.h"

/**
 * fw_snap_free() - free a snapshot's texts
 * @s:		snapshot
 */
void fw_snap_free(struct fw_snap *s)
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
 * strip_used() - drop what a quota has used ("used 1234 bytes")
 * @line:	NUL-terminated line, modified in place
 */
static void strip_used(char *line)
{
	char *p, *q;

	for (p = line; (p = strstr(p, " used "));) {
		q = p + 6 + strspn(p + 6, "0123456789");
		if (q == p + 6 || *q != ' ') {
			p += 6;
			continue;
		}
		q += 1 + strcspn(q + 1, " ,;}");	/* the unit */
		memmove(p, q, strlen(q) + 1);
	}
}

/**
 * strip_expires() - drop the time left to a set element ("expires 59s")
 * @line:	NUL-terminated line, modified in place
 */
static void strip_expires(char *line)
{
	char *p, *q;

	for (p = line; (p = strstr(p, " expires "));) {
		q = p + 9 + strcspn(p + 9, " ,;}");
		memmove(p, q, strlen(q) + 1);
	}
}

/**
 * volatile_set() - is a set or map block filled by traffic (its elements
 * are state: a dynamic set, or one whose elements time out)
 * @block:	the block's lines, from "set NAME {" to its "}"
 *
 * Return: 1 if so
 */
static int volatile_set(const char *block)
{
	const char *l;
	char line[256];

	for (l = block; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		l += strspn(l, "\t ");
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (!strncmp(line, "timeout ", 8) ||
		    (!strncmp(line, "flags ", 6) && (strstr(line, "dynamic") || strstr(line, "timeout"))))
			return 1;
	}
	return 0;
}

/**
 * put_set() - write a set or map block, without its elements if traffic
 * fills it
 * @f:		output
 * @block:	the block's lines
 */
static void put_set(FILE *f, const char *block)
{
	int vol = volatile_set(block), in_elems = 0;
	const char *l, *nl, *t;
	size_t n;

	for (l = block; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		n = nl ? (size_t)(nl - l + 1) : strlen(l);
		t = l + strspn(l, "\t ");
		if (vol && !in_elems && !strncmp(t, "elements = {", 12))
			in_elems = 1;
		if (!in_elems)
			fwrite(l, 1, n, f);
		else if (n >= 2 && l[n - 2] == '}')	/* the elements' closing brace */
			in_elems = 0;
	}
}

/**
 * normalise() - take out what traffic changes (counters, quota use, the
 * time left to set elements; with @sets also the elements of sets the
 * ruleset fills), and comment lines (timestamps, notes)
 * @text:	heap text, replaced
 * @sets:	take out the elements of dynamic sets and sets with timeouts
 *
 * Return: 0 or -ENOMEM
 */
static int normalise(char **text, int sets)
{
	char *out = NULL, *blk = NULL, *l, *nl, *t;
	size_t ol = 0, bl = 0;
	FILE *f = open_memstream(&out, &ol), *b = NULL;

	if (!f)
		return -ENOMEM;
	for (l = *text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (*l == '#')
			continue;
		zero_counters(l);
		strip_used(l);
		strip_expires(l);
		t = l + strspn(l, "\t");
		/* nft lists a set or map one tab deep in its table */
		if (sets && !b && t == l + 1 && (!strncmp(t, "set ", 4) || !strncmp(t, "map ", 4)) &&
		    strchr(t, '{')) {
			b = open_memstream(&blk, &bl);
			if (!b)
				break;
		}
		fprintf(b ? b : f, "%s\n", l);
		if (b && t == l + 1 && !strcmp(t, "}")) {
			fclose(b);
			b = NULL;
			put_set(f, blk);
			free(blk);
			blk = NULL;
		}
	}
	if (b) {	/* an unclosed block: written as it is */
		fclose(b);
		fputs(blk ? blk : "", f);
		free(blk);
	}
	if (fclose(f) || !out)
		return -ENOMEM;
	free(*text);
	*text = out;
	return 0;
}

/**
 * save_text() - one family's iptables-save output
 * @tmp:	a file to save into (removed after)
 * @tool:	"iptables-save" or "ip6tables-save"
 * @text:	heap text
 * @err:	error
 * @len:	size of @err
 *
 * An nft table named like one of iptables' ("table ip6 nat") with rules
 * iptables cannot parse makes the save fail ("Parsing nftables rule
 * failed"): that is a ruleset nft loads, not an error.  The view is then
 * empty, so every table is compared in nft's listing.
 *
 * Return: 0 or -errno
 */
static int save_text(const char *tmp, const char *tool, char **text, char *err, size_t len)
{
	const char *argv[] = { tool, NULL };
	int ret = tool_run(argv, NULL, tmp, err, len), fd;

	if (ret == -EINVAL) {
		unlink(tmp);
		err[0] = '\0';
		*text = strdup("");
		return *text ? 0 : -ENOMEM;
	}
	if (ret)
		return ret;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fd_read_grow(fd, text);
	close(fd);
	unlink(tmp);
	return *text ? 0 : -EIO;
}

/**
 * fw_snap_take() - the three views of the current namespace's ruleset
 * @tmp:	a file for iptables-save's output (removed after)
 * @sets:	leave out the elements of sets the ruleset fills itself (to
 *		compare live rulesets; not for a ruleset to be written out)
 * @s:		result
 * @err:	error
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
int fw_snap_take(const char *tmp, int sets, struct fw_snap *s, char *err, size_t len)
{
	int ret = nft_list_ruleset(&s->nft);

	if (ret)
		snprintf(err, len, "cannot list the ruleset the script built");
	else	/* netcell's own table (kernel/nft.h) is never a generation's */
		nft_strip_reserved(s->nft);
	/* iptables tables are of family ip or ip6: without one, a save has
	 * nothing to say, and not running it saves an exec */
	if (!ret)
		ret = strstr(s->nft, "table ip ") ? save_text(tmp, "iptables-save", &s->v4, err, len) :
		      !(s->v4 = strdup("")) ? -ENOMEM : 0;
	if (!ret)
		ret = strstr(s->nft, "table ip6 ") ? save_text(tmp, "ip6tables-save", &s->v6, err, len) :
		      !(s->v6 = strdup("")) ? -ENOMEM : 0;
	if (ret)
		return ret;
	if (normalise(&s->nft, sets) || normalise(&s->v4, 0) || normalise(&s->v6, 0))
		return -ENOMEM;
	return 0;
}

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
