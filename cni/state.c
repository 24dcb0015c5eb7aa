// SPDX-License-Identifier: MIT
/*
 * state.c - what the plugin made, per attachment, and the lock
 *
 * Theory of operation: each attachment (network, container id, interface)
 * is one key=value file, STATE/NETWORK/ID-IFNAME, written through
 * safefile.c (temp name, fsync, rename) before ADD answers, removed when
 * DEL has removed what it names.  STATE is /run/netcell-cni (root only,
 * 0700; NETCELL_CNI_STATE_DIR moves it, for tests): it outlives the
 * runtime that called the plugin, not the machine, as the links and rules
 * it describes.  DEL and CHECK read what to remove or check from it, not
 * from the runtime's prevResult, so a DEL after a lost prevResult still
 * finds the NAT and port entries.
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
#include "cni.h"
#include "safefile.h"

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
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cni_error(e, CNI_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	return 0;	/* held until exit: the descriptor stays open */
}

/**
 * file_of() - STATE/NETWORK/ID-IFNAME
 * @net:	network name
 * @env:	container id and interface
 * @buf:	output
 * @len:	size of @buf
 */
static void file_of(const char *net, const struct cni_env *env, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s-%s", state_dir(), net, env->id, env->ifname);
}

/**
 * put_addr() - "ADDR/PLEN GW" or "ADDR/PLEN -"
 * @f:		stream
 * @key:	key
 * @a:		prefix
 * @gw:		gateway bytes
 * @has_gw:	whether @gw counts
 */
static void put_addr(FILE *f, const char *key, const struct cidr *a, const unsigned char *gw,
		     int has_gw)
{
	char p[64], g[INET6_ADDRSTRLEN] = "-";

	cidr_format(a, p, sizeof(p));
	if (has_gw)
		inet_ntop(a->family, gw, g, sizeof(g));
	fprintf(f, "%s=%s %s\n", key, p, g);
}

/**
 * cni_state_save() - record an attachment
 * @c:		configuration
 * @env:	the CNI_* variables
 * @l:		its links
 * @n:		its NAT and ports
 * @cell:	the netcell cell that holds its firewall, "" for none
 * @e:		error
 *
 * Return: 0 or -1
 */
int cni_state_save(const struct cni_conf *c, const struct cni_env *env,
		   const struct cni_link *l, const struct cni_nat *n, const char *cell,
		   struct cni_err *e)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);
	int i, ret;

	if (!f)
		return cni_error(e, CNI_E_IO, NULL, "out of memory");
	fprintf(f, "netns=%s\nbridge=%s\nhostif=%s\nmac=%02x:%02x:%02x:%02x:%02x:%02x\n"
		"mtu=%u\nmasq=%d\ncell=%s\n", env->netns, l->bridge, l->hostif, l->mac[0],
		l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5], l->mtu, n->masq, cell);
	for (i = 0; i < l->nips; i++)
		put_addr(f, "ip", &l->ips[i].addr, l->ips[i].gw, l->ips[i].has_gw);
	for (i = 0; i < l->nroutes; i++)
		put_addr(f, "route", &l->routes[i].dst, l->routes[i].gw, l->routes[i].has_gw);
	for (i = 0; i < n->nports; i++)
		fprintf(f, "port=%s %u %u %s\n", n->ports[i].proto, n->ports[i].hport,
			n->ports[i].cport, n->ports[i].hip[0] ? n->ports[i].hip : "-");
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s", state_dir(), c->name);
	if (mkdir(path, 0700) && errno != EEXIST)
		return cni_error(e, CNI_E_IO, NULL, "cannot create %s: %s", path, strerror(errno));
	file_of(c->name, env, path, sizeof(path));
	ret = safefile_write(path, text, tl, 0600);
	if (ret)
		return cni_error(e, CNI_E_IO, NULL, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

/**
 * get_addr() - parse "ADDR/PLEN GW|-"
 * @v:		value
 * @a:		prefix
 * @gw:		gateway bytes
 * @has_gw:	set when a gateway is given
 *
 * Return: 0 or -1
 */
static int get_addr(const char *v, struct cidr *a, unsigned char *gw, int *has_gw)
{
	char p[64], g[INET6_ADDRSTRLEN];

	if (sscanf(v, "%63s %45s", p, g) != 2 || cidr_parse(p, a))
		return -1;
	*has_gw = strcmp(g, "-") != 0;
	return *has_gw && inet_pton(a->family, g, gw) != 1 ? -1 : 0;
}

/**
 * line() - one key=value line of a state file into the structures
 * @k:		key
 * @v:		value
 * @l:		links
 * @n:		NAT and ports
 * @netns:	output: the namespace path
 * @nslen:	size of @netns
 * @cell:	output: the cell
 * @celllen:	size of @cell
 */
static void line(const char *k, const char *v, struct cni_link *l, struct cni_nat *n,
		 char *netns, size_t nslen, char *cell, size_t celllen)
{
	struct cni_port *p = &n->ports[n->nports];
	unsigned b[6];
	int i;

	if (!strcmp(k, "netns"))
		snprintf(netns, nslen, "%s", v);
	else if (!strcmp(k, "bridge"))
		snprintf(l->bridge, sizeof(l->bridge), "%s", v);
	else if (!strcmp(k, "hostif"))
		snprintf(l->hostif, sizeof(l->hostif), "%s", v);
	else if (!strcmp(k, "cell"))
		snprintf(cell, celllen, "%s", v);
	else if (!strcmp(k, "mtu"))
		l->mtu = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "masq"))
		n->masq = atoi(v);
	else if (!strcmp(k, "mac") && sscanf(v, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
					     &b[4], &b[5]) == 6)
		for (i = 0; i < 6; i++)
			l->mac[i] = (unsigned char)b[i];
	else if (!strcmp(k, "ip") && l->nips < CNI_IPS_MAX &&
		 !get_addr(v, &l->ips[l->nips].addr, l->ips[l->nips].gw, &l->ips[l->nips].has_gw))
		l->nips++;
	else if (!strcmp(k, "route") && l->nroutes < CNI_ROUTES_MAX &&
		 !get_addr(v, &l->routes[l->nroutes].dst, l->routes[l->nroutes].gw,
			   &l->routes[l->nroutes].has_gw))
		l->nroutes++;
	else if (!strcmp(k, "port") && n->nports < CNI_PORTS_MAX &&
		 sscanf(v, "%3s %u %u %45s", p->proto, &p->hport, &p->cport, p->hip) == 4) {
		if (!strcmp(p->hip, "-"))
			p->hip[0] = '\0';
		n->nports++;
	}
}

/**
 * cni_state_load() - read an attachment's record
 * @net:	network name
 * @env:	container id and interface
 * @l:		output links (ifname from @env)
 * @n:		output NAT and ports (addresses from @l)
 * @netns:	output: the namespace path recorded
 * @nslen:	size of @netns
 * @cell:	output: the cell of its firewall, "" for none
 * @celllen:	size of @cell
 *
 * Return: 0, or -ENOENT when there is none
 */
int cni_state_load(const char *net, const struct cni_env *env, struct cni_link *l,
		   struct cni_nat *n, char *netns, size_t nslen, char *cell, size_t celllen)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX], buf[512], *eq;
	int i;

	memset(l, 0, sizeof(*l));
	memset(n, 0, sizeof(*n));
	netns[0] = cell[0] = '\0';
	file_of(net, env, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		eq = strchr(buf, '=');
		if (eq) {
			*eq = '\0';
			line(buf, eq + 1, l, n, netns, nslen, cell, celllen);
		}
	}
	snprintf(l->ifname, sizeof(l->ifname), "%s", env->ifname);
	snprintf(n->bridge, sizeof(n->bridge), "%s", l->bridge);
	for (i = 0; i < l->nips; i++)
		n->ips[n->nips++] = l->ips[i].addr;
	return 0;
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

	file_of(net, env, path, sizeof(path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", state_dir(), net);
	rmdir(path);	/* fails while another attachment is recorded */
}

/**
 * uses() - does a state file name a bridge (NULL: any attachment at all)
 * @path:	state file
 * @bridge:	bridge, or NULL
 *
 * Return: 1 if so
 */
static int uses(const char *path, const char *bridge)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[512], want[64];

	if (!f || !bridge)
		/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
		return !!f;
	snprintf(want, sizeof(want), "bridge=%s\n", bridge);
	while (fgets(buf, sizeof(buf), f))
		if (!strcmp(buf, want))
			/* cppcheck-suppress resourceLeak ; closed by _cleanup_fclose_ */
			return 1;
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
	_cleanup_closedir_ DIR *d = opendir(state_dir());
	char path[PATH_MAX];
	struct dirent *de, *fe;
	int n = 0;

	while (d && (de = readdir(d))) {
		_cleanup_closedir_ DIR *sub = NULL;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", state_dir(), de->d_name);
		sub = opendir(path);
		while (sub && (fe = readdir(sub))) {
			/* safefile_write()'s temporary names start with '.' */
			if (fe->d_name[0] == '.' || fe->d_type != DT_REG)
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", state_dir(), de->d_name, fe->d_name);
			n += uses(path, bridge);
		}
	}
	return n;
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
	int ret;

	snprintf(path, sizeof(path), "%s/bridge-%s", state_dir(), bridge);
	ret = safefile_write(path, "", 0, 0600);
	return ret ? cni_error(e, CNI_E_IO, NULL, "cannot write %s: %s", path, strerror(-ret)) : 0;
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
