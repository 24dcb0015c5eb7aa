// SPDX-License-Identifier: MIT
/*
 * stagelog.c - fw stage's command log and its replay
 *
 * Theory of operation: while a script is staged (stage.c), every way it
 * can reach a firewall tool ends here, in script order:
 *  - a shell script's own calls by name ("iptables ...", "nft add ...")
 *    hit shell functions of the preamble, which append the command to
 *    STAGE_LOG (microseconds, where a real iptables-nft run costs
 *    milliseconds and re-reads the whole ruleset);
 *  - everything else (absolute paths, $XT_MULTI, child shells, env, exec,
 *    xargs, other languages) executes a binary that stage.c has bind-mounted
 *    over the real xtables multi-call binaries and nft in the script's
 *    private mount namespace: the recorder (stagerec.c).  It appends
 *    writes to the same log and, before anything else (a read such as -L or
 *    -S, iptables-restore, nft -f, ebtables), replays what is pending and
 *    then runs the real tool, so every command takes effect in order.
 *
 * Replay runs consecutive commands of one family as one batch:
 * iptables-restore --noflush (a "*table ... COMMIT" section per run of one
 * table) or one libnftables transaction.  Commands whose batch form differs
 * from their single form (-R, -Z, -E, counters, anything not an append,
 * insert, delete, new or deleted chain, flush or policy) run one by one.
 * When a batch is refused, the part before the line iptables-restore names
 * goes in as a batch and the rest one by one: when all of those succeed, so
 * does the replay.  When a command really fails, the script has already
 * gone on believing it succeeded, so the replay fails and stage.c runs the
 * script again in exact mode: each command then runs at once, for real, and
 * the script sees its true exit status, as in a direct run.
 *
 * The kernel's nf_tables generation (NFT_MSG_GETGEN) is noted after each of
 * our changes; if it moved meanwhile, something netcell did not see (a
 * program using libnftables or libiptc itself) changed the ruleset, and the
 * batched result could be out of order: stage.c then runs exactly too.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "fw/stagelog.h"
#include "base/store.h"
#include "kernel/tool.h"

#define STAGE_BATCH 400

/**
 * struct rec - one recorded command
 * @tool:	"iptables", "ip6tables" or "nft"
 * @line:	script line that ran it ("" when the recorder binary got it)
 * @file:	script file ("" likewise)
 * @argc:	number of arguments
 * @argv:	arguments (pointers into the log buffer)
 */
struct rec {
	const char *tool;
	const char *line;
	const char *file;
	int argc;
	char **argv;
};

/**
 * stage_path() - a file in the stage directory
 * @dir:	stage directory
 * @name:	file name
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
char *stage_path(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/**
 * stage_read_file() - read a file into memory
 * @path:	file
 * @len:	its length
 *
 * Return: NUL-terminated heap buffer, or NULL (an absent file reads as "")
 */
char *stage_read_file(const char *path, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;

	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? calloc(1, 1) : NULL;
	*len = fd_read_grow(fd, &buf);
	return buf;
}

/**
 * stage_write_state() - write a small state file of the stage directory
 * @dir:	stage directory
 * @name:	file
 * @text:	contents
 */
void stage_write_state(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	store_write_atomic(stage_path(dir, name, path, sizeof(path)), text, strlen(text));
}

/**
 * parse_log() - split the log from an offset into records
 * @buf:	log contents, NUL-separated fields
 * @len:	its length
 * @from:	offset already replayed
 * @recs:	records (heap; argv arrays point into @buf)
 * @n:		number of records
 *
 * Return: 0 or -ENOMEM / -EINVAL for a torn log
 */
static int parse_log(char *buf, size_t len, size_t from, struct rec **recs, size_t *n)
{
	size_t off = from, cap = 0;
	struct rec *r;
	int i;

	*recs = NULL;
	*n = 0;
	while (off < len) {
		char *f[5];

		for (i = 0; i < 5 && off < len; i++, off += strlen(buf + off) + 1)
			f[i] = buf + off;
		if (i < 5 || strcmp(f[0], "R"))
			return -EINVAL;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			r = realloc(*recs, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			*recs = r;
		}
		r = &(*recs)[(*n)++];
		*r = (struct rec){ .tool = f[1], .line = f[2], .file = f[3], .argc = atoi(f[4]) };
		/* each argument takes at least its NUL: no more than remain */
		if (r->argc < 0 || off > len || (size_t)r->argc > len - off) {
			r->argc = 0;
			return -EINVAL;
		}
		r->argv = calloc((size_t)r->argc + 1, sizeof(char *));
		if (!r->argv)
			return -ENOMEM;
		for (i = 0; i < r->argc && off < len; i++, off += strlen(buf + off) + 1)
			r->argv[i] = buf + off;
		if (i < r->argc)
			return -EINVAL;
	}
	return 0;
}

/**
 * free_recs() - free parsed records
 * @recs:	records
 * @n:		number
 */
static void free_recs(struct rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(recs[i].argv);
	free(recs);
}

/**
 * rec_table() - the table an iptables command names (-t), default filter
 * @r:		record
 *
 * Return: table name
 */
static const char *rec_table(const struct rec *r)
{
	int i;

	for (i = 0; i + 1 < r->argc; i++)
		if (!strcmp(r->argv[i], "-t") || !strcmp(r->argv[i], "--table"))
			return r->argv[i + 1];
	return "filter";
}

/**
 * table_wide() - is argument @i a -F or -X naming no chain (the whole table)
 * @r:		record
 * @i:		index of an argument
 *
 * In an iptables-restore batch these act only on the chains the table held
 * before the batch: a built-in chain first made, or a chain made with -N,
 * earlier in the same batch keeps its rules (-F) or stays (-X), where the
 * commands run one by one leave neither.
 *
 * Return: 1 if so
 */
static int table_wide(const struct rec *r, int i)
{
	const char *a = r->argv[i], *next = i + 1 < r->argc ? r->argv[i + 1] : NULL;

	if (strcmp(a, "-F") && strcmp(a, "--flush") && strcmp(a, "-X") &&
	    strcmp(a, "--delete-chain"))
		return 0;
	return !next || next[0] == '-';
}

/**
 * batchable() - does an iptables command mean the same in an
 * iptables-restore batch as on its own
 * @r:		record
 *
 * Only the plain rule and chain edits do; -R, -Z, -E, counters (-c), wait
 * options, a -F or -X of the whole table and anything unknown run on their
 * own.
 *
 * Return: 1 if it may join a batch
 */
static int batchable(const struct rec *r)
{
	static const char *const ok[] = { "-A", "--append", "-I", "--insert", "-D", "--delete",
					  "-N", "--new-chain", "-X", "--delete-chain",
					  "-F", "--flush", "-P", "--policy" };
	static const char *const bad[] = { "-c", "--set-counters", "-w", "--wait", "-W",
					   "--wait-interval", "-R", "--replace", "-Z", "--zero",
					   "-E", "--rename-chain", "--modprobe" };
	int i, cmd = 0;
	size_t k;

	for (i = 0; i < r->argc; i++) {
		for (k = 0; k < ARRAY_SIZE(bad); k++)
			if (!strcmp(r->argv[i], bad[k]))
				return 0;
		for (k = 0; k < ARRAY_SIZE(ok); k++)
			if (!strcmp(r->argv[i], ok[k]))
				cmd++;
		if (table_wide(r, i))
			return 0;
	}
	return cmd == 1;
}

/**
 * put_arg() - append one argument, quoted for iptables-restore if needed
 * @f:		stream
 * @a:		argument
 */
static void put_arg(FILE *f, const char *a)
{
	if (*a && !strpbrk(a, " \t\"'\\#")) {
		fputs(a, f);
		return;
	}
	fputc('"', f);
	for (; *a; a++) {
		if (*a == '"' || *a == '\\')
			fputc('\\', f);
		fputc(*a, f);
	}
	fputc('"', f);
}

/**
 * write_restore() - an iptables-restore --noflush input for records [a, b)
 * @path:	output file
 * @recs:	records
 * @a:		first
 * @b:		end
 * @map:	restore line -> record index (size: 3 * (b - a) + 2)
 *
 * Return: 0 or -errno
 */
static int write_restore(const char *path, const struct rec *recs, size_t a,
			 size_t b, size_t *map)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	const char *table = NULL;
	size_t i, line = 0;
	int k;

	if (!f)
		return -errno;
	for (i = a; i < b; i++) {
		if (!table || strcmp(table, rec_table(&recs[i]))) {
			if (table)
				fputs("COMMIT\n", f), map[++line] = i - 1;
			table = rec_table(&recs[i]);
			fprintf(f, "*%s\n", table);
			map[++line] = i;
		}
		for (k = 0; k < recs[i].argc; k++) {
			if (!strcmp(recs[i].argv[k], "-t") || !strcmp(recs[i].argv[k], "--table")) {
				k++;
				continue;
			}
			put_arg(f, recs[i].argv[k]);
			fputc(' ', f);
		}
		fputc('\n', f);
		map[++line] = i;
	}
	if (table)
		fputs("COMMIT\n", f), map[++line] = b - 1;
	return fflush(f) ? -errno : 0;
}

/**
 * nft_text() - an nft command's arguments as one line, as nft joins them
 * @r:		record
 * @f:		stream
 */
static void nft_text(const struct rec *r, FILE *f)
{
	int k;

	for (k = 0; k < r->argc; k++)
		fprintf(f, "%s%s", k ? " " : "", r->argv[k]);
	fputc('\n', f);
}

/**
 * run_one() - run one recorded command for real
 * @r:		record
 * @err:	the tool's error text
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int run_one(const struct rec *r, char *err, size_t len)
{
	_cleanup_free_ char *text = NULL;
	size_t tl = 0;
	const char **argv;
	FILE *f;
	int i, ret;

	if (!strcmp(r->tool, "nft")) {
		f = open_memstream(&text, &tl);
		if (!f)
			return -ENOMEM;
		nft_text(r, f);
		fclose(f);
		return nft_run_text(text, err, len);
	}
	argv = calloc((size_t)r->argc + 2, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	argv[0] = r->tool;
	for (i = 0; i < r->argc; i++)
		argv[i + 1] = r->argv[i];
	ret = tool_run(argv, NULL, NULL, err, len);
	free(argv);
	return ret;
}

/**
 * describe() - "`tool args`" of a record, with its script line when known
 * @r:		record
 * @buf:	output
 * @len:	size of @buf
 */
static void describe(const struct rec *r, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	if (r->line[0])
		off = (size_t)snprintf(buf, len, "%s:%s: ", r->file, r->line);
	off += (size_t)snprintf(buf + off, len - off, "`%s", r->tool);
	for (i = 0; i < r->argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %s", r->argv[i]);
	if (off < len)
		snprintf(buf + off, len - off, "`");
}

/**
 * one_by_one() - run records [a, b) one at a time
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	the first failing command and the tool's error
 * @len:	size of @err
 *
 * Return: 0 when every one succeeded, else -EINVAL
 */
static int one_by_one(const struct rec *recs, size_t a, size_t b, char *err, size_t len)
{
	char what[1024], why[STAGE_ERR];
	size_t i;

	for (i = a; i < b; i++) {
		if (!run_one(&recs[i], why, sizeof(why)))
			continue;
		describe(&recs[i], what, sizeof(what));
		why[strcspn(why, "\n") ? strlen(why) : 0] = '\0';
		snprintf(err, len, "%s failed:\n%s", what, why);
		return -EINVAL;
	}
	return 0;
}

/**
 * hint_line() - the input line an iptables-restore error names
 * @err:	its error text
 *
 * Return: line number, 0 when none
 */
static size_t hint_line(const char *err)
{
	const char *p = strstr(err, "line: ");
	unsigned long v = 0;

	if (p)
		v = strtoul(p + 6, NULL, 10);
	else if ((p = strstr(err, "line ")))
		v = strtoul(p + 5, NULL, 10);
	return v;
}

/**
 * replay_ipt() - replay a run of batchable iptables records as one batch
 * @dir:	stage directory
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	message on failure
 * @len:	size of @err
 *
 * A refused batch (of one table) changed nothing: the part before the line it names goes in again as a batch, the rest one by
 * one, and the replay succeeds when they all do.
 *
 * Return: 0 or -EINVAL
 */
static int replay_ipt(const char *dir, const struct rec *recs, size_t a,
		      size_t b, char *err, size_t len)
{
	const char *argv[] = { strcmp(recs[a].tool, "ip6tables") ? "iptables-restore" :
			       "ip6tables-restore", "--noflush", NULL };
	char path[PATH_MAX], why[STAGE_ERR];
	_cleanup_free_ size_t *map = calloc(3 * (b - a) + 4, sizeof(size_t));
	size_t hint, at;

	if (!map)
		return -ENOMEM;
	stage_path(dir, "batch", path, sizeof(path));
	if (write_restore(path, recs, a, b, map))
		return -EIO;
	if (!tool_run(argv, path, NULL, why, sizeof(why)))
		return 0;
	hint = hint_line(why);
	at = hint && hint <= 3 * (b - a) + 2 && map[hint] >= a + 2 ? map[hint] - 2 : a;
	if (at > a && (write_restore(path, recs, a, at, map) ||
		       tool_run(argv, path, NULL, why, sizeof(why))))
		at = a;
	return one_by_one(recs, at, b, err, len);
}

/**
 * replay_nft() - replay a run of nft records as one transaction
 * @recs:	records
 * @a:		first
 * @b:		end
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int replay_nft(const struct rec *recs, size_t a, size_t b, char *err,
		      size_t len)
{
	char *text = NULL, why[STAGE_ERR];
	size_t tl = 0, i;
	FILE *f = open_memstream(&text, &tl);
	int ret;

	if (!f)
		return -ENOMEM;
	for (i = a; i < b; i++)
		nft_text(&recs[i], f);
	fclose(f);
	ret = nft_run_text(text, why, sizeof(why));
	free(text);
	return ret ? one_by_one(recs, a, b, err, len) : 0;
}

/**
 * batch_key() - which records may share a batch
 * @r:		record
 *
 * Return: 4 or 6 (batchable iptables, ip6tables), 1 (nft), 0 (on its own)
 */
static int batch_key(const struct rec *r)
{
	if (!strcmp(r->tool, "nft"))
		return 1;
	if (!batchable(r))
		return 0;
	return strcmp(r->tool, "ip6tables") ? 4 : 6;
}

/**
 * replay_recs() - replay records in order, one batch per run of one key
 * @dir:	stage directory
 * @recs:	records
 * @n:		number
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int replay_recs(const char *dir, const struct rec *recs, size_t n,
		       char *err, size_t len)
{
	size_t a = 0, b;
	int ret = 0, key;

	while (!ret && a < n) {
		key = batch_key(&recs[a]);
		/* bounded: iptables-restore cannot raise its netlink send
		 * buffer rootless (~1,000 rules fail with EMSGSIZE) */
		/* one table per batch: iptables-nft-restore commits each
		 * table's section on its own, so a refused batch of one table
		 * is the only kind known to have changed nothing */
		for (b = a + 1; key && b < n && b - a < STAGE_BATCH && batch_key(&recs[b]) == key &&
		     (key == 1 || !strcmp(rec_table(&recs[b]), rec_table(&recs[a]))); b++)
			;
		if (!key)
			ret = one_by_one(recs, a, b, err, len);
		else
			ret = key == 1 ? replay_nft(recs, a, b, err, len) :
					 replay_ipt(dir, recs, a, b, err, len);
		a = b;
	}
	return ret;
}

/**
 * stage_log_check() - parse a command log as the replay does (the script
 * can write anything to it: for the fuzzer)
 * @buf:	log contents (modified)
 * @len:	its length
 *
 * Return: number of records, or -EINVAL / -ENOMEM
 */
int stage_log_check(char *buf, size_t len)
{
	struct rec *recs = NULL;
	size_t n = 0, i;
	int ret = parse_log(buf, len, 0, &recs, &n);

	for (i = 0; !ret && i < n; i++)
		(void)batch_key(&recs[i]);
	free_recs(recs, n);
	return ret ? ret : (int)n;
}

/**
 * stage_mark_gen() - note the ruleset generation as our own doing
 * @dir:	stage directory
 */
void stage_mark_gen(const char *dir)
{
	unsigned id;
	char text[32];

	if (nft_genid(&id))
		return;
	snprintf(text, sizeof(text), "%u\n", id);
	stage_write_state(dir, STAGE_GEN, text);
}

/**
 * legacy_tables() - does the namespace hold iptables-legacy tables
 *
 * The recorder runs every iptables-legacy command with the nft backend, so
 * a legacy table can only come from a program that netcell did not see.
 *
 * Return: 1 if any of ip, ip6, arp or eb legacy tables exists
 */
static int legacy_tables(void)
{
	static const char *const f[] = { "/proc/net/ip_tables_names",
					 "/proc/net/ip6_tables_names",
					 "/proc/net/arp_tables_names" };
	char c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		_cleanup_close_ int fd = open(f[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && read(fd, &c, 1) == 1)
			return 1;
	}
	return 0;
}

/**
 * stage_ruleset_unseen() - did something netcell did not see change the
 * ruleset since our last change
 * @dir:	stage directory
 * @why:	what, for the user
 * @len:	size of @why
 *
 * Return: 1 if so, 0 if not
 */
int stage_ruleset_unseen(const char *dir, char *why, size_t len)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	unsigned id;
	size_t l;

	if (legacy_tables()) {
		snprintf(why, len, "iptables-legacy tables appeared that no recorded command made");
		return 1;
	}
	text = stage_read_file(stage_path(dir, STAGE_GEN, path, sizeof(path)), &l);
	if (!text || !l || nft_genid(&id))
		return 0;
	if ((unsigned)strtoul(text, NULL, 10) == id)
		return 0;
	snprintf(why, len, "the ruleset was changed by a program netcell did not see");
	return 1;
}

/**
 * stage_replay() - apply what the log holds beyond the replayed offset
 * @dir:	stage directory
 * @err:	message on failure
 * @len:	size of @err
 *
 * Return: 0, -EINVAL (a command failed: the script must run exactly), -errno
 */
int stage_replay(const char *dir, char *err, size_t len)
{
	char path[PATH_MAX], done[32];
	_cleanup_free_ char *log = NULL, *off = NULL;
	struct rec *recs = NULL;
	size_t n = 0, ll, ol;
	int ret;

	log = stage_read_file(stage_path(dir, STAGE_LOG, path, sizeof(path)), &ll);
	off = stage_read_file(stage_path(dir, STAGE_DONE, path, sizeof(path)), &ol);
	if (!log || !off)
		return -EIO;
	ret = parse_log(log, ll, (size_t)strtoull(off, NULL, 10), &recs, &n);
	if (!ret)
		ret = replay_recs(dir, recs, n, err, len);
	free_recs(recs, n);
	if (ret == -EINVAL && !err[0])
		snprintf(err, len, "the command log is damaged");
	if (!ret) {
		snprintf(done, sizeof(done), "%zu\n", ll);
		stage_write_state(dir, STAGE_DONE, done);
		stage_mark_gen(dir);
	}
	return ret;
}

/**
 * stage_use_real_tools() - run the real xtables binary bound in the stage
 * directory instead of the recorder
 * @dir:	stage directory
 */
void stage_use_real_tools(const char *dir)
{
	static char multi[PATH_MAX];

	snprintf(multi, sizeof(multi), "%s/%s/xtables-nft-multi", dir, STAGE_REAL);
	tool_set_xtables(multi);
}

/* ---- the recorder binary: what a staged script executes as iptables, nft */
