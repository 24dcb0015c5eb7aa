// SPDX-License-Identifier: MIT
/*
 * uplinkconf.c - a cell's saved uplink settings and its resolv.conf
 *
 * Theory of operation: what a cell's uplink is (engine, host loopback,
 * DNS server, the veth prefix of a root uplink, whether it is on the
 * user's hub) is saved in STATE/net/CELL.conf before the uplink is
 * started, so a keeper that rebuilds the cell starts the same one, and so
 * that addresses already handed out can be found (uplink_each_addr()) by
 * the hub and the root veth, which must not give the same prefix twice.
 * CELL.resolv is the resolv.conf bound over /etc/resolv.conf in the cell,
 * marked as netcell's so that only netcell's own is ever replaced.  The
 * engines themselves are uplink.c's.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "base/paths.h"
#include "base/store.h"
#include "net/uplinkconf.h"

/* the first line of every resolv.conf netcell writes */
#define RESOLV_MARK "# written by netcell for cell "

/* where DNS queries of a cell go when no --dns was given: pasta forwards
 * them to the host's resolver (--dns-forward), slirp4netns answers there */
#define SLIRP_DNS "10.0.2.3"

/**
 * uplink_path() - STATE/net/CELL.EXT, with STATE/net created
 * @state:	state directory
 * @cell:	cell
 * @ext:	"conf", "pid", "resolv"
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf
 */
char *uplink_path(const char *state, const char *cell, const char *ext,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/net", state);
	mkdir(buf, 0700);
	snprintf(buf, len, "%s/net/%s.%s", state, cell, ext);
	return buf;
}

/**
 * in_path() - is a program on $PATH
 * @prog:	name
 *
 * Return: 1 if an executable of that name is found
 */
int uplink_in_path(const char *prog)
{
	char full[PATH_MAX];

	return paths_which(prog, full, sizeof(full));
}

/**
 * uplink_default() - the engine used when none is named
 *
 * Return: "pasta", "slirp4netns" or "none"
 */
const char *uplink_default(void)
{
	if (uplink_in_path("pasta"))
		return "pasta";
	return uplink_in_path("slirp4netns") ? "slirp4netns" : "none";
}

/**
 * nc_uplink_default() - the engine a cell gets when none is named
 *
 * Return: "pasta", "slirp4netns" or "none", by what is installed
 */
const char *nc_uplink_default(void)
{
	return uplink_default();
}

/**
 * etc_resolv_ours() - may netcell write or remove this /etc/netns file
 * @path:	/etc/netns/CELL/resolv.conf
 *
 * Return: true when it is missing or netcell wrote it; a file of the
 * user's is never touched
 */
static bool etc_resolv_ours(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[128];

	if (!f)
		return errno == ENOENT;
	return fgets(line, sizeof(line), f) && !strncmp(line, RESOLV_MARK, strlen(RESOLV_MARK));
}

/**
 * etc_resolv_path() - /etc/netns/CELL/resolv.conf of a root cell
 * @p:		the caller's paths (root)
 * @cell:	cell
 * @dir:	the directory
 * @path:	the file
 */
static void etc_resolv_path(const struct nc_paths *p, const char *cell,
			    char dir[PATH_MAX], char path[PATH_MAX])
{
	paths_cell_etc(p, cell, dir, PATH_MAX);
	snprintf(path, PATH_MAX, "%s/resolv.conf", dir);
}

/**
 * uplink_write_resolv() - the cell's resolv.conf
 * @p:		the caller's paths
 * @cell:	cell
 * @u:		settings
 *
 * A root cell's copy also goes to /etc/netns/CELL/resolv.conf (unless the
 * user put one there), so 'ip netns exec CELL' sees the resolver 'netcell
 * exec' does: it once showed the host's while netcell's showed the cell's.
 *
 * Return: 0 or -errno
 */
int uplink_write_resolv(const struct nc_paths *p, const char *cell, const struct uplink *u)
{
	char path[PATH_MAX], dir[PATH_MAX], text[256];
	int ret;

	if (!u->dns[0] && !strcmp(u->engine, "veth"))
		return 0;	/* routed like the host: its resolv.conf works */
	snprintf(text, sizeof(text), RESOLV_MARK "%s\nnameserver %s\n", cell,
		 u->dns[0] ? u->dns : strcmp(u->engine, "pasta") ? SLIRP_DNS : PASTA_DNS);
	ret = store_write_atomic(uplink_path(p->state, cell, "resolv", path, sizeof(path)), text,
				 strlen(text));
	if (ret || p->rootless || !p->etc[0])
		return ret;
	etc_resolv_path(p, cell, dir, path);
	if (!etc_resolv_ours(path))
		return 0;
	if ((mkdir(p->etc, 0755) && errno != EEXIST) || (mkdir(dir, 0755) && errno != EEXIST))
		return -errno;
	return store_write_atomic(path, text, strlen(text));
}

/**
 * uplink_etc_forget() - remove what uplink_write_resolv() put in
 * /etc/netns/CELL (root cells), and the directory when that empties it
 * @p:		the caller's paths
 * @cell:	cell
 */
void uplink_etc_forget(const struct nc_paths *p, const char *cell)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (p->rootless || !p->etc[0])
		return;
	etc_resolv_path(p, cell, dir, path);
	if (etc_resolv_ours(path))
		unlink(path);
	rmdir(dir);
}

/**
 * uplink_save() - save a cell's uplink settings
 * @state:	state directory
 * @cell:	cell
 * @u:		settings
 *
 * Return: 0 or -errno
 */
int uplink_save(const char *state, const char *cell, const struct uplink *u)
{
	char path[PATH_MAX], text[256];

	snprintf(text, sizeof(text), "engine=%s\nhost_loopback=%d\ndns=%s\naddr=%s\nhub=%d\n",
		 u->engine, u->host_loopback, u->dns, u->addr, u->hub);
	return store_write_atomic(uplink_path(state, cell, "conf", path, sizeof(path)), text,
				  strlen(text));
}

/**
 * uplink_load() - read a cell's uplink settings
 * @state:	state directory
 * @cell:	cell
 * @u:		result (engine "none" when there is none)
 *
 * Return: 0, or -ENOENT
 */
int uplink_load(const char *state, const char *cell, struct uplink *u)
{
	char path[PATH_MAX], line[128];
	_cleanup_fclose_ FILE *f = fopen(uplink_path(state, cell, "conf", path, sizeof(path)), "re");

	memset(u, 0, sizeof(*u));
	snprintf(u->engine, sizeof(u->engine), "none");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "engine=", 7))
			snprintf(u->engine, sizeof(u->engine), "%.15s", line + 7);
		else if (!strncmp(line, "host_loopback=", 14))
			u->host_loopback = atoi(line + 14);
		else if (!strncmp(line, "dns=", 4))
			snprintf(u->dns, sizeof(u->dns), "%.63s", line + 4);
		else if (!strncmp(line, "hub=", 4))
			u->hub = atoi(line + 4);
		else if (!strncmp(line, "addr=", 5))
			snprintf(u->addr, sizeof(u->addr), "%.63s", line + 5);
	}
	return f ? 0 : -ENOENT;
}

/**
 * uplink_each_addr() - call @fn with every "addr=" of the saved uplinks
 * @state:	state directory
 * @fn:		callback, given the cell and its prefix; a non-zero return
 *		stops the walk
 * @arg:	its argument
 *
 * Return: what @fn returned last (0 when the walk ended)
 */
int uplink_each_addr(const char *state,
		     int (*fn)(const char *cell, const char *addr, void *arg), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], line[128], cell[NC_NAME_MAX + 1];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	size_t n;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s/net", state);
	d = opendir(dir);
	while (!ret && d && (e = readdir(d))) {
		_cleanup_fclose_ FILE *f = NULL;

		n = strlen(e->d_name);
		if (n < 6 || n - 5 > NC_NAME_MAX || strcmp(e->d_name + n - 5, ".conf"))
			continue;
		snprintf(cell, sizeof(cell), "%.*s", (int)(n - 5), e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "re");
		while (!ret && f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "addr=", 5)) {
				line[strcspn(line, "\n")] = '\0';
				ret = fn(cell, line + 5, arg);
			}
	}
	return ret;
}

/**
 * struct holder - uplink_addr_holder()'s search
 * @net:	the prefix asked for
 * @buf:	the holder's name, a NUL, its prefix
 * @len:	size of @buf
 */
struct holder {
	const struct cidr *net;
	char *buf;
	size_t len;
};

/**
 * holder_match() - uplink_each_addr() callback: does this prefix overlap
 * @cell:	the cell that holds it
 * @addr:	its prefix
 * @arg:	struct holder
 *
 * Return: 1 (stop) when it overlaps, else 0
 */
static int holder_match(const char *cell, const char *addr, void *arg)
{
	struct holder *h = arg;
	struct cidr c;

	if (cidr_parse(addr, &c) || !cidr_overlap(&c, h->net))
		return 0;
	snprintf(h->buf, h->len, "%s%c%.63s", cell, '\0', addr);
	return 1;
}

/**
 * uplink_addr_holder() - which cell's saved veth prefix overlaps @net
 * @state:	state directory
 * @net:	prefix
 * @buf:	the cell's name, a NUL, then its prefix
 * @len:	size of @buf
 *
 * A second cell on a prefix in use got no connectivity and exit 0.
 *
 * Return: 1 if one does, 0 if none
 */
int uplink_addr_holder(const char *state, const struct cidr *net, char *buf, size_t len)
{
	struct holder h = { net, buf, len };

	return uplink_each_addr(state, holder_match, &h) == 1;
}

/**
 * uplink_resolv() - the resolv.conf to bind in a cell, if it has one
 * @state:	state directory
 * @cell:	cell
 * @buf:	path, "" when none
 * @len:	size of @buf
 */
void uplink_resolv(const char *state, const char *cell, char *buf, size_t len)
{
	uplink_path(state, cell, "resolv", buf, len);
	if (access(buf, R_OK))
		buf[0] = '\0';
}
