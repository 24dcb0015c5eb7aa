// SPDX-License-Identifier: MIT
/*
 * fwgen.c - a cell's firewall generations on disk: STATE/fw/CELL/ holds
 * G.nft (or G.v4 / G.v6) and G.meta per generation, "current", "pending",
 * "reverted" and "lockdown" (the current generation did not load into a
 * rebuilt cell, which a drop-all table closes instead), and the lock all
 * firewall operations of the cell hold.
 * The operations themselves (apply, confirm-or-revert, rollback, restore)
 * are in firewall.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fw/fwload.h"
#include "base/paths.h"
#include "base/diag.h"
#include "fw/fwgen.h"
#include "base/store.h"
#include "kernel/nft.h"
#include "kernel/tool.h"

/**
 * fw_dir() - STATE/fw/CELL, created
 * @ctx:	context
 * @cell:	cell name
 * @dir:	output
 * @len:	size of @dir
 *
 * Return: 0 or -errno with a message
 */
int fw_dir(struct nc_ctx *ctx, const char *cell, char *dir, size_t len)
{
	struct nc_paths p;
	int ret = paths_get(ctx, &p);

	if (ret)
		return ret;
	snprintf(dir, len, "%s/fw", p.state);
	ret = paths_mkdir_private(ctx, dir, p.uid);
	if (ret)
		return ret;
	snprintf(dir, len, "%s/fw/%s", p.state, cell);
	return paths_mkdir_private(ctx, dir, p.uid);
}

/**
 * fw_lock() - take the cell's firewall lock
 * @ctx:	context
 * @dir:	the cell's firewall directory
 *
 * Return: locked descriptor, or -errno with a message
 */
int fw_lock(struct nc_ctx *ctx, const char *dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = store_lock(path);
	return fd >= 0 ? fd : ctx_err(ctx, fd, NC_ERR_FAILED, "cannot lock \"%s\": %s",
				      path, strerror(-fd));
}

/**
 * fwgen_read_num() - read "N ..." numbers from a small state file
 * @dir:	directory
 * @name:	file name
 * @v:		up to three numbers
 *
 * Return: how many numbers were read, 0 when the file is absent
 */
int fwgen_read_num(const char *dir, const char *name, long long v[3])
{
	char path[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	return fscanf(f, "%lld %lld %lld", &v[0], &v[1], &v[2]);
}

/**
 * fwgen_write_state() - write a small state file durably
 * @dir:	directory
 * @name:	file name
 * @text:	contents
 *
 * Return: 0 or -errno
 */
int fwgen_write_state(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return store_write_atomic(path, text, strlen(text));
}

/**
 * fwgen_remove_state() - remove a state file
 * @dir:	directory
 * @name:	file name
 */
void fwgen_remove_state(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/**
 * fwgen_current() - the generation in force, 0 for none
 * @dir:	the cell's firewall directory
 *
 * Return: generation
 */
unsigned fwgen_current(const char *dir)
{
	long long v[3] = { 0 };

	return fwgen_read_num(dir, "current", v) >= 1 && v[0] > 0 ? (unsigned)v[0] : 0;
}

/**
 * fw_current() - the generation in force in a cell, whether it awaits
 * "fw confirm", and whether it failed to load into the rebuilt cell; reads
 * only, creates nothing
 * @state:	state directory
 * @cell:	cell
 * @gen:	result, 0 for none
 * @pending:	result
 * @locked:	result: the cell is closed by the drop-all table instead
 */
void fw_current(const char *state, const char *cell, unsigned *gen, int *pending,
		int *locked)
{
	char dir[PATH_MAX];
	long long v[3] = { 0 };

	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	*gen = fwgen_current(dir);
	*pending = *gen && fwgen_read_num(dir, "pending", v) >= 1 && v[0] == *gen;
	*locked = fwgen_locked(dir, *gen);
}

/**
 * fwgen_path() - path of a generation's file
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @ext:	"nft", "v4", "v6" or "meta"
 * @buf:	output
 * @len:	size of @buf
 */
void fwgen_path(const char *dir, unsigned gen, const char *ext, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/%u.%s", dir, gen, ext);
}

/**
 * fwgen_job() - the job that re-applies a stored generation
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @job:	result
 *
 * Return: 0, or -ENOENT when the generation is not kept
 */
int fwgen_job(const char *dir, unsigned gen, struct fw_job *job)
{
	memset(job, 0, sizeof(*job));
	job->format = NC_FW_NFT;
	fwgen_path(dir, gen, "nft", job->file[0], sizeof(job->file[0]));
	if (!access(job->file[0], R_OK)) {
		fwgen_path(dir, gen, "v4", job->file[1], sizeof(job->file[1]));
		if (access(job->file[1], R_OK))
			fwgen_path(dir, gen, "v6", job->file[1], sizeof(job->file[1]));
		if (access(job->file[1], R_OK)) {
			job->file[1][0] = '\0';
			goto done;
		}
		/* a mixed generation: the nft part and iptables sections */
		memcpy(job->nft, job->file[0], sizeof(job->nft));
		memcpy(job->nft_shown, job->nft, sizeof(job->nft_shown));
	}
	job->format = job->nft[0] ? NC_FW_MIXED : NC_FW_IPTABLES;
	fwgen_path(dir, gen, "v4", job->file[0], sizeof(job->file[0]));
	fwgen_path(dir, gen, "v6", job->file[1], sizeof(job->file[1]));
	if (access(job->file[0], R_OK))
		job->file[0][0] = '\0';
	if (access(job->file[1], R_OK))
		job->file[1][0] = '\0';
	if (!job->file[0][0] && !job->file[1][0])
		return -ENOENT;
done:
	memcpy(job->shown, job->file, sizeof(job->shown));
	return 0;
}

/**
 * fwgen_next() - the number for a new generation
 * @dir:	the cell's firewall directory
 *
 * Return: one more than the highest generation kept
 */
unsigned fwgen_next(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	unsigned max = 0, g;
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "%u.meta", &g) == 1 && g > max)
			max = g;
	return max + 1;
}

/**
 * fw_remove_gen() - remove every file of a generation
 * @dir:	the cell's firewall directory
 * @gen:	generation
 */
void fw_remove_gen(const char *dir, unsigned gen)
{
	static const char *const ext[] = { "nft", "v4", "v6", "v4.undo4", "v4.undo6",
						  "v6.undo4", "v6.undo6", "nft.undo4", "nft.undo6", "meta",
						  "live-nft", "live-v4", "live-v6", "live-save", "live-err", "live-seen", "cell-seen",
						  "cell-nft", "cell-v4", "cell-v6", "cell-save",
						  "displaced", "displaced.tmp" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		fwgen_path(dir, gen, ext[i], path, sizeof(path));
		unlink(path);
	}
	fwgen_path(dir, gen, "nft", path, sizeof(path));
	nft_drop_snapshot(path);
}

/**
 * fw_drop_kept_tables() - forget the host's tables kept for a revert of
 * @gen (confirmed, or reverted and put back)
 * @dir:	the host's firewall directory
 * @gen:	generation
 */
void fw_drop_kept_tables(const char *dir, unsigned gen)
{
	char path[PATH_MAX];

	fwgen_path(dir, gen, "displaced", path, sizeof(path));
	unlink(path);
}

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

/**
 * fwgen_write_meta() - record a generation's facts
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @job:	its job
 *
 * Return: 0 or -errno
 */
int fwgen_write_meta(const char *dir, unsigned gen, const struct fw_job *job)
{
	char path[PATH_MAX], text[PATH_MAX * 2 + 128];

	fwgen_path(dir, gen, "meta", path, sizeof(path));
	snprintf(text, sizeof(text), "format=%s\napplied=%lld\nsource=%s%s%s\n",
		 job->format == NC_FW_NFT ? "nft" : job->format == NC_FW_MIXED ? "mixed" : "iptables",
		 (long long)time(NULL),
		 job->shown[0], job->shown[0][0] && job->shown[1][0] ? " " : "",
		 job->shown[1]);
	return store_write_atomic(path, text, strlen(text));
}

/**
 * trail_read() - a list of generations kept in a state file
 * @dir:	the cell's firewall directory
 * @name:	"trail" (in the order they came into force) or "reverted"
 * @v:		the numbers, oldest first
 * @max:	size of @v
 *
 * Return: how many
 */
static size_t trail_read(const char *dir, const char *name, unsigned *v, size_t max)
{
	char path[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = 0;
	unsigned g;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	while (f && n < max && fscanf(f, "%u", &g) == 1)
		v[n++] = g;
	return n;
}

/**
 * trail_add() - append a generation to a list state file (the last 64 kept)
 * @dir:	the cell's firewall directory
 * @name:	"trail" or "reverted"
 * @gen:	generation
 */
static void trail_add(const char *dir, const char *name, unsigned gen)
{
	unsigned v[65];
	size_t n = trail_read(dir, name, v, 64), i, off = 0;
	char text[65 * 12];

	if (n == 64)
		memmove(v, v + 1, --n * sizeof(v[0]));
	v[n++] = gen;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%u\n", v[i]);
	fwgen_write_state(dir, name, text);
}

/**
 * fwgen_was_reverted() - was a generation reverted for want of confirmation
 * @dir:	the cell's firewall directory
 * @gen:	generation
 *
 * Return: 1 if so
 */
int fwgen_was_reverted(const char *dir, unsigned gen)
{
	unsigned v[64];
	size_t n = trail_read(dir, "reverted-gens", v, 64);

	while (n--)
		if (v[n] == gen)
			return 1;
	return 0;
}

/**
 * fwgen_set_current() - record the generation in force
 * @dir:	the cell's firewall directory
 * @gen:	generation
 *
 * Return: 0 or -errno
 */
int fwgen_set_current(const char *dir, unsigned gen)
{
	char text[32];

	/* every switch flushed the ruleset, a drop-all table included */
	fwgen_remove_state(dir, "lockdown");
	trail_add(dir, "trail", gen);
	snprintf(text, sizeof(text), "%u\n", gen);
	return fwgen_write_state(dir, "current", text);
}

/**
 * fwgen_mark_reverted() - record that a pending generation was reverted
 * (for the waiting "fw apply" and a late "fw confirm"), ending its window
 * @dir:	the cell's firewall directory
 * @gen:	the generation that awaited confirmation
 */
void fwgen_mark_reverted(const char *dir, unsigned gen)
{
	char text[32];

	snprintf(text, sizeof(text), "%u\n", gen);
	fwgen_write_state(dir, "reverted", text);
	trail_add(dir, "reverted-gens", gen);
	fwgen_remove_state(dir, "pending");
}

/**
 * fwgen_locked() - did the current generation fail to load into the
 * rebuilt cell, which is closed instead
 * @dir:	the cell's firewall directory
 * @cur:	current generation
 *
 * Return: 1 when the cell is closed by the drop-all table
 */
int fwgen_locked(const char *dir, unsigned cur)
{
	long long v[3] = { 0 };

	return cur && fwgen_read_num(dir, "lockdown", v) >= 1 && v[0] == cur;
}

/**
 * fwgen_previous() - the highest kept generation below @cur
 * @dir:	the cell's firewall directory
 * @cur:	current generation
 *
 * Return: generation, 0 when none (meaning: no rules)
 */
unsigned fwgen_previous(const char *dir, unsigned cur)
{
	char path[PATH_MAX];
	unsigned v[64], g;
	size_t n = trail_read(dir, "trail", v, 64);

	/* the one in force before the current one, as recorded, passing over
	 * any that was reverted for want of confirmation */
	if (n && v[n - 1] == cur) {
		while (--n)
			if (v[n - 1] != cur && !fwgen_was_reverted(dir, v[n - 1]))
				return v[n - 1];
		return 0;
	}
	/* a directory from before the trail: the newest older one that was
	 * not reverted */
	for (g = cur ? cur - 1 : 0; g > 0; g--) {
		fwgen_path(dir, g, "meta", path, sizeof(path));
		if (!access(path, F_OK) && !fwgen_was_reverted(dir, g))
			return g;
	}
	return 0;
}

/**
 * fwgen_read_meta() - one generation's facts
 * @dir:	the cell's firewall directory
 * @g:		result, @g->gen set by the caller
 *
 * Return: 0 or -ENOENT
 */
int fwgen_read_meta(const char *dir, struct nc_fw_gen *g)
{
	char path[PATH_MAX], line[512];
	_cleanup_fclose_ FILE *f = NULL;

	fwgen_path(dir, g->gen, "meta", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "format=", 7))
			g->format = !strcmp(line + 7, "nft") ? NC_FW_NFT :
				    !strcmp(line + 7, "mixed") ? NC_FW_MIXED : NC_FW_IPTABLES;
		else if (!strncmp(line, "applied=", 8))
			g->applied = strtoll(line + 8, NULL, 10);
		else if (!strncmp(line, "source=", 7))
			snprintf(g->source, sizeof(g->source), "%s", line + 7);
	}
	return 0;
}

/**
 * fw_forget() - remove a deleted cell's firewall history
 * @state:	state directory
 * @cell:	cell name
 */
void fw_forget(const char *state, const char *cell)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	paths_remove_dir(dir);
}
