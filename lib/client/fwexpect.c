// SPDX-License-Identifier: MIT
/*
 * fwexpect.c - fw apply's check of the cell's live ruleset, arranged so it
 * costs little
 *
 * Theory of operation: the check (fw/fwverify.c) compares the views of the
 * cell after its load with the views of the same generation loaded into a
 * throwaway namespace.  Getting the latter is a second load, so:
 *  - a generation whose files are those of a recent generation that has
 *    views (the same ruleset applied again) takes those views: no load;
 *  - an nft generation is loaded into the throwaway namespace by a process
 *    of its own while the cell's load runs: the two loads share the wall
 *    clock (the cell's load alone decides whether anything changed, as it
 *    is one transaction);
 *  - an iptables or mixed generation was loaded into a throwaway namespace
 *    first anyway (every part, or none), which now also keeps its views;
 *  - an nft file over FW_VERIFY_MAX (64 MiB with its includes; a file may
 *    have 16) is loaded and checked by its loader only, and a notice says
 *    so.  Below it, large files are compared too: they take nftsplit's
 *    steps, the path where a difference is likeliest.
 * The cell's own views are taken in the cell's child right after its load
 * (with the notice about iptables-legacy rules) and compared here.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/store.h"
#include "client/fwexpect.h"
#include "client/fwswitch.h"
#include "fw/fwgen.h"

/* how many earlier generations are looked at for the same files */
#define FW_SAME_BACK 16

/**
 * same_file() - do two files hold the same bytes
 * @a:		one
 * @b:		other
 *
 * Return: 1 if so (both readable), else 0
 */
static int same_file(const char *a, const char *b)
{
	char ba[8192], bb[8192];
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	size_t na, nb;
	int same = fa && fb;

	while (same) {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na))
			same = 0;
		if (na < sizeof(ba))
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/**
 * same_generation() - a recent generation with these very files and views
 * @dir:	the cell's firewall directory
 * @gen:	the new generation
 * @job:	its files
 *
 * Return: that generation, or 0
 */
static unsigned same_generation(const char *dir, unsigned gen, const struct fw_job *job)
{
	char views[PATH_MAX];
	struct fw_job old;
	unsigned g;
	int i, same;

	for (g = gen - 1; g > 0 && g + FW_SAME_BACK >= gen; g--) {
		if (fwgen_job(dir, g, &old) || old.format != job->format)
			continue;
		fwgen_path(dir, g, "live-nft", views, sizeof(views));
		if (access(views, R_OK))
			continue;
		for (i = 0, same = 1; same && i < 2; i++)
			same = !strcmp(old.file[i][0] ? "x" : "", job->file[i][0] ? "x" : "") &&
			       (!job->file[i][0] || same_file(old.file[i], job->file[i]));
		if (same && (old.nft[0] || job->nft[0]))
			same = old.nft[0] && job->nft[0] && same_file(old.nft, job->nft);
		if (same)
			return g;
	}
	return 0;
}

/**
 * fw_expect_begin() - arrange the check of an apply, before the cell's load
 * @ctx:	context
 * @cell:	cell, or NC_FW_HOST (then only the tables the generation
 *		defines are compared: the host holds other tools' too)
 * @dir:	its firewall directory
 * @gen:	the new generation
 * @job:	its job; its expect fields are set for the cell's load
 * @r:		the check (fw_expect_end() it, whatever happens)
 *
 * Return: 0, or -errno with a message (the throwaway load rejected the
 * ruleset: nothing changed)
 */
int fw_expect_begin(struct nc_ctx *ctx, const char *cell, const char *dir, unsigned gen,
		    struct fw_job *job, struct fw_expect_run *r)
{
	char from[PATH_MAX];
	struct fw_job alone;
	unsigned same;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	/* the host: the generation's tables alone are compared, and what is
	 * loaded elsewhere is the generation as a whole ruleset */
	r->only = fw_is_host(cell);
	alone = *job;
	alone.host = 0;
	alone.prefix[0] = '\0';
	fwgen_path(dir, gen, "live", r->want, sizeof(r->want));
	fwgen_path(dir, gen, "cell", r->got, sizeof(r->got));
	same = same_generation(dir, gen, job);
	if (same) {
		fwgen_path(dir, same, "live", from, sizeof(from));
		if (fw_views_link(from, r->want))
			same = 0;
	}
	if (!same && job->format != NC_FW_NFT) {
		/* every part, or none: first in a throwaway namespace */
		snprintf(alone.expect, sizeof(alone.expect), "%s", r->want);
		alone.expect_mode = FW_EXPECT_WRITE;
		ret = fw_run_job_cell(ctx, NULL, &alone);
	} else if (!same && fw_job_bytes(job) <= FW_VERIFY_MAX) {
		struct fw_job scratch = alone;
		pid_t parent = getpid();

		snprintf(scratch.expect, sizeof(scratch.expect), "%s", r->want);
		scratch.expect_mode = FW_EXPECT_WRITE;
		fwgen_path(dir, gen, "live-err", r->err, sizeof(r->err));
		fflush(NULL);
		r->pid = fork();
		if (r->pid == 0) {
			struct nc_ctx c = { .kfd = -1 };

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			if (fw_run_job_cell(&c, NULL, &scratch)) {
				store_write_atomic(r->err, c.msg, strlen(c.msg));
				_exit(1);
			}
			_exit(0);
		}
		if (r->pid < 0)
			r->pid = 0, r->want[0] = '\0';
	} else if (!same) {
		r->want[0] = '\0';
		ctx_notice(ctx, "generation %u (%zu KiB) is larger than netcell compares with the cell after loading (%d KiB: a second load); it was loaded and checked by its loader only",
			   gen, fw_job_bytes(job) / 1024, FW_VERIFY_MAX / 1024);
	}
	if (!ret && r->want[0]) {
		snprintf(job->expect, sizeof(job->expect), "%s", r->got);
		job->expect_mode = FW_EXPECT_TAKE;
	} else {
		job->expect[0] = '\0';
		job->expect_mode = FW_EXPECT_NONE;
	}
	return ret;
}

/**
 * clearer_error() - a rejected nft file: name the line the kernel refused
 * as nft -f into an empty namespace names it
 * @ctx:	context holding the cell's rejection
 * @scratch:	the throwaway namespace's rejection of the same file
 *
 * libnftables 1.0.6, loading into a namespace that holds a ruleset, reports
 * a rule the kernel refuses (a missing chain or object it refers to) as an
 * unknown table at the table's declaration ("did you mean table ..."); the
 * same file loaded into the throwaway namespace, which is empty, gets the
 * rule's own line.  Both loads refused it: the throwaway's words are
 * taken.
 */
static void clearer_error(struct nc_ctx *ctx, const char *scratch)
{
	const char *cut = strstr(ctx->msg, ":\n"), *body = strstr(scratch, ":\n");
	char msg[NC_MSG_MAX];

	if (ctx->kind != NC_ERR_RULESET || !cut || !body || !strstr(ctx->msg, "did you mean table") ||
	    strstr(body, "did you mean table"))
		return;
	snprintf(msg, sizeof(msg), "%.*s%s", (int)(cut - ctx->msg), ctx->msg, body);
	snprintf(ctx->msg, sizeof(ctx->msg), "%s", msg);
}

/**
 * fw_expect_end() - after the cell's load: compare, and clean up
 * @ctx:	context (the difference, or a notice)
 * @r:		the check
 * @loaded:	1 when the cell's load succeeded (else only clean up)
 *
 * Return: 0, or -EPROTO with a message naming where the cell differs
 */
int fw_expect_end(struct nc_ctx *ctx, struct fw_expect_run *r, int loaded)
{
	char why[NC_MSG_MAX] = "";
	int status = 0, ret = 0, d;

	if (r->pid > 0) {
		while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
			;
		r->pid = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			int fd = open(r->err, O_RDONLY | O_CLOEXEC);

			if (fd >= 0) {
				ssize_t n = read(fd, why, sizeof(why) - 1);

				why[n > 0 ? n : 0] = '\0';
				close(fd);
			}
			unlink(r->err);
			if (!loaded)
				clearer_error(ctx, why);
			if (loaded)
				ctx_notice(ctx, "the generation is in force; it could not be loaded elsewhere to compare the cell with (%s)",
					   why[0] ? why : "the process failed");
			fw_expect_remove(r->want);
			r->want[0] = '\0';
		}
	}
	if (loaded && r->want[0]) {
		char from[PATH_MAX], to[PATH_MAX];

		d = fw_views_diff(r->want, r->got, r->only, why, sizeof(why));
		snprintf(from, sizeof(from), "%s-seen", r->got);
		snprintf(to, sizeof(to), "%s-seen", r->want);
		if (!d)	/* the cell held them as of now: drift checks start here */
			rename(from, to);
		if (d == 1)
			ret = ctx_err(ctx, -EPROTO, NC_ERR_FAILED,
				      "the %s does not hold the ruleset it was given (%s)",
				      r->only ? "host" : "cell", why);
		else if (d < 0)
			ctx_notice(ctx, "the generation is in force; its check could not read the views (%s)",
				   strerror(-d));
	}
	if (r->got[0])
		fw_expect_remove(r->got);
	return ret;
}
