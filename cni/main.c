// SPDX-License-Identifier: MIT
/*
 * main.c - netcell's CNI plugin: ADD, DEL, CHECK, VERSION
 *
 * Theory of operation: a runtime (podman, containerd, CRI-O) executes the
 * plugin with CNI_COMMAND and the other CNI_* variables set and the
 * network configuration on stdin; the result (ADD), or an error object
 * with a CNI error code, goes to stdout, and a failure exits 1.  This file
 * reads the environment and dispatches; conf.c parses the configuration,
 * ipam.c delegates addresses, lib/cni/ makes links and nft entries,
 * state.c records what was made, firewall.c hands the container's
 * namespace to netcell's keeper for its firewall.  Every failure of ADD
 * undoes what the ADD made, in reverse order, so a failed ADD leaves the
 * host as it was (IPAM's lease released too).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cni.h"
#include "ns.h"

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
	if (strcmp(env->command, "DEL") && (!env->netns[0] || env->netns[0] != '/'))
		return cni_error(e, CNI_E_ENV, NULL, "CNI_NETNS must be the path of the container's network namespace");
	if (strcmp(env->command, "DEL") && !ns_is_netns_file(env->netns))
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
 * @l:		attachment
 */
static void add_default_routes(struct cni_link *l)
{
	int i, j, have;

	for (i = 0; i < l->nips && l->nroutes < CNI_ROUTES_MAX; i++) {
		if (!l->ips[i].has_gw)
			continue;
		for (have = 0, j = 0; j < l->nroutes; j++)
			have |= l->routes[j].dst.family == l->ips[i].addr.family && !l->routes[j].dst.plen;
		if (have)
			continue;
		memset(&l->routes[l->nroutes], 0, sizeof(l->routes[0]));
		l->routes[l->nroutes].dst.family = l->ips[i].addr.family;
		l->routes[l->nroutes].has_gw = 1;
		memcpy(l->routes[l->nroutes++].gw, l->ips[i].gw, 16);
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
 * link_of() - the attachment to make from the configuration and IPAM
 * @c:		configuration
 * @env:	environment
 * @ipam:	IPAM result
 * @l:		output
 * @n:		output: its NAT and ports
 * @e:		error
 *
 * Return: 0 or -1
 */
static int link_of(const struct cni_conf *c, const struct cni_env *env, struct json_object *ipam,
		   struct cni_link *l, struct cni_nat *n, struct cni_err *e)
{
	unsigned b[6];
	int i;

	memset(l, 0, sizeof(*l));
	memset(n, 0, sizeof(*n));
	snprintf(l->bridge, sizeof(l->bridge), "%s", c->bridge);
	snprintf(l->ifname, sizeof(l->ifname), "%s", env->ifname);
	cninet_names(env->id, env->ifname, l->hostif, l->mac);
	if (c->mac[0] && sscanf(c->mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6)
		for (i = 0; i < 6; i++)
			l->mac[i] = (unsigned char)b[i];
	l->mtu = c->mtu;
	l->is_gw = c->is_gw;
	if (cni_ipam_parse(ipam, l, e))
		return -1;
	if (c->default_gw)
		add_default_routes(l);
	snprintf(n->bridge, sizeof(n->bridge), "%s", c->bridge);
	n->masq = c->masq;
	for (i = 0; i < l->nips; i++)
		n->ips[n->nips++] = l->ips[i].addr;
	memcpy(n->ports, c->ports, sizeof(c->ports));
	n->nports = c->nports;
	return 0;
}

/**
 * undo() - remove an attachment's links and entries (failed ADD, DEL)
 * @ctx:	context
 * @l:		links
 * @n:		NAT and ports
 * @netns:	the container's namespace, "" when unknown
 * @nat:	its nft entries were added
 *
 * Called under the lock, with the attachment not (or no longer) counted
 * in the state: a bridge or table left without users goes.
 *
 * Return: 0 or -errno with a message
 */
static int undo(struct nc_ctx *ctx, const struct cni_link *l, const struct cni_nat *n,
		const char *netns, int nat)
{
	int users = cni_state_users(l->bridge), all = cni_state_users(NULL), ret = 0;

	if (nat)
		ret = cninat_del(ctx, n, !users, !all);
	if (!ret)
		ret = cninet_del(ctx, l->hostif, l->ifname, netns);
	if (!ret && !users && cni_state_bridge_made(l->bridge, 1))
		ret = cninet_bridge_del(ctx, l->bridge);
	return ret;
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
	struct cni_link l, ol;
	struct cni_nat n, on;
	char ons[8], ocell[8];
	int made = 0, ret = -1;

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
	if (link_of(c, env, ipam, &l, &n, e) || cni_state_lock(e))
		goto release;
	if (!cni_state_load(c->name, env, &ol, &on, ons, sizeof(ons), ocell, sizeof(ocell))) {
		cni_error(e, CNI_E_NETCELL, NULL,
			  "container \"%s\" has %s on network \"%s\" already; DEL it first",
			  env->id, env->ifname, c->name);
		goto release;
	}
	made = !cni_state_users(l.bridge) && !if_nametoindex(l.bridge);
	if (made && cni_state_bridge_mark(l.bridge, e))
		goto release;
	if (cninet_add(ctx, &l, env->netns, hostmac)) {
		lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot connect the container");
		goto unmark;
	}
	if (cninet_sysctl(ctx, l.bridge, n.nports > 0) || cninat_add(ctx, &n)) {
		lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot set up NAT and ports");
		goto unlink;
	}
	if (c->firewall[0] && cni_fw_apply(env, c->firewall, cell, sizeof(cell), e))
		goto unnat;
	if (cni_state_save(c, env, &l, &n, cell, e))
		goto unfw;
	res = cni_result(c, env, &l, hostmac, ipam);
	printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(res);
	ret = 0;
	goto out;
unfw:
	if (cell[0])
		cni_fw_forget(cell);
unnat:
	cninat_del(ctx, &n, !cni_state_users(l.bridge), !cni_state_users(NULL));
unlink:
	cninet_del(ctx, l.hostif, l.ifname, env->netns);
unmark:
	if (made && !cni_state_users(l.bridge) && cni_state_bridge_made(l.bridge, 1))
		cninet_bridge_del(ctx, l.bridge);
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
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1];
	struct cni_link l;
	struct cni_nat n;
	int found, ret = 0;

	if (!ctx || cni_state_lock(e)) {
		nc_ctx_free(ctx);
		return ctx ? -1 : cni_error(e, CNI_E_IO, NULL, "out of memory");
	}
	found = !cni_state_load(c->name, env, &l, &n, netns, sizeof(netns), cell, sizeof(cell));
	if (!found) {	/* never added, or deleted already: the pair by its name */
		memset(&l, 0, sizeof(l));
		memset(&n, 0, sizeof(n));
		cninet_names(env->id, env->ifname, l.hostif, l.mac);
		snprintf(l.ifname, sizeof(l.ifname), "%s", env->ifname);
		snprintf(l.bridge, sizeof(l.bridge), "%s", c->bridge);
	}
	if (env->netns[0])	/* the runtime's word is newer than ours */
		snprintf(netns, sizeof(netns), "%s", env->netns);
	else if (!found)
		netns[0] = '\0';
	if (found && cell[0])
		cni_fw_forget(cell);
	/* forgotten first, so that it no longer counts as a user */
	if (found)
		cni_state_remove(c->name, env);
	if (undo(ctx, &l, &n, netns, found)) {
		ret = lib_error(e, CNI_E_NETCELL, ctx, "netcell: cannot remove the container's network");
		if (found)	/* keep the record: a DEL again finishes the job */
			cni_state_save(c, env, &l, &n, cell, &(struct cni_err){ 0 });
	}
	nc_ctx_free(ctx);
	if (!ret && ipam_release(c, env, in, e))
		ret = -1;
	return ret;
}

/**
 * cmd_check() - CHECK: IPAM's check, then links, entries and firewall as
 * recorded
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
	struct cni_link l;
	struct cni_nat n;
	int ret = -1;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	if (strcmp(c->version, "0.4.0") && strcmp(c->version, "1.0.0"))
		cni_error(e, CNI_E_VERSION, NULL, "CHECK needs cniVersion 0.4.0 or later, not %s", c->version);
	else if (cni_state_load(c->name, env, &l, &n, netns, sizeof(netns), cell, sizeof(cell)))
		cni_error(e, CNI_E_CONTAINER, NULL,
			  "netcell: container \"%s\" has no %s on network \"%s\" (no ADD, or DEL done)",
			  env->id, env->ifname, c->name);
	else if (c->ipam[0] && cni_ipam(c, env, in, &r, e))
		;
	else if (cninet_check(ctx, &l, env->netns) || cninat_check(ctx, &n))
		lib_error(e, CNI_E_DRIFT, ctx, "netcell: the container's network changed");
	else if (cell[0] && cni_fw_check(cell, e))
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
	_cleanup_free_ char *in = NULL;
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
