// SPDX-License-Identifier: MIT
/*
 * state.c - what the plugin made, per attachment, and the lock
 *
 * Theory of operation: each attachment (network, container id, interface)
 * is one key=value file, STATE/NETWORK/ID-IFNAME, written with
 * nc_write_file() (temp name, fsync, rename) before ADD answers, removed when
 * DEL has removed what it names.  STATE is /run/netcell-cni (root only,
 * 0700; NETCELL_CNI_STATE_DIR moves it, for tests): it outlives the
 * runtime that called the plugin, not the machine, as the links and rules
 * it describes.  DEL and CHECK read what to remove or check from it, not
 * from the runtime's prevResult, so a DEL after a lost prevResult still
 * finds the NAT and port entries.
 *
 * A container on several networks (podman --network a,b) is given the same
 * port mappings on each: the first attachment publishes a host port, the
 * others record it as waiting ("portw="), and when the one that publishes
 * it goes, a waiting one takes it over (cni_state_sibling() in
 * siblings.c, cni_state_move_port() here).  Records name their container
 * ("id=") for this.  siblings.c asks the records what an attachment must
 * agree on with the others; this file reads and writes them.
 *
 * One lock, STATE/lock (flock), serialises every ADD and DEL on the host:
 * they share the bridge of a network and the one nft table, and "the last
 * container of the bridge / of the table" must be decided and acted on
 * with no other attachment coming meanwhile.  A change takes milliseconds;
 * IPAM, the slow part, runs outside the lock (host-local has its own).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>
#include "cni.h"
#include "state.h"

#define STATE_DIR_MAX 1024	/* + NETWORK/ID-IFNAME or two file names < PATH_MAX */

/**
 * state_dir() - the state directory
 *
 * Return: NETCELL_CNI_STATE_DIR, else /run/netcell-cni
 */
static const char *state_dir(void)
{
	const char *d = getenv("NETCELL_CNI_STATE_DIR");

	return d && d[0] == '/' ? d : "/run/netcell-cni";
}

/**
 * cni_state_dir_ok() - is the state directory short enough that every path
 * under it fits (STATE/NETWORK/ID-IFNAME: 127 + 256 + 15 characters more;
 * a path cut short would name another file)
 * @e:		error
 *
 * Return: 0 or -1 (code 4)
 */
int cni_state_dir_ok(struct cni_err *e)
{
	if (strlen(state_dir()) > STATE_DIR_MAX)
		return cni_error(e, CNI_E_ENV, NULL,
				 "NETCELL_CNI_STATE_DIR is longer than %d characters; use a shorter path",
				 STATE_DIR_MAX);
	return 0;
}

/**
 * cni_state_lock() - take the plugin's lock, for the life of the process
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_state_lock(struct cni_err *e)
{
	char path[PATH_MAX];
	int fd;

	if (mkdir(state_dir(), 0700) && errno != EEXIST)
		return cni_error(e, CNI_E_IO, NULL, "cannot create the state directory %s: %s",
				 state_dir(), strerror(errno));
	snprintf(path, sizeof(path), "%s/lock", state_dir());
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cni_error(e, CNI_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	return 0;	/* held until exit: the descriptor stays open */
}

/**
 * cni_state_file() - STATE/NETWORK/ID-IFNAME
 * @net:	network name
 * @env:	container id and interface
 * @buf:	output
 * @len:	size of @buf
 */
void cni_state_file(const char *net, const struct cni_env *env, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s-%s", state_dir(), net, env->id, env->ifname);
}

/**
 * write_file() - write a state file atomically (nc_write_file(): temp
 * name, fsync, rename)
 * @path:	file
 * @text:	contents
 * @len:	length
 * @e:		error
 *
 * Return: 0 or -1
 */
static int write_file(const char *path, const char *text, size_t len, struct cni_err *e)
{
	struct nc_ctx *ctx = nc_ctx_new();
	int ret = ctx ? nc_write_file(ctx, path, text, len) : -ENOMEM;

	if (ret)
		cni_error(e, CNI_E_IO, NULL, "cannot write %s: %s", path,
			  ctx ? nc_errmsg(ctx) : "out of memory");
	nc_ctx_free(ctx);
	return ret ? -1 : 0;
}

/**
 * save_path() - write an attachment's record
 * @path:	state file
 * @id:		container id
 * @netns:	its namespace path
 * @a:		the attachment (its ports: those it publishes)
 * @cell:	the netcell cell that holds its firewall, "" for none
 * @w:		ports another attachment of the container publishes, or NULL
 * @e:		error
 *
 * Return: 0 or -1
 */
static int save_path(const char *path, const char *id, const char *netns,
		     const struct nc_cni_attach *a, const char *cell, const struct cni_share *w,
		     struct cni_err *e)
{
	cni_autofree char *text = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);
	int i;

	if (!f)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	fprintf(f, "id=%s\nnetns=%s\nbridge=%s\nhostif=%s\nmac=%02x:%02x:%02x:%02x:%02x:%02x\n"
		"mtu=%u\nmasq=%d\nisgw=%d\ncell=%s\n", id, netns, a->bridge, a->hostif, a->mac[0],
		a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5], a->mtu, a->masq, a->is_gw, cell);
	for (i = 0; i < a->nips; i++)
		fprintf(f, "ip=%s %s\n", a->ips[i], a->gws[i][0] ? a->gws[i] : "-");
	for (i = 0; i < a->nroutes; i++)
		fprintf(f, "route=%s %s\n", a->routes[i], a->route_gws[i][0] ? a->route_gws[i] : "-");
	for (i = 0; i < a->nports; i++)
		fprintf(f, "port=%s %u %u %s\n", a->ports[i].proto, a->ports[i].host_port,
			a->ports[i].container_port, a->ports[i].host_ip[0] ? a->ports[i].host_ip : "-");
	for (i = 0; w && i < w->n; i++)
		fprintf(f, "portw=%s %u %u %s\n", w->ports[i].proto, w->ports[i].host_port,
			w->ports[i].container_port, w->ports[i].host_ip[0] ? w->ports[i].host_ip : "-");
	if (w && w->fw[0])
		fprintf(f, "fwfile=%s\n", w->fw);
	fclose(f);
	return write_file(path, text, tl, e);
}

/**
 * cni_state_save_net() - record an attachment of a network
 * @net:	network name
 * @env:	container id and interface
 * @netns:	its namespace path
 * @a:		the attachment
 * @cell:	the netcell cell that holds its firewall, "" for none
 * @w:		its ports that another attachment of the container publishes,
 *		or NULL
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_state_save_net(const char *net, const struct cni_env *env, const char *netns,
		       const struct nc_cni_attach *a, const char *cell, const struct cni_share *w,
		       struct cni_err *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", state_dir(), net);
	if (mkdir(path, 0700) && errno != EEXIST)
		return cni_error(e, CNI_E_IO, NULL, "cannot create %s: %s", path, strerror(errno));
	cni_state_file(net, env, path, sizeof(path));
	return save_path(path, env->id, netns, a, cell, w, e);
}

/**
 * cni_state_save() - record an attachment
 * @c:		configuration
 * @env:	the CNI_* variables
 * @a:		the attachment
 * @cell:	the netcell cell that holds its firewall, "" for none
 * @w:		its ports that another attachment of the container publishes,
 *		or NULL
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_state_save(const struct cni_conf *c, const struct cni_env *env,
		   const struct nc_cni_attach *a, const char *cell, const struct cni_share *w,
		   struct cni_err *e)
{
	return cni_state_save_net(c->name, env, env->netns, a, cell, w, e);
}

/**
 * cni_state_net_dir() - STATE/NETWORK, where a network's records are
 * @net:	network name
 * @buf:	output
 * @len:	size of @buf
 */
void cni_state_net_dir(const char *net, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", state_dir(), net);
}

/**
 * cni_state_usable() - could ADD take the lock and write records (STATUS;
 * nothing is made: a directory not there yet needs a parent ADD can make
 * it in)
 * @why:	output: what is wrong, in words
 * @len:	size of @why
 *
 * Return: 1 if so, 0 if not
 */
int cni_state_usable(char *why, size_t len)
{
	const char *d = state_dir();
	char parent[PATH_MAX], *slash;
	struct stat st;

	if (!stat(d, &st)) {
		if (!S_ISDIR(st.st_mode))
			return snprintf(why, len, "the state directory %s is not a directory", d), 0;
		if (st.st_uid != geteuid() || access(d, R_OK | W_OK | X_OK))
			return snprintf(why, len, "the state directory %s is not writable by uid %u (owner %u, mode %o)",
					d, (unsigned)geteuid(), (unsigned)st.st_uid,
					(unsigned)(st.st_mode & 07777)), 0;
		return 1;
	}
	if (errno != ENOENT)
		return snprintf(why, len, "the state directory %s: %s", d, strerror(errno)), 0;
	snprintf(parent, sizeof(parent), "%s", d);
	slash = strrchr(parent, '/');
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	if (access(parent, W_OK | X_OK))
		return snprintf(why, len, "the state directory %s cannot be made in %s: %s", d, parent,
				strerror(errno)), 0;
	return 1;
}

/**
 * pair() - "A B" into two buffers, "-" as ""
 * @v:		value
 * @a:		first, 64 bytes
 * @b:		second, 46 bytes
 *
 * Return: 0 or -1
 */
static int pair(const char *v, char *a, char *b)
{
	if (sscanf(v, "%63s %45s", a, b) != 2)
		return -1;
	if (!strcmp(b, "-"))
		b[0] = '\0';
	return 0;
}

/**
 * port_of() - "PROTO HOSTPORT CONTAINERPORT HOSTIP|-" into a port
 * @v:		value
 * @p:		output
 *
 * Return: 1 when it parsed
 */
static int port_of(const char *v, struct nc_cni_port *p)
{
	if (sscanf(v, "%3s %u %u %45s", p->proto, &p->host_port, &p->container_port,
		   p->host_ip) != 4)
		return 0;
	if (!strcmp(p->host_ip, "-"))
		p->host_ip[0] = '\0';
	return 1;
}

/**
 * line() - one key=value line of a state file into the attachment
 * @k:		key
 * @v:		value
 * @a:		attachment
 * @netns:	output: the namespace path
 * @nslen:	size of @netns
 * @cell:	output: the cell
 * @celllen:	size of @cell
 * @w:		output: ports published by another attachment, or NULL
 * @id:		output: the container id (257 bytes), or NULL
 */
static void line(const char *k, const char *v, struct nc_cni_attach *a, char *netns,
		 size_t nslen, char *cell, size_t celllen, struct cni_share *w, char *id)
{
	struct nc_cni_port *p = &a->ports[a->nports];
	unsigned b[6];
	int i;

	if (!strcmp(k, "netns"))
		snprintf(netns, nslen, "%s", v);
	else if (!strcmp(k, "bridge"))
		snprintf(a->bridge, sizeof(a->bridge), "%.15s", v);
	else if (!strcmp(k, "hostif"))
		snprintf(a->hostif, sizeof(a->hostif), "%.15s", v);
	else if (!strcmp(k, "cell"))
		snprintf(cell, celllen, "%s", v);
	else if (!strcmp(k, "mtu"))
		a->mtu = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "masq"))
		a->masq = atoi(v);
	else if (!strcmp(k, "isgw"))	/* absent in older records: not checked */
		a->is_gw = atoi(v);
	else if (!strcmp(k, "mac") && sscanf(v, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
					     &b[4], &b[5]) == 6)
		for (i = 0; i < 6; i++)
			a->mac[i] = (unsigned char)b[i];
	else if (!strcmp(k, "ip") && a->nips < NC_CNI_IPS_MAX &&
		 !pair(v, a->ips[a->nips], a->gws[a->nips]))
		a->nips++;
	else if (!strcmp(k, "route") && a->nroutes < NC_CNI_ROUTES_MAX &&
		 !pair(v, a->routes[a->nroutes], a->route_gws[a->nroutes]))
		a->nroutes++;
	else if (!strcmp(k, "port") && a->nports < NC_CNI_PORTS_MAX && port_of(v, p))
		a->nports++;
	else if (!strcmp(k, "portw") && w && w->n < NC_CNI_PORTS_MAX && port_of(v, &w->ports[w->n]))
		w->n++;
	else if (!strcmp(k, "id") && id)
		snprintf(id, 257, "%s", v);
	else if (!strcmp(k, "fwfile") && w)
		snprintf(w->fw, sizeof(w->fw), "%s", v);
}

/**
 * cni_state_load_file() - read a record
 * @path:	state file
 * @a:		output
 * @netns:	output: the namespace path recorded
 * @nslen:	size of @netns
 * @cell:	output: the cell of its firewall, "" for none
 * @celllen:	size of @cell
 * @w:		output: ports another attachment publishes, or NULL
 * @id:		output: the container id (257 bytes; "" in older records), or NULL
 *
 * Return: 0, or -ENOENT when there is none
 */
int cni_state_load_file(const char *path, struct nc_cni_attach *a, char *netns, size_t nslen,
			char *cell, size_t celllen, struct cni_share *w, char *id)
{
	cni_autofree char *buf = NULL;
	size_t cap = 0;
	char *eq;
	FILE *f;

	memset(a, 0, sizeof(*a));
	netns[0] = cell[0] = '\0';
	if (w) {
		w->n = 0;
		w->fw[0] = '\0';
	}
	if (id)
		id[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (getline(&buf, &cap, f) > 0) {	/* whole lines: a path is up to PATH_MAX */
		buf[strcspn(buf, "\n")] = '\0';
		eq = strchr(buf, '=');
		if (eq) {
			*eq = '\0';
			line(buf, eq + 1, a, netns, nslen, cell, celllen, w, id);
		}
	}
	fclose(f);
	return 0;
}

/**
 * cni_state_load() - read an attachment's record
 * @net:	network name
 * @env:	container id and interface
 * @a:		output (ifname from @env)
 * @netns:	output: the namespace path recorded
 * @nslen:	size of @netns
 * @cell:	output: the cell of its firewall, "" for none
 * @celllen:	size of @cell
 * @w:		output: its ports another attachment publishes, or NULL
 *
 * Return: 0, or -ENOENT when there is none
 */
int cni_state_load(const char *net, const struct cni_env *env, struct nc_cni_attach *a,
		   char *netns, size_t nslen, char *cell, size_t celllen, struct cni_share *w)
{
	char path[PATH_MAX];
	int ret;

	cni_state_file(net, env, path, sizeof(path));
	ret = cni_state_load_file(path, a, netns, nslen, cell, celllen, w, NULL);
	snprintf(a->ifname, sizeof(a->ifname), "%s", env->ifname);
	return ret;
}

/**
 * cni_state_scan() - each attachment's record, but one
 * @skip:	the record not to read (the caller's own), "" for none
 * @fn:		called with each record; a nonzero return stops the scan
 * @arg:	its argument
 *
 * Called under the lock.
 *
 * Return: what @fn returned last, 0 when it never stopped the scan
 */
int cni_state_scan(const char *skip, int (*fn)(const struct rec *r, void *arg), void *arg)
{
	struct rec *r = malloc(sizeof(*r));
	DIR *d = opendir(state_dir()), *sub;
	struct dirent *de, *fe;
	int ret = 0;

	while (r && !ret && d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(r->path, sizeof(r->path), "%s/%s", state_dir(), de->d_name);
		sub = opendir(r->path);
		while (!ret && sub && (fe = readdir(sub))) {
			/* nc_write_file()'s temporary names start with '.' */
			if (fe->d_name[0] == '.' || fe->d_type != DT_REG)
				continue;
			snprintf(r->path, sizeof(r->path), "%s/%s/%s", state_dir(), de->d_name, fe->d_name);
			r->net = de->d_name;
			if (strcmp(r->path, skip) &&
			    !cni_state_load_file(r->path, &r->a, r->netns, sizeof(r->netns), r->cell,
						 sizeof(r->cell), &r->s, r->id))
				ret = fn(r, arg);
		}
		if (sub)
			closedir(sub);
	}
	if (d)
		closedir(d);
	free(r);
	return ret;
}

/**
 * cni_state_move_port() - a port of a record changes hands: a waiting one
 * is now published by its attachment (@take), or a published one waits
 * again (the publishing failed)
 * @path:	state file
 * @p:		the port
 * @take:	1: from waiting to published; 0: back
 * @e:		error
 *
 * Return: 0, or -1 when the record does not hold the port as @take says
 * or cannot be read or written (it is then as it was)
 */
int cni_state_move_port(const char *path, const struct nc_cni_port *p, int take,
			struct cni_err *e)
{
	char netns[PATH_MAX], cell[NC_NAME_MAX + 1], id[257];
	struct nc_cni_port *from, *to;
	struct nc_cni_attach a;
	struct cni_share w;
	int i, *nfrom, *nto;

	if (cni_state_load_file(path, &a, netns, sizeof(netns), cell, sizeof(cell), &w, id))
		return cni_error(e, CNI_E_IO, NULL, "cannot read %s", path);
	from = take ? w.ports : a.ports;
	nfrom = take ? &w.n : &a.nports;
	to = take ? a.ports : w.ports;
	nto = take ? &a.nports : &w.n;
	for (i = 0; i < *nfrom && !cni_same_port(&from[i], p); i++)
		;
	if (i == *nfrom)
		return cni_error(e, CNI_E_IO, NULL, "%s does not record host port %s/%u as %s", path,
				 p->proto, p->host_port, take ? "waiting" : "published");
	if (*nto == NC_CNI_PORTS_MAX)
		return cni_error(e, CNI_E_IO, NULL, "%s records %d ports already", path,
				 NC_CNI_PORTS_MAX);
	to[(*nto)++] = from[i];
	from[i] = from[--(*nfrom)];
	return save_path(path, id, netns, &a, cell, &w, e);
}

/**
 * cni_state_remove() - forget an attachment (and its network's directory
 * when it was the last)
 * @net:	network name
 * @env:	container id and interface
 */
void cni_state_remove(const char *net, const struct cni_env *env)
{
	char path[PATH_MAX];

	cni_state_file(net, env, path, sizeof(path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", state_dir(), net);
	rmdir(path);	/* fails while another attachment is recorded */
}

/**
 * count_bridge() - cni_state_scan(): count a record that uses a bridge
 * @r:		record
 * @arg:	struct { const char *bridge (NULL: any); int n; }
 *
 * Return: 0
 */
static int count_bridge(const struct rec *r, void *arg)
{
	struct { const char *bridge; int n; } *c = arg;

	c->n += !c->bridge || !strcmp(r->a.bridge, c->bridge);
	return 0;
}

/**
 * cni_state_users() - how many recorded attachments use a bridge
 * @bridge:	bridge, or NULL to count every attachment
 *
 * Called under the lock, so the count cannot change meanwhile.
 *
 * Return: the count
 */
int cni_state_users(const char *bridge)
{
	struct { const char *bridge; int n; } c = { bridge, 0 };

	cni_state_scan("", count_bridge, &c);
	return c.n;
}

/**
 * cni_state_bridge_mark() - record that the plugin makes a bridge (so the
 * last DEL on it removes it; a bridge of the admin's is never removed)
 * @bridge:	bridge name
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_state_bridge_mark(const char *bridge, struct cni_err *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bridge-%s", state_dir(), bridge);
	return write_file(path, "", 0, e);
}

/**
 * cni_state_bridge_made() - did the plugin make a bridge
 * @bridge:	bridge name
 * @forget:	remove the record
 *
 * Return: 1 if so
 */
int cni_state_bridge_made(const char *bridge, int forget)
{
	char path[PATH_MAX];
	int made;

	snprintf(path, sizeof(path), "%s/bridge-%s", state_dir(), bridge);
	made = !access(path, F_OK);
	if (made && forget)
		unlink(path);
	return made;
}
