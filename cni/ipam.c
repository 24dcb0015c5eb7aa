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
	/* "try again later" stays what it is, so the runtime retries */
	if (o && json_object_object_get_ex(o, "code", &v) && json_object_get_int(v) == CNI_E_LATER)
		code = CNI_E_LATER;
	if (!msg[0])
		msg = WIFEXITED(status) ? "no error message" : "killed by a signal";
	cni_error(e, code, details, "IPAM plugin \"%s\" failed: %s", type, msg);
	if (o)
		json_object_put(o);
	return -1;
}

/**
 * cni_ipam() - run the IPAM plugin of the configuration
 * @c:		configuration
 * @env:	CNI_PATH among others
 * @stdin_text:	the configuration as received
 * @result:	output: its result (ADD), NULL otherwise
 * @e:		error
 *
 * Return: 0 or -1 with @e set
 */
int cni_ipam(const struct cni_conf *c, const struct cni_env *env, const char *stdin_text,
	     struct json_object **result, struct cni_err *e)
{
	cni_autofree char *out = NULL;
	char bin[PATH_MAX];
	int status = 0;

	*result = NULL;
	if (strchr(c->ipam, '/') || find_plugin(env->path, c->ipam, bin, sizeof(bin)))
		return cni_error(e, CNI_E_CONFIG, NULL,
				 "IPAM plugin \"%s\" not found in CNI_PATH \"%s\"; install it (Debian: containernetworking-plugins) or fix \"ipam.type\"",
				 c->ipam, env->path);
	if (run_plugin(bin, stdin_text, &out, &status))
		return cni_error(e, CNI_E_IO, NULL, "cannot run IPAM plugin \"%s\": %s", bin,
				 strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return plugin_error(c->ipam, out, status, e);
	if (strcmp(env->command, "ADD"))
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
