// SPDX-License-Identifier: MIT
/*
 * conf.c - the network configuration the runtime writes on stdin
 *
 * Theory of operation: the whole document is parsed with json-c, each key
 * the plugin knows is checked for its type, and the result is a struct
 * cni_conf; what the plugin does not know is left to the runtime (CNI
 * allows keys of other plugins and runtimes).  The firewall file of a
 * container is decided here, from most to least specific: CNI_ARGS
 * NETCELL_FIREWALL=NAME, the pod annotation "netcell.io/firewall" (a
 * runtime passing io.kubernetes.cri.pod-annotations), the file
 * K8S_POD_NAME.nft in "firewallDir" (podman passes the container's name as
 * K8S_POD_NAME), and last the network's "firewall".  A NAME is a file name
 * in "firewallDir", never a path: a pod cannot name any file of the host.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cni.h"

/**
 * cni_error() - set the error a command ends with
 * @e:		error
 * @code:	CNI error code
 * @details:	more, or NULL
 * @fmt:	message
 *
 * Return: -1, for "return cni_error(...)"
 */
int cni_error(struct cni_err *e, int code, const char *details, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->details, sizeof(e->details), "%s", details ? details : "");
	return -1;
}

/**
 * cni_lib_error() - a library failure as the command's error
 * @e:		error
 * @code:	CNI code
 * @ctx:	context with the library's message
 * @what:	what failed
 *
 * Return: -1
 */
int cni_lib_error(struct cni_err *e, int code, struct nc_ctx *ctx, const char *what)
{
	if (nc_errkind(ctx) == NC_ERR_EXISTS && code == CNI_E_NETCELL)
		code = CNI_E_PORT;
	return cni_error(e, code, NULL, "%s: %s", what, nc_errmsg(ctx));
}

/**
 * cni_version_ok() - is a cniVersion one this plugin speaks
 * @v:		version
 *
 * Return: 1 if so
 */
int cni_version_ok(const char *v)
{
	static const char *const ok[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(v, ok[i]))
			return 1;
	return 0;
}

/**
 * cni_arg() - one KEY=VALUE of CNI_ARGS ("K1=V1;K2=V2")
 * @args:	CNI_ARGS
 * @key:	key
 * @out:	value
 * @len:	size of @out
 *
 * Return: 1 when found (and it fit), 0 otherwise
 */
int cni_arg(const char *args, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key), vl;
	const char *p = args;

	while (p && *p) {
		vl = strcspn(p, ";");
		if (vl > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			if (vl - kl - 1 >= len)
				return 0;
			snprintf(out, len, "%.*s", (int)(vl - kl - 1), p + kl + 1);
			return 1;
		}
		p = p[vl] ? p + vl + 1 : NULL;
	}
	return 0;
}

/**
 * get() - a member of an object, of one type
 * @o:		object
 * @key:	member
 * @type:	json_type wanted
 * @v:		output, NULL when absent
 * @e:		error
 *
 * Return: 0 (present with that type, or absent), -1 for another type
 */
static int get(struct json_object *o, const char *key, enum json_type type,
	       struct json_object **v, struct cni_err *e)
{
	*v = NULL;
	if (!json_object_object_get_ex(o, key, v) || !*v)
		return *v = NULL, 0;
	if (json_object_is_type(*v, type))
		return 0;
	return cni_error(e, CNI_E_CONFIG, NULL,
			 "network configuration: \"%s\" must be %s; fix the conflist", key,
			 type == json_type_string ? "a string" :
			 type == json_type_boolean ? "true or false" :
			 type == json_type_int ? "a number" :
			 type == json_type_array ? "a list" : "an object");
}

/**
 * get_str() - a string member into a buffer
 * @o:		object
 * @key:	member
 * @out:	output, left as it is when the member is absent
 * @len:	size of @out
 * @e:		error
 *
 * Return: 0 or -1 (wrong type, or too long)
 */
static int get_str(struct json_object *o, const char *key, char *out, size_t len,
		   struct cni_err *e)
{
	struct json_object *v;

	if (get(o, key, json_type_string, &v, e))
		return -1;
	if (!v)
		return 0;
	if ((size_t)json_object_get_string_len(v) >= len)
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "network configuration: \"%s\" is longer than %zu characters; shorten it",
				 key, len - 1);
	snprintf(out, len, "%s", json_object_get_string(v));
	return 0;
}

/**
 * get_bool() - a boolean member
 * @o:		object
 * @key:	member
 * @out:	output, left as it is when the member is absent
 * @e:		error
 *
 * Return: 0 or -1
 */
static int get_bool(struct json_object *o, const char *key, int *out, struct cni_err *e)
{
	struct json_object *v;

	if (get(o, key, json_type_boolean, &v, e))
		return -1;
	if (v)
		*out = json_object_get_boolean(v);
	return 0;
}

/**
 * name_ok() - a network name as CNI allows it: [a-zA-Z0-9][a-zA-Z0-9_.-]*
 * @s:		name
 *
 * Return: 1 if valid
 */
static int name_ok(const char *s)
{
	const char *p;

	if (!s[0] || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", s[0]))
		return 0;
	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
			return 0;
	return 1;
}

/**
 * port_one() - one portMappings entry
 * @o:		{"hostPort": N, "containerPort": N, "protocol": "tcp", "hostIP": ""}
 * @p:		output
 * @e:		error
 *
 * Return: 0 or -1
 */
static int port_one(struct json_object *o, struct nc_cni_port *p, struct cni_err *e)
{
	struct json_object *hp, *cp;
	unsigned char b[16];
	int64_t h, c;
	int i;

	snprintf(p->proto, sizeof(p->proto), "tcp");
	p->host_ip[0] = '\0';
	if (!json_object_is_type(o, json_type_object) ||
	    get(o, "hostPort", json_type_int, &hp, e) || get(o, "containerPort", json_type_int, &cp, e) ||
	    get_str(o, "protocol", p->proto, sizeof(p->proto), e) ||
	    get_str(o, "hostIP", p->host_ip, sizeof(p->host_ip), e))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "runtimeConfig.portMappings: each entry must be {\"hostPort\": N, \"containerPort\": N, \"protocol\": \"tcp\"|\"udp\", \"hostIP\": ADDR}");
	h = hp ? json_object_get_int64(hp) : 0;
	c = cp ? json_object_get_int64(cp) : 0;
	if (h < 1 || h > 65535 || c < 1 || c > 65535)
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "runtimeConfig.portMappings: hostPort and containerPort must be 1-65535");
	p->host_port = (unsigned)h;
	p->container_port = (unsigned)c;
	if (!p->proto[0])
		snprintf(p->proto, sizeof(p->proto), "tcp");
	for (i = 0; p->proto[i]; i++)	/* "TCP", as Kubernetes spells it */
		p->proto[i] = (char)tolower((unsigned char)p->proto[i]);
	if (strcmp(p->proto, "tcp") && strcmp(p->proto, "udp"))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "runtimeConfig.portMappings: protocol \"%s\" is not supported; use tcp or udp",
				 p->proto);
	if (p->host_ip[0] && inet_pton(AF_INET, p->host_ip, b) != 1 &&
	    inet_pton(AF_INET6, p->host_ip, b) != 1)
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "runtimeConfig.portMappings: hostIP \"%s\" is not an address", p->host_ip);
	return 0;
}

/**
 * any_ip() - a mapping's host address as "every local address": "" for
 * both families, else the family's wildcard
 * @hip:	hostIP, "" when none
 *
 * Return: 0 for one address, 4 or 6 for a family's wildcard, 46 for ""
 */
static int any_ip(const char *hip)
{
	return !hip[0] ? 46 : !strcmp(hip, "0.0.0.0") ? 4 : !strcmp(hip, "::") ? 6 : 0;
}

/**
 * port_twice() - does the last mapping take a host port an earlier one of
 * the same request takes (one key of the DNAT maps, which can lead to one
 * container port only)
 * @c:		configuration, the mapping just parsed last in @c->ports
 * @e:		error
 *
 * Return: 0 or -1 (code 7)
 */
static int port_twice(const struct cni_conf *c, struct cni_err *e)
{
	const struct nc_cni_port *p = &c->ports[c->nports - 1], *q;
	int i, a, b;

	for (i = 0; i < c->nports - 1; i++) {
		q = &c->ports[i];
		if (q->host_port != p->host_port || strcmp(q->proto, p->proto))
			continue;
		a = any_ip(p->host_ip);
		b = any_ip(q->host_ip);
		if ((!a && !b && !strcmp(p->host_ip, q->host_ip)) || (a && b && (a == 46 || b == 46 || a == b)))
			return cni_error(e, CNI_E_CONFIG, NULL,
					 "runtimeConfig.portMappings: host port %s/%u%s%s is given twice; a host port leads to one container port",
					 p->proto, p->host_port, p->host_ip[0] ? " on " : "", p->host_ip);
	}
	return 0;
}

/**
 * runtime() - the runtimeConfig object: portMappings, mac
 * @rc:		runtimeConfig, or NULL
 * @c:		configuration
 * @e:		error
 *
 * Return: 0 or -1
 */
static int runtime(struct json_object *rc, struct cni_conf *c, struct cni_err *e)
{
	struct json_object *pm;
	size_t i, n;

	if (!rc)
		return 0;
	if (get(rc, "portMappings", json_type_array, &pm, e) || get_str(rc, "mac", c->mac, sizeof(c->mac), e))
		return -1;
	n = pm ? json_object_array_length(pm) : 0;
	if (n > NC_CNI_PORTS_MAX)
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "runtimeConfig.portMappings: %zu mappings, at most %d are supported", n,
				 NC_CNI_PORTS_MAX);
	for (i = 0; i < n; i++)
		if (port_one(json_object_array_get_idx(pm, i), &c->ports[c->nports++], e) ||
		    port_twice(c, e))
			return -1;
	return 0;
}

/**
 * file_name_ok() - a firewall name a pod may give: a file in firewallDir
 * @s:		name
 *
 * Return: 1 if it is a plain file name
 */
static int file_name_ok(const char *s)
{
	return s[0] && s[0] != '.' && !strchr(s, '/') && strlen(s) < NAME_MAX;
}

/**
 * pod_annotation() - the "netcell.io/firewall" annotation a runtime passes
 * in runtimeConfig["io.kubernetes.cri.pod-annotations"]
 * @rc:		runtimeConfig, or NULL
 * @out:	value
 * @len:	size of @out
 * @e:		error
 *
 * Return: 1 when present, 0 when absent, -1 when longer than @len takes
 * (code 7: dropped, the pod would run without its firewall)
 */
static int pod_annotation(struct json_object *rc, char *out, size_t len, struct cni_err *e)
{
	struct json_object *an, *v;

	if (!rc || !json_object_object_get_ex(rc, "io.kubernetes.cri.pod-annotations", &an) ||
	    !json_object_is_type(an, json_type_object) ||
	    !json_object_object_get_ex(an, "netcell.io/firewall", &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	if ((size_t)json_object_get_string_len(v) >= len)
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "pod annotation netcell.io/firewall is longer than %zu characters; name a file of firewallDir",
				 len - 1);
	snprintf(out, len, "%s", json_object_get_string(v));
	return 1;
}

/**
 * pod_file() - firewallDir/POD_NAME.nft, the pod's firewall when it exists
 * @dir:	firewallDir
 * @env:	K8S_POD_NAME in CNI_ARGS, and the command
 * @c:		configuration: @c->firewall set when the file exists
 * @e:		error
 *
 * A pod name whose file name or path does not fit is an error (for ADD
 * and CHECK), not a pod silently left without its firewall.
 *
 * Return: 0 or -1 (code 4)
 */
static int pod_file(const char *dir, const struct cni_env *env, struct cni_conf *c,
		    struct cni_err *e)
{
	char pod[254], path[PATH_MAX];	/* K8S_POD_NAME: 253 at most (cni_args_ok) */
	int n;

	if (!cni_arg(env->args, "K8S_POD_NAME", pod, sizeof(pod)) || !file_name_ok(pod))
		return 0;
	n = snprintf(path, sizeof(path), "%s/%s.nft", dir, pod);
	if (strlen(pod) + 4 > NAME_MAX || n < 0 || (size_t)n >= sizeof(path))
		return cni_attaching(env->command) ?
			cni_error(e, CNI_E_ENV, NULL,
				  "CNI_ARGS: K8S_POD_NAME \"%.32s...\" (%zu characters) is too long for its firewall file %s/POD_NAME.nft; shorten it to %d characters, or name the file with NETCELL_FIREWALL or the netcell.io/firewall annotation",
				  pod, strlen(pod), dir, NAME_MAX - 4) : 0;
	if (!access(path, F_OK))
		memcpy(c->firewall, path, (size_t)n + 1);	/* both PATH_MAX */
	return 0;
}

/**
 * firewall() - the firewall file for this container
 * @o:		the configuration object
 * @rc:		runtimeConfig, or NULL
 * @env:	CNI_ARGS among others
 * @c:		configuration, @c->firewall set
 * @e:		error
 *
 * Return: 0 or -1
 */
static int firewall(struct json_object *o, struct json_object *rc, const struct cni_env *env,
		    struct cni_conf *c, struct cni_err *e)
{
	char dir[PATH_MAX] = "", name[NAME_MAX + 1] = "";

	if (get_str(o, "firewall", c->firewall, sizeof(c->firewall), e) ||
	    get_str(o, "firewallDir", dir, sizeof(dir), e))
		return -1;
	if ((c->firewall[0] && c->firewall[0] != '/') || (dir[0] && dir[0] != '/'))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "network configuration: \"firewall\" and \"firewallDir\" must be absolute paths");
	if (!cni_arg(env->args, "NETCELL_FIREWALL", name, sizeof(name)) &&
	    pod_annotation(rc, name, sizeof(name), e) < 0 && cni_attaching(env->command))
		return -1;
	if (name[0] && (!dir[0] || !file_name_ok(name)))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "firewall \"%s\" of this container: %s", name,
				 dir[0] ? "give a file name in the network's firewallDir, not a path" :
				 "the network has no \"firewallDir\" to take it from; add one to the conflist");
	if (name[0])
		return snprintf(c->firewall, sizeof(c->firewall), "%s/%s", dir, name) >= (int)sizeof(c->firewall) ?
			cni_error(e, CNI_E_CONFIG, NULL,
				  "firewall \"%s\" of this container: the path in firewallDir is longer than %d characters; use a shorter firewallDir",
				  name, PATH_MAX - 1) : 0;
	return dir[0] ? pod_file(dir, env, c, e) : 0;
}

/**
 * fields() - the plugin's own keys
 * @o:		the configuration object
 * @c:		configuration
 * @e:		error
 *
 * Return: 0 or -1
 */
static int fields(struct json_object *o, struct cni_conf *c, struct cni_err *e)
{
	struct json_object *ipam, *mtu;

	if (get_str(o, "cniVersion", c->version, sizeof(c->version), e) ||
	    get_str(o, "name", c->name, sizeof(c->name), e) ||
	    get_str(o, "bridge", c->bridge, sizeof(c->bridge), e) ||
	    get_bool(o, "isGateway", &c->is_gw, e) ||
	    get_bool(o, "isDefaultGateway", &c->default_gw, e) ||
	    get_bool(o, "ipMasq", &c->masq, e) || get(o, "mtu", json_type_int, &mtu, e) ||
	    get(o, "ipam", json_type_object, &ipam, e) ||
	    (ipam && get_str(ipam, "type", c->ipam, sizeof(c->ipam), e)))
		return -1;
	if (mtu && (json_object_get_int64(mtu) < 68 || json_object_get_int64(mtu) > 65535))
		return cni_error(e, CNI_E_CONFIG, NULL, "network configuration: \"mtu\" must be 68-65535");
	c->mtu = mtu ? (unsigned)json_object_get_int64(mtu) : 0;
	return 0;
}

/**
 * check() - what the keys must be together
 * @c:		configuration
 * @e:		error
 *
 * Return: 0 or -1
 */
static int check(const struct cni_conf *c, struct cni_err *e)
{
	unsigned b[6];
	int n = 0;

	if (!c->version[0])
		return cni_error(e, CNI_E_CONFIG, NULL, "network configuration: \"cniVersion\" is missing");
	if (!cni_version_ok(c->version))
		return cni_error(e, CNI_E_VERSION, NULL,
				 "cniVersion \"%s\" is not supported; use 1.1.0, 1.0.0, 0.4.0, 0.3.1 or 0.3.0",
				 c->version);
	if (!name_ok(c->name))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "network name \"%s\" is not valid: letters, digits, '_', '.', '-', starting with a letter or digit",
				 c->name);
	if (!c->bridge[0] || strchr(c->bridge, '/') || strchr(c->bridge, ' '))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "bridge name \"%s\" is not valid: 1-15 characters, no '/' or space",
				 c->bridge);
	if (c->mac[0] && (sscanf(c->mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
				 &b[4], &b[5], &n) != 6 || c->mac[n] || (b[0] & 1)))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "MAC \"%s\" is not a unicast hardware address (xx:xx:xx:xx:xx:xx)", c->mac);
	return 0;
}

/**
 * prev_result() - the prevResult of an earlier plugin of the chain
 * @c:		configuration: @c->prev set
 * @env:	CNI_COMMAND
 * @e:		error
 *
 * ADD builds its result on it, so each list it holds must be a list (an
 * entry of ours appended to anything else would give indexes that point
 * nowhere).  DEL reads what to remove from the state file, never from
 * prevResult: a broken one (the runtime's cache damaged, a plugin before
 * us that wrote garbage) must not stop the cleanup, so DEL ignores it.
 *
 * Return: 0 or -1 (code 7)
 */
static int prev_result(struct cni_conf *c, const struct cni_env *env, struct cni_err *e)
{
	static const char *const lists[] = { "interfaces", "ips", "routes" };
	struct json_object *v;
	size_t i;

	if (!cni_attaching(env->command)) {
		if (json_object_object_get_ex(c->root, "prevResult", &v) &&
		    json_object_is_type(v, json_type_object))
			c->prev = v;
		return 0;
	}
	if (get(c->root, "prevResult", json_type_object, &c->prev, e))
		return -1;
	for (i = 0; c->prev && i < sizeof(lists) / sizeof(lists[0]); i++)
		if (json_object_object_get_ex(c->prev, lists[i], &v) && v &&
		    !json_object_is_type(v, json_type_array))
			return cni_error(e, CNI_E_CONFIG, NULL,
					 "prevResult: \"%s\" must be a list; the plugin before netcell in the chain gave a broken result",
					 lists[i]);
	if (c->prev && json_object_object_get_ex(c->prev, "dns", &v) && v &&
	    !json_object_is_type(v, json_type_object))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "prevResult: \"dns\" must be an object; the plugin before netcell in the chain gave a broken result");
	return 0;
}

/**
 * cni_attaching() - does a command work on one attachment with the
 * runtime's full set of arguments (ADD, CHECK): DEL cleans up whatever it
 * is given, STATUS and GC name no container
 * @cmd:	CNI_COMMAND
 *
 * Return: 1 for ADD and CHECK
 */
int cni_attaching(const char *cmd)
{
	return !strcmp(cmd, "ADD") || !strcmp(cmd, "CHECK");
}

/**
 * valid_one() - one entry of cni.dev/valid-attachments
 * @o:		{"containerID": ID, "ifname": NAME}
 * @v:		output
 *
 * Return: 0, or -1 when it is not such an object of strings that fit
 */
static int valid_one(struct json_object *o, struct cni_valid *v)
{
	struct json_object *id, *ifn;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "containerID", &id) ||
	    !json_object_object_get_ex(o, "ifname", &ifn) ||
	    !json_object_is_type(id, json_type_string) || !json_object_is_type(ifn, json_type_string) ||
	    !json_object_get_string_len(id) || (size_t)json_object_get_string_len(id) >= sizeof(v->id) ||
	    !json_object_get_string_len(ifn) || (size_t)json_object_get_string_len(ifn) >= sizeof(v->ifname))
		return -1;
	snprintf(v->id, sizeof(v->id), "%s", json_object_get_string(id));
	snprintf(v->ifname, sizeof(v->ifname), "%s", json_object_get_string(ifn));
	return 0;
}

/**
 * valid_attachments() - GC's list of the attachments to keep
 * @c:		configuration: @c->valid and @c->nvalid set
 * @e:		error
 *
 * "cni.dev/valid-attachments" (CNI 1.1.0); libcni also sends the same list
 * as "cni.dev/attachments" (an earlier draft's name), read when the first
 * is absent.  Without the list, or with an entry that is not
 * {"containerID": ID, "ifname": NAME}, GC removes nothing: a list misread
 * would remove containers that live.
 *
 * Return: 0 or -1 (code 7)
 */
static int valid_attachments(struct cni_conf *c, struct cni_err *e)
{
	struct json_object *l;
	size_t i, n;

	if ((!json_object_object_get_ex(c->root, "cni.dev/valid-attachments", &l) &&
	     !json_object_object_get_ex(c->root, "cni.dev/attachments", &l)) ||
	    !json_object_is_type(l, json_type_array))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "GC needs \"cni.dev/valid-attachments\", a list of {\"containerID\": ID, \"ifname\": NAME} to keep (CNI 1.1.0); nothing was removed");
	n = json_object_array_length(l);
	c->valid = n ? calloc(n, sizeof(*c->valid)) : NULL;
	if (n && !c->valid)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	for (i = 0; i < n; i++)
		if (valid_one(json_object_array_get_idx(l, i), &c->valid[i]))
			return cni_error(e, CNI_E_CONFIG, NULL,
					 "cni.dev/valid-attachments[%zu] is not {\"containerID\": ID, \"ifname\": NAME} (an id of 1-256 characters, an interface name of 1-15); nothing was removed",
					 i);
	c->nvalid = n;
	return 0;
}

/**
 * cni_args_ok() - CNI_ARGS as the convention writes it: KEY=VALUE pairs
 * separated by ';'
 * @args:	CNI_ARGS
 * @e:		error
 *
 * A pair without '=' or with an empty key, a value of ours longer than we
 * take (it would be dropped, and the container made without its firewall
 * or MAC), and, unless IgnoreUnknown is set, a key neither netcell nor the
 * IPAM plugins it hands CNI_ARGS to know are errors, as with the standard
 * plugins.  Not checked for DEL: what ADD made goes whatever the runtime
 * passes now (an ADD refused for its CNI_ARGS made nothing), and DEL hands
 * the IPAM plugin no CNI_ARGS when they are not right (host-local would
 * refuse to release the lease).
 *
 * Return: 0 or -1 (code 4)
 */
int cni_args_ok(const char *args, struct cni_err *e)
{
	static const struct { const char *key; size_t max; } known[] = {
		{ "IgnoreUnknown", 8 }, { "NETCELL_FIREWALL", NAME_MAX }, { "MAC", 17 },
		{ "K8S_POD_NAME", 253 }, { "K8S_POD_NAMESPACE", 253 },
		{ "K8S_POD_INFRA_CONTAINER_ID", 256 }, { "K8S_POD_UID", 64 },
		{ "IP", 1024 }, { "GATEWAY", 1024 },
	};
	char ign[16] = "";
	const char *p, *eq;
	size_t n, i, kl;
	int ignore;

	cni_arg(args, "IgnoreUnknown", ign, sizeof(ign));
	ignore = !strcasecmp(ign, "1") || !strcasecmp(ign, "true");
	for (p = args[0] ? args : NULL; p; p = p[n] ? p + n + 1 : NULL) {
		n = strcspn(p, ";");
		eq = memchr(p, '=', n);
		if (!eq || eq == p)
			return cni_error(e, CNI_E_ENV, NULL,
					 "CNI_ARGS: \"%.*s\" is not KEY=VALUE; pairs are separated by one ';'",
					 (int)(n > 64 ? 64 : n), p);
		kl = (size_t)(eq - p);
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strlen(known[i].key) == kl && !strncmp(p, known[i].key, kl))
				break;
		if (i == sizeof(known) / sizeof(known[0]) && !ignore)
			return cni_error(e, CNI_E_ENV, NULL,
					 "CNI_ARGS: unknown key \"%.*s\"; add IgnoreUnknown=1 to pass keys of other plugins",
					 (int)(kl > 64 ? 64 : kl), p);
		if (i < sizeof(known) / sizeof(known[0]) && n - kl - 1 > known[i].max)
			return cni_error(e, CNI_E_ENV, NULL,
					 "CNI_ARGS: the value of %s is longer than %zu characters", known[i].key,
					 known[i].max);
	}
	return 0;
}

/**
 * cni_conf_parse() - the configuration on stdin, with the runtime's
 * @text:	stdin, NUL-terminated
 * @env:	the CNI_* variables (CNI_ARGS: firewall name, MAC)
 * @c:		output; cni_conf_free() it
 * @e:		error
 *
 * Return: 0 or -1 with @e set (6: not JSON, 7: a bad key, 1: version)
 */
int cni_conf_parse(const char *text, const struct cni_env *env, struct cni_conf *c,
		   struct cni_err *e)
{
	enum json_tokener_error je = json_tokener_success;
	struct json_object *rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->bridge, sizeof(c->bridge), "nc-cni0");
	c->is_gw = c->default_gw = c->masq = 1;
	c->root = json_tokener_parse_verbose(text, &je);
	if (!c->root)
		return cni_error(e, CNI_E_DECODE, json_tokener_error_desc(je),
				 "the network configuration on stdin is not JSON: %s",
				 json_tokener_error_desc(je));
	if (!json_object_is_type(c->root, json_type_object))
		return cni_error(e, CNI_E_DECODE, NULL,
				 "the network configuration on stdin must be a JSON object");
	if (fields(c->root, c, e) || get(c->root, "runtimeConfig", json_type_object, &rc, e) ||
	    prev_result(c, env, e) || (cni_attaching(env->command) && cni_args_ok(env->args, e)) ||
	    runtime(rc, c, e) ||
	    firewall(c->root, rc, env, c, e))
		return -1;
	if (!c->mac[0])
		cni_arg(env->args, "MAC", c->mac, sizeof(c->mac));
	if (check(c, e))
		return -1;
	/* the verbs of 1.1.0: libcni sends them with 1.1.0 configurations only */
	if ((!strcmp(env->command, "GC") || !strcmp(env->command, "STATUS")) &&
	    strcmp(c->version, "1.1.0"))
		return cni_error(e, CNI_E_VERSION, NULL,
				 "%s needs cniVersion 1.1.0, not %s; write 1.1.0 in the conflist",
				 env->command, c->version);
	return !strcmp(env->command, "GC") ? valid_attachments(c, e) : 0;
}

/**
 * cni_conf_free() - free what cni_conf_parse() holds
 * @c:		configuration
 */
void cni_conf_free(struct cni_conf *c)
{
	if (c->root)
		json_object_put(c->root);
	c->root = c->prev = NULL;
	free(c->valid);
	c->valid = NULL;
	c->nvalid = 0;
}
