// SPDX-License-Identifier: MIT
/*
 * status.c - STATUS (CNI 1.1.0): could ADD work now on this network
 *
 * Theory of operation: each thing ADD needs is checked as far as it can be
 * without changing anything (STATUS has no side effects): nftables (the
 * library loads, nf_tables answers), the state directory (there and ours,
 * or makeable), the IPAM plugin (in CNI_PATH, answers VERSION, speaks a
 * version ADD can hand it; when it speaks 1.1.0 its own STATUS is asked
 * and its answer passed on), the network's firewall file and firewallDir
 * (readable), and when the network has firewalls, root's keeper: one that
 * runs must answer (nc_keeper_ping(); none running is fine, ADD starts it,
 * and STATUS does not).  The first thing missing is the answer: code 50
 * "plugin not available", or 51 when containers are recorded on the
 * network and what is missing is what their NAT and ports live in
 * (nftables).  Success prints nothing.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cni.h"

/**
 * recorded() - does the network have attachments recorded
 * @net:	network name
 *
 * Return: 1 if so
 */
static int recorded(const char *net)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	cni_state_net_dir(net, dir, sizeof(dir));
	d = opendir(dir);
	while (d && !n && (de = readdir(d)))
		n = de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/**
 * nft_ready() - nftables usable, as ADD (and DEL) need it
 * @c:		configuration
 * @e:		error
 *
 * Return: 0 or -1 (code 51 when attachments are recorded on the network:
 * their NAT and ports are in nftables; else 50)
 */
static int nft_ready(const struct cni_conf *c, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	int ret;

	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	ret = nc_cni_ready(ctx);
	if (ret)
		cni_error(e, recorded(c->name) ? CNI_E_LIMITED : CNI_E_UNAVAILABLE, NULL,
			  "netcell: network \"%s\" cannot take containers: %s", c->name, nc_errmsg(ctx));
	nc_ctx_free(ctx);
	return ret ? -1 : 0;
}

/**
 * ipam_ready() - the IPAM plugin is there and, when it speaks 1.1.0, says
 * itself that it is ready
 * @c:		configuration
 * @env:	CNI_PATH
 * @in:		stdin, handed to its STATUS
 * @e:		error
 *
 * Return: 0 or -1 (its own 50 or 51, else 50)
 */
static int ipam_ready(const struct cni_conf *c, struct cni_env *env, const char *in,
		      struct cni_err *e)
{
	struct json_object *r;
	const char *v;

	if (!c->ipam[0])
		return cni_error(e, CNI_E_UNAVAILABLE, NULL,
				 "network \"%s\" has no \"ipam\": name an IPAM plugin, e.g. {\"type\": \"host-local\", \"ranges\": [[{\"subnet\": \"10.88.0.0/16\"}]]}",
				 c->name);
	v = cni_ipam_version(c, env, e);	/* as ADD would hand it over */
	if (!v) {
		e->code = CNI_E_UNAVAILABLE;
		return -1;
	}
	if (strcmp(v, "1.1.0"))	/* it does not speak 1.1.0, so it has no STATUS */
		return 0;
	if (!cni_ipam_run(c, env, "STATUS", in, &r, e))
		return 0;
	if (e->code != CNI_E_LIMITED)
		e->code = CNI_E_UNAVAILABLE;
	return -1;
}

/**
 * readable() - a file or directory the network names can be read
 * @path:	it, "" for none
 * @dir:	1 when it must be a directory
 * @what:	its key, for the message
 * @e:		error
 *
 * Return: 0 or -1 (code 50)
 */
static int readable(const char *path, int dir, const char *what, struct cni_err *e)
{
	struct stat st;

	if (!path[0])
		return 0;
	if (stat(path, &st))
		return cni_error(e, CNI_E_UNAVAILABLE, NULL, "netcell: \"%s\" %s: %s; fix the conflist or the file",
				 what, path, strerror(errno));
	if (!dir != !S_ISDIR(st.st_mode))
		return cni_error(e, CNI_E_UNAVAILABLE, NULL, "netcell: \"%s\" %s is %s; fix the conflist",
				 what, path, dir ? "not a directory" : "a directory");
	if (access(path, dir ? R_OK | X_OK : R_OK))
		return cni_error(e, CNI_E_UNAVAILABLE, NULL, "netcell: \"%s\" %s: %s; fix the conflist or the file",
				 what, path, strerror(errno));
	return 0;
}

/**
 * keeper_ready() - root's keeper, which holds the containers' firewall
 * cells, answers if it runs
 * @c:		configuration
 * @dir:	its firewallDir, "" for none
 * @e:		error
 *
 * Return: 0 or -1 (code 50)
 */
static int keeper_ready(const struct cni_conf *c, const char *dir, struct cni_err *e)
{
	struct nc_ctx *ctx;
	int ret;

	if (!dir[0] && !c->firewall[0])	/* no container gets a firewall */
		return 0;
	ctx = nc_ctx_new();
	if (!ctx)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	ret = nc_keeper_ping(ctx, 2000);
	if (ret < 0)
		cni_error(e, CNI_E_UNAVAILABLE, NULL,
			  "netcell: network \"%s\" gives containers firewalls, held by netcell's keeper: %s",
			  c->name, nc_errmsg(ctx));
	nc_ctx_free(ctx);
	return ret < 0 ? -1 : 0;
}

/**
 * cni_cmd_status() - STATUS: is the plugin ready to serve ADD on this network
 * @c:		configuration
 * @env:	environment
 * @in:		stdin text
 * @e:		error
 *
 * Return: 0 (nothing printed) or -1 (code 50 or 51)
 */
int cni_cmd_status(const struct cni_conf *c, struct cni_env *env, const char *in,
		   struct cni_err *e)
{
	char why[PATH_MAX + 128], dir[PATH_MAX] = "";
	struct json_object *v;

	if (nft_ready(c, e))
		return -1;
	if (!cni_state_usable(why, sizeof(why)))
		return cni_error(e, CNI_E_UNAVAILABLE, NULL,
				 "netcell: %s; make it a directory of uid %u (mode 0700), or set NETCELL_CNI_STATE_DIR",
				 why, (unsigned)geteuid());
	if (ipam_ready(c, env, in, e))
		return -1;
	if (json_object_object_get_ex(c->root, "firewallDir", &v))
		snprintf(dir, sizeof(dir), "%s", json_object_get_string(v));
	/* c->firewall: the network's own file (a container's comes with ADD) */
	return readable(dir, 1, "firewallDir", e) || readable(c->firewall, 0, "firewall", e) ||
	       keeper_ready(c, dir, e) ? -1 : 0;
}
