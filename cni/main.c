// SPDX-License-Identifier: MIT
/*
 * main.c - netcell's CNI plugin: ADD, DEL, CHECK, VERSION
 *
 * Theory of operation: a runtime (podman, containerd, CRI-O) executes the
 * plugin with CNI_COMMAND and the other CNI_* variables set and the
 * network configuration on stdin; the result (ADD), or an error object
 * with a CNI error code, goes to stdout, and a failure exits 1.  This file
 * reads the environment and dispatches; conf.c parses the configuration,
 * ipam.c delegates addresses, the library's nc_cni_add() makes links and
 * nft entries (net/cninet.c, net/cninat.c), state.c records what was
 * made, firewall.c hands the container's namespace to netcell's keeper for
 * its firewall.  Every failure of ADD
 * undoes what the ADD made, in reverse order, so a failed ADD leaves the
 * host as it was (IPAM's lease released too).
 */
#include <ctype.h>
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "cni.h"

#define STDIN_MAX (1u << 20)

/**
 * read_stdin() - the whole of stdin
 * @e:		error
 *
 * Return: heap text, or NULL with @e set
 */
static char *read_stdin(struct cni_err *e)
{
	size_t cap = 8192, off = 0;
	char *buf = malloc(cap), *b;
	ssize_t n;

	while (buf && (n = read(0, buf + off, cap - off - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			cni_error(e, CNI_E_IO, NULL, "cannot read the network configuration on stdin: %s",
				  strerror(errno));
			return NULL;
		}
		off += (size_t)n;
		if (off + 1 == cap) {
			b = cap < STDIN_MAX ? realloc(buf, cap * 2) : NULL;
			if (!b) {
				free(buf);
				cni_error(e, CNI_E_IO, NULL, "the network configuration on stdin is larger than 1 MiB");
				return NULL;
			}
			buf = b;
			cap *= 2;
		}
	}
	if (!buf) {
		cni_error(e, CNI_E_IO, NULL, "out of memory");
		return NULL;
	}
	buf[off] = '\0';
	return buf;
}

/**
 * id_ok() - a container id as the spec allows: [A-Za-z0-9][A-Za-z0-9_.-]*
 * @s:		id
 *
 * Return: 1 if valid (it names a state file)
 */
static int id_ok(const char *s)
{
	const char *p;

	if (!s || !isalnum((unsigned char)s[0]) || strlen(s) > 256)
		return 0;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return 0;
	return 1;
}

/**
 * ifname_ok() - an interface name the kernel takes
 * @s:		name
 *
 * Return: 1 if valid
 */
static int ifname_ok(const char *s)
{
	const char *p;

	if (!s || !s[0] || strlen(s) >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return 0;
	return 1;
}

/**
 * is_netns() - is a path a network namespace file (nsfs)
 * @path:	CNI_NETNS
 *
 * Return: 1 if so
 */
static int is_netns(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == NSFS_MAGIC;
}

/**
 * get_env() - the CNI_* variables, checked for what the command needs
 * @env:	output
 * @e:		error
 *
 * Return: 0 or -1 (code 4)
 */
static int get_env(struct cni_env *env, struct cni_err *e)
{
	const char *ns;

	env->command = getenv("CNI_COMMAND");
	env->id = getenv("CNI_CONTAINERID");
	ns = getenv("CNI_NETNS");
	env->netns = ns ? ns : "";
	env->ifname = getenv("CNI_IFNAME");
	env->args = getenv("CNI_ARGS") ? getenv("CNI_ARGS") : "";
	env->path = getenv("CNI_PATH") ? getenv("CNI_PATH") : "";
	if (!env->command)
		return cni_error(e, CNI_E_ENV, NULL,
				 "CNI_COMMAND is not set: this is a CNI plugin, run by a container runtime (see docs/cni.md)");
	if (!strcmp(env->command, "VERSION"))
		return 0;
	if (strcmp(env->command, "ADD") && strcmp(env->command, "DEL") && strcmp(env->command, "CHECK"))
		return cni_error(e, CNI_E_ENV, NULL,
				 "CNI_COMMAND \"%s\" is not supported; this plugin knows ADD, DEL, CHECK and VERSION",
				 env->command);
	if (!id_ok(env->id))
		return cni_error(e, CNI_E_ENV, NULL,
				 "CNI_CONTAINERID \"%s\" is not valid: letters, digits, '_', '.', '-', starting with a letter or digit",
				 env->id ? env->id : "");
	if (!ifname_ok(env->ifname))
		return cni_error(e, CNI_E_ENV, NULL,
				 "CNI_IFNAME \"%s\" is not a valid interface name (1-15 characters, no '/', ':' or space)",
				 env->ifname ? env->ifname : "");
	if (strlen(env->netns) >= PATH_MAX)
		return cni_error(e, CNI_E_ENV, NULL, "CNI_NETNS is longer than %d characters",
				 PATH_MAX - 1);
	if (cni_state_dir_ok(e))
		return -1;
	if (strcmp(env->command, "DEL") && (!env->netns[0] || env->netns[0] != '/'))
		return cni_error(e, CNI_E_ENV, NULL, "CNI_NETNS must be the path of the container's network namespace");
	if (strcmp(env->command, "DEL") && !is_netns(env->netns))
		return cni_error(e, CNI_E_CONTAINER, NULL,
				 "CNI_NETNS \"%s\" is not a network namespace (is the container gone?)", env->netns);
	return 0;
}

/**
 * lib_error() - a library failure as the command's error
 * @e:		error
 * @code:	CNI code
 * @ctx:	context with the library's message
 * @what:	what failed
 *
 * Return: -1
 */
static int lib_error(struct cni_err *e, int code, struct nc_ctx *ctx, const char *what)
{
	if (nc_errkind(ctx) == NC_ERR_EXISTS && code == CNI_E_NETCELL)
		code = CNI_E_PORT;
	return cni_error(e, code, NULL, "%s: %s", what, nc_errmsg(ctx));
}

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
 * ipam_release() - IPAM DEL after a failed ADD (or for DEL itself)
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error, for DEL; NULL to ignore a failure
 *
 * Return: 0 or -1
 */
static int ipam_release(const struct cni_conf *c, struct cni_env *env, const char *in,
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
 * detach() - remove an attachment's links and entries (failed ADD, DEL)
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
static int detach(struct nc_ctx *ctx, const struct nc_cni_attach *a, const char *netns, int nat)
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
 * hand_over() - ports a leaving attachment published go to another
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
static void hand_over(const struct cni_env *env, const char *net, const struct nc_cni_attach *gone)
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
 * waits_ok() - is each port an attachment waits for published by another
 * attachment of its container
 * @env:	container id and interface
 * @net:	network
 * @w:		the ports it waits for
 * @e:		error
 *
 * Return: 0 or -1 (code 104)
 */
static int waits_ok(const struct cni_env *env, const char *net, const struct cni_share *w,
		    struct cni_err *e)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (!cni_state_sibling(env, net, &w->ports[i], 0, NULL, 0, NULL))
			return cni_error(e, CNI_E_DRIFT, NULL,
					 "netcell: the container's network changed: host port %s/%u is published by none of its networks",
					 w->ports[i].proto, w->ports[i].host_port);
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
 * cmd_add() - ADD: IPAM, links, NAT and ports, firewall, state, result
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1
 */
static int cmd_add(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
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
		lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot connect the container");
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
	detach(ctx, &a, env->netns, added);
release:
	ipam_release(c, env, in, NULL);
out:
	if (ipam)
		json_object_put(ipam);
	nc_ctx_free(ctx);
	return ret;
}

/**
 * cmd_del() - DEL: whatever of the attachment is left goes; nothing left
 * is success
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1
 */
static int cmd_del(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1], scell[NC_NAME_MAX + 1], sfw[PATH_MAX];
	struct nc_cni_attach a;
	struct cni_share w;
	int found, ret = 0;

	if (!ctx || cni_state_lock(e)) {
		nc_ctx_free(ctx);
		return ctx ? -1 : cni_error(e, CNI_E_IO, NULL, "out of memory");
	}
	found = !cni_state_load(c->name, env, &a, netns, sizeof(netns), cell, sizeof(cell), &w);
	if (!found) {	/* never added, or deleted already: the pair by its name */
		memset(&a, 0, sizeof(a));
		nc_cni_names(env->id, env->ifname, a.hostif, a.mac);
		snprintf(a.ifname, sizeof(a.ifname), "%s", env->ifname);
		snprintf(a.bridge, sizeof(a.bridge), "%s", c->bridge);
		netns[0] = '\0';
	}
	if (env->netns[0])	/* the runtime's word is newer than ours */
		snprintf(netns, sizeof(netns), "%s", env->netns);
	/* the container's cell goes with the last attachment that names it */
	if (found && cell[0] && !cni_state_sibling_cell(env, c->name, scell, sizeof(scell), sfw, sizeof(sfw)))
		cni_fw_forget(cell);
	/* forgotten first, so that it no longer counts as a user */
	if (found)
		cni_state_remove(c->name, env);
	if (detach(ctx, &a, netns, found)) {
		ret = lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot remove the container's network");
		if (found)	/* keep the record: a DEL again finishes the job */
			cni_state_save(c, env, &a, cell, &w, &(struct cni_err){ 0 });
	} else if (found) {
		hand_over(env, c->name, &a);
	}
	nc_ctx_free(ctx);
	if (cni_args_ok(env->args, &(struct cni_err){ 0 })) {	/* the lease goes anyway */
		unsetenv("CNI_ARGS");
		env->args = "";
	}
	if (!ret && ipam_release(c, env, in, e))
		ret = -1;
	return ret;
}

/**
 * cmd_check() - CHECK: links, entries and firewall as recorded, and IPAM's
 * check
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 or -1 (code 104 with the first difference)
 */
static int cmd_check(const struct cni_conf *c, struct cni_env *env, const char *in, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct json_object *r;
	struct nc_cni_attach a;
	struct cni_share w;
	int ret = -1;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	if (strcmp(c->version, "0.4.0") && strcmp(c->version, "1.0.0"))
		cni_error(e, CNI_E_VERSION, NULL, "CHECK needs cniVersion 0.4.0 or later, not %s", c->version);
	else if (cni_state_load(c->name, env, &a, netns, sizeof(netns), cell, sizeof(cell), &w))
		cni_error(e, CNI_E_CONTAINER, NULL,
			  "netcell: container \"%s\" has no %s on network \"%s\" (no ADD, or DEL done)",
			  env->id, env->ifname, c->name);
	else if (c->ipam[0] && cni_ipam(c, env, in, &r, e))
		;
	else if (nc_cni_check(ctx, &a, env->netns))
		lib_error(e, CNI_E_DRIFT, ctx, "netcell: the container's network changed");
	else if (cell[0] && cni_fw_check(cell, e))
		;
	else if (waits_ok(env, c->name, &w, e))
		;
	else
		ret = 0;
	nc_ctx_free(ctx);
	return ret;
}

/**
 * print_error() - the error object on stdout
 * @e:		error
 * @version:	the configuration's cniVersion, or NULL
 */
static void print_error(const struct cni_err *e, const char *version)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cniVersion", json_object_new_string(version && cni_version_ok(version) ?
								      version : "1.0.0"));
	json_object_object_add(o, "code", json_object_new_int(e->code));
	json_object_object_add(o, "msg", json_object_new_string(e->msg));
	if (e->details[0])
		json_object_object_add(o, "details", json_object_new_string(e->details));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/**
 * version() - VERSION: the versions this plugin speaks
 *
 * Return: 0
 */
static int version(void)
{
	printf("{\n  \"cniVersion\": \"1.0.0\",\n"
	       "  \"supportedVersions\": [ \"0.3.0\", \"0.3.1\", \"0.4.0\", \"1.0.0\" ]\n}\n");
	return 0;
}

/**
 * main() - read the environment and stdin, run the command
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 0, or 1 with an error object on stdout
 */
int main(int argc, char **argv)
{
	cni_autofree char *in = NULL;
	struct cni_conf c = { 0 };
	struct cni_err e = { 0 };
	struct cni_env env;
	int ret = -1;

	(void)argc;
	(void)argv;
	if (get_env(&env, &e))
		goto fail;
	if (!strcmp(env.command, "VERSION"))
		return version();
	in = read_stdin(&e);
	if (!in || cni_conf_parse(in, &env, &c, &e))
		goto fail;
	if (!strcmp(env.command, "ADD"))
		ret = cmd_add(&c, &env, in, &e);
	else if (!strcmp(env.command, "DEL"))
		ret = cmd_del(&c, &env, in, &e);
	else
		ret = cmd_check(&c, &env, in, &e);
	if (!ret) {
		cni_conf_free(&c);
		return 0;
	}
fail:
	fflush(stdout);
	print_error(&e, c.version[0] ? c.version : NULL);
	cni_conf_free(&c);
	return 1;
}
