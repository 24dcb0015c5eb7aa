// SPDX-License-Identifier: MIT
/*
 * nftinc.c - a ruleset file's include statements: found, expanded, and
 * frozen for the length of an apply
 *
 * Theory of operation: nft reads the files an include statement names
 * when the ruleset is loaded.  fw apply loads a generation more than once
 * (the cell, a throwaway namespace to compare with, a dry run, the steps
 * of a large file) and keeps it for rollback, so a file edited while an
 * apply runs would make those loads differ, and the generation kept would
 * not be the ruleset loaded.  Before its first load, a generation's
 * include statements are made to name copies (nft_snapshot_includes()):
 * each file named is copied into GENFILE.inc under its own absolute path
 * (GENFILE.inc/etc/nftables.d/a.nft), its own include statements treated
 * the same way, and the generation's statement is rewritten in place to
 * name the copy, or the same glob under the copy's root.  Lines keep their
 * numbers, and an error names a copy by its original path once the root
 * is cut out of the text (nft_unroot()); the copies are read by every
 * load and by nft_expand_file(), which the generation is sealed with.
 *
 * Anything nft's own resolution could make differently from a copy (a
 * statement not alone on its line, a name that is no regular file, "..",
 * a file that cannot be read) leaves the file as it was: nft then says
 * what is wrong, or the caller says the generation keeps its includes.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/paths.h"
#include "base/store.h"
#include "base/util.h"
#include "kernel/nft.h"

/* nft's default include directory (its -I path): a relative name is
 * looked for there only, not beside the including file nor in the current
 * directory (nftables 1.0.6, Debian 12) */
#define NFT_INCLUDE_DIR "/etc"

/**
 * include_path() - the file (or glob pattern) an include statement names
 * @name:	as written
 * @out:	path
 * @len:	size of @out
 *
 * As nft resolves it: an absolute name as it is, a relative one in its
 * include directory.
 */
static void include_path(const char *name, char *out, size_t len)
{
	if (name[0] == '/')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, NFT_INCLUDE_DIR "/%s", name);
}

/**
 * nft_include_line() - is @line one include statement and nothing else
 * @line:	a line of a ruleset file
 * @name:	out: the name it includes
 * @len:	size of @name
 *
 * Return: 1 if so ("include "NAME"", blanks, an optional ";" and comment)
 */
int nft_include_line(const char *line, char *name, size_t len)
{
	const char *p = line + strspn(line, " \t"), *q;

	if (strncmp(p, "include", 7) || !strchr(" \t", p[7]) || !p[7])
		return 0;
	p += 7 + strspn(p + 7, " \t");
	if (*p != '"' || !(q = strchr(p + 1, '"')) || (size_t)(q - p) > len)
		return 0;
	snprintf(name, len, "%.*s", (int)(q - p - 1), p + 1);
	q += 1 + strspn(q + 1, " \t;");
	return !*q || *q == '\n' || *q == '#';
}

/**
 * expand_into() - copy a ruleset file, its include statements replaced by
 * the files they name, in the order nft reads them
 * @m:		output
 * @f:		the file
 * @depth:	include depth (nft allows 16)
 *
 * A glob names its matches in sorted order, directories left out; a glob
 * that matches nothing is no error (nft's rules), a plain name that does
 * not exist is.
 *
 * Return: 0, or -1 for a file that cannot be read or a statement that
 * cannot be expanded
 */
static int expand_into(FILE *m, FILE *f, int depth)
{
	char line[4096], name[PATH_MAX], full[PATH_MAX + 8];
	glob_t g;
	size_t i, l;
	int ret = 0, gr;

	while (!ret && fgets(line, sizeof(line), f)) {
		l = strlen(line);
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
			fputs(line, m);		/* the rest of a long line follows */
			continue;
		}
		if (!nft_include_line(line, name, sizeof(name))) {
			if (strstr(line, "include") && strstr(line, "include \""))
				ret = strncmp(line + strspn(line, " \t"), "#", 1) ? -1 : 0;
			fputs(line, m);
			continue;
		}
		if (depth >= 16)
			return -1;
		include_path(name, full, sizeof(full));
		gr = glob(full, GLOB_MARK, NULL, &g);
		if (gr == GLOB_NOMATCH && strpbrk(full, "*?["))
			continue;
		if (gr)
			return -1;
		for (i = 0; !ret && i < g.gl_pathc; i++) {
			_cleanup_fclose_ FILE *inc = NULL;

			l = strlen(g.gl_pathv[i]);
			if (l && g.gl_pathv[i][l - 1] == '/')
				continue;
			inc = fopen(g.gl_pathv[i], "re");
			ret = inc ? expand_into(m, inc, depth + 1) : -1;
			fputc('\n', m);
		}
		globfree(&g);
	}
	return ret;
}

/**
 * slurp() - read a whole file, its includes expanded
 * @path:	file
 *
 * Return: NUL-terminated heap buffer, or NULL
 */
static char *slurp(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!f || !(m = open_memstream(&buf, &len)))
		return NULL;
	if (expand_into(m, f, 0)) {
		fclose(m);
		free(buf);
		return NULL;
	}
	fclose(m);
	return buf;
}

/**
 * nft_file_includes() - does a ruleset file have include statements
 * @path:	the file
 *
 * Return: 1 if a line (not a comment) holds "include", 0 if none, -errno
 */
int nft_file_includes(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[4096];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (line[strspn(line, " \t")] != '#' && strstr(line, "include"))
			return 1;
	return 0;
}

/**
 * nft_expand_file() - a ruleset file with its include statements replaced
 * by the files they name, as nft finds them
 * @path:	the file
 * @text:	out: heap text
 *
 * Return: 0, or -EINVAL (an include that cannot be read, or one not alone
 * on its line), -ENOMEM
 */
int nft_expand_file(const char *path, char **text)
{
	*text = slurp(path);
	return *text ? 0 : errno == ENOMEM ? -ENOMEM : -EINVAL;
}


/* nft reads at most this many nested include levels */
#define NFT_INCLUDE_DEPTH 16

/**
 * nft_include_root() - where a generation file's included files are copied
 * @path:	the generation file
 * @root:	out: PATH.inc
 * @len:	size of @root
 */
void nft_include_root(const char *path, char *root, size_t len)
{
	snprintf(root, len, "%s.inc", path);
}

/**
 * plain_path() - can a path be copied under a root and found there the same
 * @p:		absolute path or glob pattern
 *
 * Return: 1 when it has no "." or ".." component and no "//" (root + @p
 * then names a place inside root that stands for @p alone)
 */
static int plain_path(const char *p)
{
	return p[0] == '/' && !strstr(p, "//") && !strstr(p, "/./") && !strstr(p, "/../") &&
	       strcmp(p + strlen(p) - (strlen(p) >= 2 ? 2 : 0), "/.") &&
	       strcmp(p + strlen(p) - (strlen(p) >= 3 ? 3 : 0), "/..");
}

/**
 * mkdir_parents() - make the directories above a path under a private root
 * @path:	root + an absolute path
 * @from:	length of the root's part (those exist)
 *
 * Return: 0 or -errno
 */
static int mkdir_parents(char *path, size_t from)
{
	char *s;

	for (s = strchr(path + from + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	return 0;
}

static int snap_file(const char *root, FILE *in, FILE *out, int depth);

/**
 * snap_one() - copy one included file under the root (once), its own
 * include statements rewritten
 * @root:	the copies' root
 * @file:	the file, absolute
 * @depth:	its include depth
 *
 * Return: 0 or -1
 */
static int snap_one(const char *root, const char *file, int depth)
{
	char dest[PATH_MAX * 2];
	_cleanup_fclose_ FILE *in = NULL, *out = NULL;
	struct stat st;
	int fd;

	if (!plain_path(file))
		return -1;
	snprintf(dest, sizeof(dest), "%s%s", root, file);
	if (!lstat(dest, &st))
		return S_ISREG(st.st_mode) ? 0 : -1;	/* included twice */
	in = fopen(file, "re");
	if (!in || fstat(fileno(in), &st) || !S_ISREG(st.st_mode) ||
	    mkdir_parents(dest, strlen(root)))
		return -1;
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(out = fdopen(fd, "we"))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (snap_file(root, in, out, depth))
		return -1;
	return fflush(out) || ferror(out) ? -1 : 0;
}

/**
 * snap_line() - an include statement made to name the copies
 * @root:	the copies' root
 * @line:	the statement, alone on its line
 * @name:	the name it includes
 * @out:	where the rewritten line goes
 * @depth:	depth of the file it is in
 *
 * Return: 0 or -1
 */
static int snap_line(const char *root, const char *line, const char *name, FILE *out, int depth)
{
	char full[PATH_MAX + 8];
	const char *q = strchr(line, '"'), *e;
	int glob_chars, gr, ret = 0;
	size_t i, l;
	glob_t g;

	if (depth >= NFT_INCLUDE_DEPTH || !q || !(e = strchr(q + 1, '"')))
		return -1;
	include_path(name, full, sizeof(full));
	glob_chars = strpbrk(full, "*?[") != NULL;
	if (!plain_path(full) || strpbrk(root, "*?[\\\""))
		return -1;
	gr = glob(full, GLOB_MARK, NULL, &g);
	if (gr == GLOB_NOMATCH && glob_chars)
		goto rewrite;		/* nft: a glob may match nothing */
	if (gr)
		return -1;
	for (i = 0; !ret && i < g.gl_pathc; i++) {
		l = strlen(g.gl_pathv[i]);
		if (l && g.gl_pathv[i][l - 1] == '/')
			ret = glob_chars ? 0 : -1;	/* nft skips a directory a glob matches */
		else
			ret = snap_one(root, g.gl_pathv[i], depth + 1);
	}
	globfree(&g);
	if (ret)
		return ret;
rewrite:
	fprintf(out, "%.*s\"%s%s\"%s", (int)(q - line), line, root, full, e + 1);
	return 0;
}

/**
 * snap_file() - copy a ruleset file, every include statement made to name
 * the copies of what it names
 * @root:	the copies' root
 * @in:		the file
 * @out:	the copy
 * @depth:	its include depth
 *
 * Return: 0, or -1 when a statement cannot be made to name copies
 */
static int snap_file(const char *root, FILE *in, FILE *out, int depth)
{
	_cleanup_free_ char *line = NULL;
	char name[PATH_MAX];
	size_t cap = 0;
	ssize_t l;

	while ((l = getline(&line, &cap, in)) > 0) {
		if (nft_include_line(line, name, sizeof(name))) {
			if (snap_line(root, line, name, out, depth))
				return -1;
			continue;
		}
		/* "include" that is not a statement alone on its line: in a
		 * comment it is nothing; elsewhere nft would read a file */
		if (strstr(line, "include \"") && line[strspn(line, " \t")] != '#')
			return -1;
		if (fwrite(line, 1, (size_t)l, out) != (size_t)l)
			return -1;
	}
	return ferror(in) ? -1 : 0;
}

/**
 * nft_snapshot_includes() - make a generation file's include statements
 * name copies of the files, taken now
 * @path:	the generation file (rewritten in place, its lines kept)
 *
 * Return: 1 (done: the copies are in nft_include_root()), 0 (no include
 * statement), -EINVAL (a statement cannot be made to name copies: the
 * file is as it was, nothing copied), -errno
 */
int nft_snapshot_includes(const char *path)
{
	_cleanup_fclose_ FILE *in = NULL;
	_cleanup_free_ char *text = NULL;
	char root[PATH_MAX];
	size_t len = 0;
	FILE *m;
	int ret = nft_file_includes(path);

	if (ret <= 0)
		return ret;
	nft_include_root(path, root, sizeof(root));
	paths_remove_tree(root);	/* of a killed apply that had this number */
	if (mkdir(root, 0700))
		return -errno;
	in = fopen(path, "re");
	m = open_memstream(&text, &len);
	if (!in || !m) {
		ret = -errno;
		if (m)
			fclose(m);
		paths_remove_tree(root);
		return ret ? ret : -ENOMEM;
	}
	ret = snap_file(root, in, m, 0) ? -EINVAL : 0;
	if (fclose(m) && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = store_write_atomic(path, text, len);
	if (ret) {
		paths_remove_tree(root);
		return ret;
	}
	return 1;
}

/**
 * nft_drop_snapshot() - remove the copies a generation file's includes name
 * @path:	the generation file
 */
void nft_drop_snapshot(const char *path)
{
	char root[PATH_MAX];

	nft_include_root(path, root, sizeof(root));
	paths_remove_tree(root);
}

/**
 * nft_unroot() - name copied files by their own paths in an error text
 * @text:	error text, modified in place
 * @path:	the generation file whose copies the load read
 */
void nft_unroot(char *text, const char *path)
{
	char root[PATH_MAX];
	size_t rl;
	char *p;

	nft_include_root(path, root, sizeof(root));
	rl = strlen(root);
	for (p = strstr(text, root); p; p = strstr(p, root)) {
		if (p[rl] == '/')
			memmove(p, p + rl, strlen(p + rl) + 1);
		else
			p += rl;
	}
}
