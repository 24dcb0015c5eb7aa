// SPDX-License-Identifier: MIT
/*
 * ipam.c - addresses from the IPAM plugin the configuration names
 *
 * Theory of operation: as the standard plugins do, the plugin named in
 * "ipam.type" is found in CNI_PATH and executed with this process's
 * environment (CNI_COMMAND and the rest unchanged) and the same stdin; its
 * stdout is its result, or its error object when it exits non-zero.  The
 * addresses and routes of the result become the container's; its whole
 * result is kept for the plugin's own (dns and all).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cni.h"
#include "netcell.h"

extern char **environ;

/**
 * find_plugin() - a plugin binary in CNI_PATH
 * @path:	CNI_PATH, directories separated by ':'
 * @type:	plugin name
 * @out:	its path
 * @len:	size of @out
 *
 * Return: 0, or -ENOENT
 */
static int find_plugin(const char *path, const char *type, char *out, size_t len)
{
	const char *p = path;
	size_t dl;

	while (p && *p) {
		dl = strcspn(p, ":");
		if (dl && (size_t)snprintf(out, len, "%.*s/%s", (int)dl, p, type) < len &&
		    !access(out, X_OK))
			return 0;
		p = p[dl] ? p + dl + 1 : NULL;
	}
	return -ENOENT;
}

/**
 * exchange() - write @in to the child, read all it writes back
 * @wfd:	child's stdin, closed here
 * @rfd:	child's stdout
 * @in:		text to write
 * @out:	heap text read, NUL-terminated
 *
 * Both at once with poll(): a plugin that writes before it has read all
 * of its input must not deadlock us.
 *
 * Return: 0 or -errno
 */
static int exchange(int wfd, int rfd, const char *in, char **out)
{
	size_t inlen = strlen(in), woff = 0, cap = 4096, off = 0;
	struct pollfd p[2] = { { rfd, POLLIN, 0 }, { wfd, POLLOUT, 0 } };
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while (p[0].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].fd >= 0 && p[1].revents) {
			n = write(wfd, in + woff, inlen - woff);
			woff += n > 0 ? (size_t)n : 0;
			if (n < 0 || woff == inlen) {
				close(wfd);
				p[1].fd = -1;
			}
		}
		if (p[0].revents) {
			if (off + 4096 > cap && cap < (16u << 20)) {
				char *b = realloc(buf, cap * 2);

				if (!b)
					break;
				buf = b;
				cap *= 2;
			}
			n = read(rfd, buf + off, cap - off - 1);
			if (n <= 0)
				p[0].fd = -1;
			else
				off += (size_t)n;
		}
	}
	if (p[1].fd >= 0)
		close(wfd);
	buf[off] = '\0';
	*out = buf;
	return 0;
}

/**
 * run_plugin() - execute a plugin: stdin in, stdout out, exit status
 * @bin:	its path
 * @in:		stdin text
 * @out:	heap stdout text
 * @status:	wait status
 *
 * Return: 0 or -errno (it could not be run)
 */
static int run_plugin(const char *bin, const char *in, char **out, int *status)
{
	int ip[2], op[2], ret;
	pid_t pid;

	if (pipe2(ip, O_CLOEXEC))
		return -errno;
	if (pipe2(op, O_CLOEXEC)) {
		ret = -errno;
		close(ip[0]);
		close(ip[1]);
		return ret;
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)bin, NULL };

		dup2(ip[0], 0);
		dup2(op[1], 1);
		execve(bin, argv, environ);
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	if (pid < 0) {
		ret = -errno;
		close(ip[1]);
		close(op[0]);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN);
	ret = exchange(ip[1], op[0], in, out);
	close(op[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return ret;
}

/**
 * plugin_error() - the error object a failed plugin wrote, as ours
 * @type:	plugin name
 * @out:	its stdout
 * @status:	its wait status
 * @e:		error
 *
 * Return: -1
 */
static int plugin_error(const char *type, const char *out, int status, struct cni_err *e)
{
	struct json_object *o = json_tokener_parse(out), *v;
	const char *msg = "", *details = "";
	int code = CNI_E_IPAM;

	if (o && json_object_object_get_ex(o, "msg", &v))
		msg = json_object_get_string(v);
	if (o && json_object_object_get_ex(o, "details", &v))
		details = json_object_get_string(v);
	/* "try again later" stays what it is, so the runtime retries; so do
	 * STATUS's "not available" codes */
	if (o && json_object_object_get_ex(o, "code", &v) &&
	    (json_object_get_int(v) == CNI_E_LATER || json_object_get_int(v) == CNI_E_UNAVAILABLE ||
	     json_object_get_int(v) == CNI_E_LIMITED))
		code = json_object_get_int(v);
	if (!msg[0])
		msg = WIFEXITED(status) ? "no error message" : "killed by a signal";
	cni_error(e, code, details, "IPAM plugin \"%s\" failed: %s", type, msg);
	if (o)
		json_object_put(o);
	return -1;
}

/**
 * ipam_bin() - the IPAM plugin's binary in CNI_PATH
 * @c:		configuration
 * @env:	CNI_PATH
 * @bin:	output, PATH_MAX bytes
 * @e:		error
 *
 * Return: 0 or -1 (code 7)
 */
static int ipam_bin(const struct cni_conf *c, const struct cni_env *env, char *bin,
		    struct cni_err *e)
{
	if (strchr(c->ipam, '/') || find_plugin(env->path, c->ipam, bin, PATH_MAX))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "IPAM plugin \"%s\" not found in CNI_PATH \"%s\"; install it (Debian: containernetworking-plugins) or fix \"ipam.type\"",
				 c->ipam, env->path);
	return 0;
}

/**
 * run_as() - run the IPAM plugin with CNI_COMMAND set to @cmd (the rest of
 * the environment as the runtime gave it)
 * @bin:	the plugin
 * @cmd:	CNI_COMMAND for it
 * @in:		its stdin
 * @out:	heap stdout text
 * @status:	wait status
 *
 * Return: 0 or -errno (it could not be run)
 */
static int run_as(const char *bin, const char *cmd, const char *in, char **out, int *status)
{
	char was[16];
	const char *w = getenv("CNI_COMMAND");
	int ret;

	snprintf(was, sizeof(was), "%s", w ? w : "");
	setenv("CNI_COMMAND", cmd, 1);
	ret = run_plugin(bin, in, out, status);
	if (w)
		setenv("CNI_COMMAND", was, 1);
	else
		unsetenv("CNI_COMMAND");
	return ret;
}

/**
 * cni_ipam_speaks() - does the IPAM plugin announce a cniVersion (its
 * VERSION answer, asked once per process)
 * @c:		configuration
 * @env:	CNI_PATH
 * @v:		the version
 * @e:		error
 *
 * STATUS and GC exist from 1.1.0 on: a plugin that does not announce it
 * (Debian 12's host-local 1.1.1 announces up to 1.0.0) has neither.
 *
 * Return: 1 if it does, 0 if not, -1 when the plugin is missing or gives
 * no VERSION answer (@e set)
 */
int cni_ipam_speaks(const struct cni_conf *c, const struct cni_env *env, const char *v,
		    struct cni_err *e)
{
	static struct json_object *vers;	/* its supportedVersions, kept */
	cni_autofree char *out = NULL;
	struct json_object *o, *l;
	char bin[PATH_MAX], in[64];
	int status = 0, ret;
	size_t i;

	if (!vers) {
		if (ipam_bin(c, env, bin, e))
			return -1;
		snprintf(in, sizeof(in), "{\"cniVersion\": \"%s\"}", c->version);
		if (run_as(bin, "VERSION", in, &out, &status))
			return cni_error(e, CNI_E_IO, NULL, "cannot run IPAM plugin \"%s\": %s", bin,
					 strerror(errno));
		o = WIFEXITED(status) && !WEXITSTATUS(status) ? json_tokener_parse(out) : NULL;
		if (!o || !json_object_object_get_ex(o, "supportedVersions", &l) ||
		    !json_object_is_type(l, json_type_array)) {
			if (o)
				json_object_put(o);
			return cni_error(e, CNI_E_IPAM, NULL,
					 "IPAM plugin \"%s\" gives no VERSION answer (supportedVersions); is it a CNI plugin?",
					 c->ipam);
		}
		vers = json_object_get(l);
		json_object_put(o);
	}
	for (ret = 0, i = 0; !ret && i < json_object_array_length(vers); i++)
		ret = !strcmp(json_object_get_string(json_object_array_get_idx(vers, i)), v);
	return ret;
}

/**
 * cni_ipam_version() - the cniVersion the IPAM plugin is handed: the
 * configuration's, or for a 1.1.0 configuration the highest version the
 * plugin speaks (Debian 12's host-local speaks up to 1.0.0; its
 * addresses, routes and dns are the same in 1.0.0)
 * @c:		configuration
 * @env:	CNI_PATH
 * @e:		error
 *
 * Only a 1.1.0 configuration costs the plugin's VERSION; older ones are
 * handed on as they are, as before 1.1.0 was spoken.
 *
 * Return: the version, or NULL with @e set (the plugin missing, no VERSION
 * answer, or none of the versions: code 1)
 */
const char *cni_ipam_version(const struct cni_conf *c, const struct cni_env *env,
			     struct cni_err *e)
{
	static const char *const vers[] = { "1.1.0", "1.0.0", "0.4.0", "0.3.1", "0.3.0" };
	size_t i;
	int r;

	if (strcmp(c->version, "1.1.0"))
		return c->version;
	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		r = cni_ipam_speaks(c, env, vers[i], e);
		if (r)
			return r < 0 ? NULL : vers[i];
	}
	cni_error(e, CNI_E_VERSION, NULL,
		  "IPAM plugin \"%s\" speaks none of cniVersion 1.1.0, 1.0.0, 0.4.0, 0.3.1, 0.3.0; update it",
		  c->ipam);
	return NULL;
}

/**
 * stdin_for() - the configuration as the IPAM plugin can take it: as the
 * runtime gave it, or with the version cni_ipam_version() says
 * @c:		configuration
 * @env:	CNI_PATH
 * @in:		the runtime's stdin
 * @text:	output: heap text to hand over
 * @e:		error
 *
 * Return: 0 or -1
 */
static int stdin_for(const struct cni_conf *c, const struct cni_env *env, const char *in,
		     char **text, struct cni_err *e)
{
	const char *v = cni_ipam_version(c, env, e);
	struct json_object *copy = NULL;

	*text = NULL;
	if (!v)
		return -1;
	if (!strcmp(v, c->version)) {
		*text = strdup(in);
		return *text ? 0 : cni_error(e, CNI_E_IO, NULL, "out of memory");
	}
	if (json_object_deep_copy(c->root, &copy, NULL) || !copy)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	json_object_object_add(copy, "cniVersion", json_object_new_string(v));
	*text = strdup(json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(copy);
	return *text ? 0 : cni_error(e, CNI_E_IO, NULL, "out of memory");
}

/**
 * cni_ipam_run() - run the IPAM plugin of the configuration for a command
 * @c:		configuration
 * @env:	CNI_PATH among others
 * @cmd:	CNI_COMMAND for it
 * @stdin_text:	the configuration as received
 * @result:	output: its result (ADD), NULL otherwise
 * @e:		error (its own code when it says "try again later" or, for
 *		STATUS, 50 or 51; else 103)
 *
 * Return: 0 or -1 with @e set
 */
int cni_ipam_run(const struct cni_conf *c, const struct cni_env *env, const char *cmd,
		 const char *stdin_text, struct json_object **result, struct cni_err *e)
{
	cni_autofree char *out = NULL, *in = NULL;
	char bin[PATH_MAX];
	int status = 0;

	*result = NULL;
	if (ipam_bin(c, env, bin, e) || stdin_for(c, env, stdin_text, &in, e))
		return -1;
	if (run_as(bin, cmd, in, &out, &status))
		return cni_error(e, CNI_E_IO, NULL, "cannot run IPAM plugin \"%s\": %s", bin,
				 strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return plugin_error(c->ipam, out, status, e);
	if (strcmp(cmd, "ADD"))
		return 0;
	*result = json_tokener_parse(out);
	if (!*result || !json_object_is_type(*result, json_type_object)) {
		if (*result)
			json_object_put(*result);
		*result = NULL;
		return cni_error(e, CNI_E_DECODE, NULL, "IPAM plugin \"%s\" gave no JSON result",
				 c->ipam);
	}
	return 0;
}

/**
 * cni_ipam() - run the IPAM plugin for the runtime's command
 * @c:		configuration
 * @env:	CNI_COMMAND, CNI_PATH among others
 * @stdin_text:	the configuration as received
 * @result:	output: its result (ADD), NULL otherwise
 * @e:		error
 *
 * Return: 0 or -1 with @e set
 */
int cni_ipam(const struct cni_conf *c, const struct cni_env *env, const char *stdin_text,
	     struct json_object **result, struct cni_err *e)
{
	return cni_ipam_run(c, env, env->command, stdin_text, result, e);
}

/**
 * addr_ok() - is a text an address, or with @plen an ADDR/PLEN prefix
 * @txt:	text
 * @plen:	1 when a prefix length must follow
 *
 * Return: AF_INET or AF_INET6, 0 when it is neither
 */
static int addr_ok(const char *txt, int plen)
{
	char a[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(txt, '/');
	size_t l = slash ? (size_t)(slash - txt) : strlen(txt);
	unsigned char b[16];
	long n;
	int fam;

	if (!l || l >= sizeof(a) || !slash != !plen)
		return 0;
	snprintf(a, sizeof(a), "%.*s", (int)l, txt);
	fam = inet_pton(AF_INET, a, b) == 1 ? AF_INET : inet_pton(AF_INET6, a, b) == 1 ? AF_INET6 : 0;
	if (!fam || !plen)
		return fam;
	n = strtol(slash + 1, &end, 10);
	return slash[1] >= '0' && slash[1] <= '9' && !*end && n >= 0 &&
	       n <= (fam == AF_INET ? 32 : 128) ? fam : 0;
}

/**
 * entry() - one ips or routes entry of a result: a prefix, maybe a gateway
 * @o:		entry
 * @pkey:	the prefix's key ("address", "dst")
 * @p:		output prefix, 64 bytes
 * @gkey:	the gateway's key ("gateway", "gw")
 * @gw:		output gateway, 46 bytes, "" when none of the prefix's family
 *
 * Return: 0, or -1 without a usable prefix
 */
static int entry(struct json_object *o, const char *pkey, char *p, const char *gkey, char *gw)
{
	struct json_object *v;
	int fam;

	gw[0] = '\0';
	if (!json_object_object_get_ex(o, pkey, &v) || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) >= 64 || !(fam = addr_ok(json_object_get_string(v), 1)))
		return -1;
	snprintf(p, 64, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, gkey, &v) && json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) < 46 && addr_ok(json_object_get_string(v), 0) == fam)
		snprintf(gw, 46, "%s", json_object_get_string(v));
	return 0;
}

/**
 * cni_ipam_parse() - the addresses and routes of an IPAM result
 * @res:	result object
 * @a:		attachment: ips and routes filled
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_ipam_parse(struct json_object *res, struct nc_cni_attach *a, struct cni_err *e)
{
	struct json_object *ips = NULL, *routes = NULL;
	size_t i;

	json_object_object_get_ex(res, "ips", &ips);
	json_object_object_get_ex(res, "routes", &routes);
	for (i = 0; ips && i < json_object_array_length(ips); i++) {
		if (a->nips == NC_CNI_IPS_MAX || entry(json_object_array_get_idx(ips, i), "address",
							a->ips[a->nips], "gateway", a->gws[a->nips]))
			return cni_error(e, CNI_E_DECODE, NULL,
					 "IPAM result: ips[%zu] has no usable \"address\"", i);
		a->nips++;
	}
	if (!a->nips)
		return cni_error(e, CNI_E_DECODE, NULL, "IPAM result has no address; check \"ipam\"");
	for (i = 0; routes && i < json_object_array_length(routes); i++) {
		if (a->nroutes == NC_CNI_ROUTES_MAX ||
		    entry(json_object_array_get_idx(routes, i), "dst", a->routes[a->nroutes], "gw",
			  a->route_gws[a->nroutes]))
			return cni_error(e, CNI_E_DECODE, NULL,
					 "IPAM result: routes[%zu] has no usable \"dst\"", i);
		a->nroutes++;
	}
	return 0;
}
