// SPDX-License-Identifier: MIT
/*
 * add.c - ADD: IPAM's addresses, then under the lock the plan (the
 * attachment is new, clashes with no other, its ports split between those
 * it publishes and those another network of the container publishes, its
 * firewall cell), the record, links, NAT and ports, the firewall, the
 * record again and the result.  Every failure undoes what the ADD made, in
 * reverse order, so a failed ADD leaves the host as it was (IPAM's lease
 * released too).
 */
#include <stdio.h>
#include <string.h>
#include "cni.h"

/**
 * add_default_routes() - a default route via the gateway of each family
 * that has none (isDefaultGateway, as the bridge plugin)
 * @a:		attachment
 */
static void add_default_routes(struct nc_cni_attach *a)
{
	int i, j, have, v6;

	for (i = 0; i < a->nips && a->nroutes < NC_CNI_ROUTES_MAX; i++) {
		if (!a->gws[i][0])
			continue;
		v6 = strchr(a->ips[i], ':') != NULL;
		for (have = 0, j = 0; j < a->nroutes; j++)
			have |= !strcmp(a->routes[j], v6 ? "::/0" : "0.0.0.0/0");
		if (have)
			continue;
		snprintf(a->routes[a->nroutes], sizeof(a->routes[0]), "%s", v6 ? "::/0" : "0.0.0.0/0");
		memcpy(a->route_gws[a->nroutes++], a->gws[i], sizeof(a->gws[i]));	/* both 46 */
	}
}

/**
 * ports_served() - does each published port have a container address of
 * its host address's family (a mapping on an IPv6 host address of a
 * container with IPv4 only would be dropped, and ADD report success)
 * @c:		configuration
 * @a:		attachment, addresses filled
 * @e:		error
 *
 * Return: 0 or -1 (code 7)
 */
static int ports_served(const struct cni_conf *c, const struct nc_cni_attach *a, struct cni_err *e)
{
	int i, j, v6, ok;

	for (i = 0; i < c->nports; i++) {
		if (!c->ports[i].host_ip[0])
			continue;
		v6 = strchr(c->ports[i].host_ip, ':') != NULL;
		for (ok = 0, j = 0; j < a->nips; j++)
			ok |= (strchr(a->ips[j], ':') != NULL) == v6;
		if (!ok)
			return cni_error(e, CNI_E_CONFIG, NULL,
					 "runtimeConfig.portMappings: host address %s is IPv%d, and the container has no IPv%d address from IPAM; publish on an address of the container's family",
					 c->ports[i].host_ip, v6 ? 6 : 4, v6 ? 6 : 4);
	}
	return 0;
}

/**
 * attach_of() - the attachment to make from the configuration and IPAM
 * @c:		configuration
 * @env:	environment
 * @ipam:	IPAM result
 * @a:		output
 * @e:		error
 *
 * Return: 0 or -1
 */
static int attach_of(const struct cni_conf *c, const struct cni_env *env,
		     struct json_object *ipam, struct nc_cni_attach *a, struct cni_err *e)
{
	unsigned b[6];
	int i;

	memset(a, 0, sizeof(*a));
	snprintf(a->bridge, sizeof(a->bridge), "%s", c->bridge);
	snprintf(a->ifname, sizeof(a->ifname), "%s", env->ifname);
	nc_cni_names(env->id, env->ifname, a->hostif, a->mac);
	if (c->mac[0] && sscanf(c->mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6)
		for (i = 0; i < 6; i++)
			a->mac[i] = (unsigned char)b[i];
	a->mtu = c->mtu;
	a->is_gw = c->is_gw;
	a->masq = c->masq;
	if (cni_ipam_parse(ipam, a, e) || ports_served(c, a, e))
		return -1;
	if (c->default_gw)
		add_default_routes(a);
	memcpy(a->ports, c->ports, sizeof(c->ports));
	a->nports = c->nports;
	return 0;
}

/**
 * split_ports() - the ports this attachment publishes, and those another
 * attachment of the same container publishes already (podman hands each
 * network of a container the same mappings: the first network's
 * attachment takes the host port, the others wait for it)
 * @c:		configuration: the ports asked for
 * @env:	container id and interface
 * @a:		attachment: its ports set to those it publishes
 * @w:		output: those it waits for
 * @e:		error
 *
 * A host port leads to one place: another network of the container that
 * maps it to another container port is refused, not left waiting for a
 * mapping that never comes.  Called under the lock.
 *
 * Return: 0 or -1 (code 7)
 */
static int split_ports(const struct cni_conf *c, const struct cni_env *env,
		       struct nc_cni_attach *a, struct cni_share *w, struct cni_err *e)
{
	const struct nc_cni_port *p;
	struct nc_cni_port m;
	int i;

	a->nports = w->n = 0;
	for (i = 0; i < c->nports; i++) {
		p = &c->ports[i];
		if (!cni_state_sibling(env, c->name, p, 0, NULL, 0, &m)) {
			a->ports[a->nports++] = *p;
			continue;
		}
		if (m.container_port != p->container_port)
			return cni_error(e, CNI_E_CONFIG, NULL,
					 "runtimeConfig.portMappings: host port %s/%u leads to container port %u through another network of container \"%s\", and network \"%s\" maps it to %u; map a host port to one container port",
					 p->proto, p->host_port, m.container_port, env->id, c->name,
					 p->container_port);
		w->ports[w->n++] = *p;
	}
	return 0;
}

/**
 * plan() - under the lock, before anything is made: the attachment is
 * new and clashes with no other, its ports split between those it
 * publishes and those it waits for, its firewall cell decided, a bridge
 * to make marked as the plugin's
 * @c:		configuration
 * @env:	environment
 * @a:		attachment, addresses filled; its ports set
 * @w:		output: what it shares with the container's other networks
 * @cell:	output: the cell its record names ("" for none)
 * @len:	size of @cell
 * @shared:	output: 1 when @cell is another network's of the container
 * @e:		error
 *
 * Return: 0 or -1
 */
static int plan(const struct cni_conf *c, const struct cni_env *env, struct nc_cni_attach *a,
		struct cni_share *w, char *cell, size_t len, int *shared, struct cni_err *e)
{
	char ons[8], ocell[8], what[256], sfw[PATH_MAX];
	struct nc_cni_attach old;

	if (!cni_state_load(c->name, env, &old, ons, sizeof(ons), ocell, sizeof(ocell), NULL))
		return cni_error(e, CNI_E_NETCELL, NULL,
				 "netcell: container \"%s\" has %s on network \"%s\" already; DEL it first",
				 env->id, env->ifname, c->name);
	if (cni_state_conflict(env, c->name, a, what, sizeof(what)))
		return cni_error(e, CNI_E_NETCELL, NULL,
				 "netcell: container \"%s\" on bridge \"%s\": %s; give each container its own",
				 env->id, a->bridge, what);
	if (split_ports(c, env, a, w, e))
		return -1;
	/* one namespace, one ruleset: a container on several networks has one
	 * firewall cell, made by the first network that names a file */
	cell[0] = '\0';
	*shared = c->firewall[0] && cni_state_sibling_cell(env, c->name, cell, len, sfw, sizeof(sfw));
	if (*shared && sfw[0] && strcmp(sfw, c->firewall))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "netcell: container \"%s\" has the firewall %s from another network, and network \"%s\" names %s; a container's namespace has one ruleset: name the same file, or none",
				 env->id, sfw, c->name, c->firewall);
	if (!*shared && c->firewall[0])
		cni_fw_cell_name(env->id, cell, len);
	snprintf(w->fw, sizeof(w->fw), "%s", c->firewall);
	if (!cni_state_users(a->bridge) && !if_nametoindex(a->bridge))
		return cni_state_bridge_mark(a->bridge, e);
	return 0;
}

/**
 * cni_cmd_add() - ADD: IPAM, links, NAT and ports, firewall, state, result
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_cmd_add(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	struct json_object *ipam = NULL, *res;
	unsigned char hostmac[6];
	char cell[NC_NAME_MAX + 1] = "";
	struct nc_cni_attach a;
	struct cni_share w = { .n = 0 };
	int added = 0, shared = 0, ret = -1;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	if (!c->ipam[0]) {
		cni_error(e, CNI_E_CONFIG, NULL,
			  "network \"%s\" has no \"ipam\": name an IPAM plugin, e.g. {\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"10.88.0.0/16\"}]]}",
			  c->name);
		goto out;
	}
	if (cni_ipam(c, env, in, &ipam, e))
		goto out;
	if (attach_of(c, env, ipam, &a, e) || cni_state_lock(e) ||
	    plan(c, env, &a, &w, cell, sizeof(cell), &shared, e))
		goto release;
	/* recorded before anything is made: a runtime that kills an ADD it
	 * finds slow (its timeout) calls DEL, which must find what to remove,
	 * the nft entries above all (a host port left taken) */
	if (cni_state_save(c, env, &a, cell, &w, e))
		goto undo;
	if (nc_cni_add(ctx, &a, env->netns, hostmac)) {
		cni_lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot connect the container");
		goto undo;
	}
	added = 1;
	if (!shared && cell[0] && cni_fw_apply(env, c->firewall, cell, sizeof(cell), e))
		goto undo;
	if (cni_state_save(c, env, &a, cell, &w, e))
		goto unfw;
	res = cni_result(c, env, &a, hostmac, ipam);
	printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(res);
	ret = 0;
	goto out;
unfw:
	if (cell[0] && !shared)
		cni_fw_forget(cell);
undo:
	cni_state_remove(c->name, env);	/* no longer counted as a user */
	cni_detach(ctx, &a, env->netns, added);
release:
	cni_ipam_release(c, env, in, NULL);
out:
	if (ipam)
		json_object_put(ipam);
	nc_ctx_free(ctx);
	return ret;
}
