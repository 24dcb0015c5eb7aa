// SPDX-License-Identifier: MIT
/*
 * krebuild.c - a new keeper brings back the saved cells
 *
 * Theory of operation: the keeper that starts after another one died, or
 * after the machine restarted, rebuilds every saved cell before it answers.
 * A root cell whose /run/netns binding is still there is adopted as it is:
 * its namespace kept its rules, its uplink and its links.  A namespace made
 * anew (every rootless cell, and a root one whose binding was gone, as
 * after a restart) gets back what lived in it: its firewall generation (a
 * drop-all table if that no longer loads), its uplink engine or veth pair,
 * and its links.  Every cell gets back what lived in the old keeper: the
 * shared hub and the published ports.  What could not be brought back
 * becomes a notice, sent with the keeper's ready word (keeper_ready_ok())
 * and printed by the command that started the keeper; the cell itself
 * comes back either way.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/cidr.h"
#include "fw/fwgen.h"
#include "fw/fwrestore.h"
#include "keeper/keeper_int.h"
#include "net/link.h"
#include "base/name.h"
#include "net/uplink.h"
#include "net/veth.h"

/**
 * restart_uplink() - a cell in a new namespace gets its uplink again
 * @k:		keeper
 * @ctx:	context; a failure becomes a notice in it
 * @name:	cell
 * @fd:		the cell's new namespace
 * @u:		its saved uplink, not the shared hub
 *
 * What is left of the old uplink is stopped first: an engine of the
 * cell's own still holds the old namespace; a root cell's veth pair went
 * with it, but its NAT rules stayed on the host.
 */
static void restart_uplink(struct keeper *k, struct nc_ctx *ctx, const char *name, int fd,
			   const struct uplink *u)
{
	struct nc_ctx vc = { .kfd = -1 };
	struct cidr net;
	char err[256];

	/* an engine, or a veth's host end and NAT rules (uplink_stop()) */
	uplink_stop(k->p.state, name, 0);
	if (!strcmp(u->engine, "veth")) {
		if (cidr_parse(u->addr, &net))
			ctx_notice(ctx, "cell \"%s\" came back without its uplink: its saved veth prefix \"%s\" is not valid; delete the cell and create it again",
				   name, u->addr);
		else if (veth_up(&vc, name, fd, &net, u->host_loopback))
			ctx_notice(ctx, "cell \"%s\" came back without its uplink: %s; delete the cell and create it again",
				   name, vc.msg);
		return;
	}
	if (uplink_spawn(k->p.state, name, fd, u, err, sizeof(err)))
		ctx_notice(ctx, "cell \"%s\" came back without its uplink: %s did not start: %s ('netcell doctor' checks what it needs)",
			   name, u->engine, err);
}

/**
 * restore_firewall() - a cell in a new namespace gets its firewall again
 * @k:		keeper
 * @ctx:	context; a failure becomes a notice in it
 * @name:	cell
 * @fd:		the cell's new namespace
 *
 * The cell comes back either way: closed if its generation does not load
 * (fw_restore_fd()), and said loudly.
 */
static void restore_firewall(struct keeper *k, struct nc_ctx *ctx, const char *name, int fd)
{
	struct nc_ctx fc = { .kfd = -1 };
	unsigned reverted;
	int locked, bad, i;

	bad = fw_restore_fd(&fc, k->p.state, k->p.run, name, fd, &locked, &reverted);
	for (i = 0; i < fc.nnotice; i++) {
		ctx_notice(ctx, "%s", fc.notice[i]);
		free(fc.notice[i]);
	}
	if (reverted)
		ctx_notice(ctx, "cell \"%s\": firewall generation %u still awaited fw confirm and was reverted (a rebuild ends the confirm window); apply it again if you want it",
			   name, reverted);
	if (bad && locked)
		ctx_notice(ctx, "cell \"%s\" came back with ALL ITS TRAFFIC BLOCKED: %s; its saved firewall did not load, so a drop-all table took its place; see 'netcell fw history %s', then apply a ruleset or roll back",
			   name, fc.msg, name);
	else if (bad)
		ctx_notice(ctx, "cell \"%s\" came back WITHOUT ITS FIREWALL: %s; see 'netcell fw history %s' and apply a ruleset again",
			   name, fc.msg, name);
}

/**
 * keeper_forget() - remove what a cell of this name left on disk and on
 * the host, then its tombstone
 * @k:		keeper
 * @name:	cell name
 * @unbind_ns:	root: remove the /run/netns binding too (not when a new
 *		cell of that name was just bound there)
 *
 * Called by delete after the tombstone was made, by a rebuild for each
 * tombstone (a delete cut short by a crash), and by create before the new
 * cell is saved (state of an older version that removed the
 * configuration first).
 */
void keeper_forget(struct keeper *k, const char *name, int unbind_ns)
{
	if (!k->p.rootless && unbind_ns)
		unbind(name);
	fw_forget(k->p.state, name);
	link_forget(k->p.state, name);
	uplink_stop(k->p.state, name, 1);
	uplink_etc_forget(&k->p, name);
	store_bury(k->p.state, name);
}

/**
 * finish_deletes() - finish the deletes a crash cut short
 * @k:		keeper
 */
static void finish_deletes(struct keeper *k)
{
	char dir[PATH_MAX], name[NC_NAME_MAX + 1];
	_cleanup_closedir_ DIR *d = NULL;
	size_t len, tl = strlen(STORE_TOMBSTONE);
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/cells", k->p.state);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		len = strlen(e->d_name);
		if (len <= tl || len - tl > NC_NAME_MAX ||
		    strcmp(e->d_name + len - tl, STORE_TOMBSTONE))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - tl), e->d_name);
		if (!name_problem(name))
			keeper_forget(k, name, 1);
	}
}

/**
 * rebuild() - bring back every saved cell
 * @k:		keeper
 * @ctx:	context
 * @rebuilt:	how many cells came back
 * @fresh:	how many of them in a namespace made anew
 *
 * Cells of "netcell run" are not rebuilt: their command is gone.  A cell
 * whose namespace cannot be made again keeps its configuration, so a later
 * keeper can retry, and is reported by 'netcell list' as missing.
 */
static void rebuild(struct keeper *k, struct nc_ctx *ctx, unsigned *rebuilt,
		    unsigned *fresh_n)
{
	char dir[PATH_MAX], name[NC_NAME_MAX + 8];
	_cleanup_closedir_ DIR *d = NULL;
	struct cell_conf c;
	struct uplink u;
	struct dirent *e;
	size_t len;
	int fd, fresh, has_uplink;

	snprintf(dir, sizeof(dir), "%s/cells", k->p.state);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		len = strlen(e->d_name);
		if (len < 6 || len - 5 > NC_NAME_MAX ||
		    strcmp(e->d_name + len - 5, ".conf"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
		if (find(k, name))
			continue;
		if (store_load(k->p.state, name, &c)) {
			/* never a silent loss: a file cut short (a rootless keeper
			 * writes without fsync: a machine crash right after a
			 * create) or damaged by hand */
			char from[PATH_MAX], to[PATH_MAX];

			snprintf(from, sizeof(from), "%s/%s.conf", dir, name);
			snprintf(to, sizeof(to), "%s/%s.damaged", dir, name);
			if (rename(from, to))
				snprintf(to, sizeof(to), "%s", from);
			ctx_notice(ctx, "cell \"%s\" did not come back: its saved configuration was empty or damaged (written just before a machine crash?), kept as %s; 'netcell create %s' makes the cell again",
				   name, to, name);
			continue;
		}
		if (c.ephemeral) {
			if (!store_tombstone(k->p.state, name))
				keeper_forget(k, name, 1);
			continue;
		}
		if (c.adopted && !kadopt_bound(name)) {	/* its owner's namespace is gone */
			if (!store_tombstone(k->p.state, name))
				keeper_forget(k, name, 1);
			continue;
		}
		if (make_netns(k, ctx, name, 1, &fd, &fresh))
			continue;
		has_uplink = !uplink_load(k->p.state, name, &u) && strcmp(u.engine, "none");
		if (fresh) {
			restore_firewall(k, ctx, name, fd);
			if (has_uplink && !u.hub)
				restart_uplink(k, ctx, name, fd, &u);
		}
		if (add_cell(k, &c, fd, -1)) {
			close(fd);
			continue;
		}
		k->cells[k->n - 1].fresh = (unsigned char)fresh;
		k->cells[k->n - 1].id = c.id;	/* a lost KEEP reply finds it */
		/* the old hub went with the old keeper, in both modes */
		if (has_uplink && u.hub)
			hub_restore(k, ctx, &k->cells[k->n - 1], &u);
		ports_restore(k, &k->cells[k->n - 1]);
		(*rebuilt)++;
		*fresh_n += !!fresh;
	}
}

/**
 * cell_netfd() - link_restore() callback: a rebuilt cell's namespace
 * @arg:	keeper
 * @name:	cell name
 * @fresh:	set when the namespace was made anew (its links went with
 *		the old one)
 *
 * Return: descriptor, or -1 when the cell is not held
 */
static int cell_netfd(void *arg, const char *name, int *fresh)
{
	struct kcell *c = find(arg, name);

	*fresh = c && c->fresh;
	return c ? c->netfd : -1;
}

/**
 * keeper_rebuild() - bring back every saved cell, then the links of those
 * in new namespaces
 * @k:		keeper
 * @ctx:	context; what did not come back becomes notices in it
 * @rebuilt:	how many cells came back
 * @fresh:	how many of them in a namespace made anew (the others, root
 *		cells whose /run/netns binding survived, kept theirs)
 */
void keeper_rebuild(struct keeper *k, struct nc_ctx *ctx, unsigned *rebuilt,
		    unsigned *fresh)
{
	finish_deletes(k);
	rebuild(k, ctx, rebuilt, fresh);
	if (*rebuilt)
		link_restore(ctx, k->p.state, cell_netfd, k);
}

/**
 * keeper_ready_ok() - the "OK" word of a keeper that is up: "OK\tREBUILT/FRESH", then
 * what went wrong in the rebuild, a tab before each (the command that
 * started the keeper shows them)
 * @ctx:	setup's context, its notices consumed
 * @run:	runtime directory
 * @rebuilt:	cells rebuilt
 * @fresh:	how many of them in new namespaces
 * @msg:	output
 * @len:	size of @msg, at most PIPE_BUF: one write() carries it whole
 *
 * Every problem also goes to the keeper's log and to RUN/rebuild.txt
 * (removed after a clean rebuild).  @msg carries at most half as many as a
 * context keeps, so that the command's own context has room for them and
 * for its own notices; the rest, those that do not fit in one write, and
 * those that found the queue full, are counted in a last part that names
 * the file.
 *
 * Return: length of @msg
 */
int keeper_ready_ok(struct nc_ctx *ctx, const char *run, unsigned rebuilt,
		    unsigned fresh, char *msg, size_t len)
{
	size_t off = (size_t)snprintf(msg, len, "OK\t%u/%u", rebuilt, fresh), room;
	unsigned left = ctx->ndropped;
	char path[PATH_MAX], *s, *text = NULL;
	size_t tlen = 0;
	FILE *f = NULL;
	int i, sent = 0, saved = 0;

	snprintf(path, sizeof(path), "%s/rebuild.txt", run);
	/* room kept for the last part */
	room = len > strlen(path) + 100 ? len - strlen(path) - 100 : 0;
	/* written whole through a random temporary name (safefile.c) */
	if (ctx->nnotice)
		f = open_memstream(&text, &tlen);
	else
		unlink(path);
	for (i = 0; i < ctx->nnotice; i++) {
		for (s = ctx->notice[i]; *s; s++)
			if (*s == '\t' || *s == '\n')
				*s = ' ';
		fprintf(stderr, "netcell-keeper: %s\n", ctx->notice[i]);
		if (f)
			fprintf(f, "%s\n", ctx->notice[i]);
		if (sent < NC_NOTICES / 2 && off + 2 + strlen(ctx->notice[i]) < room) {
			off += (size_t)snprintf(msg + off, len - off, "\t%s", ctx->notice[i]);
			sent++;
		} else {
			left++;
		}
		free(ctx->notice[i]);
	}
	if (f && ctx->ndropped)
		fprintf(f, "%u more problems were not kept (at most %d are)\n",
			ctx->ndropped, NC_NOTICES);
	if (f && !fclose(f))
		saved = !store_write_atomic(path, text, tlen);
	free(text);
	if (left)
		off += (size_t)snprintf(msg + off, len - off,
					"\t%u more problems of this rebuild are not shown here%s%s",
					left, saved ? "; see " : "", saved ? path : "");
	ctx->nnotice = 0;
	ctx->ndropped = 0;
	return (int)(off < len ? off : len - 1);
}
