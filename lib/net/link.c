// SPDX-License-Identifier: MIT
/*
 * link.c - veth links between two cells of one user
 *
 * Theory of operation: all of a user's cells belong to the user's hub user
 * namespace (rootless) or to the initial one (root), so one process that is
 * root there can make a veth pair with one end in each cell: it joins cell
 * A, creates the pair with the peer placed in cell B (IFLA_NET_NS_FD), sets
 * A's address, then joins B and sets B's.  Each end is named after the
 * other cell ("nc-" and the name, shortened with a hash when too long for
 * IFNAMSIZ).  A link's two addresses are the first two hosts of its subnet
 * (--subnet, else the first free 10.214.N.0/24).
 *
 * Links are saved in STATE/links.conf ("A B CIDR" lines, rewritten
 * atomically under STATE/links.lock) and made again by the keeper when it
 * rebuilds rootless cells.  Only the keeper makes, removes or forgets
 * links (LINK/UNLINK requests): a command that held links.lock while it
 * waited for the keeper deadlocked against a delete, whose link_forget()
 * in the keeper waited for the same lock.  A link goes away with either cell: deleting a
 * network namespace deletes its veth ends, and with them their peers.
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include "base/cidr.h"
#include "kernel/incell.h"
#include "net/link.h"
#include "kernel/netlink.h"
#include "base/store.h"

#define LINKS_MAX 256

/**
 * struct link - one saved link
 * @a:		first cell
 * @b:		second cell
 * @net:	subnet; @a gets host 1, @b host 2 (family 0: a named link, no
 *		addresses)
 * @ifa:	a named link's end in @a ("" for an "nc-B" end)
 * @ifb:	a named link's end in @b
 */
struct link {
	char a[NC_NAME_MAX + 1];
	char b[NC_NAME_MAX + 1];
	struct cidr net;
	char ifa[IFNAMSIZ];
	char ifb[IFNAMSIZ];
};

/**
 * struct link_job - what the child that makes a link needs
 * @l:		the link
 * @userfd:	hub user namespace, -1 for root
 * @afd:	cell A's network namespace
 * @bfd:	cell B's network namespace
 */
struct link_job {
	struct link l;
	int userfd, afd, bfd;
};

/**
 * link_ifname() - the name of the end that leads to cell @peer
 * @peer:	the other cell
 * @out:	IFNAMSIZ buffer
 *
 * "nc-" and the name; a name too long for that keeps its first 5
 * characters and gets 28 bits of a hash of the whole (7 hex digits), so
 * that of 100 long names alike in their start, two meet with a chance of
 * about 1 in 50,000 (20 bits, as before, made it 1 in 200).
 */
void link_ifname(const char *peer, char out[IFNAMSIZ])
{
	unsigned h = 2166136261u;	/* FNV-1a */
	const char *p;

	if (strlen(peer) <= IFNAMSIZ - 4) {
		snprintf(out, IFNAMSIZ, "nc-%s", peer);
		return;
	}
	for (p = peer; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, IFNAMSIZ, "nc-%.5s%07x", peer, h & 0xfffffff);
}

/**
 * link_ends() - the names of a link's two ends
 * @l:		the link
 * @ifa:	IFNAMSIZ buffer: the end in @l->a
 * @ifb:	IFNAMSIZ buffer: the end in @l->b
 *
 * A named link (labs) has the names its maker chose; any other is named
 * after the peer.
 */
static void link_ends(const struct link *l, char ifa[IFNAMSIZ], char ifb[IFNAMSIZ])
{
	if (l->ifa[0]) {
		snprintf(ifa, IFNAMSIZ, "%s", l->ifa);
		snprintf(ifb, IFNAMSIZ, "%s", l->ifb);
		return;
	}
	link_ifname(l->b, ifa);
	link_ifname(l->a, ifb);
}

/**
 * link_ifname_ok() - whether the kernel would take @name as an interface name
 * @name:	name
 *
 * As the kernel's dev_valid_name(): 1 to 15 characters, not "." or "..",
 * no '/', ':' or white space.
 *
 * Return: 1 if valid
 */
int link_ifname_ok(const char *name)
{
	const char *p;

	if (!name[0] || strlen(name) >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/**
 * links_load() - read STATE/links.conf
 * @state:	state directory
 * @l:		array of LINKS_MAX
 * @n:		how many were read
 */
static void links_load(const char *state, struct link *l, size_t *n)
{
	char path[PATH_MAX], line[512], net[128];
	_cleanup_fclose_ FILE *f = NULL;

	*n = 0;
	snprintf(path, sizeof(path), "%s/links.conf", state);
	f = fopen(path, "re");
	while (f && *n < LINKS_MAX && fgets(line, sizeof(line), f)) {
		struct link *k = &l[*n];
		int got;

		memset(k, 0, sizeof(*k));
		got = sscanf(line, "%64s %64s %127s %15s %15s", k->a, k->b, net, k->ifa, k->ifb);
		/* a named link: "A B - IFA IFB" */
		if (got == 5 && !strcmp(net, "-") && link_ifname_ok(k->ifa) &&
		    link_ifname_ok(k->ifb))
			(*n)++;
		else if (got == 3 && !cidr_parse(net, &k->net))
			(*n)++;
	}
}

/**
 * links_save() - rewrite STATE/links.conf atomically
 * @state:	state directory
 * @l:		links
 * @n:		how many
 *
 * Return: 0 or -errno
 */
static int links_save(const char *state, const struct link *l, size_t n)
{
	char path[PATH_MAX], net[64], *text = NULL;
	size_t tl = 0, i;
	FILE *f = open_memstream(&text, &tl);
	int ret;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (l[i].ifa[0]) {
			fprintf(f, "%s %s - %s %s\n", l[i].a, l[i].b, l[i].ifa, l[i].ifb);
			continue;
		}
		cidr_format(&l[i].net, net, sizeof(net));
		fprintf(f, "%s %s %s\n", l[i].a, l[i].b, net);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/links.conf", state);
	ret = text ? store_write_atomic(path, text, tl) : -ENOMEM;
	free(text);
	return ret;
}

/**
 * links_lock() - take STATE/links.lock
 * @state:	state directory
 *
 * Return: locked descriptor or -errno
 */
static int links_lock(const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/links.lock", state);
	return store_lock(path);
}

/**
 * find() - index of the link between @a and @b, either way round
 * @l:		links
 * @n:		how many
 * @a:		a cell
 * @b:		the other
 *
 * Return: index, or -1
 */
static int find(const struct link *l, size_t n, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((!strcmp(l[i].a, a) && !strcmp(l[i].b, b)) ||
		    (!strcmp(l[i].a, b) && !strcmp(l[i].b, a)))
			return (int)i;
	return -1;
}

/**
 * address_end() - give one end its address and bring it up
 * @ctx:	context
 * @ifname:	the end, in the current namespace
 * @net:	subnet
 * @host:	host number in it
 *
 * Return: 0 or -errno with a message
 */
static int address_end(struct nc_ctx *ctx, const char *ifname, const struct cidr *net,
		       unsigned host)
{
	struct mnl_socket *nl = nl_open(ctx);
	int ret;

	if (!nl)
		return -EIO;
	/* a named link's ends are only brought up: the lab addresses them */
	ret = nl_end_up(ctx, nl, ifname, net, net->family ? 1 : 0, host, 0);
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

/**
 * clear_stale_ends() - in make_link()'s child: remove ends of a pair that
 * no saved link has (the caller checked, under the links lock)
 * @ctx:	context
 * @nl:		socket in cell A's namespace, the current one
 * @j:		job
 * @ifa:	A's end
 * @ifb:	B's end
 *
 * Such a pair was left by a link command killed before it saved the link,
 * or has its other end in an old namespace of the peer that a process
 * still holds or the kernel is still tearing down: "link" would fail with
 * EEXIST until it is gone.  Deleting one end deletes the pair.
 */
static void clear_stale_ends(struct nc_ctx *ctx, struct mnl_socket *nl,
			     const struct link_job *j, const char *ifa, const char *ifb)
{
	struct mnl_socket *nb;

	if (nl_link_del(ctx, nl, ifa) != -ENODEV || setns(j->bfd, CLONE_NEWNET))
		return;
	nb = nl_open(ctx);	/* a netlink socket stays in its namespace */
	if (nb) {
		nl_link_del(ctx, nb, ifb);
		mnl_socket_close(nb);
	}
	setns(j->afd, CLONE_NEWNET);
}

/**
 * make_link() - in a child: create the veth pair and address both ends
 * @ctx:	context
 * @j:		job
 *
 * Return: 0 or -errno with a message; the pair is removed on failure
 */
static int make_link(struct nc_ctx *ctx, void *arg)
{
	const struct link_job *j = arg;
	char ifa[IFNAMSIZ], ifb[IFNAMSIZ];
	struct mnl_socket *nl;
	int ret, i;

	link_ends(&j->l, ifa, ifb);
	if ((j->userfd >= 0 && setns(j->userfd, CLONE_NEWUSER)) || setns(j->afd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter cell \"%s\": %s",
			       j->l.a, strerror(errno));
	nl = nl_open(ctx);
	if (!nl)
		return -EIO;
	ret = nl_veth_add(ctx, nl, ifa, ifb, j->bfd);
	for (i = 0; ret == -EEXIST && i < 50; i++) {
		/* a named end that exists may be the user's interface: never
		 * removed, only waited for (a peer's namespace being torn down) */
		if (!j->l.ifa[0])
			clear_stale_ends(ctx, nl, j, ifa, ifb);
		if (i || j->l.ifa[0])	/* the kernel still tears an old namespace down */
			usleep(20000);
		ret = nl_veth_add(ctx, nl, ifa, ifb, j->bfd);
	}
	if (ret) {
		mnl_socket_close(nl);
		return ctx_wrap(ctx, ret, "cannot create the veth pair %s/%s", ifa, ifb);
	}
	ret = address_end(ctx, ifa, &j->l.net, 1);
	if (!ret && setns(j->bfd, CLONE_NEWNET))
		ret = -errno;
	if (!ret)
		ret = address_end(ctx, ifb, &j->l.net, 2);
	if (ret) {
		setns(j->afd, CLONE_NEWNET);
		nl_link_del(ctx, nl, ifa);
	}
	mnl_socket_close(nl);
	return ret;
}

/**
 * unmake_link() - in a child: delete cell A's end, and so the pair
 * @ctx:	context
 * @arg:	struct link_job
 *
 * Return: 0 or -errno with a message
 */
static int unmake_link(struct nc_ctx *ctx, void *arg)
{
	const struct link_job *j = arg;
	struct mnl_socket *nl;
	char ifa[IFNAMSIZ], ifb[IFNAMSIZ];
	int ret;

	link_ends(&j->l, ifa, ifb);
	if ((j->userfd >= 0 && setns(j->userfd, CLONE_NEWUSER)) || setns(j->afd, CLONE_NEWNET))
		return ctx_err(ctx, -errno, NC_ERR_FAILED, "cannot enter cell \"%s\": %s",
			       j->l.a, strerror(errno));
	nl = nl_open(ctx);
	ret = nl ? nl_link_del(ctx, nl, ifa) : -EIO;
	if (nl)
		mnl_socket_close(nl);
	return ret == -ENODEV ? 0 : ret;
}

/**
 * run_job() - run @fn in a child, as the keeper (root of the cells' user
 * namespace)
 * @ctx:	context
 * @j:		job, @j->l, @j->afd and @j->bfd set
 * @fn:		make_link or unmake_link
 *
 * Return: 0 or -errno with a message
 */
static int run_job(struct nc_ctx *ctx, struct link_job *j,
		   int (*fn)(struct nc_ctx *ctx, void *arg))
{
	int ret;

	j->userfd = -1;
	ret = incell_fork(ctx, fn, j);
	/* the exit code follows the kernel's errno, as for other commands */
	if (ret)
		ctx->kind = ctx_kind_of_errno(ret);
	return ret;
}

/**
 * pick_subnet() - the first 10.214.N.0/24 no saved link uses
 * @l:		links
 * @n:		how many
 * @net:	result
 *
 * Return: 0 or -ENOSPC
 */
static int pick_subnet(const struct link *l, size_t n, struct cidr *net)
{
	char s[32];
	size_t i;
	int k;

	for (k = 0; k < 256; k++) {
		snprintf(s, sizeof(s), "10.214.%d.0/24", k);
		cidr_parse(s, net);
		for (i = 0; i < n && !cidr_overlap(&l[i].net, net); i++)
			;
		if (i == n)
			return 0;
	}
	return -ENOSPC;
}

/**
 * link_check_args() - validate both names and the subnet
 * @ctx:	context
 * @a:		cell
 * @b:		cell
 * @subnet:	CIDR text or NULL
 * @net:	parsed subnet (always given: cppcheck cannot see that @subnet guards it)
 *
 * Return: 0 or -EINVAL with a usage message
 */
int link_check_args(struct nc_ctx *ctx, const char *a, const char *b,
		    const char *subnet, struct cidr *net)
{
	struct cidr h;
	int ret = nc_name_check(ctx, a);

	if (!ret)
		ret = nc_name_check(ctx, b);
	if (ret)
		return ret;
	if (!strcmp(a, b))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "a cell cannot be linked to itself");
	if (subnet && (cidr_parse(subnet, net) || cidr_host(net, 2, &h)))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid subnet \"%s\": give a prefix with room for two hosts, such as 10.214.9.0/30 or fd00:1::/64",
			       subnet);
	return 0;
}

/**
 * link_add() - in the keeper: make and save a link between two cells
 * @ctx:	context
 * @state:	state directory
 * @a:		cell (gets the subnet's first host) and its namespace
 * @afd:	@a's network namespace
 * @b:		the other cell
 * @bfd:	@b's network namespace
 * @subnet:	CIDR, or "" for the first free 10.214.N.0/24
 * @ifa:	NULL, or a named link (no addresses): @a's end
 * @ifb:	its end in @b
 *
 * Return: 0 or -errno with a message (NC_ERR_EXISTS when already linked)
 */
int link_add(struct nc_ctx *ctx, const char *state, const char *a, int afd,
	     const char *b, int bfd, const char *subnet, const char *ifa, const char *ifb)
{
	struct link_job j = { .afd = afd, .bfd = bfd };
	struct link l[LINKS_MAX];
	_cleanup_close_ int lock = -1;
	size_t n;
	int ret;

	if (!subnet[0])
		subnet = NULL;
	ret = link_check_args(ctx, a, b, subnet, &j.l.net);
	if (ret)
		return ret;
	lock = links_lock(state);
	if (lock < 0)
		return ctx_err(ctx, lock, NC_ERR_FAILED, "cannot lock the links: %s", strerror(-lock));
	links_load(state, l, &n);
	if (find(l, n, a, b) >= 0)
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cells \"%s\" and \"%s\" are linked already", a, b);
	if (n == LINKS_MAX)
		return ctx_err(ctx, -ENOSPC, NC_ERR_FAILED,
			       "cannot link \"%s\" and \"%s\": a user has at most %d links; 'netcell unlink' one first",
			       a, b, LINKS_MAX);
	if (!subnet && !ifa && pick_subnet(l, n, &j.l.net))
		return ctx_err(ctx, -ENOSPC, NC_ERR_FAILED,
			       "cannot link \"%s\" and \"%s\": every 10.214.X.0/24 is taken by a link; give one with --subnet CIDR",
			       a, b);
	snprintf(j.l.a, sizeof(j.l.a), "%s", a);
	snprintf(j.l.b, sizeof(j.l.b), "%s", b);
	if (ifa) {
		if (!ifb || !link_ifname_ok(ifa) || !link_ifname_ok(ifb))
			return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				       "invalid interface name \"%s\" or \"%s\": 1 to 15 characters, no '/', ':' or blanks",
				       ifa, ifb);
		memset(&j.l.net, 0, sizeof(j.l.net));
		snprintf(j.l.ifa, sizeof(j.l.ifa), "%s", ifa);
		snprintf(j.l.ifb, sizeof(j.l.ifb), "%s", ifb);
	}
	ret = run_job(ctx, &j, make_link);
	if (ret)
		return ret;
	l[n++] = j.l;
	ret = links_save(state, l, n);
	if (ret) {
		run_job(ctx, &j, unmake_link);
		return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot save the link: %s", strerror(-ret));
	}
	return 0;
}

/**
 * link_remove() - in the keeper: remove a saved link between two cells
 * @ctx:	context
 * @state:	state directory
 * @a:		cell
 * @afd:	@a's network namespace
 * @b:		the other cell
 * @bfd:	@b's network namespace
 *
 * Return: 0 or -errno with a message
 */
int link_remove(struct nc_ctx *ctx, const char *state, const char *a, int afd,
		const char *b, int bfd)
{
	struct link_job j = { .afd = afd, .bfd = bfd };
	struct link l[LINKS_MAX];
	_cleanup_close_ int lock = -1;
	size_t n;
	int ret, i;

	lock = links_lock(state);
	if (lock < 0)
		return ctx_err(ctx, lock, NC_ERR_FAILED, "cannot lock the links");
	links_load(state, l, &n);
	i = find(l, n, a, b);
	if (i < 0)
		return ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "cells \"%s\" and \"%s\" are not linked", a, b);
	j.l = l[i];
	/* the saved order decides which end is A */
	if (strcmp(j.l.a, a)) {
		j.afd = bfd;
		j.bfd = afd;
	}
	ret = run_job(ctx, &j, unmake_link);
	if (!ret) {
		l[i] = l[--n];
		ret = links_save(state, l, n);
	}
	return ret;
}

/**
 * link_peers() - the saved links of a cell: each peer and this end's address
 * @state:	state directory
 * @cell:	cell
 * @links:	result, heap (NULL when none)
 * @n:		how many
 *
 * Return: 0 or -ENOMEM
 */
int link_peers(const char *state, const char *cell, struct nc_net_link **links,
	       size_t *n)
{
	struct link l[LINKS_MAX];
	struct cidr h;
	size_t all, i;

	*links = NULL;
	*n = 0;
	links_load(state, l, &all);
	if (!all)
		return 0;
	*links = calloc(all, sizeof(**links));
	if (!*links)
		return -ENOMEM;
	for (i = 0; i < all; i++) {
		int first = !strcmp(l[i].a, cell);
		struct nc_net_link *k = &(*links)[*n];

		if (!first && strcmp(l[i].b, cell))
			continue;
		snprintf(k->peer, sizeof(k->peer), "%s", first ? l[i].b : l[i].a);
		if (l[i].net.family) {	/* a named link has none of its own */
			cidr_host(&l[i].net, first ? 1 : 2, &h);
			cidr_format(&h, k->addr, sizeof(k->addr));
		}
		(*n)++;
	}
	return 0;
}

/**
 * link_forget() - drop a deleted cell's links from the saved list
 * @state:	state directory
 * @cell:	cell
 */
void link_forget(const char *state, const char *cell)
{
	struct link l[LINKS_MAX];
	size_t n, i = 0, was;
	int lock = links_lock(state);

	links_load(state, l, &n);
	was = n;
	while (i < n) {
		if (!strcmp(l[i].a, cell) || !strcmp(l[i].b, cell))
			l[i] = l[--n];
		else
			i++;
	}
	if (n != was)	/* most cells have no links: no rewrite, no fsync */
		links_save(state, l, n);
	if (lock >= 0)
		close(lock);
}

/**
 * link_restore() - make the saved links of rebuilt cells again
 * @ctx:	context; each link that fails becomes a notice in it
 * @state:	state directory
 * @netfd:	callback giving a cell's namespace descriptor (-1 if unknown)
 *		and whether it was made anew
 * @arg:	its argument
 *
 * A link comes back when either end's namespace is new: deleting a
 * namespace deletes the veth pairs with an end in it.  Called by the
 * keeper, which a rootless one does as root of the hub user namespace.
 */
void link_restore(struct nc_ctx *ctx, const char *state,
		  int (*netfd)(void *arg, const char *cell, int *fresh), void *arg)
{
	struct link_job j = { .userfd = -1 };
	struct link l[LINKS_MAX];
	size_t n, i;
	int fa, fb;

	links_load(state, l, &n);
	for (i = 0; i < n; i++) {
		struct nc_ctx c = { .kfd = -1 };

		j.l = l[i];
		j.afd = netfd(arg, l[i].a, &fa);
		j.bfd = netfd(arg, l[i].b, &fb);
		if (j.afd >= 0 && j.bfd >= 0 && (fa || fb) && incell_fork(&c, make_link, &j))
			ctx_notice(ctx, "the link between \"%s\" and \"%s\" did not come back: %s; run 'netcell unlink %s %s' and 'netcell link %s %s'",
				   l[i].a, l[i].b, c.msg, l[i].a, l[i].b, l[i].a, l[i].b);
	}
}
