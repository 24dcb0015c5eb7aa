// SPDX-License-Identifier: MIT
/*
 * siblings.c - what an attachment must agree on with the others: the
 * container's attachments to other networks (its siblings: the ports one
 * publishes and the others wait for, its one firewall cell) and the other
 * containers on the same bridge (no address, gateway or MAC twice)
 *
 * Theory of operation: each question is one walk over the records
 * (cni_state_scan(), state.c) under the plugin's lock, so the answer
 * cannot change before the caller acts on it.
 */
#include <stdio.h>
#include <string.h>
#include "cni.h"
#include "state.h"

/**
 * cni_same_port() - do two mappings take the same host port (one map key)
 * @p:		one
 * @q:		other
 *
 * Return: 1 if so
 */
int cni_same_port(const struct nc_cni_port *p, const struct nc_cni_port *q)
{
	return p->host_port == q->host_port && !strcmp(p->proto, q->proto) &&
	       !strcmp(p->host_ip, q->host_ip);
}

/**
 * struct sib - what sibling() looks for
 * @id:		the container
 * @p:		the port
 * @waiting:	0: a record that publishes it; 1: one that waits for it
 * @path:	output: the record found
 * @len:	size of @path
 * @match:	output: its mapping of the host port
 */
struct sib {
	const char *id;
	const struct nc_cni_port *p;
	int waiting;
	char *path;
	size_t len;
	struct nc_cni_port match;
};

/**
 * sibling() - scan(): a record of the container with the port
 * @r:		record
 * @arg:	struct sib
 *
 * Return: 1 when found
 */
static int sibling(const struct rec *r, void *arg)
{
	struct sib *w = arg;
	const struct nc_cni_port *ports = w->waiting ? r->s.ports : r->a.ports;
	int i, n = w->waiting ? r->s.n : r->a.nports;

	if (strcmp(r->id, w->id))
		return 0;
	for (i = 0; i < n && !cni_same_port(&ports[i], w->p); i++)
		;
	if (i == n)
		return 0;
	w->match = ports[i];
	if (w->path)
		snprintf(w->path, w->len, "%s", r->path);
	return 1;
}

/**
 * cni_state_sibling() - another attachment of the same container (its
 * other networks, podman --network a,b, which hands each network the same
 * port mappings) that publishes a port, or waits for it
 * @env:	container id and interface
 * @net:	this attachment's network
 * @p:		the port
 * @waiting:	0: one that publishes it; 1: one that waits for it
 * @path:	output: its state file, or NULL
 * @len:	size of @path
 * @match:	output: its mapping of that host port (the container port
 *		may differ), or NULL
 *
 * Called under the lock.
 *
 * Return: 1 when there is one
 */
int cni_state_sibling(const struct cni_env *env, const char *net, const struct nc_cni_port *p,
		      int waiting, char *path, size_t len, struct nc_cni_port *match)
{
	struct sib w = { env->id, p, waiting, path, len, { .host_port = 0 } };
	char own[PATH_MAX];
	int found;

	cni_state_file(net, env, own, sizeof(own));
	found = cni_state_scan(own, sibling, &w);
	if (found && match)
		*match = w.match;
	return found;
}

/**
 * struct fwcell - what cell_of() looks for and finds
 * @id:		the container
 * @cell:	output: its firewall cell
 * @len:	size of @cell
 * @fw:		output: the file applied to it
 * @fwlen:	size of @fw
 */
struct fwcell {
	const char *id;
	char *cell;
	size_t len;
	char *fw;
	size_t fwlen;
};

/**
 * cell_of() - scan(): a record of the container with a firewall cell
 * @r:		record
 * @arg:	struct fwcell
 *
 * Return: 1 when found
 */
static int cell_of(const struct rec *r, void *arg)
{
	struct fwcell *f = arg;

	if (strcmp(r->id, f->id) || !r->cell[0])
		return 0;
	snprintf(f->cell, f->len, "%s", r->cell);
	snprintf(f->fw, f->fwlen, "%s", r->s.fw);
	return 1;
}

/**
 * cni_state_sibling_cell() - the firewall cell another attachment of the
 * same container made (a container's namespace has one ruleset, so its
 * attachments to several networks share one cell)
 * @env:	container id and interface
 * @net:	this attachment's network
 * @cell:	output: the cell
 * @len:	size of @cell
 * @fw:		output: the file applied to it ("" in older records)
 * @fwlen:	size of @fw
 *
 * Called under the lock.
 *
 * Return: 1 when there is one
 */
int cni_state_sibling_cell(const struct cni_env *env, const char *net, char *cell, size_t len,
			   char *fw, size_t fwlen)
{
	struct fwcell f = { env->id, cell, len, fw, fwlen };
	char own[PATH_MAX];

	cni_state_file(net, env, own, sizeof(own));
	return cni_state_scan(own, cell_of, &f);
}

/**
 * same_addr() - do two "ADDR[/PLEN]" texts name the same address
 * @x:		one
 * @y:		other
 *
 * Return: 1 if so
 */
static int same_addr(const char *x, const char *y)
{
	size_t a = strcspn(x, "/"), b = strcspn(y, "/");

	return a && a == b && !strncmp(x, y, a);
}

/**
 * struct clash - what clash() compares with, and says
 * @a:		the new attachment
 * @what:	output: the conflict, in words
 * @len:	size of @what
 */
struct clash {
	const struct nc_cni_attach *a;
	char *what;
	size_t len;
};

/**
 * said() - a clash in words
 * @c:		struct clash: its @what set
 * @r:		the record it clashes with
 * @kind:	"address" or "gateway": what of the new attachment
 * @addr:	that address
 * @role:	what it is of the record's container
 *
 * Return: 1
 */
static int said(struct clash *c, const struct rec *r, const char *kind, const char *addr,
		const char *role)
{
	snprintf(c->what, c->len, "%s %s is %s of container %.12s (network %s)", kind, addr, role,
		 r->id, r->net);
	return 1;
}

/**
 * clash() - scan(): does a record on the same bridge have an address or
 * the MAC of the new attachment, or is an address of one the gateway of
 * the other (either way a container would answer for the gateway)
 * @r:		record
 * @arg:	struct clash
 *
 * Return: 1 when it does
 */
static int clash(const struct rec *r, void *arg)
{
	const struct nc_cni_attach *a = ((struct clash *)arg)->a, *o = &r->a;
	struct clash *c = arg;
	int i, j;

	if (strcmp(o->bridge, a->bridge))
		return 0;
	for (i = 0; i < a->nips; i++)
		for (j = 0; j < o->nips; j++) {
			if (same_addr(a->ips[i], o->ips[j]))
				return said(c, r, "address", a->ips[i], "that");
			if (same_addr(a->ips[i], o->gws[j]))
				return said(c, r, "address", a->ips[i], "the gateway");
			if (same_addr(a->gws[i], o->ips[j]))
				return said(c, r, "gateway", a->gws[i], "the address");
		}
	if (memcmp(a->mac, o->mac, 6))
		return 0;
	snprintf(c->what, c->len, "MAC %02x:%02x:%02x:%02x:%02x:%02x is that of container %.12s (network %s)",
		 a->mac[0], a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5], r->id, r->net);
	return 1;
}

/**
 * cni_state_conflict() - does another attachment on the bridge have an
 * address or the MAC of a new one (a static IPAM configuration given
 * twice, the runtime's "ips" or "mac" asked twice, two networks sharing a
 * bridge and a subnet), or is its address the gateway's, or its gateway
 * another's address: the second container (or the bridge) would take the
 * first one's traffic
 * @env:	container id and interface of the new one
 * @net:	its network
 * @a:		its attachment
 * @what:	output: the conflict, in words
 * @len:	size of @what
 *
 * Called under the lock.
 *
 * Return: 1 when there is one
 */
int cni_state_conflict(const struct cni_env *env, const char *net, const struct nc_cni_attach *a,
		       char *what, size_t len)
{
	struct clash c = { a, what, len };
	char own[PATH_MAX];
	int i, j;

	for (i = 0; i < a->nips; i++)
		for (j = 0; j < a->nips; j++)
			if (a->gws[j][0] && same_addr(a->ips[i], a->gws[j])) {
				snprintf(what, len, "address %s is the gateway's", a->ips[i]);
				return 1;
			}
	cni_state_file(net, env, own, sizeof(own));
	return cni_state_scan(own, clash, &c);
}

