// SPDX-License-Identifier: MIT
/*
 * labfile.c - the lab file: YAML (libyaml) to struct nc_lab, validated whole
 *
 * Theory of operation: the file is loaded as one libyaml document (nodes
 * carry their start marks), then walked once.  Every check a lab can fail
 * before anything changes is made here: unknown keys, names, addresses,
 * routes, sysctl keys, firewall files, ports, link ends.  The first problem
 * stops the walk and becomes "FILE:LINE:COL: what: why" (exit 2), so "up"
 * never starts on a file it would have to give up on halfway.
 *
 * Shape (docs/labs.md): name; cells: NAME: { interfaces: { IF: [CIDR...] },
 * routes: ["DST [via GW] [dev IF]"], sysctl: { KEY: VALUE }, firewall: FILE,
 * uplink: none|pasta|slirp4netns|veth, publish: [SPEC] }; links: [[C:IF, C:IF]].
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "lab/lab.h"
#include "net/link.h"

/**
 * struct walk - the parse in progress
 * @ctx:	context (the first error goes there)
 * @doc:	the document
 * @lab:	the lab being filled
 * @dir:	the lab file's directory (firewall paths are relative to it)
 * @rootless:	1 when the caller is not root
 * @name_only:	read the lab's name, nothing else ("down")
 */
struct walk {
	struct nc_ctx *ctx;
	yaml_document_t *doc;
	struct nc_lab *lab;
	const char *dir;
	int rootless;
	int name_only;
};

/**
 * bad() - the one error of a lab file: "FILE:LINE:COL: message"
 * @w:		walk
 * @n:		node it is about
 * @fmt:	message
 *
 * Return: -EINVAL
 */
static int __attribute__((format(printf, 3, 4)))
bad(struct walk *w, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[NC_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE, "%s:%lu:%lu: %s", w->lab->file,
		       (unsigned long)n->start_mark.line + 1, (unsigned long)n->start_mark.column + 1,
		       msg);
}

/**
 * node() - a node of the document by index
 * @w:		walk
 * @i:		index
 *
 * Return: the node (libyaml's indexes are always valid in a loaded document)
 */
static yaml_node_t *node(struct walk *w, int i)
{
	return yaml_document_get_node(w->doc, i);
}

/**
 * scalar() - a node's text, or NULL when it is not a scalar
 * @n:		node
 *
 * Return: text or NULL
 */
static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/**
 * want() - check a node's type
 * @w:		walk
 * @n:		node
 * @type:	expected type
 * @what:	what it is, for the message
 *
 * Return: 0 or -EINVAL with a message
 */
static int want(struct walk *w, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	static const char *const names[] = { "nothing", "a string", "a list", "a mapping" };

	if (n->type == type)
		return 0;
	/* an empty value ("e1:") is a null scalar: as an empty list or mapping */
	return bad(w, n, "%s: expected %s", what, names[type]);
}

/**
 * empty() - whether a node is YAML's null ("", "~", "null")
 * @n:		node
 *
 * Return: 1 if null
 */
static int empty(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

/**
 * short_text() - a scalar that fits @len, without control characters
 * @w:		walk
 * @n:		node
 * @what:	for the message
 * @len:	room, with the NUL
 *
 * Return: the text, or NULL with a message
 */
static const char *short_text(struct walk *w, const yaml_node_t *n, const char *what, size_t len)
{
	const char *s = scalar(n), *p;

	if (!s) {
		bad(w, n, "%s: expected a string", what);
		return NULL;
	}
	if (!*s || strlen(s) >= len) {
		bad(w, n, "%s \"%.40s\": %s", what, s, *s ? "too long" : "empty");
		return NULL;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ') {
			bad(w, n, "%s: control characters are not allowed", what);
			return NULL;
		}
	return s;
}

/**
 * lab_find_cell() - a cell of the lab by its name in the file
 * @lab:	lab
 * @name:	name
 *
 * Return: index, or -1
 */
int lab_find_cell(const struct nc_lab *lab, const char *name)
{
	unsigned i;

	for (i = 0; i < lab->ncells; i++)
		if (!strcmp(lab->cells[i].name, name))
			return (int)i;
	return -1;
}

/**
 * find_if() - an interface of a cell
 * @c:		cell
 * @name:	interface name
 *
 * Return: the interface or NULL
 */
static struct lab_if *find_if(struct lab_cell *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nifs; i++)
		if (!strcmp(c->ifs[i].name, name))
			return &c->ifs[i];
	return NULL;
}

/**
 * new_if() - declare an interface of a cell
 * @w:		walk
 * @c:		cell
 * @n:		node naming it
 * @name:	its name
 *
 * Return: the interface, or NULL with a message
 */
static struct lab_if *new_if(struct walk *w, struct lab_cell *c, const yaml_node_t *n,
			     const char *name)
{
	struct lab_if *f;

	if (!link_ifname_ok(name)) {
		bad(w, n, "interface \"%.40s\" of cell \"%s\": invalid name; use 1 to 15 characters without '/', ':' or blanks",
		    name, c->name);
		return NULL;
	}
	if (!strcmp(name, "lo") || (strcmp(c->uplink, "none") && !strcmp(name, "eth0"))) {
		bad(w, n, "interface \"%s\" of cell \"%s\": the name is taken (%s); choose another",
		    name, c->name, strcmp(name, "lo") ? "the uplink's interface" : "loopback");
		return NULL;
	}
	if (find_if(c, name)) {
		bad(w, n, "interface \"%s\" of cell \"%s\": duplicate interface", name, c->name);
		return NULL;
	}
	if (c->nifs == LAB_IFS_MAX) {
		bad(w, n, "cell \"%s\": more than %d interfaces", c->name, LAB_IFS_MAX);
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

	if (empty(n))
		return 0;
	if (want(w, n, YAML_MAPPING_NODE, "interfaces"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(w, p->key), *vn = node(w, p->value);
		const char *name = short_text(w, kn, "interface", 64);
		struct lab_if *f = name ? new_if(w, c, kn, name) : NULL;

		if (!f)
			return -EINVAL;
		if (empty(vn))
			continue;
		if (want(w, vn, YAML_SEQUENCE_NODE, "addresses"))
			return -EINVAL;
		for (it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++) {
			yaml_node_t *an = node(w, *it);
			const char *s = short_text(w, an, "address", 64);

			if (!s)
				return -EINVAL;
			if (f->naddr == LAB_ADDRS_MAX)
				return bad(w, an, "interface \"%s\": more than %d addresses", f->name, LAB_ADDRS_MAX);
			if (cidr_parse(s, &f->addr[f->naddr]))
				return bad(w, an, "address \"%s\" of %s:%s: invalid; write ADDRESS/PREFIXLEN, such as 10.0.1.1/24 or fd00:1::1/64",
					   s, c->name, f->name);
			for (i = 0; i < c->nifs; i++)
				for (k = 0; k < c->ifs[i].naddr; k++)
					if (!memcmp(c->ifs[i].addr[k].addr, f->addr[f->naddr].addr, 16) &&
					    c->ifs[i].addr[k].family == f->addr[f->naddr].family)
						return bad(w, an, "address \"%s\" of cell \"%s\": given twice", s, c->name);
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

	if (empty(n))
		return 0;
	if (want(w, n, YAML_SEQUENCE_NODE, "routes"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *rn = node(w, *it);
		const char *s = short_text(w, rn, "route", 160), *why;
		struct lab_route *rt = &c->routes[c->nroutes];

		if (!s)
			return -EINVAL;
		if (c->nroutes == LAB_ROUTES_MAX)
			return bad(w, rn, "cell \"%s\": more than %d routes", c->name, LAB_ROUTES_MAX);
		why = parse_route_text(s, rt);
		if (why)
			return bad(w, rn, "route \"%s\" of cell \"%s\": %s", s, c->name, why);
		rt->pos.line = (unsigned)rn->start_mark.line + 1;
		rt->pos.col = (unsigned)rn->start_mark.column + 1;
		for (i = 0; i < c->nroutes; i++)
			if (c->routes[i].family == rt->family && c->routes[i].dst.plen == rt->dst.plen &&
			    !memcmp(c->routes[i].dst.addr, rt->dst.addr, 16))
				return bad(w, rn, "route \"%s\" of cell \"%s\": a route to that destination is given twice",
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
					find_if(c, t) ? "default" : t);
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

	if (empty(n))
		return 0;
	if (want(w, n, YAML_MAPPING_NODE, "sysctl"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(w, p->key), *vn = node(w, p->value);
		const char *k = short_text(w, kn, "sysctl key", 128), *v, *q;
		struct lab_sysctl *s = &c->sysctls[c->nsysctls];

		if (!k)
			return -EINVAL;
		if (c->nsysctls == LAB_SYSCTLS_MAX)
			return bad(w, kn, "cell \"%s\": more than %d sysctls", c->name, LAB_SYSCTLS_MAX);
		for (q = k; *q && (isalnum((unsigned char)*q) || strchr("._-", *q)); q++)
			;
		if (strncmp(k, "net.", 4) || *q || strstr(k, "..") || k[strlen(k) - 1] == '.')
			return bad(w, kn, "sysctl \"%s\" of cell \"%s\": not a key of the cell's network namespace; keys start with net., such as net.ipv4.ip_forward",
				   k, c->name);
		if (!sysctl_known(c, k))
			return bad(w, kn, "sysctl \"%s\" of cell \"%s\": no such key in /proc/sys", k, c->name);
		v = short_text(w, vn, "sysctl value", sizeof(s->val));
		if (!v)
			return -EINVAL;
		for (i = 0; i < c->nsysctls; i++)
			if (!strcmp(c->sysctls[i].key, k))
				return bad(w, kn, "sysctl \"%s\" of cell \"%s\": given twice", k, c->name);
		snprintf(s->key, sizeof(s->key), "%s", k);
		snprintf(s->val, sizeof(s->val), "%s", v);
		for (q = s->val; *q; q++)
			if (*q == ' ' || *q == '\t')
				return bad(w, vn, "sysctl \"%s\": a value with blanks is not supported", k);
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
	const char *s = short_text(w, n, "firewall", PATH_MAX / 2);
	int ret;

	if (!s)
		return -EINVAL;
	if (s[0] == '/' || !strcmp(w->dir, "."))
		snprintf(c->fw, sizeof(c->fw), "%s", s);
	else
		snprintf(c->fw, sizeof(c->fw), "%s/%s", w->dir, s);
	ret = hash_file(c->fw, &c->fwhash);
	if (ret)
		return bad(w, n, "firewall \"%s\" of cell \"%s\": %s", c->fw, c->name, strerror(-ret));
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

	if (empty(n))
		return 0;
	if (want(w, n, YAML_SEQUENCE_NODE, "publish"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *pn = node(w, *it);
		const char *s = short_text(w, pn, "port", 64);
		struct nc_ctx pc = { .kfd = -1 };

		if (!s)
			return -EINVAL;
		if (c->nports == LAB_PORTS_MAX)
			return bad(w, pn, "cell \"%s\": more than %d published ports", c->name, LAB_PORTS_MAX);
		if (nc_port_parse(&pc, s, &port) || !port.host_port)
			return bad(w, pn, "port \"%s\" of cell \"%s\": %s", s, c->name,
				   pc.msg[0] ? pc.msg : "give HOSTPORT:CELLPORT");
		nc_port_format(&port, c->ports[c->nports], sizeof(c->ports[0]));
		for (i = 0; i < c->nports; i++)
			if (!strcmp(c->ports[i], c->ports[c->nports]))
				return bad(w, pn, "port \"%s\" of cell \"%s\": given twice", s, c->name);
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
	const char *s = short_text(w, n, "uplink", sizeof(c->uplink));

	if (!s)
		return -EINVAL;
	if (strcmp(s, "none") && strcmp(s, "pasta") && strcmp(s, "slirp4netns") && strcmp(s, "veth"))
		return bad(w, n, "uplink \"%s\" of cell \"%s\": unknown; use none, pasta, slirp4netns or veth",
			   s, c->name);
	if (!strcmp(s, "veth") && w->rootless)
		return bad(w, n, "uplink \"veth\" of cell \"%s\": only root can make one; use pasta or slirp4netns",
			   c->name);
	snprintf(c->uplink, sizeof(c->uplink), "%s", s);
	return 0;
}

/**
 * find_key() - whether @key is one of @keys
 * @keys:	known keys
 * @n:		how many
 * @key:	key
 *
 * Return: 1 if known
 */
static int find_key(const char *const *keys, unsigned n, const char *key)
{
	while (n--)
		if (!strcmp(keys[n], key))
			return 1;
	return 0;
}

/**
 * parse_cell() - one cell's mapping
 * @w:		walk
 * @c:		cell, its names set
 * @n:		mapping (or null: a cell with nothing but loopback)
 *
 * The uplink is read first, wherever it is: interface names depend on it.
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_cell(struct walk *w, struct lab_cell *c, yaml_node_t *n)
{
	static const char *const keys[] = { "uplink", "interfaces", "routes", "sysctl",
					    "firewall", "publish" };
	yaml_node_pair_t *p;
	int ret = 0;

	snprintf(c->uplink, sizeof(c->uplink), "none");
	if (empty(n))
		return 0;
	if (want(w, n, YAML_MAPPING_NODE, "cell"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ret; p++) {
		yaml_node_t *kn = node(w, p->key);
		const char *key = scalar(kn);

		if (!key || !find_key(keys, 6, key))
			return bad(w, kn, "cell \"%s\": unknown key \"%.40s\"; known: uplink, interfaces, routes, sysctl, firewall, publish",
				   c->name, key ? key : "(not a string)");
		if (!strcmp(key, "uplink"))
			ret = parse_uplink(w, c, node(w, p->value));
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ret; p++) {
		const char *key = scalar(node(w, p->key));
		yaml_node_t *vn = node(w, p->value);

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

/**
 * parse_cells() - cells: { NAME: {...} }
 * @w:		walk
 * @n:		mapping
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_cells(struct walk *w, yaml_node_t *n)
{
	struct nc_lab *lab = w->lab;
	yaml_node_pair_t *p;
	size_t count;
	int ret;

	if (want(w, n, YAML_MAPPING_NODE, "cells"))
		return -EINVAL;
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (!count)
		return bad(w, n, "cells: a lab needs at least one cell");
	if (count > LAB_CELLS_MAX)
		return bad(w, n, "cells: more than %d cells", LAB_CELLS_MAX);
	lab->cells = calloc(count, sizeof(*lab->cells));
	if (!lab->cells)
		return ctx_err(w->ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(w, p->key);
		const char *name = short_text(w, kn, "cell", NC_NAME_MAX + 1);
		struct lab_cell *c = &lab->cells[lab->ncells];
		struct nc_ctx nc = { .kfd = -1 };

		if (!name)
			return -EINVAL;
		if (lab_find_cell(lab, name) >= 0)
			return bad(w, kn, "cell \"%s\": given twice", name);
		if (strchr(name, ':') || strchr(name, ' '))
			return bad(w, kn, "cell \"%s\": a cell name has no ':' or blanks", name);
		snprintf(c->name, sizeof(c->name), "%s", name);
		if ((size_t)snprintf(c->full, sizeof(c->full), "%s-%s", lab->name, name) >= sizeof(c->full) ||
		    nc_name_check(&nc, c->full))
			return bad(w, kn, "cell \"%s\": \"%s-%s\" is not a valid cell name: %s", name,
				   lab->name, name, nc.msg[0] ? nc.msg : "longer than 64 characters");
		c->pos.line = (unsigned)kn->start_mark.line + 1;
		c->pos.col = (unsigned)kn->start_mark.column + 1;
		lab->ncells++;
		ret = parse_cell(w, c, node(w, p->value));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * parse_end() - one end of a link, "CELL:IF"
 * @w:		walk
 * @n:		scalar
 * @cell:	index of the cell
 * @ifname:	IFNAMSIZ buffer
 *
 * An end not declared under the cell's interfaces is declared here (no
 * addresses); one that another link has is a duplicate.
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_end(struct walk *w, yaml_node_t *n, unsigned *cell, char *ifname)
{
	const char *s = short_text(w, n, "link endpoint", 128), *colon;
	char cname[NC_NAME_MAX + 1];
	struct lab_if *f;
	int i;

	if (!s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) > NC_NAME_MAX)
		return bad(w, n, "link endpoint \"%s\": write CELL:INTERFACE", s);
	snprintf(cname, sizeof(cname), "%.*s", (int)(colon - s), s);
	i = lab_find_cell(w->lab, cname);
	if (i < 0)
		return bad(w, n, "link endpoint \"%s\": no such cell \"%s\"", s, cname);
	f = find_if(&w->lab->cells[i], colon + 1);
	if (!f)
		f = new_if(w, &w->lab->cells[i], n, colon + 1);
	if (!f)
		return -EINVAL;
	if (f->linked)
		return bad(w, n, "link endpoint \"%s\": duplicate interface (another link has it)", s);
	f->linked = 1;
	*cell = (unsigned)i;
	snprintf(ifname, IFNAMSIZ, "%s", f->name);
	return 0;
}

/**
 * parse_links() - links: [[CELL:IF, CELL:IF], ...]
 * @w:		walk
 * @n:		sequence
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_links(struct walk *w, yaml_node_t *n)
{
	struct nc_lab *lab = w->lab;
	yaml_node_item_t *it;
	unsigned i;

	if (empty(n))
		return 0;
	if (want(w, n, YAML_SEQUENCE_NODE, "links"))
		return -EINVAL;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *ln = node(w, *it);
		struct lab_link *l = &lab->links[lab->nlinks];

		if (want(w, ln, YAML_SEQUENCE_NODE, "link"))
			return -EINVAL;
		if (ln->data.sequence.items.top - ln->data.sequence.items.start != 2)
			return bad(w, ln, "link: expected two ends, [CELL:IF, CELL:IF]");
		if (lab->nlinks == LAB_LINKS_MAX)
			return bad(w, ln, "links: more than %d", LAB_LINKS_MAX);
		if (parse_end(w, node(w, ln->data.sequence.items.start[0]), &l->ca, l->ifa) ||
		    parse_end(w, node(w, ln->data.sequence.items.start[1]), &l->cb, l->ifb))
			return -EINVAL;
		if (l->ca == l->cb)
			return bad(w, ln, "link: both ends are in cell \"%s\"", lab->cells[l->ca].name);
		for (i = 0; i < lab->nlinks; i++)
			if ((lab->links[i].ca == l->ca && lab->links[i].cb == l->cb) ||
			    (lab->links[i].ca == l->cb && lab->links[i].cb == l->ca))
				return bad(w, ln, "link: cells \"%s\" and \"%s\" are linked twice; netcell keeps one link per pair of cells",
					   lab->cells[l->ca].name, lab->cells[l->cb].name);
		lab->nlinks++;
	}
	return 0;
}

/**
 * check_cells() - what needs the whole file: every interface on a link,
 * every route's interface known
 * @w:		walk
 *
 * Return: 0 or -EINVAL with a message
 */
static int check_cells(struct walk *w)
{
	unsigned i, k;

	for (i = 0; i < w->lab->ncells; i++) {
		struct lab_cell *c = &w->lab->cells[i];

		for (k = 0; k < c->nifs; k++)
			if (!c->ifs[k].linked)
				return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE,
					       "%s:%u:%u: interface \"%s\" of cell \"%s\": on no link; add it to links or remove it",
					       w->lab->file, c->ifs[k].pos.line, c->ifs[k].pos.col,
					       c->ifs[k].name, c->name);
		for (k = 0; k < c->nroutes; k++)
			if (c->routes[k].dev[0] && !find_if(c, c->routes[k].dev))
				return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE,
					       "%s:%u:%u: route of cell \"%s\": no interface \"%s\" in that cell",
					       w->lab->file, c->routes[k].pos.line, c->routes[k].pos.col,
					       c->name, c->routes[k].dev);
	}
	return 0;
}

/**
 * parse_top() - the document's top mapping: name, cells, links
 * @w:		walk
 * @n:		root node
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_top(struct walk *w, yaml_node_t *n)
{
	static const char *const keys[] = { "name", "cells", "links" };
	yaml_node_t *cells = NULL, *links = NULL;
	yaml_node_pair_t *p;
	struct nc_ctx nc = { .kfd = -1 };

	if (want(w, n, YAML_MAPPING_NODE, "lab file"))
		return -EINVAL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(w, p->key), *vn = node(w, p->value);
		const char *key = scalar(kn), *name;

		if (w->name_only && (!key || strcmp(key, "name")))
			continue;
		if (!key || !find_key(keys, 3, key))
			return bad(w, kn, "unknown key \"%.40s\"; known: name, cells, links",
				   key ? key : "(not a string)");
		if (!strcmp(key, "cells"))
			cells = vn;
		else if (!strcmp(key, "links"))
			links = vn;
		else if (!(name = short_text(w, vn, "name", NC_NAME_MAX + 1)))
			return -EINVAL;
		else if (nc_name_check(&nc, name) || strchr(name, ':'))
			return bad(w, vn, "name \"%s\": %s", name, nc.msg[0] ? nc.msg : "no ':' allowed");
		else
			snprintf(w->lab->name, sizeof(w->lab->name), "%s", name);
	}
	if (!w->lab->name[0])
		return bad(w, n, "the lab has no name; add name: NAME (its cells are NAME-CELL)");
	if (w->name_only)
		return 0;
	if (!cells)
		return bad(w, n, "the lab has no cells; add cells:");
	if (parse_cells(w, cells) || (links && parse_links(w, links)))
		return -EINVAL;
	return check_cells(w);
}

/**
 * lab_parse() - parse and validate a lab file's text
 * @ctx:	context
 * @file:	the file's name, for messages
 * @text:	its content
 * @len:	its length
 * @dir:	its directory (firewall files are relative to it)
 * @flags:	LAB_ROOTLESS (veth uplinks are refused), LAB_NAME_ONLY
 *		(only the name is read and checked: "down" of a file that an
 *		edit broke still finds its lab)
 * @out:	the lab, nc_lab_free() it
 *
 * Return: 0 or -EINVAL with "FILE:LINE:COL: ..." (NC_ERR_USAGE)
 */
int lab_parse(struct nc_ctx *ctx, const char *file, const char *text, size_t len,
	      const char *dir, unsigned flags, struct nc_lab **out)
{
	struct walk w = { .ctx = ctx, .dir = dir, .rootless = !!(flags & LAB_ROOTLESS),
			  .name_only = !!(flags & LAB_NAME_ONLY) };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	*out = NULL;
	w.lab = calloc(1, sizeof(*w.lab));
	if (!w.lab || !yaml_parser_initialize(&parser)) {
		free(w.lab);
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	}
	snprintf(w.lab->file, sizeof(w.lab->file), "%s", file);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "%s:%lu:%lu: invalid YAML: %s%s%s", file,
			      (unsigned long)parser.problem_mark.line + 1,
			      (unsigned long)parser.problem_mark.column + 1,
			      parser.problem ? parser.problem : "unreadable",
			      parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		nc_lab_free(w.lab);
		return ret;
	}
	w.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	ret = root ? parse_top(&w, root) :
		ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "%s:1:1: the file is empty", file);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret) {
		nc_lab_free(w.lab);
		return ret;
	}
	*out = w.lab;
	return 0;
}

/**
 * nc_lab_free() - free a lab from nc_lab_load()
 * @lab:	lab, or NULL
 */
void nc_lab_free(struct nc_lab *lab)
{
	if (!lab)
		return;
	free(lab->cells);
	free(lab);
}
