// SPDX-License-Identifier: MIT
/*
 * nftparse.c - the declarative structure of an nft ruleset file
 *
 * Theory of operation: nftsplit.c moves a ruleset too large for one
 * transaction in steps, so it must know where each table, chain and rule
 * begins and ends, without a second nft grammar.  The file is read at
 * the level of its declarative structure only: define lines, and "table F
 * N { ... }" blocks holding chains (their type/policy lines, then one rule
 * per line or ';'), and sets, maps and other objects, which are moved
 * whole.  Statements point into the file's text, each with its line, so
 * an error names the user's line.  Anything else at the top level (an
 * imperative "add rule" line) is refused; libnftables judges the rules
 * themselves when they are loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/nftparse.h"

/**
 * sp_line_of() - line number of a position in the file
 * @sp:		ruleset
 * @p:		position
 *
 * Return: 1-based line
 */
unsigned sp_line_of(struct sp *sp, const char *p)
{
	const char *s = sp->text;
	unsigned l = 1;

	/* rules are numbered in file order: go on from the last one, or the
	 * parse of 50,000 rules counts newlines 50,000 times from the start */
	if (sp->lpos && sp->lpos <= p) {
		s = sp->lpos;
		l = sp->lline;
	}
	for (; s < p; s++)
		l += *s == '\n';
	sp->lpos = p;
	sp->lline = l;
	return l;
}

/**
 * next_stmt() - the next statement of a block body
 * @p:		cursor, advanced past the statement
 * @end:	end of the body
 * @s:		statement start
 * @e:		statement end (exclusive), trailing blanks trimmed
 *
 * A statement ends at a newline or ';' outside braces and quotes; braces
 * (anonymous sets, nested blocks) are part of it.  Comments are skipped.
 *
 * Return: 1 if a statement was found, 0 at the end, -1 on unbalanced input
 */
static int next_stmt(const char **p, const char *end, const char **s, const char **e)
{
	const char *c = *p;
	int depth = 0, quote = 0;

	while (c < end && (*c == ' ' || *c == '\t' || *c == '\n' || *c == ';' || *c == '\r' || *c == '#')) {
		if (*c == '#')
			while (c < end && *c != '\n')
				c++;
		else
			c++;
	}
	if (c >= end) {
		*p = c;
		return 0;
	}
	*s = c;
	for (; c < end; c++) {
		if (quote) {
			quote = *c != '"';
			continue;
		}
		if (*c == '"')
			quote = 1;
		else if (*c == '{')
			depth++;
		else if (*c == '}' && --depth < 0)
			return -1;
		else if (*c == '#' && !depth)
			break;
		else if ((*c == '\n' || *c == ';') && !depth && c[-1] != '\\')
			break;
	}
	if (depth || quote)
		return -1;
	*e = c;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	*p = c;
	return 1;
}

/**
 * starts() - does a statement start with a keyword
 * @s:		statement
 * @e:		its end
 * @kw:		keyword (followed by a blank in the statement)
 *
 * Return: 1 if so
 */
static int starts(const char *s, const char *e, const char *kw)
{
	size_t l = strlen(kw);

	return (size_t)(e - s) > l && !strncmp(s, kw, l) && (s[l] == ' ' || s[l] == '\t');
}

/**
 * body() - the inside of a "head { body }" statement
 * @s:		statement
 * @e:		its end
 * @bs:		body start
 * @be:		body end
 *
 * Return: 0, or -1 when the statement has no block
 */
static int body(const char *s, const char *e, const char **bs, const char **be)
{
	const char *o = memchr(s, '{', (size_t)(e - s));

	if (!o || e[-1] != '}')
		return -1;
	*bs = o + 1;
	*be = e - 1;
	return 0;
}

/**
 * append() - append text and a newline to a heap string
 * @dst:	heap string (may be NULL)
 * @s:		text
 * @len:	its length
 *
 * Return: 0 or -ENOMEM
 */
static int append(char **dst, const char *s, size_t len)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *n = realloc(*dst, old + len + 2);

	if (!n)
		return -ENOMEM;
	memcpy(n + old, s, len);
	n[old + len] = '\n';
	n[old + len + 1] = '\0';
	*dst = n;
	return 0;
}

/**
 * parse_chain() - rules and properties of "chain NAME { ... }"
 * @sp:		ruleset
 * @c:		chain to fill
 * @s:		statement
 * @e:		its end
 *
 * Return: 0 or -1 with @sp->err set
 */
static int parse_chain(struct sp *sp, struct sp_chain *c, const char *s, const char *e)
{
	const char *bs, *be, *p, *rs, *re;
	static const char *const props[] = { "type", "policy", "comment", "devices", "device" };
	size_t i, cap = 0;
	int r;

	for (c->name = s + 5; *c->name == ' ' || *c->name == '\t'; c->name++)
		;
	c->nlen = strcspn(c->name, " \t{");
	if (body(s, e, &bs, &be))
		return -1;
	for (p = bs; (r = next_stmt(&p, be, &rs, &re)) > 0;) {
		for (i = 0; i < ARRAY_SIZE(props) && !starts(rs, re, props[i]); i++)
			;
		if (i < ARRAY_SIZE(props)) {
			if (append(&c->props, rs, (size_t)(re - rs)))
				return -1;
			continue;
		}
		if (c->n == cap) {
			struct sp_rule *t = realloc(c->rules, (cap = cap ? cap * 2 : 64) * sizeof(*t));

			if (!t)
				return -1;
			c->rules = t;
		}
		c->rules[c->n++] = (struct sp_rule){ rs, (size_t)(re - rs), sp_line_of(sp, rs) };
	}
	return r;
}

/**
 * parse_table() - chains, objects and properties of "table F N { ... }"
 * @sp:		ruleset
 * @t:		table to fill
 * @s:		statement
 * @e:		its end
 *
 * Return: 0 or -1 with @sp->err set
 */
static int parse_table(struct sp *sp, struct sp_table *t, const char *s, const char *e)
{
	const char *bs, *be, *p, *ts, *te;
	int r;

	if (sscanf(s, "table %15s %127[^ \t{]", t->family, t->name) != 2 || body(s, e, &bs, &be)) {
		snprintf(sp->err, sizeof(sp->err), "line %u: cannot read the table header", sp_line_of(sp, s));
		return -1;
	}
	for (p = bs; (r = next_stmt(&p, be, &ts, &te)) > 0;) {
		if (starts(ts, te, "chain")) {
			struct sp_chain *c = realloc(t->chains, (t->nchains + 1) * sizeof(*c));

			if (!c)
				return -1;
			t->chains = c;
			c = &t->chains[t->nchains++];
			memset(c, 0, sizeof(*c));
			if (parse_chain(sp, c, ts, te))
				goto bad;
		} else if (starts(ts, te, "flags")) {
			/* the build step owns the flags; a table the user
			 * keeps dormant is not woken by the switch */
			const char *d = ts;

			while ((d = memchr(d, 'd', (size_t)(te - d))) && (size_t)(te - d) >= 7 &&
			       strncmp(d, "dormant", 7))
				d++;
			t->dormant |= d && (size_t)(te - d) >= 7;
			continue;
		} else if (starts(ts, te, "comment")) {
			if (append(&t->props, ts, (size_t)(te - ts)))
				return -1;
		} else if (memchr(ts, '{', (size_t)(te - ts))) {
			char **o = realloc(t->objs, (t->nobjs + 1) * sizeof(*o));

			if (!o)
				return -1;
			t->objs = o;
			o[t->nobjs] = strndup(ts, (size_t)(te - ts));
			if (!o[t->nobjs++])
				return -1;
		} else {
			goto bad;
		}
	}
	if (!r)
		return 0;
bad:
	snprintf(sp->err, sizeof(sp->err), "line %u: cannot split this table statement into transactions",
		 sp_line_of(sp, ts));
	return -1;
}

/**
 * sp_parse() - understand a ruleset's declarative structure
 * @sp:		ruleset, @sp->text set
 *
 * Return: 0 or -1 with @sp->err set
 */
int sp_parse(struct sp *sp)
{
	const char *p = sp->text, *end = sp->text + strlen(sp->text), *s, *e;
	int r;

	while ((r = next_stmt(&p, end, &s, &e)) > 0) {
		if (starts(s, e, "redefine") || starts(s, e, "undefine")) {
			/* every step gets every define: a symbol bound twice
			 * would have one value throughout */
			snprintf(sp->err, sizeof(sp->err),
				 "line %u: \"%.*s\": a ruleset too large for one transaction must define each symbol once (define lines only)",
				 sp_line_of(sp, s), (int)((e - s) > 40 ? 40 : e - s), s);
			return -1;
		} else if (starts(s, e, "define")) {
			_cleanup_free_ char *re = NULL;

			if (asprintf(&re, "re%.*s", (int)(e - s), s) < 0 ||
			    append(&sp->defines, re, strlen(re)))
				return -1;
		} else if ((size_t)(e - s) == 13 && !strncmp(s, "flush ruleset", 13)) {
			continue;	/* the switch replaces the whole ruleset anyway */
		} else if (starts(s, e, "table")) {
			struct sp_table *t = realloc(sp->tables, (sp->n + 1) * sizeof(*t));

			if (!t)
				return -1;
			sp->tables = t;
			memset(&t[sp->n], 0, sizeof(*t));
			if (parse_table(sp, &t[sp->n++], s, e))
				return -1;
		} else {
			snprintf(sp->err, sizeof(sp->err),
				 "line %u: \"%.*s\": a ruleset too large for one transaction must consist of define lines and table blocks",
				 sp_line_of(sp, s), (int)((e - s) > 40 ? 40 : e - s), s);
			return -1;
		}
	}
	if (r < 0)
		snprintf(sp->err, sizeof(sp->err), "unbalanced braces or quotes");
	return r < 0 ? -1 : 0;
}

/**
 * sp_free() - release a parsed ruleset
 * @sp:		ruleset
 */
void sp_free(struct sp *sp)
{
	size_t i, j;

	for (i = 0; i < sp->n; i++) {
		struct sp_table *t = &sp->tables[i];

		for (j = 0; j < t->nchains; j++) {
			free(t->chains[j].props);
			free(t->chains[j].rules);
		}
		for (j = 0; j < t->nobjs; j++)
			free(t->objs[j]);
		free(t->chains);
		free(t->objs);
		free(t->props);
	}
	free(sp->tables);
	free(sp->defines);
	free(sp->text);
}
