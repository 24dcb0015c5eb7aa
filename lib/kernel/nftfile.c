// SPDX-License-Identifier: MIT
/*
 * nftfile.c - loading a ruleset file into the current network namespace
 *
 * Theory of operation: a whole file is one transaction.  "flush ruleset"
 * (or the caller's table lines) and an include of the file go in one
 * buffer, which libnftables turns into one netlink batch, so the kernel
 * applies all of it or none of it.  A file too large for one batch even
 * with the raised send buffer (nft.c) goes to nftsplit.c, still all or
 * nothing; for that path its includes are expanded here, as nft would
 * find them.  Errors come back as the user's "FILE:LINE:COL: Error:"
 * lines, with the name the user knows in place of our temporary path.
 *
 * This module sits above nft.c (libnftables contexts, listings) and
 * nftsplit.c (the steps), which know nothing of each other's callers.
 */
#include <fcntl.h>
#include <limits.h>
#include "kernel/nftlib.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "kernel/nftsplit.h"

/**
 * replace_all() - copy @in to @out replacing every @from with @to
 * @in:		text
 * @from:	what to replace (not empty)
 * @to:		replacement
 * @out:	output buffer
 * @len:	its size
 */
static void replace_all(const char *in, const char *from, const char *to,
			char *out, size_t len)
{
	size_t fl = strlen(from), tl = strlen(to), o = 0;

	while (*in && o + 1 < len) {
		if (!strncmp(in, from, fl) && o + tl + 1 < len) {
			memcpy(out + o, to, tl);
			o += tl;
			in += fl;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

/**
 * skip_wrapper() - drop libnftables' lines about our one-line wrapper
 * @text:	error buffer, modified in place
 *
 * Errors in the file come after "In file included from <cmdline>:..."
 * lines, which name our include, not anything the user wrote (or, below a
 * file the user's includes, "                 from <cmdline>:..."); with
 * several errors they come again before each.
 *
 * Return: @text
 */
static char *skip_wrapper(char *text)
{
	char *r = text, *w = text, *nl;
	size_t l;

	while (*r) {
		nl = strchr(r, '\n');
		l = nl ? (size_t)(nl - r + 1) : strlen(r);
		if (strncmp(r, "In file included from <cmdline>", 31) &&
		    strncmp(r + strspn(r, " "), "from <cmdline>", 14)) {
			memmove(w, r, l);
			w += l;
		}
		r += l;
	}
	*w = '\0';
	return text;
}

/**
 * block_head() - does an error line begin a block of libnftables' errors
 * @l:		line
 * @located:	out: 1 when it names a place ("FILE:LINE:COL: Error:")
 *
 * Return: 1 if it does
 */
static int block_head(const char *l, int *located)
{
	const char *e = strstr(l, ": Error:"), *nl = strchr(l, '\n');

	*located = e && (!nl || e < nl) && l[0] != ' ' && l[0] != '\t';
	return *located || !strncmp(l, "Error:", 6) || !strncmp(l, "In file included from", 21);
}

/**
 * drop_unplaced() - drop the errors that name no place in the user's file
 * @text:	error buffer, modified in place
 *
 * A file that ends inside a statement (a missing brace) makes the parser
 * go on into the commands netcell adds after it; those errors are shown
 * with the first line of netcell's own buffer ("flush ruleset").  When
 * the buffer also has errors located in the user's file, the others are
 * noise and go.
 */
/**
 * has_located() - does an error buffer name a place in a file
 * @text:	error buffer
 *
 * Return: 1 if one error is "FILE:LINE:COL: Error: ..."
 */
static int has_located(const char *text)
{
	const char *r, *nl;
	int located;

	for (r = text; *r; r = nl ? nl + 1 : r + strlen(r)) {
		nl = strchr(r, '\n');
		if (block_head(r, &located) && located)
			return 1;
	}
	return 0;
}

static void drop_unplaced(char *text)
{
	char *r = text, *w = text, *nl;
	int located, keep = 1;
	size_t l;

	if (!has_located(text))
		return;
	for (r = text; *r; r += l) {
		nl = strchr(r, '\n');
		l = nl ? (size_t)(nl - r + 1) : strlen(r);
		if (block_head(r, &located))
			keep = located || !strncmp(r, "In file included from", 21);
		if (keep) {
			memmove(w, r, l);
			w += l;
		}
	}
	*w = '\0';
}

/**
 * ended_copy() - a file without a final newline, loaded the way nft -f
 * loads it
 * @path:	the file
 * @err:	errors when nft -f would refuse it
 * @len:	size of @err
 * @copy:	out: a temporary copy ending in a newline (unlink it after), or
 *		"" when the file ends in one
 * @clen:	size of @copy
 *
 * netcell loads a file through an include statement with commands after
 * it: a last line without its newline ran into them ("syntax error,
 * unexpected create") where nft -f loads the file; and a newline added
 * blindly would accept what nft -f refuses ("unexpected end of file").
 * So such a file is first read alone (a dry run, nothing changes), and
 * only if that passes is a copy with the newline loaded.
 *
 * Return: 0, -EINVAL (refused: @err holds nft's errors), -errno
 */
static int ended_copy(const char *path, char *err, size_t len, char *copy, size_t clen)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC), out = -1;
	struct nft_ctx *n;
	size_t tl;
	int ret = 0;

	copy[0] = '\0';
	if (in < 0)
		return -errno;
	tl = fd_read_grow(in, &text);
	if (!text)
		return -EIO;
	if (!tl || text[tl - 1] == '\n')
		return 0;
	n = nft_new();
	if (!n)
		return -errno;
	nftl.ctx_set_dry_run(n, true);
	if (nftl.run_cmd_from_filename(n, path)) {
		snprintf(err, len, "%s", nftl.ctx_get_error_buffer(n));
		ret = -EINVAL;
	}
	nft_free(n);
	if (ret)
		return ret;
	snprintf(copy, clen, "%s.endXXXXXX", path);
	out = mkstemp(copy);
	if (out < 0 || write(out, text, tl) != (ssize_t)tl || write(out, "\n", 1) != 1) {
		ret = out < 0 ? -errno : -EIO;
		if (out >= 0)
			unlink(copy);
		copy[0] = '\0';
	}
	return ret;
}

/**
 * alone_errors() - the errors of a file parsed on its own (a dry run)
 * @path:	the file
 * @e:		heap error buffer, replaced when the file alone gives errors
 *		that name a place in it
 *
 * A file that ends inside a statement (a missing brace) makes the parser
 * run into the commands after its include, and every error then names
 * netcell's buffer; the file read alone, as nft -f reads it, gives
 * "FILE:LINE:COL: Error: syntax error, unexpected end of file".  A dry run
 * changes nothing.
 */
static void alone_errors(const char *path, char **e)
{
	struct nft_ctx *n = nft_new();
	char *a;

	if (!n)
		return;
	nftl.ctx_set_dry_run(n, true);
	if (nftl.run_cmd_from_filename(n, path) && (a = strdup(nftl.ctx_get_error_buffer(n)))) {
		if (has_located(skip_wrapper(a))) {
			free(*e);
			*e = a;
		} else {
			free(a);
		}
	}
	nft_free(n);
}

/**
 * apply_in_steps() - the file did not fit one transaction: apply it through
 * nftsplit (build dormant tables in steps, then switch in one)
 * @n:		libnftables context
 * @path:	file
 * @shown:	file name for messages
 * @err:	error text
 * @len:	size of @err
 *
 * A dry run cannot check such a file first: libnftables' check mode sends
 * the whole batch to the kernel too.  nftsplit names the user's line when
 * a step is rejected, and removes what it built.
 *
 * Return: 0 or -EINVAL
 */
static int apply_in_steps(struct nft_ctx *n, const char *path, const char *shown,
			  char *err, size_t len)
{
	char *text = NULL;	/* nftsplit_apply() takes it over */
	int ret = nft_expand_file(path, &text);

	if (ret) {
		snprintf(err, len, "cannot read \"%s\" with the files it includes", shown);
		return ret;
	}
	return nftsplit_apply(n, text, shown, err, len) ? -EINVAL : 0;
}

/**
 * surely_too_large() - is a ruleset file far beyond what one transaction
 * can carry from this process
 * @path:	the file
 *
 * The netlink form of a rule takes about nine times its text; a process
 * without CAP_NET_ADMIN in the initial user namespace sends at most twice
 * net.core.wmem_max.  Twice the margin: a file near the limit is tried
 * whole first.
 *
 * Return: 1 if so
 */
static int surely_too_large(const char *path)
{
	unsigned long w = nft_wmem_max();
	struct stat st;

	if (!w || stat(path, &st) || nft_init_root())
		return 0;
	return (unsigned long)st.st_size * 9 > w * 2 * 2;
}

/**
 * apply_ended() - apply(), for a file that ends in a newline
 * @path:	absolute path of the file to load
 * @orig:	the file it is a copy of (its include copies' root), or @path
 * @shown:	name to show in error messages instead of @path
 * @prefix:	commands first
 * @keep:	commands last
 * @err:	libnftables' error text
 * @len:	size of @err
 *
 * Return: 0, -EINVAL when the ruleset was rejected, -ENOMEM, -ELIBACC
 */
static int apply_ended(const char *path, const char *orig, const char *shown, const char *prefix,
		       const char *keep, char *err, size_t len)
{
	_cleanup_free_ char *cmd = NULL;
	struct nft_ctx *n = nft_new();
	int ret, whole = !strcmp(prefix, "flush ruleset\n");

	err[0] = '\0';
	if (!n) {
		snprintf(err, len, "%s", errno == ELIBACC ? nftlib_error() : "out of memory");
		return -errno;
	}
	if (!keep || asprintf(&cmd, "%sinclude \"%s\"\n%s", prefix, path, keep) < 0) {
		nft_free(n);
		return -ENOMEM;
	}
	if (whole && surely_too_large(path)) {
		/* no whole try first: it would parse 50,000 rules for nothing */
		ret = apply_in_steps(n, path, shown, err, len);
		nft_free(n);
		return ret;
	}
	ret = nftl.run_cmd_from_buffer(n, cmd) ? -EINVAL : 0;
	/* reading the error buffer empties it: read it once */
	if (ret) {
		_cleanup_free_ char *e = strdup(nftl.ctx_get_error_buffer(n));

		if (e && !has_located(skip_wrapper(e)))
			alone_errors(path, &e);
		if (e) {
			drop_unplaced(skip_wrapper(e));
			nft_unroot(e, orig);
		}
		replace_all(e ? e : "out of memory", path, shown, err, len);
		nft_reserved_error(shown, whole ? path : NULL, err, len);
	}
	if (ret && whole && strstr(err, "Message too long"))
		ret = apply_in_steps(n, path, shown, err, len);
	nft_free(n);
	return ret;
}

/**
 * apply() - load a ruleset file, with commands before and after it, as one
 * transaction
 * @path:	absolute path of the file to load
 * @shown:	name to show in error messages instead of @path
 * @prefix:	commands first ("flush ruleset\n": a whole ruleset)
 * @keep:	commands last (netcell's own tables made again), may be ""
 * @err:	libnftables' error text
 * @len:	size of @err
 *
 * Return: 0, -EINVAL when the ruleset was rejected, -ENOMEM, -ELIBACC
 */
static int apply(const char *path, const char *shown, const char *prefix, const char *keep,
		 char *err, size_t len)
{
	char ended[PATH_MAX + 16];
	int ret = ended_copy(path, err, len, ended, sizeof(ended));

	if (ret == -EINVAL) {
		char *e = strdup(err);

		if (e) {
			nft_unroot(e, path);
			replace_all(e, path, shown, err, len);
		}
		free(e);
	}
	if (ret)
		return ret == -EINVAL ? ret : (snprintf(err, len, "cannot read \"%s\": %s", shown, strerror(-ret)), ret);
	ret = apply_ended(ended[0] ? ended : path, path, shown, prefix, keep, err, len);
	if (ended[0])
		unlink(ended);
	return ret;
}

/**
 * nft_apply_file() - load a ruleset file as one transaction
 * @path:	absolute path of the file to load
 * @shown:	name to show in error messages instead of @path
 * @prefix:	commands that go first in the same transaction: "flush
 *		ruleset\n" to replace the whole ruleset (then a ruleset too
 *		large for one transaction is applied in steps), or
 *		"add table ..; delete table ..;" lines to replace some tables
 * @err:	libnftables' error text, "FILE:LINE:COL: Error: ..." lines
 * @len:	size of @err
 *
 * A ruleset too large for one netlink message (EMSGSIZE even with the
 * raised send buffer) is applied by nftsplit.c, still all or nothing.  A
 * whole ruleset keeps netcell's own table (nft_keep_reserved()).
 *
 * Return: 0, -EINVAL when the ruleset was rejected, -ENOMEM, -ELIBACC
 */
int nft_apply_file(const char *path, const char *shown, const char *prefix,
		   char *err, size_t len)
{
	_cleanup_free_ char *keep = NULL;

	if (!strcmp(prefix, "flush ruleset\n")) {
		keep = nft_keep_reserved();
		if (!keep) {
			snprintf(err, len, "out of memory");
			return -ENOMEM;
		}
	}
	return apply(path, shown, prefix, keep ? keep : "", err, len);
}

/**
 * host_own_included() - does a file's text with its includes expanded name
 * one of netcell's own host tables (nft_line_defines_host_own())
 * @path:	ruleset file with include statements
 * @name:	out: the table
 * @len:	size of @name
 *
 * An include that cannot be expanded is left to the load, which names it.
 *
 * Return: 1 if so
 */
static int host_own_included(const char *path, char *name, size_t len)
{
	_cleanup_free_ char *text = NULL;
	char *l, *nl;

	if (nft_expand_file(path, &text))
		return 0;
	for (l = text; l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (nft_line_defines_host_own(l, name, len))
			return 1;
	}
	return 0;
}

/**
 * nft_apply_host_file() - load a host ruleset file as one transaction,
 * netcell's own host tables kept (nft_keep_host_own())
 * @path:	absolute path of the file to load
 * @shown:	name to show in error messages instead of @path
 * @prefix:	"add table ..; delete table ..;" lines of the tables replaced
 * @err:	libnftables' error text, or why the file was refused
 * @len:	size of @err
 *
 * A file that defines a table named like netcell's own is refused: the
 * kept table would silently replace it.
 *
 * Return: 0, -EINVAL when the ruleset was rejected, -ENOMEM, -ELIBACC
 */
int nft_apply_host_file(const char *path, const char *shown, const char *prefix,
			char *err, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *keep = NULL;
	char line[1024], name[128];
	unsigned no = 0;
	int at_start = 1;

	while (f && fgets(line, sizeof(line), f)) {
		/* a line longer than the buffer is read in parts: one number */
		no += at_start;
		at_start = line[0] && line[strlen(line) - 1] == '\n';
		if (nft_line_defines_host_own(line, name, sizeof(name))) {
			snprintf(err, len, "%s:%u: table ip %s is netcell's own (the published ports of a root cell, carried by the kernel): define and change only tables whose names do not begin with \"" NFT_HOST_OWN "\"",
				 shown, no, name);
			return -EINVAL;
		}
	}
	/* the files it includes are read as part of it */
	if (nft_file_includes(path) > 0 && host_own_included(path, name, sizeof(name))) {
		snprintf(err, len, "%s: a file it includes names table ip %s, which is netcell's own (the published ports of a root cell, carried by the kernel): define and change only tables whose names do not begin with \"" NFT_HOST_OWN "\"",
			 shown, name);
		return -EINVAL;
	}
	keep = nft_keep_host_own();
	if (!keep) {
		snprintf(err, len, "cannot read netcell's own host tables (ip " NFT_HOST_OWN "*, published ports of root cells), which the load must keep; nothing was changed");
		return -EIO;
	}
	return apply(path, shown, prefix, keep, err, len);
}
