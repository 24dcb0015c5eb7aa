// SPDX-License-Identifier: MIT
/*
 * fwload.c - loading a ruleset into a namespace (client/firewall.c keeps the
 * generations and says how apply works as a whole)
 *
 * The functions named *_in_ns run inside the cell or a scratch namespace
 * (incell.c's child):
 *  - nft syntax: "flush ruleset" plus the file, one libnftables transaction:
 *    the kernel switches from the old ruleset to the new one at once, and a
 *    rejected file changes nothing (nft.c explains the size limit);
 *  - iptables syntax: both families are first loaded into a scratch
 *    namespace, so an error in either rejects both; then in the cell each
 *    family is one iptables-restore transaction (there is no library for
 *    xtables-nft, so the tool is run), and if the second fails the first is
 *    put back.  A packet only ever meets one family's tables, so no packet
 *    sees a mix; tables from an earlier nft-syntax generation are removed
 *    right after.
 * For the host, only the tables the files define (an nft file's includes
 * too) and those of the generation in force are replaced: fw_host_prefix()
 * (fwhostprefix.c) empties exactly those, in the same transaction as an
 * nft file, or right after an iptables file's iptables-restore (which
 * replaces its own).
 * fw check (fwcheck.c) loads the files into a throwaway namespace; what a
 * file is (syntax, family) is fwformat.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fw/fwload.h"
#include "base/paths.h"
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "kernel/tool.h"

/**
 * run_tool() - run an iptables tool with files as stdin or stdout
 * @tool:	e.g. "iptables-restore", "iptables-save"
 * @in:		file for stdin, or NULL
 * @out:	file for stdout, or NULL (then stdout joins @err)
 * @err:	the tool's stderr
 * @len:	size of @err
 *
 * Return: 0, or -EINVAL when the tool failed
 */
static int run_tool(const char *tool, const char *in, const char *out,
		    char *err, size_t len)
{
	const char *argv[] = { tool, NULL };

	return tool_run(argv, in, out, err, len);
}

/**
 * ipt_names() - the tables an iptables-save file holds ("*name" lines)
 * @path:	file, or "" for none
 * @buf:	" name name " (each surrounded by spaces)
 * @len:	size of @buf
 */
static void ipt_names(const char *path, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = path[0] ? fopen(path, "re") : NULL;
	char line[256], name[64];
	size_t off = (size_t)snprintf(buf, len, " ");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " *%63[a-z]", name) == 1 && off + strlen(name) + 2 < len)
			off += (size_t)snprintf(buf + off, len - off, "%s ", name);
}

/**
 * named() - is a table among " name name "
 * @names:	list
 * @name:	table
 *
 * Return: 1 if so
 */
static int named(const char *names, const char *name)
{
	char key[300];

	snprintf(key, sizeof(key), " %s ", name);
	return strstr(names, key) != NULL;
}

/**
 * unname() - remove a table from " name name "
 * @names:	list, modified
 * @name:	table
 */
static void unname(char *names, const char *name)
{
	char key[300], *p;

	snprintf(key, sizeof(key), " %s ", name);
	p = strstr(names, key);
	if (p)
		memmove(p, p + strlen(key) - 1, strlen(p + strlen(key) - 1) + 1);
}

/**
 * other_tables() - "delete table" lines for every live table that is not
 * one of the iptables tables the generation loads
 * @n4:		its IPv4 tables
 * @n6:		its IPv6 tables
 * @new4:	if not NULL: out, those of @n4 that do not exist yet
 * @new6:	likewise for IPv6
 * @len:	size of @new4 and @new6
 *
 * Return: heap text ("" when none), NULL on failure
 */
static char *other_tables(const char *n4, const char *n6, char *new4, char *new6,
			  size_t len)
{
	_cleanup_free_ char *list = NULL;
	char *out = NULL, fam[16], name[256], *l;
	size_t ol = 0;
	FILE *f;

	if (nft_list_tables(&list) || !(f = open_memstream(&out, &ol)))
		return NULL;
	if (new4) {
		snprintf(new4, len, "%s", n4);
		snprintf(new6, len, "%s", n6);
	}
	for (l = list; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "table %15s %255s", fam, name) != 2)
			continue;
		if (!strcmp(fam, "ip") && named(n4, name)) {
			if (new4)
				unname(new4, name);
		} else if (!strcmp(fam, "ip6") && named(n6, name)) {
			if (new6)
				unname(new6, name);
		} else if (strncmp(l, "table " NFT_RESERVED "\n", sizeof("table " NFT_RESERVED))) {
			fprintf(f, "delete table %s %s\n", fam, name);
		}
	}
	fclose(f);
	return out;
}

/**
 * undo_ipt() - put the iptables tables back as they were before a failed
 * apply, and remove those it created
 * @job:	files; snapshots in undo_base.undo4 and .undo6
 * @new4:	IPv4 tables the apply created
 * @new6:	IPv6 tables likewise
 */
static void undo_ipt(const struct fw_job *job, const char *new4, const char *new6)
{
	static const char *const tool[2] = { "iptables-restore", "ip6tables-restore" };
	const char *created[2] = { new4, new6 };
	char undo[PATH_MAX + 8], err[512], cmds[1024], name[64];
	const char *p;
	size_t off;
	int i, n;

	for (i = 0; i < 2; i++) {
		snprintf(undo, sizeof(undo), "%s.undo%d", job->undo_base, i ? 6 : 4);
		run_tool(tool[i], undo, NULL, err, sizeof(err));
		off = 0;
		for (p = created[i]; sscanf(p, " %63s%n", name, &n) == 1 && off + 100 < sizeof(cmds); p += n)
			off += (size_t)snprintf(cmds + off, sizeof(cmds) - off, "delete table %s %s\n",
						i ? "ip6" : "ip", name);
		if (off)
			nft_run_text(cmds, err, sizeof(err));
	}
}

/**
 * ipt_error() - an iptables-restore error in nft's form: "FILE:LINE:1:
 * Error: ...", the offending line, a caret
 * @path:	the file iptables-restore read
 * @shown:	its name for the user
 * @err:	the tool's error text, rewritten in place
 * @len:	size of @err
 */
static void ipt_error(const char *path, const char *shown, char *err, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char why[1024], line[1024] = "", first[1024] = "", word[72] = "";
	const char *p = strstr(err, "line: ");
	unsigned long n = 0, i, hit = 0;

	if (p)
		n = strtoul(p + 6, NULL, 10);
	else if ((p = strstr(err, "line ")))
		n = strtoul(p + 5, NULL, 10);
	if (!n || !f)
		return;
	/* the tool's first line says what; "Error occurred at line" only where */
	snprintf(why, sizeof(why), "%.*s", (int)strcspn(err, "\n"), err);
	/* iptables-nft-restore finds a missing chain or target only at the
	 * table's COMMIT: name the first line of that table quoting it */
	p = strchr(why, '\'');
	if (p && strchr(p + 1, '\'') && strchr(p + 1, '\'') - p < 64)
		snprintf(word, sizeof(word), " %.*s", (int)(strchr(p + 1, '\'') - p - 1), p + 1);
	for (i = 0; i < n && fgets(line, sizeof(line), f); i++) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '*')
			hit = 0;
		if (word[0] && !hit && line[0] == '-' && strstr(line, word) &&
		    strchr(" \t", line[strstr(line, word) - line + strlen(word)] ? line[strstr(line, word) - line + strlen(word)] : ' ')) {
			hit = i + 1;
			snprintf(first, sizeof(first), "%s", line);
		}
	}
	if (i + 1 == n && strstr(why, "COMMIT expected")) {
		/* the file ended inside a table: the line past its end */
		snprintf(err, len, "%s:%lu:1: Error: %s: the file ends before the COMMIT line that ends its last table; add COMMIT at its end",
			 shown, n, why);
		return;
	}
	if (i < n)
		return;
	if (hit && !strncmp(line, "COMMIT", 6)) {
		n = hit;
		snprintf(line, sizeof(line), "%s", first);
	}
	if (strstr(why, "Error occurred at line") || !why[0])
		snprintf(why, sizeof(why), "iptables-restore rejected this line");
	snprintf(err, len, "%s:%lu:1: Error: %s\n%s\n^", shown, n, why, line);
}

/**
 * apply_whole() - load a generation with iptables sections so that it is the
 * whole ruleset in force: each family's iptables-restore, then one
 * transaction that removes every other table and loads the nft part
 * @job:	files
 * @err:	error text
 * @len:	size of @err
 *
 * iptables-nft-restore commits table by table, so a failure is undone: the
 * snapshots taken first are restored and the tables the attempt created
 * deleted.  A packet meets one table's old or new rules, never a mix; only
 * between the steps (microseconds) may the iptables tables already be new
 * while the other tables are still old.
 *
 * Return: 0 or -EINVAL (nothing changed)
 */
static int apply_whole(const struct fw_job *job, char *err, size_t len)
{
	static const char *const tool[2] = { "iptables-restore", "ip6tables-restore" };
	static const char *const save[2] = { "iptables-save", "ip6tables-save" };
	char n4[1024], n6[1024], new4[1024], new6[1024], undo[PATH_MAX + 8], e2[256];
	_cleanup_free_ char *other = NULL;
	int ret = 0, i;

	if (job->nft[0] && nft_file_defines_reserved(job->nft)) {
		snprintf(err, len, "create table " NFT_RESERVED);
		nft_reserved_error(job->nft_shown, NULL, err, len);
		return -EINVAL;
	}
	ipt_names(job->file[0], n4, sizeof(n4));
	ipt_names(job->file[1], n6, sizeof(n6));
	free(other_tables(n4, n6, new4, new6, sizeof(new4)));
	for (i = 0; !job->fresh && i < 2; i++) {
		snprintf(undo, sizeof(undo), "%s.undo%d", job->undo_base, i ? 6 : 4);
		run_tool(save[i], NULL, undo, e2, sizeof(e2));
	}
	for (i = 0; !ret && i < 2; i++) {
		if (!job->file[i][0])
			continue;
		ret = run_tool(tool[i], job->file[i], NULL, err, len);
		if (ret && strstr(err, "Message too long"))
			snprintf(err, len, "%s: the ruleset is larger than one netlink transaction a rootless process may send (see net.core.wmem_max in 'netcell doctor'); convert it to nft syntax with 'netcell fw stage --format nft' or raise net.core.wmem_max",
				 job->shown[i]);
		else if (ret)
			ipt_error(job->file[i], job->shown[i], err, len);
	}
	if (!ret) {
		other = other_tables(n4, n6, NULL, NULL, 0);
		if (!other)
			ret = -ENOMEM;
		else if (job->nft[0])
			ret = nft_apply_file(job->nft, job->nft_shown, other, err, len);
		else if (other[0])
			ret = nft_run_text(other, err, len);
	}
	if (ret && !job->fresh)
		undo_ipt(job, new4, new6);
	return ret;
}

/**
 * apply_host_ipt() - load iptables-save files into the host, IPv4 then
 * IPv6, leaving other tables alone
 * @job:	files
 * @err:	error text
 * @len:	size of @err
 *
 * Return: 0 or -EINVAL
 */
static int apply_host_ipt(const struct fw_job *job, char *err, size_t len)
{
	static const char *const tool[2] = { "iptables-restore", "ip6tables-restore" };
	char undo[PATH_MAX + 8];
	int ret, i;

	for (i = 0; i < 2; i++) {
		if (!job->file[i][0])
			continue;
		ret = run_tool(tool[i], job->file[i], NULL, err, len);
		if (!ret)
			continue;
		ipt_error(job->file[i], job->shown[i], err, len);
		if (i == 1 && job->file[0][0]) {
			snprintf(undo, sizeof(undo), "%s.undo4", job->undo_base);
			run_tool(tool[0], undo, NULL, err + strlen(err), len - strlen(err));
		}
		return ret;
	}
	return 0;
}

/**
 * verify_loaded() - the views of a ruleset just loaded (fw_verify_in_ns())
 * @job:	the job loaded
 * @only:	the host: only the generation's tables
 * @out:	a difference or notices
 * @len:	size of @out
 *
 * The load went in: a check that cannot be made is never "rejected,
 * nothing was changed" (the caller would keep the record of the previous
 * generation over a cell holding this one), but -EPROTO, on which the
 * generation on record is loaded again.
 *
 * Return: 0 or -EPROTO
 */
static int verify_loaded(struct fw_job *job, int only, char *out, size_t len)
{
	char why[512];
	int ret = fw_verify_in_ns(job->expect, job->expect_mode, only, out, len);

	if (!ret || ret == -EPROTO)
		return ret;
	snprintf(why, sizeof(why), "%s", out[0] ? out : strerror(-ret));
	snprintf(out, len, "its views could not be taken after the load: %s", why);
	return -EPROTO;
}

/**
 * fw_job_in_ns() - incell_fn: load a job in the namespace we are in
 * @arg:	struct fw_job
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -EINVAL when rejected
 */
int fw_job_in_ns(void *arg, char *out, size_t len)
{
	struct fw_job *job = arg;
	char e2[256], undo[PATH_MAX + 8];
	int ret;

	if (job->format == NC_FW_NFT) {
		ret = job->host ? nft_apply_host_file(job->file[0], job->shown[0], job->prefix, out, len) :
				  nft_apply_file(job->file[0], job->shown[0], "flush ruleset\n", out, len);
		return ret ? ret : verify_loaded(job, job->host, out, len);
	}
	snprintf(job->undo_base, sizeof(job->undo_base), "%s",
		 job->file[0][0] ? job->file[0] : job->file[1][0] ? job->file[1] : job->nft);
	if (!job->host) {
		ret = apply_whole(job, out, len);
		return ret ? ret : verify_loaded(job, 0, out, len);
	}
	snprintf(undo, sizeof(undo), "%s.undo4", job->undo_base);
	run_tool("iptables-save", NULL, undo, e2, sizeof(e2));
	ret = apply_host_ipt(job, out, len);
	if (ret)
		return ret;
	/* the tables of the generation in force that this one does not name
	 * go, as an nft generation's do: the host holds one generation */
	if (job->prefix[0] && nft_run_text(job->prefix, out, len)) {
		snprintf(e2, sizeof(e2), "%s", out);
		snprintf(out, len, "the tables of the generation in force could not be removed after iptables-restore: %s", e2);
		return -EPROTO;
	}
	return verify_loaded(job, 1, out, len);
}

/**
 * fw_flush_in_ns() - incell_fn: remove every rule (generation 0)
 * @arg:	unused
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -EINVAL
 */
static int fw_flush_in_ns(void *arg, char *out, size_t len)
{
	_cleanup_free_ char *keep = nft_keep_reserved(), *cmds = NULL;

	(void)arg;
	if (!keep || asprintf(&cmds, "flush ruleset\n%s", keep) < 0)
		return -ENOMEM;
	return nft_run_text(cmds, out, len);
}

/**
 * fw_lockdown_in_ns() - incell_fn: replace the ruleset by one that drops
 * every IP packet, loopback included, and every ARP packet
 * @arg:	unused
 * @out:	error text
 * @len:	size of @out
 *
 * For a rebuilt cell whose saved generation no longer loads: it comes back
 * closed rather than open.  The drop is at the front of every hook that can
 * pass a packet through the cell, so iptables-legacy tables left in it
 * cannot let one by; the next apply or rollback flushes it with the rest.
 * (A process of the cell with CAP_NET_RAW could still send on a packet
 * socket, which no hook of these families sees.)
 *
 * Return: 0 or -EINVAL
 */
int fw_lockdown_in_ns(void *arg, char *out, size_t len)
{
	_cleanup_free_ char *keep = nft_keep_reserved(), *cmds = NULL;

	(void)arg;
	if (!keep || asprintf(&cmds, "flush ruleset\n%s"
			    "table inet " FW_LOCKDOWN_TABLE " {\n"
			    " comment \"netcell: the saved firewall did not load; apply a ruleset or roll back to open the cell\"\n"
			    " chain input { type filter hook input priority -500; policy drop; }\n"
			    " chain forward { type filter hook forward priority -500; policy drop; }\n"
			    " chain output { type filter hook output priority -500; policy drop; }\n"
			    "}\n"
			    "table arp " FW_LOCKDOWN_TABLE " {\n"
			    " chain input { type filter hook input priority -500; policy drop; }\n"
			    " chain output { type filter hook output priority -500; policy drop; }\n"
			    "}\n", keep) < 0)
		return -ENOMEM;
	return nft_run_text(cmds, out, len);
}

/**
 * fw_list_in_ns() - incell_text_fn: the ruleset as nft text, whole
 * @arg:	unused
 * @text:	listing (heap)
 *
 * Return: 0 or -errno
 */
int fw_list_in_ns(void *arg, char **text)
{
	int ret;

	(void)arg;
	ret = nft_list_ruleset(text);
	if (!ret)	/* the user's ruleset, not netcell's own table */
		nft_strip_reserved(*text);
	return ret;
}

/**
 * fw_run_job() - load a job into a cell (or a scratch namespace), with messages
 * @ctx:	context
 * @ns:		the cell's namespaces, or NULL for a scratch namespace
 * @job:	what to load, NULL to flush
 *
 * Return: 0, or -errno with the ruleset's errors (kind NC_ERR_RULESET)
 */
int fw_run_job(struct nc_ctx *ctx, const struct incell_ns *ns, struct fw_job *job)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_close_ int lock = -1;
	const char *cell = ns ? ns->name : NULL;
	struct nc_paths p;
	char *l, *nl;
	size_t n;
	int ret;

	/* a host load keeps netcell's host tables as it lists them: no
	 * keeper may change them in between (paths_host_lock()) */
	if (job && job->host && !paths_get(ctx, &p)) {
		lock = paths_host_lock(&p);
		if (lock < 0)
			return ctx_err(ctx, lock, ctx_kind_of_errno(lock),
				       "cannot lock \"%s/host-tables.lock\": %s", p.run, strerror(-lock));
	}
	ret = incell_call(ctx, ns, job ? fw_job_in_ns : fw_flush_in_ns, job, &out);

	if (!out)
		return ret;
	if (!ret) {
		for (l = out; (l = strstr(l, FW_NOTICE)); l = nl ? nl + 1 : l + strlen(l)) {
			nl = strchr(l, '\n');
			ctx_notice(ctx, "%.*s", (int)(nl ? nl - l : (ptrdiff_t)strlen(l)) -
				   (int)strlen(FW_NOTICE), l + strlen(FW_NOTICE));
		}
		return 0;
	}
	n = strlen(out);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	if (ret == -ELIBACC)	/* libnftables missing: the loader's words say which package */
		return ctx_err(ctx, ret, NC_ERR_PERM, "%s; nothing was changed", out);
	if (ret == -EPROTO)
		return ctx_err(ctx, ret, NC_ERR_FAILED,
			       "cell %s does not hold the ruleset it was given (%s)", cell ? cell : "",
			       out);
	return ctx_err(ctx, ret, NC_ERR_RULESET, "ruleset rejected%s%s; nothing was changed:\n%s",
		       cell ? " by cell " : "", cell ? cell : "", out);
}

/**
 * fw_job_bytes() - how large a generation's files are
 * @job:	its job
 *
 * Return: bytes
 */
size_t fw_job_bytes(const struct fw_job *job)
{
	const char *f[3] = { job->file[0], job->file[1], job->nft };
	struct stat st;
	size_t n = 0;
	int i;

	for (i = 0; i < 3; i++)
		if (f[i][0] && !stat(f[i], &st))
			n += (size_t)st.st_size;
	return n;
}

/**
 * fw_is_host() - does @cell name the host rather than a cell
 * @cell:	cell name or NC_FW_HOST
 *
 * Return: 1 for the host
 */
int fw_is_host(const char *cell)
{
	return !strcmp(cell, NC_FW_HOST);
}
