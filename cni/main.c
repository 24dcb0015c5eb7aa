// SPDX-License-Identifier: MIT
/*
 * main.c - netcell's CNI plugin: ADD, DEL, CHECK, STATUS, GC, VERSION
 *
 * Theory of operation: a runtime (podman, containerd, CRI-O) executes the
 * plugin with CNI_COMMAND and the other CNI_* variables set and the
 * network configuration on stdin; the result (ADD), or an error object
 * with a CNI error code, goes to stdout, and a failure exits 1.  This file
 * reads the environment and dispatches to the verbs (add.c, del.c,
 * check.c, status.c, gc.c); conf.c parses the configuration, ipam.c
 * delegates addresses, the library's nc_cni_*() make links and nft
 * entries (net/cninet.c, net/cninat.c), state.c records what was made,
 * firewall.c hands the container's namespace to netcell's keeper for its
 * firewall.
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
 * struct verb - a CNI_COMMAND and its body
 * @name:	CNI_COMMAND
 * @fn:		its body
 * @attach:	it names one attachment (CNI_CONTAINERID, CNI_IFNAME, and
 *		but for DEL CNI_NETNS); STATUS and GC name none
 */
struct verb {
	const char *name;
	int (*fn)(const struct cni_conf *c, struct cni_env *env, const char *in,
		  struct cni_err *e);
	int attach;
};

static const struct verb verbs[] = {
	{ "ADD", cni_cmd_add, 1 },
	{ "DEL", cni_cmd_del, 1 },
	{ "CHECK", cni_cmd_check, 1 },
	{ "STATUS", cni_cmd_status, 0 },
	{ "GC", cni_cmd_gc, 0 },
};

/**
 * verb_of() - the verb of a CNI_COMMAND
 * @cmd:	CNI_COMMAND
 *
 * Return: the verb, or NULL (VERSION, or one not known)
 */
static const struct verb *verb_of(const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(cmd, verbs[i].name))
			return &verbs[i];
	return NULL;
}

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
	const struct verb *v;
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
	v = verb_of(env->command);
	if (!v)
		return cni_error(e, CNI_E_ENV, NULL,
				 "CNI_COMMAND \"%s\" is not supported; this plugin knows ADD, DEL, CHECK, STATUS, GC and VERSION",
				 env->command);
	if (cni_state_dir_ok(e))
		return -1;
	if (!v->attach)	/* a network, no container: the rest is not read */
		return 0;
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
	if (strcmp(env->command, "DEL") && (!env->netns[0] || env->netns[0] != '/'))
		return cni_error(e, CNI_E_ENV, NULL, "CNI_NETNS must be the path of the container's network namespace");
	if (strcmp(env->command, "DEL") && !is_netns(env->netns))
		return cni_error(e, CNI_E_CONTAINER, NULL,
				 "CNI_NETNS \"%s\" is not a network namespace (is the container gone?)", env->netns);
	return 0;
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
								      version : "1.1.0"));
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
	printf("{\n  \"cniVersion\": \"1.1.0\",\n"
	       "  \"supportedVersions\": [ \"0.3.0\", \"0.3.1\", \"0.4.0\", \"1.0.0\", \"1.1.0\" ]\n}\n");
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

	(void)argc;
	(void)argv;
	if (get_env(&env, &e))
		goto fail;
	if (!strcmp(env.command, "VERSION"))
		return version();
	in = read_stdin(&e);
	if (!in || cni_conf_parse(in, &env, &c, &e) || verb_of(env.command)->fn(&c, &env, in, &e))
		goto fail;
	cni_conf_free(&c);
	return 0;
fail:
	fflush(stdout);
	print_error(&e, c.version[0] ? c.version : NULL);
	cni_conf_free(&c);
	return 1;
}
