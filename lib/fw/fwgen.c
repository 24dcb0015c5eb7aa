// SPDX-License-Identifier: MIT
/*
 * fwgen.c - a cell's firewall generations on disk: STATE/fw/CELL/ holds
 * G.nft (or G.v4 / G.v6) and G.meta per generation, "current", "pending",
 * "reverted" and "lockdown" (the current generation did not load into a
 * rebuilt cell, which a drop-all table closes instead), and the lock all
 * firewall operations of the cell hold.
 * A new generation's files (the user's files copied, a combined file cut
 * into its sections, include statements frozen and sealed) are made by
 * fwgenfile.c.  The operations themselves (apply, confirm-or-revert,
 * rollback, restore) are in client/firewall.c.
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
	paths_remove_tree(dir);	/* a generation's include copies are a subtree */
}
