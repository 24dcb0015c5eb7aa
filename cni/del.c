// SPDX-License-Identifier: MIT
/*
 * del.c - DEL, and what GC shares with it: removing a recorded attachment
 * (cni_forget()), links and entries (cni_detach()), a published port
 * handed to the container's attachment that waits for it
 * (cni_hand_over()), IPAM's lease released (cni_ipam_release())
 *
 * Theory of operation: DEL reads what to remove from the state record,
 * not from the runtime's prevResult; whatever is gone already is no error,
 * so DEL twice, with CNI_NETNS gone or empty, or after a reboot succeeds.
 * A DEL that fails writes the record back: the next DEL (or GC) finishes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

/**
 * cni_ipam_release() - IPAM DEL after a failed ADD (or for DEL itself)
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error, for DEL; NULL to ignore a failure
 *
 * Return: 0 or -1
 */
int cni_ipam_release(const struct cni_conf *c, struct cni_env *env, const char *in,
			struct cni_err *e)
{
	struct cni_err ignored;
	struct json_object *r;
	const char *was = env->command;
	int ret;

	if (!c->ipam[0])
		return 0;
	setenv("CNI_COMMAND", "DEL", 1);
	env->command = "DEL";
	ret = cni_ipam(c, env, in, &r, e ? e : &ignored);
	setenv("CNI_COMMAND", was, 1);
	env->command = was;
	return e ? ret : 0;
}

/**
 * cni_detach() - remove an attachment's links and entries (failed ADD, DEL)
 * @ctx:	context
 * @a:		attachment
 * @netns:	the container's namespace, "" when unknown
 * @nat:	its nft entries were added
 *
 * Called under the lock, with the attachment not (or no longer) counted
 * in the state: a bridge or table left without users goes, the bridge only
 * if the plugin made it.
 *
 * Return: 0 or -errno with a message
 */
int cni_detach(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns, int nat)
{
	unsigned flags = nat ? NC_CNI_DEL_NAT : 0;

	if (!cni_state_users(a->bridge)) {
		flags |= NC_CNI_DEL_LAST_ON_BRIDGE;
		if (cni_state_bridge_made(a->bridge, 0))
			flags |= NC_CNI_DEL_BRIDGE;
	}
	if (!cni_state_users(NULL))
		flags |= NC_CNI_DEL_LAST;
	if (nc_cni_del(ctx, a, netns, flags))
		return -1;
	if (flags & NC_CNI_DEL_BRIDGE)
		cni_state_bridge_made(a->bridge, 1);
	return 0;
}

/**
 * cni_hand_over() - ports a leaving attachment published go to another
 * attachment of the same container that waits for them
 * @env:	container id and interface of the one leaving
 * @net:	its network
 * @gone:	its attachment as recorded
 *
 * Called under the lock, after the leaving one's entries are deleted.  The
 * waiting record takes the port first, then it is published, and the
 * record gives it back when publishing fails: a record never says
 * "waiting" for a port in nft, which its DEL would leave taken.  A port
 * that cannot be taken over (another container took the host port
 * meanwhile, the record cannot be written) stays waiting, said on stderr,
 * and the waiting attachment's CHECK says so.
 */
void cni_hand_over(const struct cni_env *env, const char *net, const struct nc_cni_attach *gone)
{
	char path[PATH_MAX], netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct nc_ctx *ctx = nc_ctx_new();
	const struct nc_cni_port *p;
	struct nc_cni_attach s;
	struct cni_err e;
	int i;

	for (i = 0; ctx && i < gone->nports; i++) {
		p = &gone->ports[i];
		if (!cni_state_sibling(env, net, p, 1, path, sizeof(path), NULL) ||
		    cni_state_load_file(path, &s, netns, sizeof(netns), cell, sizeof(cell), NULL, NULL))
			continue;
		if (cni_state_move_port(path, p, 1, &e)) {
			fprintf(stderr, "netcell: host port %s/%u stays unpublished: %s\n", p->proto,
				p->host_port, e.msg);
			continue;
		}
		s.ports[0] = *p;
		s.nports = 1;
		if (!nc_cni_ports_add(ctx, &s))
			continue;
		fprintf(stderr, "netcell: host port %s/%u stays unpublished: %s\n", p->proto,
			p->host_port, nc_errmsg(ctx));
		if (cni_state_move_port(path, p, 0, &e))
			fprintf(stderr, "netcell: %s; CHECK of that attachment reports the port missing\n",
				e.msg);
	}
	nc_ctx_free(ctx);
}

/**
 * cni_forget() - remove a recorded attachment, under the lock: its
 * firewall cell when no other attachment of the container names it, its
 * record, links and entries (a bridge or table left without users with
 * them); a port it published goes to an attachment of the container that
 * waits for it (DEL, and GC for each stale attachment)
 * @net:	its network
 * @env:	its container id and interface
 * @a:		the attachment as recorded
 * @netns:	its namespace path, "" or a gone one is fine
 * @cell:	its firewall cell, "" for none
 * @w:		what it shares with the container's other attachments
 * @e:		error
 *
 * Return: 0, or -1 (code 100) with the record written back, so that a DEL
 * or GC again finishes the job
 */
int cni_forget(const char *net, const struct cni_env *env, const struct nc_cni_attach *a,
	       const char *netns, const char *cell, const struct cni_share *w, struct cni_err *e)
{
	char scell[NC_NAME_MAX + 1], sfw[PATH_MAX];
	struct nc_ctx *ctx = nc_ctx_new();
	int ret = 0;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	/* the container's cell goes with the last attachment that names it */
	if (cell[0] && !cni_state_sibling_cell(env, net, scell, sizeof(scell), sfw, sizeof(sfw)))
		cni_fw_forget(cell);
	/* forgotten first, so that it no longer counts as a user */
	cni_state_remove(net, env);
	if (cni_detach(ctx, a, netns, 1)) {
		ret = cni_lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot remove the container's network");
		cni_state_save_net(net, env, netns, a, cell, w, &(struct cni_err){ 0 });
	} else {
		cni_hand_over(env, net, a);
	}
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cni_cmd_del() - DEL: whatever of the attachment is left goes; nothing left
 * is success
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_cmd_del(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct nc_cni_attach a;
	struct cni_share w;
	struct nc_ctx *ctx;
	int ret = 0;

	if (cni_state_lock(e))
		return -1;
	if (!cni_state_load(c->name, env, &a, netns, sizeof(netns), cell, sizeof(cell), &w)) {
		if (env->netns[0])	/* the runtime's word is newer than ours */
			snprintf(netns, sizeof(netns), "%s", env->netns);
		ret = cni_forget(c->name, env, &a, netns, cell, &w, e);
	} else {	/* never added, or deleted already: the pair by its name */
		memset(&a, 0, sizeof(a));
		nc_cni_names(env->id, env->ifname, a.hostif, a.mac);
		snprintf(a.ifname, sizeof(a.ifname), "%s", env->ifname);
		snprintf(a.bridge, sizeof(a.bridge), "%s", c->bridge);
		ctx = nc_ctx_new();
		if (!ctx)
			return cni_error(e, CNI_E_IO, NULL, "out of memory");
		if (cni_detach(ctx, &a, env->netns, 0))
			ret = cni_lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot remove the container's network");
		nc_ctx_free(ctx);
	}
	if (cni_args_ok(env->args, &(struct cni_err){ 0 })) {	/* the lease goes anyway */
		unsetenv("CNI_ARGS");
		env->args = "";
	}
	if (!ret && cni_ipam_release(c, env, in, e))
		ret = -1;
	return ret ? -1 : 0;
}
