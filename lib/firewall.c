// SPDX-License-Identifier: MIT
/*
 * firewall.c - a cell's firewall: atomic apply, generations, confirm-or-revert
 *
 * Theory of operation: a cell's firewall is its nftables ruleset.  Every
 * ruleset netcell applies is kept as a numbered generation in
 * STATE/fw/CELL/ (G.nft, or G.v4 / G.v6 for iptables-save syntax, plus
 * G.meta), and "current" names the generation in force.  All operations on
 * one cell's firewall hold STATE/fw/CELL/lock (flock), so they never
 * interleave.
 *
 * Apply: the user's file is copied into the new generation first (what is
 * applied is exactly what is kept), then loaded inside the cell (fwload.c
 * says how: one transaction per syntax, nothing changed on rejection).  On
 * failure the new generation's files are removed and nothing else moved.
 *
 * Confirm-or-revert: with --confirm, "pending" records the new and the
 * previous generation and a deadline, and a detached watcher process (not
 * the CLI, not the keeper: either may die) sleeps until the deadline and
 * rolls back unless "fw confirm" removed "pending" first.  The watcher asks
 * the keeper for the cell afresh at the deadline, so a keeper that died and
 * rebuilt the cell meanwhile is handled; "reverted" tells waiting commands.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "client.h"
#include "diag.h"
#include "firewall.h"
#include "fwload.h"
#include "incell.h"
#include "nft.h"
#include "store.h"
#include "tool.h"

/**
 * fw_dir() - STATE/fw/CELL, created
 * @ctx:	context
 * @cell:	cell name
 * @dir:	output
 * @len:	size of @dir
 *
 * Return: 0 or -errno with a message
 */
static int fw_dir(struct nc_ctx *ctx, const char *cell, char *dir, size_t len)
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
static int fw_lock(struct nc_ctx *ctx, const char *dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		if (fd >= 0)
			close(fd);
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot lock \"%s\": %s",
			       path, strerror(errno));
	}
	return fd;
}

/**
 * read_num() - read "N ..." numbers from a small state file
 * @dir:	directory
 * @name:	file name
 * @v:		up to three numbers
 *
 * Return: how many numbers were read, 0 when the file is absent
 */
static int read_num(const char *dir, const char *name, long long v[3])
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
 * write_state() - write a small state file durably
 * @dir:	directory
 * @name:	file name
 * @text:	contents
 *
 * Return: 0 or -errno
 */
static int write_state(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return store_write_atomic(path, text, strlen(text));
}

/**
 * remove_state() - remove a state file
 * @dir:	directory
 * @name:	file name
 */
static void remove_state(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/**
 * current_gen() - the generation in force, 0 for none
 * @dir:	the cell's firewall directory
 *
 * Return: generation
 */
static unsigned current_gen(const char *dir)
{
	long long v[3] = { 0 };

	return read_num(dir, "current", v) >= 1 && v[0] > 0 ? (unsigned)v[0] : 0;
}

/**
 * fw_current() - the generation in force in a cell, and whether it awaits
 * "fw confirm"; reads only, creates nothing
 * @state:	state directory
 * @cell:	cell
 * @gen:	result, 0 for none
 * @pending:	result
 */
void fw_current(const char *state, const char *cell, unsigned *gen, int *pending)
{
	char dir[PATH_MAX];
	long long v[3] = { 0 };

	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	*gen = current_gen(dir);
	*pending = *gen && read_num(dir, "pending", v) >= 1 && v[0] == *gen;
}

/**
 * gen_path() - path of a generation's file
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @ext:	"nft", "v4", "v6" or "meta"
 * @buf:	output
 * @len:	size of @buf
 */
static void gen_path(const char *dir, unsigned gen, const char *ext, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/%u.%s", dir, gen, ext);
}

/**
 * gen_job() - the job that re-applies a stored generation
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @job:	result
 *
 * Return: 0, or -ENOENT when the generation is not kept
 */
static int gen_job(const char *dir, unsigned gen, struct fw_job *job)
{
	memset(job, 0, sizeof(*job));
	job->format = NC_FW_NFT;
	gen_path(dir, gen, "nft", job->file[0], sizeof(job->file[0]));
	if (!access(job->file[0], R_OK))
		goto done;
	job->format = NC_FW_IPTABLES;
	gen_path(dir, gen, "v4", job->file[0], sizeof(job->file[0]));
	gen_path(dir, gen, "v6", job->file[1], sizeof(job->file[1]));
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
 * next_gen() - the number for a new generation
 * @dir:	the cell's firewall directory
 *
 * Return: one more than the highest generation kept
 */
static unsigned next_gen(const char *dir)
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
	static const char *const ext[] = { "nft", "v4", "v6", "v4.undo", "meta" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		gen_path(dir, gen, ext[i], path, sizeof(path));
		unlink(path);
	}
}

/**
 * stage_combined() - keep an iptables file that holds both families
 * @ctx:	context
 * @dir:	the cell's firewall directory
 * @gen:	the new generation
 * @file:	the user's file name
 * @text:	its contents, split at FW_IP6_MARK (modified)
 * @job:	the job
 *
 * "netcell fw stage --format iptables" writes one file: iptables-save
 * output, the marker line, then ip6tables-save output.
 *
 * Return: 0 or -errno with a message
 */
static int stage_combined(struct nc_ctx *ctx, const char *dir, unsigned gen,
			  const char *file, char *text, struct fw_job *job)
{
	char *v6 = strstr(text, FW_IP6_MARK);
	int ret;

	*v6 = '\0';
	v6 += strlen(FW_IP6_MARK);
	gen_path(dir, gen, "v4", job->file[0], sizeof(job->file[0]));
	gen_path(dir, gen, "v6", job->file[1], sizeof(job->file[1]));
	snprintf(job->shown[0], sizeof(job->shown[0]), "%s", file);
	snprintf(job->shown[1], sizeof(job->shown[1]), "%s (IPv6 part)", file);
	ret = store_write_atomic(job->file[0], text, strlen(text));
	if (!ret)
		ret = store_write_atomic(job->file[1], v6, strlen(v6));
	return ret ? ctx_err(ctx, ret, NC_ERR_FAILED, "cannot keep generation %u: %s",
			     gen, strerror(-ret)) : 0;
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
	int i, slot, ret;

	memset(job, 0, sizeof(*job));
	for (i = 0; files[i]; i++) {
		free(steal_ptr(&text));
		ret = fw_read_ruleset(ctx, files[i], &text, &len);
		if (ret)
			goto undo;
		f = format ? format : fw_detect_format(text);
		if (i && (f != job->format || f == NC_FW_NFT)) {
			ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				      "give one nft file, or iptables-save files of IPv4 and IPv6 (at most one each)");
			goto undo;
		}
		job->format = f;
		if (f == NC_FW_IPTABLES && !files[1] && strstr(text, FW_IP6_MARK)) {
			ret = stage_combined(ctx, dir, gen, files[0], text, job);
			if (ret)
				goto undo;
			return 0;
		}
		slot = f == NC_FW_IPTABLES && fw_ipt_family(text) == 6;
		if (job->file[slot][0]) {
			ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				      "\"%s\" and \"%s\" are both IPv%d rules; give one file per family",
				      job->shown[slot], files[i], slot ? 6 : 4);
			goto undo;
		}
		gen_path(dir, gen, f == NC_FW_NFT ? "nft" : slot ? "v6" : "v4",
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
 * write_meta() - record a generation's facts
 * @dir:	the cell's firewall directory
 * @gen:	generation
 * @job:	its job
 *
 * Return: 0 or -errno
 */
static int write_meta(const char *dir, unsigned gen, const struct fw_job *job)
{
	char path[PATH_MAX], text[PATH_MAX * 2 + 128];

	gen_path(dir, gen, "meta", path, sizeof(path));
	snprintf(text, sizeof(text), "format=%s\napplied=%lld\nsource=%s%s%s\n",
		 job->format == NC_FW_NFT ? "nft" : "iptables", (long long)time(NULL),
		 job->shown[0], job->shown[0][0] && job->shown[1][0] ? " " : "",
		 job->shown[1]);
	return store_write_atomic(path, text, strlen(text));
}

/**
 * set_current() - record the generation in force
 * @dir:	the cell's firewall directory
 * @gen:	generation
 *
 * Return: 0 or -errno
 */
static int set_current(const char *dir, unsigned gen)
{
	char text[32];

	snprintf(text, sizeof(text), "%u\n", gen);
	return write_state(dir, "current", text);
}

/**
 * nft_run_prefix_only() - remove from the host the tables netcell put there
 * @ctx:	context
 * @cell:	NC_FW_HOST
 * @dir:	its firewall directory
 * @job:	job whose prefix empties the tables in force
 *
 * Return: 0 or -errno with a message
 */
static int nft_run_prefix_only(struct nc_ctx *ctx, const char *cell, const char *dir,
			       struct fw_job *job)
{
	_cleanup_free_ char *out = NULL;
	int ret = incell_call(ctx, cell, fw_prefix_in_ns, job, &out);

	if (ret)
		return ctx_err(ctx, ret, NC_ERR_RULESET, "cannot remove the tables: %s",
			       out ? out : "");
	return set_current(dir, 0);
}

/**
 * switch_to() - apply a kept generation to a cell and make it current
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	generation, 0 for "no rules"
 *
 * Return: 0 or -errno with a message
 */
static int switch_to(struct nc_ctx *ctx, const char *cell, const char *dir,
		     unsigned gen)
{
	struct fw_job job;
	int ret;

	struct fw_job cur;
	int has_cur;

	if (gen && gen_job(dir, gen, &job))
		return ctx_err(ctx, -ENOENT, NC_ERR_USAGE,
			       "\"%s\" has no firewall generation %u; 'netcell fw history' lists them",
			       cell, gen);
	if (fw_is_host(cell)) {
		has_cur = !gen_job(dir, current_gen(dir), &cur);
		if (!gen) {	/* nothing: empty the tables netcell put there */
			memset(&job, 0, sizeof(job));
			job.format = NC_FW_NFT;
		}
		job.host = 1;
		fw_host_prefix(&job, has_cur ? &cur : NULL);
		if (!gen)
			return nft_run_prefix_only(ctx, cell, dir, &job);
	}
	ret = fw_run_job(ctx, cell, gen ? &job : NULL);
	return ret ? ret : set_current(dir, gen);
}

/**
 * spawn_watcher() - start the detached process that reverts unconfirmed rules
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	the pending generation
 * @deadline:	CLOCK_REALTIME seconds
 */
static void spawn_watcher(const char *cell, const char *dir, unsigned gen,
			  long long deadline)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	close_range(3, ~0U, 0);
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	while ((long long)time(NULL) < deadline)
		sleep(1);
	_exit(fw_revert_if_pending(cell, dir, gen) ? 1 : 0);
}

/**
 * fw_revert_if_pending() - at the deadline: roll back if still unconfirmed
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @gen:	the generation that had to be confirmed
 *
 * Return: 0 or -errno
 */
int fw_revert_if_pending(const char *cell, const char *dir, unsigned gen)
{
	struct nc_ctx *ctx = nc_ctx_new();
	long long v[3] = { 0 };
	char text[32];
	int lock, ret = 0;

	if (!ctx)
		return -ENOMEM;
	lock = fw_lock(ctx, dir);
	if (lock >= 0 && read_num(dir, "pending", v) == 3 && v[0] == gen) {
		ret = switch_to(ctx, cell, dir, (unsigned)v[1]);
		snprintf(text, sizeof(text), "%u\n", gen);
		write_state(dir, "reverted", text);
		remove_state(dir, "pending");
	}
	if (lock >= 0)
		close(lock);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * check_cell() - fail early, with the right code, for an unknown cell
 * @ctx:	context
 * @cell:	cell name
 *
 * Return: 0 or -errno with a message
 */
static int check_cell(struct nc_ctx *ctx, const char *cell)
{
	struct nc_cell_info info;
	uid_t host;

	if (!fw_is_host(cell))
		return nc_inspect(ctx, cell, &info);
	if (getuid())
		return ctx_err(ctx, -EPERM, NC_ERR_PERM,
			       "the host's firewall is root's: run 'fw ... --host' as root, or use a cell");
	/* uid 0 of a rootless cell would only reach the cell's own ruleset */
	if (diag_host_uid(0, &host))
		return diag_not_host_root(ctx, "change the host's firewall", -EPERM);
	return 0;
}

/**
 * open_cell() - check a cell, find its firewall directory and lock it
 * @ctx:	context
 * @cell:	cell name
 * @dir:	result: the directory, PATH_MAX bytes
 *
 * Return: the lock's descriptor (close() it), or -errno with a message
 */
static int open_cell(struct nc_ctx *ctx, const char *cell, char *dir)
{
	int ret = check_cell(ctx, cell);

	if (!ret)
		ret = fw_dir(ctx, cell, dir, PATH_MAX);
	return ret ? ret : fw_lock(ctx, dir);
}

/**
 * nc_fw_apply() - apply a ruleset to a cell as one transaction
 * @ctx:	context
 * @cell:	cell name
 * @file:	ruleset file (for IPv4 and IPv6 iptables files together,
 *		use nc_fw_apply_files())
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @confirm_secs: 0, or seconds within which nc_fw_confirm() must come
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message (NC_ERR_RULESET for a rejected file)
 */
int nc_fw_apply(struct nc_ctx *ctx, const char *cell, const char *file,
		enum nc_fw_format format, unsigned confirm_secs, unsigned *gen)
{
	const char *files[2] = { file, NULL };

	return nc_fw_apply_files(ctx, cell, files, format, confirm_secs, gen);
}

/**
 * apply_locked() - nc_fw_apply_files() with the lock held
 * @ctx:	context
 * @cell:	cell
 * @dir:	the cell's firewall directory
 * @files:	the user's files
 * @format:	format
 * @confirm_secs: confirm window or 0
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message
 */
static int apply_locked(struct nc_ctx *ctx, const char *cell, const char *dir,
			const char *const *files, enum nc_fw_format format,
			unsigned confirm_secs, unsigned *gen)
{
	long long v[3] = { 0 }, deadline;
	unsigned prev = current_gen(dir);
	struct fw_job job;
	char text[96];
	int ret;

	if (read_num(dir, "pending", v) == 3)
		return ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
			       "generation %lld of cell \"%s\" awaits confirmation; run 'netcell fw confirm %s' or wait for it to be reverted",
			       v[0], cell, cell);
	*gen = next_gen(dir);
	ret = fw_stage_files(ctx, dir, *gen, files, format, &job);
	if (!ret && fw_is_host(cell)) {
		struct fw_job cur;

		job.host = 1;
		fw_host_prefix(&job, gen_job(dir, prev, &cur) ? NULL : &cur);
	}
	if (!ret && job.format == NC_FW_IPTABLES)
		ret = fw_run_job(ctx, NULL, &job);	/* both families, or neither */
	if (!ret)
		ret = fw_run_job(ctx, cell, &job);
	if (!ret)
		ret = write_meta(dir, *gen, &job) ? ctx_err(ctx, -EIO, NC_ERR_FAILED,
				"cannot record generation %u", *gen) : 0;
	if (ret) {
		fw_remove_gen(dir, *gen);
		return ret;
	}
	set_current(dir, *gen);
	remove_state(dir, "reverted");
	if (!confirm_secs)
		return 0;
	deadline = (long long)time(NULL) + confirm_secs;
	snprintf(text, sizeof(text), "%u %u %lld\n", *gen, prev, deadline);
	write_state(dir, "pending", text);
	spawn_watcher(cell, dir, *gen, deadline);
	return 0;
}

/**
 * nc_fw_apply_files() - apply one nft file, or iptables-save files (one per
 * family), to a cell; all of it or nothing
 * @ctx:	context
 * @cell:	cell name
 * @files:	NULL-terminated list, at most two
 * @format:	NC_FW_AUTO, NC_FW_NFT or NC_FW_IPTABLES
 * @confirm_secs: 0, or seconds within which nc_fw_confirm() must come
 * @gen:	the new generation
 *
 * Return: 0 or -errno with a message (NC_ERR_RULESET for a rejected file)
 */
int nc_fw_apply_files(struct nc_ctx *ctx, const char *cell,
		      const char *const *files, enum nc_fw_format format,
		      unsigned confirm_secs, unsigned *gen)
{
	char dir[PATH_MAX];
	int ret, lock = open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	ret = apply_locked(ctx, cell, dir, files, format, confirm_secs, gen);
	close(lock);
	return ret;
}

/**
 * nc_fw_confirm() - keep the generation that awaits confirmation
 * @ctx:	context
 * @cell:	cell name
 *
 * Return: 0, or -ENOENT when nothing awaits confirmation (or it was already
 * reverted: then NC_ERR_REVERTED)
 */
int nc_fw_confirm(struct nc_ctx *ctx, const char *cell)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	int ret, lock = open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	if (read_num(dir, "pending", v) == 3) {
		remove_state(dir, "pending");
		ret = 0;
	} else if (read_num(dir, "reverted", v) >= 1) {
		ret = ctx_err(ctx, -ETIMEDOUT, NC_ERR_REVERTED,
			      "too late: generation %lld of cell \"%s\" was already reverted",
			      v[0], cell);
	} else {
		ret = ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
			      "nothing awaits confirmation on cell \"%s\"", cell);
	}
	close(lock);
	return ret;
}

/**
 * nc_fw_wait() - wait until a pending generation is confirmed or reverted
 * @ctx:	context
 * @cell:	cell name
 * @gen:	generation applied with a confirm window
 *
 * Return: 0 when confirmed, -ETIMEDOUT (NC_ERR_REVERTED) when reverted
 */
int nc_fw_wait(struct nc_ctx *ctx, const char *cell, unsigned gen)
{
	long long v[3];
	char dir[PATH_MAX];
	int ret = fw_dir(ctx, cell, dir, sizeof(dir));

	while (!ret) {
		v[0] = 0;
		if (read_num(dir, "reverted", v) >= 1 && v[0] == gen)
			return ctx_err(ctx, -ETIMEDOUT, NC_ERR_REVERTED,
				       "generation %u of cell \"%s\" was not confirmed in time and was reverted to generation %u",
				       gen, cell, current_gen(dir));
		v[0] = 0;
		if (read_num(dir, "pending", v) != 3 || v[0] != gen)
			return 0;
		usleep(100 * 1000);
	}
	return ret;
}

/**
 * previous_gen() - the highest kept generation below @cur
 * @dir:	the cell's firewall directory
 * @cur:	current generation
 *
 * Return: generation, 0 when none (meaning: no rules)
 */
static unsigned previous_gen(const char *dir, unsigned cur)
{
	unsigned g;

	for (g = cur ? cur - 1 : 0; g > 0; g--) {
		char path[PATH_MAX];

		gen_path(dir, g, "meta", path, sizeof(path));
		if (!access(path, F_OK))
			return g;
	}
	return 0;
}

/**
 * nc_fw_rollback() - put a kept generation back in force, atomically
 * @ctx:	context
 * @cell:	cell name
 * @gen:	generation, 0 for the one before the current
 * @now:	the generation now in force
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_rollback(struct nc_ctx *ctx, const char *cell, unsigned gen,
		   unsigned *now)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	int ret, lock = open_cell(ctx, cell, dir);

	if (lock < 0)
		return lock;
	if (read_num(dir, "pending", v) == 3) {
		ret = ctx_err(ctx, -EBUSY, NC_ERR_FAILED,
			      "generation %lld of cell \"%s\" awaits confirmation; confirm it or let it revert first",
			      v[0], cell);
	} else {
		*now = gen ? gen : previous_gen(dir, current_gen(dir));
		ret = switch_to(ctx, cell, dir, *now);
	}
	close(lock);
	return ret;
}

/**
 * read_meta() - one generation's facts
 * @dir:	the cell's firewall directory
 * @g:		result, @g->gen set by the caller
 *
 * Return: 0 or -ENOENT
 */
static int read_meta(const char *dir, struct nc_fw_gen *g)
{
	char path[PATH_MAX], line[512];
	_cleanup_fclose_ FILE *f = NULL;

	gen_path(dir, g->gen, "meta", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "format=", 7))
			g->format = strcmp(line + 7, "nft") ? NC_FW_IPTABLES : NC_FW_NFT;
		else if (!strncmp(line, "applied=", 8))
			g->applied = strtoll(line + 8, NULL, 10);
		else if (!strncmp(line, "source=", 7))
			snprintf(g->source, sizeof(g->source), "%s", line + 7);
	}
	return 0;
}

/**
 * nc_fw_history() - the kept generations of a cell, oldest first
 * @ctx:	context
 * @cell:	cell name
 * @gens:	array (free() it)
 * @n:		its length
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_history(struct nc_ctx *ctx, const char *cell, struct nc_fw_gen **gens,
		  size_t *n)
{
	long long v[3] = { 0 };
	char dir[PATH_MAX];
	unsigned g, last, cur;
	int ret;

	*gens = NULL;
	*n = 0;
	ret = check_cell(ctx, cell);
	if (!ret)
		ret = fw_dir(ctx, cell, dir, sizeof(dir));
	if (ret)
		return ret;
	last = next_gen(dir);
	cur = current_gen(dir);
	read_num(dir, "pending", v);
	*gens = calloc(last, sizeof(**gens));
	if (!*gens)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (g = 1; g < last; g++) {
		struct nc_fw_gen *e = &(*gens)[*n];

		e->gen = g;
		if (read_meta(dir, e))
			continue;
		e->current = g == cur;
		e->pending = v[0] == g;
		(*n)++;
	}
	return 0;
}

/**
 * nc_fw_show() - the ruleset in force in a cell, as nft lists it
 * @ctx:	context
 * @cell:	cell name
 * @text:	heap string
 *
 * Return: 0 or -errno with a message
 */
int nc_fw_show(struct nc_ctx *ctx, const char *cell, char **text)
{
	int ret = check_cell(ctx, cell);

	if (ret)
		return ret;
	ret = incell_call(ctx, cell, fw_list_in_ns, NULL, text);
	if (ret && *text)
		free(steal_ptr(text));
	return ret && !ctx->msg[0] ? ctx_err(ctx, ret, NC_ERR_FAILED,
					     "cannot list the ruleset of cell \"%s\"", cell) : ret;
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

/**
 * struct restore_job - restore_in_ns()'s arguments
 * @run:	runtime directory (for the xtables lock)
 * @netfd:	the cell's network namespace
 * @job:	the generation's ruleset
 */
struct restore_job {
	const char *run;
	int netfd;
	struct fw_job *job;
};

/**
 * restore_in_ns() - in a child: join the namespace, load the ruleset
 * @ctx:	context
 * @arg:	struct restore_job
 *
 * Return: 0 or -errno with a message
 */
static int restore_in_ns(struct nc_ctx *ctx, void *arg)
{
	const struct restore_job *j = arg;
	char lock[PATH_MAX], err[NC_MSG_MAX] = "";
	int ret;

	snprintf(lock, sizeof(lock), "%s/xtables.lock", j->run);
	setenv("XTABLES_LOCKFILE", lock, 1);
	if (setns(j->netfd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter the cell: %s", strerror(errno));
	ret = fw_job_in_ns(j->job, err, sizeof(err));
	return ret ? ctx_err(ctx, ret, NC_ERR_RULESET, "%s", err[0] ? err : strerror(-ret)) : 0;
}

/**
 * fw_restore_fd() - load a cell's current generation into a namespace
 * @ctx:	context
 * @state:	state directory
 * @run:	runtime directory (for the xtables lock)
 * @cell:	cell name
 * @netfd:	the cell's (new) network namespace
 *
 * Used by the keeper when it rebuilds a cell: the rebuilt cell gets the
 * generation that was in force, or, if one awaited confirmation, that one
 * (the watcher still reverts it at its deadline).  The caller is already in
 * the namespace's user namespace; the work runs in a child that joins the
 * network namespace, so the caller stays where it is.
 *
 * Return: 0 (also when the cell has no firewall) or -errno with a message
 * naming the generation
 */
int fw_restore_fd(struct nc_ctx *ctx, const char *state, const char *run,
		  const char *cell, int netfd)
{
	char dir[PATH_MAX];
	struct fw_job job;
	struct restore_job j = { run, netfd, &job };
	unsigned gen;
	int ret;

	snprintf(dir, sizeof(dir), "%s/fw/%s", state, cell);
	gen = current_gen(dir);
	if (!gen)
		return 0;
	ret = gen_job(dir, gen, &job);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_FAILED, "firewall generation %u of cell \"%s\" cannot be read",
			       gen, cell);
	ret = incell_fork(ctx, restore_in_ns, &j);
	return ret ? ctx_wrap(ctx, ret, "firewall generation %u of cell \"%s\"", gen, cell) : 0;
}
