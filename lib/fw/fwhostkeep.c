// SPDX-License-Identifier: MIT
/*
 * fwhostkeep.c - the host's ruleset kept across an unconfirmed apply
 *
 * Theory of operation: a host generation replaces the tables it defines
 * (fwload.c), and with "flush ruleset", "delete table" or a rule added to
 * another tool's table it changes those too.  Reverting it for want of
 * confirmation by loading the generation before it could not give those
 * back (firewalld's table the new file redefined was simply gone), and a
 * file that acts on another tool's table ("delete table inet firewalld")
 * does not load twice, so the revert itself failed.  So, as iptables-apply
 * restores the rules it saved, before an apply with --confirm every table
 * but netcell's own ports tables is kept in GEN.displaced: its stateless
 * listing, and what makes it again (that listing, or for a table of
 * iptables-nft its iptables-save, since a listing of xtables matches does
 * not load).  The revert deletes every table that was not there, and makes
 * again each kept table that is gone or lists otherwise; tables the apply
 * did not change are left alone.  A table made again comes after the
 * others in nft's listing, and one made by iptables-restore lists its
 * chains in iptables-save's order.
 *
 * Both run inside the host's namespace (incell.c's child).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fw/fwhostkeep.h"
#include "fw/fwload.h"
#include "kernel/incell.h"
#include "kernel/nft.h"
#include "kernel/tool.h"

#define IPT_TABLES " filter nat mangle raw security "

/**
 * drop_unmade_builtins() - take out of an iptables-save text the built-in
 * chains the table does not have: iptables-save declares every one,
 * iptables-nft makes one only when a rule needs it, and iptables-restore
 * makes each declared one
 * @save:	iptables-save text, changed in place
 * @list:	the table's nft listing
 */
static void drop_unmade_builtins(char *save, const char *list)
{
	char chain[256], policy[16], key[300], *l = save, *nl;

	for (; l && *l; l = nl) {
		nl = strchr(l, '\n');
		nl = nl ? nl + 1 : NULL;
		if (sscanf(l, ":%255s %15s", chain, policy) != 2 || !strcmp(policy, "-"))
			continue;
		snprintf(key, sizeof(key), "\tchain %s {\n", chain);
		if (fw_has_lines(list, key, strlen(key)))
			continue;
		memmove(l, nl ? nl : l + strlen(l), strlen(nl ? nl : l + strlen(l)) + 1);
		nl = l;
	}
}

/**
 * ipt_save() - an iptables-nft table as iptables-save writes it
 * @fam:	"ip" or "ip6"
 * @name:	table
 * @list:	its nft listing
 * @tmp:	a scratch file
 *
 * Return: heap text, or NULL when it is not one iptables can read
 */
static char *ipt_save(const char *fam, const char *name, const char *list, const char *tmp)
{
	const char *argv[] = { strcmp(fam, "ip") ? "ip6tables-save" : "iptables-save",
			       "-t", name, NULL };
	char key[300], err[512];
	char *text;

	snprintf(key, sizeof(key), " %s ", name);
	if ((strcmp(fam, "ip") && strcmp(fam, "ip6")) || !strstr(IPT_TABLES, key))
		return NULL;
	if (tool_run(argv, NULL, tmp, err, sizeof(err)))
		return NULL;
	text = file_read_all(tmp);
	unlink(tmp);
	if (text)
		drop_unmade_builtins(text, list);
	return text;
}

/**
 * fw_host_snapshot_in_ns() - incell_fn: keep the host's tables
 * @arg:	struct fw_job, @displaced the file to write
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -errno (then the apply must not go on: a revert could not
 * put them back)
 */
int fw_host_snapshot_in_ns(void *arg, char *out, size_t len)
{
	const struct fw_job *job = arg;
	_cleanup_free_ char *tables = NULL;
	char fam[16], name[256], tmp[PATH_MAX + 8];
	const char *l;
	FILE *f;
	int ret = nft_list_tables(&tables);

	if (ret) {
		snprintf(out, len, "cannot list the host's tables to keep them: %s", strerror(-ret));
		return ret;
	}
	f = fopen(job->displaced, "we");
	if (!f) {
		ret = -errno;
		snprintf(out, len, "cannot write \"%s\": %s", job->displaced, strerror(-ret));
		return ret;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", job->displaced);
	for (l = tables; !ret && l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		_cleanup_free_ char *list = NULL, *save = NULL;
		char cmd[300];

		if (sscanf(l, "table %15s %255s", fam, name) != 2 ||
		    (!strcmp(fam, "ip") && !strncmp(name, NFT_HOST_OWN, strlen(NFT_HOST_OWN))))
			continue;
		snprintf(cmd, sizeof(cmd), "list table %s %s", fam, name);
		if (nft_list_stateless(cmd, &list) || !list)
			continue;	/* gone since it was listed: nothing to keep */
		save = ipt_save(fam, name, list, tmp);
		fprintf(f, "@table %s %s %s\n%s@body\n%s@end\n", fam, name,
			save ? (strcmp(fam, "ip") ? "ipt6" : "ipt4") : "nft", list, save ? save : list);
	}
	if (fflush(f) || fsync(fileno(f)))
		ret = -EIO;
	fclose(f);
	if (ret)
		snprintf(out, len, "cannot write \"%s\": %s", job->displaced, strerror(-ret));
	return ret;
}

/**
 * put_back() - make one kept table again
 * @fam:	family
 * @name:	table
 * @kind:	"nft", "ipt4" or "ipt6"
 * @body:	what makes it
 * @tmp:	a scratch file
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -errno
 */
static int put_back(const char *fam, const char *name, const char *kind,
		    const char *body, const char *tmp, char *out, size_t len)
{
	const char *argv[] = { strcmp(kind, "ipt6") ? "iptables-restore" : "ip6tables-restore", NULL };
	_cleanup_free_ char *cmds = NULL;
	FILE *f;
	int ret;

	if (asprintf(&cmds, "add table %s %s\ndelete table %s %s\n%s", fam, name, fam, name,
		     strcmp(kind, "nft") ? "" : body) < 0)
		return -ENOMEM;
	ret = nft_run_text(cmds, out, len);
	if (ret || !strcmp(kind, "nft"))
		return ret;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	ret = fputs(body, f) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret)
		ret = tool_run(argv, tmp, NULL, out, len);
	unlink(tmp);
	return ret;
}

/**
 * drop_new_tables() - delete, in one transaction, every live table that
 * was not kept (made by the apply being reverted), netcell's own aside
 * @kept:	the kept file's text
 * @out:	error text
 * @len:	size of @out
 *
 * Return: 0 or -errno
 */
static int drop_new_tables(const char *kept, char *out, size_t len)
{
	_cleanup_free_ char *tables = NULL, *cmds = NULL;
	char fam[16], name[256], key[300];
	size_t n = 0;
	const char *l;
	FILE *f;
	int ret = nft_list_tables(&tables);

	if (ret)
		return ret;
	f = open_memstream(&cmds, &n);
	if (!f)
		return -ENOMEM;
	for (l = tables; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "table %15s %255s", fam, name) != 2 ||
		    (!strcmp(fam, "ip") && !strncmp(name, NFT_HOST_OWN, strlen(NFT_HOST_OWN))))
			continue;
		snprintf(key, sizeof(key), "@table %s %s ", fam, name);
		if (!fw_has_lines(kept, key, strlen(key)))
			fprintf(f, "delete table %s %s\n", fam, name);
	}
	if (fclose(f))
		return -ENOMEM;
	return n ? nft_run_text(cmds, out, len) : 0;
}

/**
 * fw_host_putback_in_ns() - incell_fn: the revert: delete every table that
 * was not kept, make again each kept table that is gone or lists otherwise
 * than when it was kept
 * @arg:	the file fw_host_snapshot_in_ns() wrote
 * @out:	error text (the tables that could not be made again)
 * @len:	size of @out
 *
 * Return: 0 or -errno (every table is tried)
 */
int fw_host_putback_in_ns(void *arg, char *out, size_t len)
{
	const char *path = arg;
	_cleanup_free_ char *text = file_read_all(path);
	char fam[16], name[256], kind[8], tmp[PATH_MAX + 8], err[512];
	char *l, *cmp, *body, *end;
	size_t o = 0;
	int ret = 0, r;

	out[0] = '\0';
	if (!text)
		return -errno;
	ret = drop_new_tables(text, out, len);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	for (l = text; (l = strstr(l, "@table ")); l = end + 6) {
		_cleanup_free_ char *now = NULL;
		char cmd[300];

		/* "@table F N KIND\nLISTING\n@body\nBODY\n@end\n" */
		cmp = strchr(l, '\n');
		body = cmp ? strstr(cmp, "\n@body\n") : NULL;
		end = body ? strstr(body + 6, "\n@end\n") : NULL;
		if (!end || sscanf(l, "@table %15s %255s %7s", fam, name, kind) != 3)
			return -EINVAL;
		body[1] = '\0';
		end[1] = '\0';
		cmp++;
		body += 7;
		snprintf(cmd, sizeof(cmd), "list table %s %s", fam, name);
		if (!nft_list_stateless(cmd, &now) && now && !strcmp(now, cmp))
			continue;
		r = put_back(fam, name, kind, body, tmp, err, sizeof(err));
		if (r && o < len) {
			o += (size_t)snprintf(out + o, len - o, "%stable %s %s: %s", o ? "; " : "",
					      fam, name, err);
			ret = r;
		}
	}
	return ret;
}
