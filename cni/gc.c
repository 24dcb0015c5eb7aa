// SPDX-License-Identifier: MIT
/*
 * gc.c - GC (CNI 1.1.0): the attachments of a network that the runtime no
 * longer knows go
 *
 * Theory of operation: the runtime names the attachments to keep
 * (cni.dev/valid-attachments: containerID and ifname); every attachment
 * the plugin recorded for this network (STATE/NETWORK/ID-IFNAME) that is
 * not among them is removed as DEL removes it (cni_forget(): its firewall
 * cell when no other network of the container names it, its veth pair,
 * addresses and routes with it, its NAT and port entries, ports handed to
 * a waiting network of the container, the bridge the plugin made and the
 * table when nothing uses them any more), then IPAM's leases: an IPAM
 * plugin that speaks 1.1.0 is handed the GC (with the same list); one that
 * does not (Debian 12's host-local) is given a DEL for each attachment
 * removed, as libcni does for cached attachments.  Records of other
 * networks and of valid attachments are not touched.
 *
 * Under the plugin's lock, as ADD and DEL: the spec forbids a runtime to
 * run GC beside ADD or DEL, and the lock makes sure of it.  nftables is
 * checked first: when it cannot be read, nothing is removed; so are the
 * network's records: when they cannot be listed, nothing is removed.  An
 * attachment whose removal fails keeps its record (written back as it
 * was), one whose lease IPAM does not release a record naming it: the
 * next GC finishes them, removing what is gone being no error.  GC says
 * how many it removed and what failed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

/**
 * struct stale - a recorded attachment not in the valid list
 * @id:		container id
 * @ifname:	its interface
 * @gone:	its links and entries are removed (its record too)
 */
struct stale {
	char id[257];
	char ifname[IFNAMSIZ];
	int gone;
};

/**
 * kept() - is an attachment in the runtime's valid list
 * @c:		configuration: the list
 * @id:		container id
 * @ifname:	interface
 *
 * Return: 1 if so
 */
static int kept(const struct cni_conf *c, const char *id, const char *ifname)
{
	size_t i;

	for (i = 0; i < c->nvalid; i++)
		if (!strcmp(c->valid[i].id, id) && !strcmp(c->valid[i].ifname, ifname))
			return 1;
	return 0;
}

/**
 * stale_of() - a record's attachment when it is stale
 * @c:		configuration
 * @dir:	the network's records
 * @file:	a record's file name, ID-IFNAME
 * @s:		output
 *
 * The container id is the record's (id=), the interface what the file
 * name has after "ID-"; a record without its id (written before records
 * had one) cannot be matched and is kept.
 *
 * Return: 1 when it is stale
 */
static int stale_of(const struct cni_conf *c, const char *dir, const char *file,
		    struct stale *s)
{
	char path[PATH_MAX], netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct nc_cni_attach a;
	size_t il;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (cni_state_load_file(path, &a, netns, sizeof(netns), cell, sizeof(cell), NULL, s->id))
		return 0;
	il = strlen(s->id);
	if (!il || strncmp(file, s->id, il) || file[il] != '-' || !file[il + 1] ||
	    strlen(file + il + 1) >= sizeof(s->ifname))
		return 0;
	snprintf(s->ifname, sizeof(s->ifname), "%s", file + il + 1);
	s->gone = 0;
	return !kept(c, s->id, s->ifname);
}

/**
 * stale_list() - the network's recorded attachments not in the valid list
 * @c:		configuration
 * @list:	output: heap array
 * @n:		output: how many
 * @e:		error
 *
 * Listed first, removed after: the removal changes the directory.
 *
 * Return: 0 or -1
 */
static int stale_list(const struct cni_conf *c, struct stale **list, size_t *n,
		      struct cni_err *e)
{
	char dir[PATH_MAX];
	struct stale *l = NULL, *b;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	*list = NULL;
	cni_state_net_dir(c->name, dir, sizeof(dir));
	d = opendir(dir);
	if (!d && errno != ENOENT)	/* none recorded is no error; unread is */
		return cni_error(e, CNI_E_IO, NULL,
				 "netcell: GC of network \"%s\" removed nothing: cannot read its records in %s: %s",
				 c->name, dir, strerror(errno));
	while (d && (de = readdir(d))) {
		/* nc_write_file()'s temporary names start with '.' */
		if (de->d_name[0] == '.' || de->d_type != DT_REG)
			continue;
		if (*n == cap) {
			b = realloc(l, (cap = cap ? cap * 2 : 16) * sizeof(*l));
			if (!b) {
				free(l);
				closedir(d);
				return cni_error(e, CNI_E_IO, NULL, "out of memory");
			}
			l = b;
		}
		*n += stale_of(c, dir, de->d_name, &l[*n]);
	}
	if (d)
		closedir(d);
	*list = l;
	return 0;
}

/**
 * collect() - remove one stale attachment's links, entries and record
 * @c:		configuration
 * @s:		the attachment: @s->gone set when removed
 * @e:		error, for a failure
 *
 * Return: 0 or -1
 */
static int collect(const struct cni_conf *c, struct stale *s, struct cni_err *e)
{
	struct cni_env env = { "GC", s->id, "", s->ifname, "", "" };
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct nc_cni_attach a;
	struct cni_share w;

	if (cni_state_load(c->name, &env, &a, netns, sizeof(netns), cell, sizeof(cell), &w))
		return 0;	/* gone meanwhile: nothing of it is recorded */
	if (cni_forget(c->name, &env, &a, netns, cell, &w, e))
		return -1;
	s->gone = 1;
	return 0;
}

/**
 * relapse() - write a removed attachment's record back, its links and
 * entries gone (its lease is still IPAM's: the next GC gives IPAM its DEL
 * again)
 * @c:		configuration
 * @s:		the attachment
 */
static void relapse(const struct cni_conf *c, const struct stale *s)
{
	struct cni_env env = { "GC", s->id, "", s->ifname, "", "" };
	struct nc_cni_attach a;

	memset(&a, 0, sizeof(a));
	nc_cni_names(s->id, s->ifname, a.hostif, a.mac);
	snprintf(a.ifname, sizeof(a.ifname), "%s", s->ifname);
	/* no bridge: the record does not count as a user of one */
	cni_state_save_net(c->name, &env, "", &a, "", NULL, &(struct cni_err){ 0 });
}

/**
 * leases() - IPAM's part: its own GC when it speaks 1.1.0, else a DEL for
 * each attachment removed
 * @c:		configuration
 * @env:	environment (CNI_PATH)
 * @in:		stdin, the valid list in it
 * @l:		the stale attachments
 * @n:		how many
 * @gcfail:	output: 1 when IPAM's GC failed, or the plugin could not be run
 * @e:		error, for a failure
 *
 * An attachment whose lease is not released gets its record back, so the
 * next GC gives IPAM its DEL again.
 *
 * Return: how many leases were kept
 */
static int leases(const struct cni_conf *c, struct cni_env *env, const char *in,
		  struct stale *l, size_t n, int *gcfail, struct cni_err *e)
{
	struct json_object *r;
	size_t i;
	int s, bad = 0;

	*gcfail = 0;
	if (!c->ipam[0])
		return 0;
	s = cni_ipam_speaks(c, env, "1.1.0", e);
	if (s == 1) {
		*gcfail = cni_ipam_run(c, env, "GC", in, &r, e) != 0;
		return 0;
	}
	*gcfail = s < 0;
	unsetenv("CNI_NETNS");	/* gone, as GC may assume */
	unsetenv("CNI_ARGS");
	for (i = 0; i < n; i++) {
		if (!l[i].gone)
			continue;
		setenv("CNI_CONTAINERID", l[i].id, 1);
		setenv("CNI_IFNAME", l[i].ifname, 1);
		if (s < 0 || cni_ipam_run(c, env, "DEL", in, &r, e)) {
			relapse(c, &l[i]);
			bad++;
		}
	}
	return bad;
}

/**
 * cni_cmd_gc() - GC: remove the network's attachments not in the valid list
 * @c:		configuration, the valid list in it
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 (nothing printed) or -1: nothing removed (nftables cannot be
 * read), or what could not be removed said, and kept recorded
 */
int cni_cmd_gc(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	struct stale *l = NULL;
	struct cni_err first = { 0 }, later = { 0 };
	struct nc_ctx *ctx;
	size_t n, i, removed = 0;
	int failed = 0, bad, gcfail, ret;
	char ipam[64];

	if (cni_state_lock(e))
		return -1;
	ctx = nc_ctx_new();
	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	ret = nc_cni_ready(ctx);
	if (ret)
		cni_error(e, CNI_E_NETCELL, NULL, "netcell: GC of network \"%s\" removed nothing: %s",
			  c->name, nc_errmsg(ctx));
	nc_ctx_free(ctx);
	if (ret || stale_list(c, &l, &n, e))
		return -1;
	for (i = 0; i < n; i++) {
		/* the first failure is the one said; the others are counted */
		if (!collect(c, &l[i], failed ? &later : &first))
			removed += l[i].gone;
		else
			failed++;
	}
	bad = leases(c, env, in, l, n, &gcfail, failed ? &later : &first);
	free(l);
	if (!failed && !bad && !gcfail)
		return 0;
	if (gcfail && !bad)
		snprintf(ipam, sizeof(ipam), "the IPAM plugin's GC failed");
	else
		snprintf(ipam, sizeof(ipam), "IPAM kept %d lease%s", bad, bad == 1 ? "" : "s");
	return cni_error(e, first.code, first.details,
			 "netcell: GC of network \"%s\": the links and entries of %zu of %zu stale attachments removed, %s; %s; what is left stays recorded, and the next GC finishes it",
			 c->name, removed, n, ipam, first.msg);
}
