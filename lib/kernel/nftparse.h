/* SPDX-License-Identifier: MIT */
/* nftparse.h - the declarative structure of an nft ruleset file, for
 * nftsplit.c's steps */
#ifndef NC_NFTPARSE_H
#define NC_NFTPARSE_H

#include <stddef.h>
#include "base/util.h"

/**
 * struct sp_rule - one rule of a chain
 * @text:	rule text
 * @len:	its length
 * @line:	line in the user's file
 */
struct sp_rule {
	const char *text;
	size_t len;
	unsigned line;
};

/**
 * struct sp_chain - a chain
 * @name:	chain name (text, @nlen long)
 * @nlen:	length of @name
 * @props:	"type ...; policy ...;" lines, joined
 * @rules:	rules
 * @n:		number of rules
 */
struct sp_chain {
	const char *name;
	size_t nlen;
	char *props;
	struct sp_rule *rules;
	size_t n;
};

/**
 * struct sp_table - a table
 * @family:	e.g. "inet"
 * @name:	table name
 * @newname:	name it is built under
 * @props:	table-level lines other than flags (comment ...)
 * @objs:	sets, maps and other object blocks, whole ("set s { ... }")
 * @nobjs:	their number
 * @chains:	chains
 * @nchains:	their number
 * @skip:	not built in this pass (the second pass rebuilds only the
 *		tables the first had to build under another name)
 * @tmpname:	second pass: the name it was first built under
 * @dormant:	the file gives it "flags dormant": it stays dormant after
 *		the switch
 */
struct sp_table {
	char family[16];
	char name[128];
	char newname[136];
	int skip;
	char tmpname[136];
	int dormant;
	char *props;
	char **objs;
	size_t nobjs;
	struct sp_chain *chains;
	size_t nchains;
};

/**
 * struct sp - a parsed ruleset
 * @text:	the file, as read (statements point into it)
 * @defines:	define lines as "redefine" (a libnftables context keeps its
 *		symbols from one command buffer to the next), prepended to
 *		every transaction
 * @tables:	tables
 * @n:		number of tables
 * @err:	why parsing failed
 * @shown:	the file's name for messages
 * @lpos:	sp_line_of()'s last position (parsing only moves forward)
 * @lline:	its line
 */
struct sp {
	const char *shown;
	const char *lpos;
	unsigned lline;
	char *text;
	char *defines;
	struct sp_table *tables;
	size_t n;
	char err[512];
};

NC_INTERNAL unsigned sp_line_of(struct sp *sp, const char *p);
NC_INTERNAL int sp_parse(struct sp *sp);
NC_INTERNAL void sp_free(struct sp *sp);

#endif /* NC_NFTPARSE_H */
