// SPDX-License-Identifier: MIT
/*
 * fwgenfile.c - a new generation's files
 *
 * Theory of operation: fw apply copies the user's files into the cell's
 * firewall directory as generation G before anything is loaded
 * (fw_stage_files()): one nft file is G.nft, iptables-save files are G.v4
 * and G.v6, and fw stage's combined file is cut at its "# netcell:"
 * markers into those parts (fw_split_combined()), each keeping its lines
 * where they were in the file so errors name the user's line.  An nft
 * part's include statements are made to name copies of their files
 * before the first load (fwgen_freeze_includes(), kernel/nftinc.c) and
 * replaced by those copies' text once it loaded (fwgen_seal_includes()),
 * so the generation kept is the ruleset that was loaded.  The records
 * about generations (current, trail, meta) are fwgen.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/diag.h"
#include "base/store.h"
#include "fw/fwformat.h"
#include "fw/fwgen.h"
#include "fw/fwload.h"
#include "kernel/nft.h"

/**
 * has_rules() - does an nft section hold more than comments, blank lines and
 * "flush ruleset"
 * @text:	section
 *
 * Return: 1 if so
 */
static int has_rules(const char *text)
{
	const char *l = text;
	size_t n;

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		l += strspn(l, " \t");
		n = strcspn(l, "\n");
		if (n && *l != '#' && strncmp(l, "flush ruleset", 13))
			return 1;
	}
	return 0;
}

/**
 * blank_flush() - blank the "flush ruleset" lines of a mixed file's nft
 * part: it is loaded after the iptables sections, with a prefix that
 * removes exactly the tables the generation does not define (line numbers
 * in errors stay the user's)
 * @text:	section, modified
 */
static void blank_flush(char *text)
{
	char *l = text;

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *p = l + strspn(l, " \t");

		if (!strncmp(p, "flush ruleset", 13) && strspn(p + 13, " \t;") == strcspn(p + 13, "\n"))
			memset(p, ' ', strcspn(p, "\n"));
	}
}

/**
 * write_part() - keep one part of a generation
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @ext:	"nft", "v4" or "v6"
 * @text:	contents
 * @path:	the kept file's path (PATH_MAX)
 *
 * Return: 0 or -errno
 */
static int write_part(const char *dir, unsigned gen, const char *ext, const char *text,
		      char *path)
{
	fwgen_path(dir, gen, ext, path, PATH_MAX);
	return store_write_atomic(path, text, strlen(text));
}

/**
 * write_section() - keep an iptables section of a combined file, its lines
 * where they are in the file
 * @dir:	the cell's firewall directory
 * @gen:	the generation
 * @ext:	"v4" or "v6"
 * @text:	the whole file (NUL bytes at the markers)
 * @part:	the section, inside @text
 * @path:	out: the part's path
 *
 * The section is preceded by one comment line ("#", which iptables-restore
 * skips) for every line before it, so the line an error names is the
 * user's line in the combined file, not in the section.
 *
 * Return: 0 or -errno
 */
static int write_section(const char *dir, unsigned gen, const char *ext, const char *text,
			 const char *part, char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = 0, i, len = strlen(part);
	const char *c;

	for (c = text; c < part; c++)
		n += *c == '\n';
	buf = malloc(n * 2 + len + 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		memcpy(buf + i * 2, "#\n", 2);
	memcpy(buf + n * 2, part, len + 1);
	fwgen_path(dir, gen, ext, path, PATH_MAX);
	return store_write_atomic(path, buf, n * 2 + len);
}

/**
 * fw_sections() - cut a combined file at its section markers
 * @text:	file contents, NUL bytes written at the markers
 * @nft:	the nft part (NULL in the "--format iptables" form)
 * @v4:		the IPv4 iptables-save section
 * @v6:		the IPv6 section (NULL when absent)
 *
 * Return: 0, or -EINVAL when the IPv6 marker comes before the IPv4 one
 */
int fw_sections(char *text, char **nft, char **v4, char **v6)
{
	char *m4 = fw_find_mark(text, FW_IP4_MARK), *m6 = fw_find_mark(text, FW_IP6_MARK);

	*nft = *v6 = NULL;
	*v4 = text;
	if (m4 && m6 && m6 < m4)
		return -EINVAL;
	if (m4) {
		*nft = text;
		*m4 = '\0';
		*v4 = m4 + strlen(FW_IP4_MARK);
	}
	if (m6) {
		*m6 = '\0';
		*v6 = m6 + strlen(FW_IP6_MARK);
	}
	if (*nft)
		blank_flush(*nft);
	return 0;
}

/**
 * fw_split_combined() - keep a file of several parts as a generation
 * @dir:	the cell's firewall directory
 * @gen:	the new generation
 * @file:	the user's file name
 * @text:	its contents (modified)
 * @job:	the job
 *
 * Two forms: "netcell fw stage"'s default (nft syntax, then FW_IP4_MARK
 * and an iptables-save section, then FW_IP6_MARK and an ip6tables-save
 * section, each optional) and "--format iptables" (iptables-save output,
 * FW_IP6_MARK, ip6tables-save output).
 *
 * Return: 0, -EINVAL (markers out of order), -errno
 */
int fw_split_combined(const char *dir, unsigned gen, const char *file, char *text,
		      struct fw_job *job)
{
	char *nft, *v4, *v6;
	int ret = fw_sections(text, &nft, &v4, &v6);

	if (ret)
		return ret;
	job->format = nft && has_rules(nft) ? NC_FW_MIXED : NC_FW_IPTABLES;
	if (has_rules(v4)) {
		ret = write_section(dir, gen, "v4", text, v4, job->file[0]);
		snprintf(job->shown[0], sizeof(job->shown[0]), "%s", file);
	}
	if (!ret && v6 && has_rules(v6)) {
		ret = write_section(dir, gen, "v6", text, v6, job->file[1]);
		snprintf(job->shown[1], sizeof(job->shown[1]), "%s", file);
	}
	if (!ret && job->format == NC_FW_MIXED) {
		ret = write_part(dir, gen, "nft", nft, job->nft);
		snprintf(job->nft_shown, sizeof(job->nft_shown), "%s", file);
	}
	if (!ret && !job->file[0][0] && !job->file[1][0] && !job->nft[0]) {
		job->format = NC_FW_NFT;	/* no rules at all: an empty ruleset */
		ret = write_part(dir, gen, "nft", "flush ruleset\n", job->file[0]);
		snprintf(job->shown[0], sizeof(job->shown[0]), "%s", file);
	}
	return ret;
}

/**
 * fw_stage_files() - copy the user's files into a new generation, checked
 * @ctx:	context
 * @dir:	the cell's firewall directory
 * @gen:	the new generation
 * @files:	the user's files, NULL-terminated, at most two
 * @format:	requested format, NC_FW_AUTO to detect
 * @job:	the job for the stored copy
 *
 * Return: 0 or -errno with a message; nothing is left on failure
 */
int fw_stage_files(struct nc_ctx *ctx, const char *dir, unsigned gen,
		       const char *const *files, enum nc_fw_format format,
		       struct fw_job *job)
{
	_cleanup_free_ char *text = NULL;
	enum nc_fw_format f;
	size_t len = 0;
	int i, slot, ret, fam;

	memset(job, 0, sizeof(*job));
	for (i = 0; files[i]; i++) {
		free(steal_ptr(&text));
		ret = fw_read_ruleset(ctx, files[i], &text, &len);
		if (ret)
			goto undo;
		f = format && format != NC_FW_MIXED ? format : fw_detect_format(text);
		if (i && (f != job->format || f == NC_FW_NFT)) {
			ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				      "give one nft file, or iptables-save files of IPv4 and IPv6 (at most one each)");
			goto undo;
		}
		job->format = f;
		if (!files[1] && (fw_find_mark(text, FW_IP4_MARK) || fw_find_mark(text, FW_IP6_MARK))) {
			ret = fw_split_combined(dir, gen, files[0], text, job);
			if (ret == -EINVAL)
				ctx_err(ctx, ret, NC_ERR_RULESET,
					"\"%s\": its \"# netcell: ip6tables-restore\" section comes before its \"# netcell: iptables-restore\" section; put the IPv4 section first",
					files[0]);
			else if (ret)
				ctx_err(ctx, ret, NC_ERR_FAILED, "cannot keep generation %u: %s",
					gen, strerror(-ret));
			if (ret)
				goto undo;
			return 0;
		}
		fam = f == NC_FW_IPTABLES ? fw_ipt_family(text, files[i]) : 0;
		if (f == NC_FW_IPTABLES && !fam) {
			ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				      "cannot tell whether \"%s\" holds iptables (IPv4) or ip6tables (IPv6) rules: name it *.v4 or *.v6, or begin it with the \"# Generated by ip6tables-save\" (or iptables-save) line those tools write",
				      files[i]);
			goto undo;
		}
		slot = fam == 6;
		if (job->file[slot][0]) {
			ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				      "\"%s\" and \"%s\" are both IPv%d rules; give one file per family",
				      job->shown[slot], files[i], slot ? 6 : 4);
			goto undo;
		}
		fwgen_path(dir, gen, f == NC_FW_NFT ? "nft" : slot ? "v6" : "v4",
			 job->file[slot], sizeof(job->file[slot]));
		snprintf(job->shown[slot], sizeof(job->shown[slot]), "%s", files[i]);
		ret = store_write_atomic(job->file[slot], text, len);
		if (ret) {
			ctx_err(ctx, ret, NC_ERR_FAILED, "cannot keep generation %u: %s",
				gen, strerror(-ret));
			goto undo;
		}
	}
	return 0;
undo:
	fw_remove_gen(dir, gen);
	return ret;
}

/**
 * fwgen_nft_part() - a generation's nft file, the one include statements
 * can be in
 * @job:	the generation's job
 *
 * Return: its path, or "" (an iptables generation)
 */
static const char *fwgen_nft_part(const struct fw_job *job)
{
	return job->format == NC_FW_NFT ? job->file[0] : job->format == NC_FW_MIXED ? job->nft : "";
}

/**
 * fwgen_freeze_includes() - make a new nft generation's include statements
 * name copies of their files, taken before its first load
 * @job:	the generation's job
 *
 * Every load of the generation (the cell's, the throwaway namespace's it
 * is compared with, a dry run) then reads the same text, and the sealed
 * generation is that text, whatever happens to the files meanwhile
 * (kernel/nftinc.c).
 *
 * Return: 1 (copies taken), 0 (no include statement), -EINVAL (one
 * cannot be copied as nft would read it: the statements stay as written),
 * -errno
 */
int fwgen_freeze_includes(const struct fw_job *job)
{
	const char *path = fwgen_nft_part(job);

	return path[0] ? nft_snapshot_includes(path) : 0;
}

/**
 * fwgen_seal_includes() - make a loaded nft generation hold what its include
 * statements named when it was loaded
 * @job:	the generation's job
 *
 * A generation is loaded again later (rollback, a rebuilt cell, a killed
 * apply settled): its include statements would then read the files as
 * they are by then.  Once loaded, its nft file is replaced by the same
 * text with every include statement replaced by the files it named (the
 * copies fwgen_freeze_includes() took, read by the load), and the copies
 * go.
 *
 * Return: 0 (nothing to do, or done), -EINVAL when an include statement
 * cannot be expanded (not alone on its line, a file gone meanwhile),
 * -errno
 */
int fwgen_seal_includes(const struct fw_job *job)
{
	const char *path = fwgen_nft_part(job);
	_cleanup_free_ char *text = NULL;
	int ret = path[0] ? nft_file_includes(path) : 0;

	if (ret <= 0)
		return ret;
	ret = nft_expand_file(path, &text);
	if (!ret)
		ret = store_write_atomic(path, text, strlen(text));
	if (!ret)
		nft_drop_snapshot(path);
	return ret;
}

