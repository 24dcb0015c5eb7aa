// SPDX-License-Identifier: MIT
/*
 * labcell.c - one cell of a lab file: interfaces, routes, sysctls,
 * firewall, published ports, uplink
 *
 * Theory of operation: each key of a cell is read and checked here,
 * before anything changes: interface names (15 characters at most, no
 * duplicates), addresses (host bits kept, as ip-address takes them),
 * routes ("DST [via GW] [dev IF]", a gateway of the route's family), sysctl
 * keys that exist under net.* in a namespace, the firewall file (relative
 * to the lab file; its hash is what `up` compares), port specs and the
 * uplink engine.  Errors are labwalk.c's "FILE:LINE:COL: ...".
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lab/labwalk.h"
#include "net/link.h"

/**
 * lab_find_if() - an interface of a cell
 * @c:		cell
 * @name:	interface name
 *
 * Return: the interface or NULL
 */
struct lab_if *lab_find_if(struct lab_cell *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nifs; i++)
		if (!strcmp(c->ifs[i].name, name))
			return &c->ifs[i];
	return NULL;
}

/**
 * lab_new_if() - declare an interface of a cell
 * @w:		walk
 * @c:		cell
 * @n:		node naming it
 * @name:	its name
 *
 * Return: the interface, or NULL with a message
 */
struct lab_if *lab_new_if(struct walk *w, struct lab_cell *c, const yaml_node_t *n,
			     const char *name)
{
	struct lab_if *f;

	if (!link_ifname_ok(name)) {
		lab_bad(w, n, "interface \"%.40s\" of cell \"%s\": invalid name; use 1 to 15 characters without '/', ':' or blanks",
		    name, c->name);
		return NULL;
	}
	if (!strcmp(name, "lo") || (strcmp(c->uplink, "none") && !strcmp(name, "eth0"))) {
		lab_bad(w, n, "interface \"%s\" of cell \"%s\": the name is taken (%s); choose another",
		    name, c->name, strcmp(name, "lo") ? "the uplink's interface" : "loopback");
		return NULL;
	}
	if (lab_find_if(c, name)) {
		lab_bad(w, n, "interface \"%s\" of cell \"%s\": duplicate interface", name, c->name);
		return NULL;
	}
	if (c->nifs == LAB_IFS_MAX) {
		lab_bad(w, n, "cell \"%s\": more than %d interfaces", c->name, LAB_IFS_MAX);
		return NULL;
	}
	f = &c->ifs[c->nifs++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->pos.line = (unsigned)n->start_mark.line + 1;
	f->pos.col = (unsigned)n->start_mark.column + 1;
	return f;
}

/**
 * parse_ifs() - interfaces: { IF: [CIDR...] }
 * @w:		walk
 * @c:		cell
 * @n:		mapping
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_ifs(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	unsigned i, k;

	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_MAPPING_NODE, "interfaces"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lab_node(w, p->key), *vn = lab_node(w, p->value);
		const char *name = lab_short_text(w, kn, "interface", 64);
		struct lab_if *f = name ? lab_new_if(w, c, kn, name) : NULL;

		if (!f)
			return -EINVAL;
		if (lab_empty(vn))
			continue;
		if (lab_want(w, vn, YAML_SEQUENCE_NODE, "addresses"))
			return -EINVAL;
		for (it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++) {
			yaml_node_t *an = lab_node(w, *it);
			const char *s = lab_short_text(w, an, "address", 64);

			if (!s)
				return -EINVAL;
			if (f->naddr == LAB_ADDRS_MAX)
				return lab_bad(w, an, "interface \"%s\": more than %d addresses", f->name, LAB_ADDRS_MAX);
			if (cidr_parse(s, &f->addr[f->naddr]))
				return lab_bad(w, an, "address \"%s\" of %s:%s: invalid; write ADDRESS/PREFIXLEN, such as 10.0.1.1/24 or fd00:1::1/64",
					   s, c->name, f->name);
			for (i = 0; i < c->nifs; i++)
				for (k = 0; k < c->ifs[i].naddr; k++)
					if (!memcmp(c->ifs[i].addr[k].addr, f->addr[f->naddr].addr, 16) &&
					    c->ifs[i].addr[k].family == f->addr[f->naddr].family)
						return lab_bad(w, an, "address \"%s\" of cell \"%s\": given twice", s, c->name);
			f->naddr++;
		}
	}
	return 0;
}

/**
 * cidr_mask() - clear the host bits of a prefix
 * @c:		prefix
 */
static void cidr_mask(struct cidr *c)
{
	int i, bits = c->plen;

	for (i = 0; i < 16; i++, bits -= 8)
		c->addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
}

/**
 * parse_route_text() - "DST [via GW] [dev IF]" into @rt
 * @s:		text
 * @rt:		result
 *
 * Return: 0, or a static reason
 */
static const char *parse_route_text(const char *s, struct lab_route *rt)
{
	char buf[200], *save = NULL, *w, *dst;

	memset(rt, 0, sizeof(*rt));
	snprintf(buf, sizeof(buf), "%s", s);
	dst = strtok_r(buf, " \t", &save);
	if (!dst)
		return "empty";
	if (strcmp(dst, "default") && cidr_parse(dst, &rt->dst))
		return "invalid destination; write default or a PREFIX/LEN";
	while ((w = strtok_r(NULL, " \t", &save))) {
		char *arg = strtok_r(NULL, " \t", &save);

		if (!arg)
			return "a word without its value; write DST [via GATEWAY] [dev IF]";
		if (!strcmp(w, "via") && !rt->gw.family) {
			if (cidr_parse(arg, &rt->gw) || strchr(arg, '/'))
				return "invalid gateway address";
		} else if (!strcmp(w, "dev") && !rt->dev[0]) {
			if (!link_ifname_ok(arg))
				return "invalid interface name";
			snprintf(rt->dev, sizeof(rt->dev), "%s", arg);
		} else {
			return "unknown or repeated word; write DST [via GATEWAY] [dev IF]";
		}
	}
	if (!rt->gw.family && !rt->dev[0])
		return "needs via GATEWAY or dev IF";
	rt->family = rt->dst.family ? rt->dst.family : rt->gw.family ? rt->gw.family : AF_INET;
	if (!rt->dst.family) {	/* default */
		rt->dst.family = rt->family;
		rt->dst.plen = 0;
	}
	if (rt->gw.family && rt->gw.family != rt->family)
		return "the gateway's family is not the destination's";
	cidr_mask(&rt->dst);
	return NULL;
}

/**
 * parse_routes() - routes: ["DST [via GW] [dev IF]", ...]
 * @w:		walk
 * @c:		cell
 * @n:		sequence
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_routes(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	yaml_node_item_t *it;
	unsigned i;

	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_SEQUENCE_NODE, "routes"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *rn = lab_node(w, *it);
		const char *s = lab_short_text(w, rn, "route", 160), *why;
		struct lab_route *rt = &c->routes[c->nroutes];

		if (!s)
			return -EINVAL;
		if (c->nroutes == LAB_ROUTES_MAX)
			return lab_bad(w, rn, "cell \"%s\": more than %d routes", c->name, LAB_ROUTES_MAX);
		why = parse_route_text(s, rt);
		if (why)
			return lab_bad(w, rn, "route \"%s\" of cell \"%s\": %s", s, c->name, why);
		rt->pos.line = (unsigned)rn->start_mark.line + 1;
		rt->pos.col = (unsigned)rn->start_mark.column + 1;
		for (i = 0; i < c->nroutes; i++)
			if (c->routes[i].family == rt->family && c->routes[i].dst.plen == rt->dst.plen &&
			    !memcmp(c->routes[i].dst.addr, rt->dst.addr, 16))
				return lab_bad(w, rn, "route \"%s\" of cell \"%s\": a route to that destination is given twice",
					   s, c->name);
		c->nroutes++;
	}
	return 0;
}

/**
 * sysctl_known() - whether the host has the key (an interface of the lab in
 * it taken as "default"), so a misspelt key fails before anything changes
 * @c:		cell
 * @key:	dotted key
 *
 * Return: 1 if /proc/sys has it
 */
static int sysctl_known(struct lab_cell *c, const char *key)
{
	char path[PATH_MAX], part[128], *save = NULL, *t;
	size_t off;

	snprintf(part, sizeof(part), "%s", key);
	off = (size_t)snprintf(path, sizeof(path), "/proc/sys");
	for (t = strtok_r(part, ".", &save); t; t = strtok_r(NULL, ".", &save))
		off += (size_t)snprintf(path + off, sizeof(path) - off, "/%s",
					lab_find_if(c, t) ? "default" : t);
	return access(path, F_OK) == 0;
}

/**
 * parse_sysctls() - sysctl: { KEY: VALUE }
 * @w:		walk
 * @c:		cell
 * @n:		mapping
 *
 * Only keys of the network namespace ("net.") are a cell's own.
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_sysctls(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	yaml_node_pair_t *p;
	unsigned i;

	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_MAPPING_NODE, "sysctl"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lab_node(w, p->key), *vn = lab_node(w, p->value);
		const char *k = lab_short_text(w, kn, "sysctl key", 128), *v, *q;
		struct lab_sysctl *s = &c->sysctls[c->nsysctls];

		if (!k)
			return -EINVAL;
		if (c->nsysctls == LAB_SYSCTLS_MAX)
			return lab_bad(w, kn, "cell \"%s\": more than %d sysctls", c->name, LAB_SYSCTLS_MAX);
		for (q = k; *q && (isalnum((unsigned char)*q) || strchr("._-", *q)); q++)
			;
		if (strncmp(k, "net.", 4) || *q || strstr(k, "..") || k[strlen(k) - 1] == '.')
			return lab_bad(w, kn, "sysctl \"%s\" of cell \"%s\": not a key of the cell's network namespace; keys start with net., such as net.ipv4.ip_forward",
				   k, c->name);
		if (!sysctl_known(c, k))
			return lab_bad(w, kn, "sysctl \"%s\" of cell \"%s\": no such key in /proc/sys", k, c->name);
		v = lab_short_text(w, vn, "sysctl value", sizeof(s->val));
		if (!v)
			return -EINVAL;
		for (i = 0; i < c->nsysctls; i++)
			if (!strcmp(c->sysctls[i].key, k))
				return lab_bad(w, kn, "sysctl \"%s\" of cell \"%s\": given twice", k, c->name);
		snprintf(s->key, sizeof(s->key), "%s", k);
		snprintf(s->val, sizeof(s->val), "%s", v);
		for (q = s->val; *q; q++)
			if (*q == ' ' || *q == '\t')
				return lab_bad(w, vn, "sysctl \"%s\": a value with blanks is not supported", k);
		c->nsysctls++;
	}
	return 0;
}

/**
 * hash_file() - FNV-1a of a file's content
 * @path:	file
 * @h:		result
 *
 * Return: 0 or -errno
 */
static int hash_file(const char *path, unsigned long long *h)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char buf[8192];
	struct stat st;
	ssize_t n, i;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EISDIR;
	if (st.st_size > (64 << 20))	/* no ruleset is that large (/proc/kcore is) */
		return -EFBIG;
	*h = 14695981039346656037ull;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			*h = (*h ^ buf[i]) * 1099511628211ull;
	return n < 0 ? -errno : 0;
}

/**
 * parse_firewall() - firewall: FILE, relative to the lab file
 * @w:		walk
 * @c:		cell
 * @n:		scalar
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_firewall(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	const char *s = lab_short_text(w, n, "firewall", PATH_MAX / 2);
	int ret;

	if (!s)
		return -EINVAL;
	if (s[0] == '/' || !strcmp(w->dir, "."))
		snprintf(c->fw, sizeof(c->fw), "%s", s);
	else
		snprintf(c->fw, sizeof(c->fw), "%s/%s", w->dir, s);
	ret = hash_file(c->fw, &c->fwhash);
	if (ret)
		return lab_bad(w, n, "firewall \"%s\" of cell \"%s\": %s", c->fw, c->name, strerror(-ret));
	return 0;
}

/**
 * parse_ports() - publish: [SPEC, ...]
 * @w:		walk
 * @c:		cell
 * @n:		sequence
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_ports(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	yaml_node_item_t *it;
	struct nc_port port;
	unsigned i;

	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_SEQUENCE_NODE, "publish"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *pn = lab_node(w, *it);
		const char *s = lab_short_text(w, pn, "port", 64);
		struct nc_ctx pc = { .kfd = -1 };

		if (!s)
			return -EINVAL;
		if (c->nports == LAB_PORTS_MAX)
			return lab_bad(w, pn, "cell \"%s\": more than %d published ports", c->name, LAB_PORTS_MAX);
		if (nc_port_parse(&pc, s, &port) || !port.host_port)
			return lab_bad(w, pn, "port \"%s\" of cell \"%s\": %s", s, c->name,
				   pc.msg[0] ? pc.msg : "give HOSTPORT:CELLPORT");
		nc_port_format(&port, c->ports[c->nports], sizeof(c->ports[0]));
		for (i = 0; i < c->nports; i++)
			if (!strcmp(c->ports[i], c->ports[c->nports]))
				return lab_bad(w, pn, "port \"%s\" of cell \"%s\": given twice", s, c->name);
		c->nports++;
	}
	return 0;
}

/**
 * parse_uplink() - uplink: none|pasta|slirp4netns|veth
 * @w:		walk
 * @c:		cell
 * @n:		scalar
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_uplink(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	const char *s = lab_short_text(w, n, "uplink", sizeof(c->uplink));

	if (!s)
		return -EINVAL;
	if (strcmp(s, "none") && strcmp(s, "pasta") && strcmp(s, "slirp4netns") && strcmp(s, "veth"))
		return lab_bad(w, n, "uplink \"%s\" of cell \"%s\": unknown; use none, pasta, slirp4netns or veth",
			   s, c->name);
	if (!strcmp(s, "veth") && w->rootless)
		return lab_bad(w, n, "uplink \"veth\" of cell \"%s\": only root can make one; use pasta or slirp4netns",
			   c->name);
	snprintf(c->uplink, sizeof(c->uplink), "%s", s);
	return 0;
}

/**
 * lab_find_key() - whether @key is one of @keys
 * @keys:	known keys
 * @n:		how many
 * @key:	key
 *
 * Return: 1 if known
 */
int lab_find_key(const char *const *keys, unsigned n, const char *key)
{
	while (n--)
		if (!strcmp(keys[n], key))
			return 1;
	return 0;
}

/**
 * lab_parse_cell() - one cell's mapping
 * @w:		walk
 * @c:		cell, its names set
 * @n:		mapping (or null: a cell with nothing but loopback)
 *
 * The uplink is read first, wherever it is: interface names depend on it.
 *
 * Return: 0 or -EINVAL with a message
 */
int lab_parse_cell(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	static const char *const keys[] = { "uplink", "interfaces", "routes", "sysctl",
					    "firewall", "publish" };
	yaml_node_pair_t *p;
	int ret = 0;

	snprintf(c->uplink, sizeof(c->uplink), "none");
	if (lab_empty(n))
		return 0;
	if (lab_want(w, n, YAML_MAPPING_NODE, "cell"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ret; p++) {
		yaml_node_t *kn = lab_node(w, p->key);
		const char *key = lab_scalar(kn);

		if (!key || !lab_find_key(keys, 6, key))
			return lab_bad(w, kn, "cell \"%s\": unknown key \"%.40s\"; known: uplink, interfaces, routes, sysctl, firewall, publish",
				   c->name, key ? key : "(not a string)");
		if (!strcmp(key, "uplink"))
			ret = parse_uplink(w, c, lab_node(w, p->value));
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ret; p++) {
		const char *key = lab_scalar(lab_node(w, p->key));
		yaml_node_t *vn = lab_node(w, p->value);

		if (!strcmp(key, "interfaces"))
			ret = parse_ifs(w, c, vn);
		else if (!strcmp(key, "routes"))
			ret = parse_routes(w, c, vn);
		else if (!strcmp(key, "sysctl"))
			ret = parse_sysctls(w, c, vn);
		else if (!strcmp(key, "firewall"))
			ret = parse_firewall(w, c, vn);
		else if (!strcmp(key, "publish"))
			ret = parse_ports(w, c, vn);
	}
	return ret;
}
