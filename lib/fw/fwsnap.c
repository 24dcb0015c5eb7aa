// SPDX-License-Identifier: MIT
/*
 * fwsnap.c - a namespace's ruleset taken as three comparable views
 *
 * Theory of operation: to say that two namespaces hold the same ruleset,
 * netcell compares three texts: nft's listing, and iptables-save and
 * ip6tables-save (which hold what nft cannot say: the iptables extensions
 * nft lists only as "xt match ...", -m comment texts).  This file takes
 * them.  What traffic changes is taken out first: counters (nft's
 * "packets N bytes N", the "[N:N]" of iptables-save), the bytes a quota
 * used, and the elements of sets the ruleset fills itself (dynamic sets,
 * sets with timeouts), whose contents are state, not configuration;
 * comment lines go too.  A quoted string (a rule's comment) is the user's
 * words and is left as it is: fw stage writes its output from these views.  Views are cut to a set of tables in fwsnapcut.c
 * and compared in fwsnapdiff.c.  fw stage compares what a script built
 * with its output loaded again (stageout.c); fw apply compares a cell's
 * live ruleset with the generation loaded into a throwaway namespace
 * (fwverify.c).
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
 * quoted() - whether a place in a line is inside a quoted string (a rule's
 * comment, an interface name): the user's words, which traffic never
 * changes, so nothing is taken out of them
 * @line:	the line
 * @p:		a place in it
 *
 * Return: 1 if an odd number of '"' (not escaped, as iptables-save
 * escapes them) come before @p
 */
static int quoted(const char *line, const char *p)
{
	int in = 0;

	for (; line < p; line++)
		if (*line == '\\' && line + 1 < p)
			line++;
		else if (*line == '"')
			in = !in;
	return in;
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
	/* "packets 1 bytes 2" (nft): each number at least a digit, so the
	 * line never grows */
	for (p = line; (p = strstr(p, "packets "));) {
		q = p + 8 + strspn(p + 8, "0123456789");
		b = q == p + 8 || strncmp(q, " bytes ", 7) ? q : q + 7 + strspn(q + 7, "0123456789");
		if (b <= q + 7 || quoted(line, p)) {
			p += 8;
			continue;
		}
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
		if (q == p + 6 || *q != ' ' || quoted(line, p)) {
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
		if (quoted(line, p)) {
			p += 9;
			continue;
		}
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
	int ret = tool_run(argv, NULL, tmp, err, len);

	if (ret == -EINVAL) {
		unlink(tmp);
		err[0] = '\0';
		*text = strdup("");
		return *text ? 0 : -ENOMEM;
	}
	if (ret)
		return ret;
	*text = file_read_all(tmp);
	ret = *text ? 0 : -errno;
	unlink(tmp);
	return ret;
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

	if (ret)	/* apply, drift and stage call this: name no caller's object */
		snprintf(err, len, "cannot list the namespace's ruleset: %s", strerror(-ret));
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
