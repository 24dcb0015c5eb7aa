// SPDX-License-Identifier: MIT
/*
 * nftsplit.c - apply an nft ruleset too large for one transaction, atomically
 *
 * Theory of operation: one nftables transaction is one netlink message, and
 * a rootless process cannot send one larger than twice net.core.wmem_max.
 * For larger rulesets the all-or-nothing promise is kept in three steps:
 *
 *  1. build: every table of the new ruleset is created under a name that no
 *     live table has (NAME, or NAME_nc when NAME is live) with the "dormant"
 *     flag, so none of its base chains is attached to a hook: no packet can
 *     meet it.  Its sets, chains and rules follow in as many transactions as
 *     it takes.  A failure here removes the dormant tables: nothing that
 *     packets meet ever changed.
 *  2. switch: one small transaction wakes the new tables ("add table" with
 *     no flags) and deletes every old table.  The kernel applies it at once,
 *     so a packet meets either all of the old ruleset or all of the new.
 *  3. the price: a table may end up named NAME_nc (the next large apply
 *     brings NAME back).  Rule semantics do not depend on table names.
 *
 * The file is understood at the level of its declarative structure
 * (nftparse.c; include statements were expanded by nftfile.c).  Anything
 * else at the top level (an imperative "add rule" line) is refused before
 * anything is applied; the whole file was checked with a libnftables dry
 * run first, so syntax errors point into the user's file.
 */
#include "kernel/nftlib.h"
#include <stdio.h>
#include <string.h>
#include "kernel/nft.h"
#include "kernel/nftparse.h"
#include "kernel/nftsplit.h"

/* ruleset text per step: a fraction of what one transaction may carry (the
 * socket's send buffer is twice net.core.wmem_max; the netlink form of a
 * rule is about nine times its text), at least this much */
#define SPLIT_CHUNK_MIN (16 * 1024)

/**
 * txn() - run one transaction
 * @n:		libnftables context
 * @text:	commands
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0, -EMSGSIZE when too large, -EINVAL when rejected
 */
static int txn(struct nft_ctx *n, const char *text, char *err, size_t len)
{
	if (!nftl.run_cmd_from_buffer(n, text))
		return 0;
	snprintf(err, len, "%s", nftl.ctx_get_error_buffer(n));
	return strstr(err, "Message too long") ? -EMSGSIZE : -EINVAL;
}

/**
 * live_has() - is a table of this family and name in the live ruleset
 * @live:	"nft list tables" output
 * @fam:	family
 * @name:	name
 *
 * Return: 1 if so
 */
static int live_has(const char *live, const char *fam, const char *name)
{
	char want[200];

	snprintf(want, sizeof(want), "table %s %s\n", fam, name);
	return strstr(live, want) != NULL;
}

/**
 * build_skeleton() - create the dormant tables, their objects and chains
 * @sp:		ruleset
 * @n:		libnftables context
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int build_skeleton(struct sp *sp, struct nft_ctx *n, char *err, size_t len)
{
	char *text = NULL;
	size_t tl = 0, i, j;
	FILE *f = open_memstream(&text, &tl);
	int ret;

	if (!f)
		return -ENOMEM;
	fputs(sp->defines ? sp->defines : "", f);
	for (i = 0; i < sp->n; i++) {
		struct sp_table *t = &sp->tables[i];

		if (t->skip)
			continue;
		fprintf(f, "table %s %s {\n\tflags dormant\n%s", t->family, t->newname,
			t->props ? t->props : "");
		for (j = 0; j < t->nobjs; j++)
			fprintf(f, "\t%s\n", t->objs[j]);
		for (j = 0; j < t->nchains; j++)
			fprintf(f, "\tchain %.*s {\n%s\t}\n", (int)t->chains[j].nlen,
				t->chains[j].name, t->chains[j].props ? t->chains[j].props : "");
		fputs("}\n", f);
	}
	fclose(f);
	ret = text ? txn(n, text, err, len) : -ENOMEM;
	free(text);
	return ret;
}

/**
 * rule_txn() - add rules [a, b) of a chain in one transaction
 * @sp:		ruleset
 * @n:		libnftables context
 * @t:		table
 * @c:		chain
 * @a:		first rule
 * @b:		end
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0, -EMSGSIZE, -EINVAL or -ENOMEM
 */
static int rule_txn(const struct sp *sp, struct nft_ctx *n, const struct sp_table *t,
		    const struct sp_chain *c, size_t a, size_t b, char *err, size_t len)
{
	char *text = NULL;
	size_t tl = 0, k;
	FILE *f = open_memstream(&text, &tl);
	int ret;

	if (!f)
		return -ENOMEM;
	fputs(sp->defines ? sp->defines : "", f);
	for (k = a; k < b; k++)
		fprintf(f, "add rule %s %s %.*s %.*s\n", t->family, t->newname,
			(int)c->nlen, c->name, (int)c->rules[k].len, c->rules[k].text);
	fclose(f);
	ret = text ? txn(n, text, err, len) : -ENOMEM;
	free(text);
	return ret;
}

/**
 * blame_rule() - find the rule of a rejected step and name its line
 * @sp:		ruleset
 * @n:		libnftables context
 * @t:		table
 * @c:		chain
 * @a:		first rule of the step
 * @b:		end of the step
 * @err:	rewritten to "FILE:LINE: error" and the rule
 * @len:	size of @err
 *
 * The dormant table takes the step's rules one by one (no packet meets
 * it), so the first one the kernel refuses is the culprit.
 */
static void blame_rule(const struct sp *sp, struct nft_ctx *n, const struct sp_table *t,
		       const struct sp_chain *c, size_t a, size_t b, char *err, size_t len)
{
	char why[1024];
	size_t k;

	for (k = a; k < b; k++) {
		if (rule_txn(sp, n, t, c, k, k + 1, why, sizeof(why)) != -EINVAL)
			continue;
		snprintf(err, len, "%s:%u: %.*s\n%.*s", sp->shown, c->rules[k].line,
			 (int)strcspn(why, "\n"), why, (int)c->rules[k].len, c->rules[k].text);
		return;
	}
}

/**
 * step_size() - how much ruleset text one step may carry
 *
 * Every step rebuilds the chain's rule array in the kernel (a cost that
 * grows with the chain), so fewer, larger steps matter: with wmem_max at
 * 4 MiB, 50,000 rules go in 5 steps instead of 100.
 *
 * Return: bytes of text
 */
static size_t step_size(void)
{
	unsigned long w = nft_wmem_max();

	return w * 2 / 12 < SPLIT_CHUNK_MIN ? SPLIT_CHUNK_MIN : w * 2 / 12;
}

/**
 * add_rules() - add every chain's rules in transactions of bounded size
 * @sp:		ruleset
 * @n:		libnftables context
 * @err:	error text
 * @len:	size of @err
 *
 * A transaction refused as too large is retried with half as many bytes.
 *
 * Return: 0 or -errno
 */
static int add_rules(struct sp *sp, struct nft_ctx *n, char *err, size_t len)
{
	size_t chunk = step_size(), i, j, k, from, bytes;
	int ret = 0;

	for (i = 0; !ret && i < sp->n; i++) {
		struct sp_table *t = &sp->tables[i];

		for (j = 0; !ret && !t->skip && j < t->nchains; j++) {
			struct sp_chain *c = &t->chains[j];

			for (from = 0; !ret && from < c->n; from = k) {
				for (k = from, bytes = 0; k < c->n && (k == from || bytes < chunk); k++)
					bytes += c->rules[k].len + 32;
				ret = rule_txn(sp, n, t, c, from, k, err, len);
				if (ret == -EINVAL)
					blame_rule(sp, n, t, c, from, k, err, len);
				if (ret == -EMSGSIZE && chunk > 256) {
					chunk /= 2;
					k = from;
					ret = 0;
				}
			}
		}
	}
	return ret;
}

/**
 * table_dormant() - does the file keep this table dormant (any of its
 * declarations says "flags dormant", as nft merges them)
 * @sp:		ruleset
 * @t:		table
 *
 * Return: 1 if so
 */
static int table_dormant(const struct sp *sp, const struct sp_table *t)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->tables[i].dormant && !strcmp(sp->tables[i].family, t->family) &&
		    !strcmp(sp->tables[i].name, t->name))
			return 1;
	return 0;
}

/**
 * switch_over() - wake the new tables and delete the old, in one transaction
 * @sp:		ruleset
 * @n:		libnftables context
 * @live:	the live tables ("nft list tables" output)
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -errno
 */
static int switch_over(struct sp *sp, struct nft_ctx *n, const char *live,
		       char *err, size_t len)
{
	char *text = NULL, fam[16], name[136];
	size_t tl = 0, i;
	const char *l;
	FILE *f = open_memstream(&text, &tl);
	int ret;

	if (!f)
		return -ENOMEM;
	/* a table the file keeps dormant stays as it was built */
	for (i = 0; i < sp->n; i++)
		if (!sp->tables[i].skip && !table_dormant(sp, &sp->tables[i]))
			fprintf(f, "add table %s %s\n", sp->tables[i].family, sp->tables[i].newname);
	for (l = live; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (sscanf(l, "table %15s %135s", fam, name) == 2 &&
		    strncmp(l, "table " NFT_RESERVED "\n", sizeof("table " NFT_RESERVED)))
			fprintf(f, "delete table %s %s\n", fam, name);
	for (i = 0; !live && i < sp->n; i++)	/* second pass */
		if (!sp->tables[i].skip)
			fprintf(f, "delete table %s %s\n", sp->tables[i].family, sp->tables[i].tmpname);
	fclose(f);
	ret = text ? txn(n, text, err, len) : -ENOMEM;
	free(text);
	return ret;
}

/**
 * drop_new() - remove the dormant tables after a failed build
 * @sp:		ruleset
 * @n:		libnftables context
 */
static void drop_new(struct sp *sp, struct nft_ctx *n)
{
	char cmd[200], err[256];
	size_t i;

	for (i = 0; i < sp->n; i++) {
		if (sp->tables[i].skip)
			continue;
		snprintf(cmd, sizeof(cmd), "delete table %s %s\n", sp->tables[i].family,
			 sp->tables[i].newname);
		txn(n, cmd, err, sizeof(err));
	}
}

/**
 * name_tables() - choose, for each new table, a name no live table has
 * @sp:		ruleset
 * @live:	live tables
 *
 * Return: 0, or -1 when two new tables collide
 */
static int name_tables(struct sp *sp, const char *live)
{
	size_t i, l;

	for (i = 0; i < sp->n; i++) {
		struct sp_table *t = &sp->tables[i];

		snprintf(t->newname, sizeof(t->newname), "%s", t->name);
		for (l = 0; live_has(live, t->family, t->newname) && l < 100; l++)
			snprintf(t->newname, sizeof(t->newname), "%.100s_nc%zu", t->name, l);
		if (live_has(live, t->family, t->newname))
			return -1;
	}
	return 0;
}

/**
 * second_pass() - give the user's names back to tables that had to be
 * built under another one (their name was live)
 * @sp:		ruleset, in force
 * @n:		libnftables context
 * @err:	error text
 * @len:	size of @err
 *
 * The new ruleset is in force already; each such table is built once more,
 * dormant, under its own name, and one transaction wakes it and deletes
 * the stand-in: a packet meets the same rules before and after.  Should
 * that fail (it loaded a moment ago), the ruleset stays in force under the
 * stand-in names.
 *
 * Return: 0, or -errno
 */
static int second_pass(struct sp *sp, struct nft_ctx *n, char *err, size_t len)
{
	size_t i, todo = 0;
	int ret;

	for (i = 0; i < sp->n; i++) {
		struct sp_table *t = &sp->tables[i];

		t->skip = !strcmp(t->newname, t->name);
		if (t->skip)
			continue;
		snprintf(t->tmpname, sizeof(t->tmpname), "%s", t->newname);
		snprintf(t->newname, sizeof(t->newname), "%s", t->name);
		todo++;
	}
	if (!todo)
		return 0;
	ret = build_skeleton(sp, n, err, len);
	if (!ret)
		ret = add_rules(sp, n, err, len);
	if (!ret)
		ret = switch_over(sp, n, NULL, err, len);
	if (ret)
		drop_new(sp, n);
	return 0;	/* the new ruleset is in force either way */
}

/**
 * nftsplit_check() - can a ruleset be applied in steps (parse only)
 * @text:	ruleset text
 * @err:	why not
 * @len:	size of @err
 *
 * Return: 0, or -EINVAL with @err set
 */
int nftsplit_check(const char *text, char *err, size_t len)
{
	struct sp sp = { .shown = "input" };
	int ret;

	sp.text = strdup(text);
	if (!sp.text)
		return -ENOMEM;
	ret = sp_parse(&sp) ? -EINVAL : 0;
	if (ret)
		snprintf(err, len, "%s", sp.err);
	sp_free(&sp);
	return ret;
}

/**
 * nftsplit_apply() - apply a large nft ruleset atomically, in steps
 * @n:		libnftables context in the target namespace (send buffer raised)
 * @text:	the ruleset file's contents (taken over, freed here)
 * @shown:	file name for messages
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0, or -errno with @err; on failure the live ruleset is unchanged
 */
int nftsplit_apply(struct nft_ctx *n, char *text, const char *shown, char *err,
		   size_t len)
{
	struct sp sp = { .text = text, .shown = shown };
	char *live = NULL;
	int ret = -EINVAL;

	nftl.ctx_buffer_output(n);
	if (sp_parse(&sp)) {
		snprintf(err, len, "%s: %s", shown, sp.err);
		goto out;
	}
	for (size_t i = 0; i < sp.n; i++)
		if (!strcmp(sp.tables[i].family, "inet") && !strcmp(sp.tables[i].name, "netcell")) {
			snprintf(err, len, "create table " NFT_RESERVED);
			nft_reserved_error(shown, NULL, err, len);
			goto out;
		}
	if (nft_list_tables(&live)) {
		snprintf(err, len, "cannot list the live tables");
		goto out;
	}
	if (name_tables(&sp, live)) {
		snprintf(err, len, "%s: cannot find free names for the new tables", shown);
		goto out;
	}
	ret = build_skeleton(&sp, n, err, len);
	if (!ret)
		ret = add_rules(&sp, n, err, len);
	if (!ret)
		ret = switch_over(&sp, n, live, err, len);
	if (ret)
		drop_new(&sp, n);
	if (!ret)
		ret = second_pass(&sp, n, err, len);
out:
	free(live);
	sp_free(&sp);
	return ret;
}
