// SPDX-License-Identifier: MIT
/*
 * kports.c - the keeper's published-port requests: PORTADD, PORTRM,
 * PORTLIST, and the ports of rebuilt cells
 *
 * A cell's ports are part of its saved configuration.  "port add" checks
 * every spec for clashes (within the request and with every cell of the
 * user), opens them all in the forwarder (forward.c), then saves: all or
 * none.  "port rm" closes, then saves.  A rebuilt cell gets its ports back;
 * one whose host port another program took meanwhile stays, inactive.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "keeper/keeper_int.h"
#include "base/proto.h"
#include "net/kdnat.h"

/**
 * parse_specs() - the ports of a PORTADD or PORTRM request
 * @ctx:	context
 * @text:	canonical specs separated by spaces, modified
 * @s:		result, room for NC_PORTS_MAX
 * @n:		how many
 *
 * Return: 0 or -EINVAL with a message
 */
static int parse_specs(struct nc_ctx *ctx, char *text, struct portspec *s,
		       unsigned *n)
{
	char *tok, *save = NULL;

	for (*n = 0, tok = strtok_r(text, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (*n >= NC_PORTS_MAX)
			return ctx_err(ctx, -E2BIG, NC_ERR_USAGE,
				       "at most %d ports at once", NC_PORTS_MAX);
		if (portspec_parse(tok, &s[(*n)++], NULL))
			return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
				       "invalid port \"%s\"", tok);
	}
	return *n ? 0 : ctx_err(ctx, -EINVAL, NC_ERR_USAGE, "no port given");
}

/**
 * conf_index() - the first port of a cell's configuration that matches @s
 * @conf:	the cell's configuration
 * @s:		a port
 * @match:	portspec_equal (the same port) or portspec_clash (wants the
 *		same host socket)
 *
 * Return: its index, or -1
 */
static int conf_index(const struct cell_conf *conf, const struct portspec *s,
		      int (*match)(const struct portspec *, const struct portspec *))
{
	unsigned i;

	for (i = 0; i < conf->nports; i++)
		if (match(&conf->ports[i], s))
			return (int)i;
	return -1;
}

/**
 * check_clash() - refuse a port whose host socket is published already
 * @k:		keeper
 * @ctx:	context
 * @self:	the cell it is for
 * @s:		the new port
 * @before:	ports of the same request that come before it
 * @n:		number of @before
 *
 * A host loopback service ("host:") takes a port of its own cell's
 * loopback: only that cell's can clash with it.
 *
 * Return: 0, or -EEXIST (kind NC_ERR_EXISTS) naming who has it
 */
static int check_clash(struct keeper *k, struct nc_ctx *ctx, const struct kcell *self,
		       const struct portspec *s, const struct portspec *before,
		       unsigned n)
{
	char a[PORTSPEC_TEXT_MAX + 1], b[PORTSPEC_TEXT_MAX + 1];
	const struct cell_conf *c;
	size_t i;
	int at;

	portspec_format(s, a, sizeof(a));
	for (at = 0; at < (int)n; at++)
		if (portspec_clash(&before[at], s))
			return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
				       "port %s is given twice", a);
	for (i = 0; i < k->n; i++) {
		c = &k->cells[i].conf;
		if (s->to_host && &k->cells[i] != self)
			continue;
		at = conf_index(c, s, portspec_clash);
		if (at < 0)
			continue;
		portspec_format(&c->ports[at], b, sizeof(b));
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cannot publish %s: cell \"%s\" publishes %s already; 'netcell port rm %s %s' first",
			       a, c->name, b, c->name, b);
	}
	return 0;
}

/**
 * ports_idle() - end a cell's forwarding helper once it publishes nothing
 * @c:		cell
 */
static void ports_idle(struct kcell *c)
{
	if (c->fc && !fwd_count(c->fc)) {
		fwd_cell_free(c->fc);
		c->fc = NULL;
	}
}

/**
 * one_line() - make a text fit in one field of a record: tabs and newlines
 * become spaces
 * @s:		text, modified
 */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n')
			*s = ' ';
}

/**
 * ports_kernel() - root: let the kernel carry the cell's IPv4 ports
 * @k:		keeper
 * @ctx:	context for a notice, or NULL
 * @c:		cell, its configuration as it now is
 *
 * The forwarder has every port open already: when the kernel path cannot
 * be had (or what was written does not read back as meant), it carries
 * them, a notice says why and 'port list' shows it (@c->kdwhy).
 * NETCELL_PORTS_FORWARDER=1 in the keeper's environment keeps every port
 * on the forwarder.
 */
static void ports_kernel(struct keeper *k, struct nc_ctx *ctx, struct kcell *c)
{
	struct nc_ctx err = { .kfd = -1 };
	const char *env = getenv("NETCELL_PORTS_FORWARDER");
	int lock, ret;

	c->kdwhy[0] = '\0';
	if (k->p.rootless)
		return;
	if (env && !strcmp(env, "1")) {
		snprintf(c->kdwhy, sizeof(c->kdwhy),
			 "NETCELL_PORTS_FORWARDER=1 in the keeper's environment");
		return;
	}
	lock = paths_host_lock(&k->p);	/* not while a host firewall loads */
	ret = kdnat_sync(&err, c->conf.name, c->netfd, &c->kdslot, c->conf.ports,
			 c->conf.nports, c->inactive);
	if (lock >= 0)
		close(lock);
	if (!ret)
		return;
	snprintf(c->kdwhy, sizeof(c->kdwhy), "%s", err.msg);
	one_line(c->kdwhy);	/* libnftables' errors span lines */
	if (ctx)
		ctx_notice(ctx, "cell \"%s\": its IPv4 ports are forwarded by the keeper, not carried by the kernel: %s",
			   c->conf.name, c->kdwhy);
}

/**
 * ports_open() - publish ports of a cell, all or none
 * @k:		keeper
 * @ctx:	context
 * @c:		cell
 * @s:		ports
 * @n:		how many
 *
 * Return: 0, or -errno with a message and none of @s published
 */
static int ports_open(struct keeper *k, struct nc_ctx *ctx, struct kcell *c,
		      const struct portspec *s, unsigned n)
{
	unsigned i;
	int ret = 0;

	if (!c->fc)
		ret = fwd_cell_new(k->fwd, ctx, c->netfd, &c->fc);
	for (i = 0; !ret && i < n; i++)
		ret = fwd_open(c->fc, ctx, &s[i]);
	if (!ret)
		return 0;
	while (i-- > 1)
		fwd_close(c->fc, &s[i - 1]);
	ports_idle(c);
	return ret;
}

/**
 * do_port_add() - publish ports of a cell: checked, opened, then saved
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @text:	canonical specs separated by spaces, modified
 *
 * Return: 0, or -errno with a message; on failure nothing changed
 */
int do_port_add(struct keeper *k, struct nc_ctx *ctx, const char *name,
		       char *text)
{
	struct portspec s[NC_PORTS_MAX];
	struct kcell *c = find(k, name);
	struct cell_conf conf;
	unsigned n, i;
	int ret;

	if (!c)
		return no_cell(ctx, name);
	ret = parse_specs(ctx, text, s, &n);
	if (ret)
		return ret;
	if (c->conf.nports + n > NC_PORTS_MAX)
		return ctx_err(ctx, -E2BIG, NC_ERR_FAILED,
			       "cell \"%s\" cannot publish more than %d ports",
			       name, NC_PORTS_MAX);
	for (i = 0; i < n && !ret; i++)
		ret = check_clash(k, ctx, c, &s[i], s, i);
	if (ret || (ret = ports_open(k, ctx, c, s, n)))
		return ret;
	conf = c->conf;
	memcpy(conf.ports + conf.nports, s, n * sizeof(*s));
	conf.nports += n;
	ret = store_save(ctx, k->p.state, &conf);
	if (ret) {
		for (i = 0; i < n; i++)
			fwd_close(c->fc, &s[i]);
		ports_idle(c);
		return ret;
	}
	memset(&c->inactive[c->conf.nports], 0, n);
	c->conf = conf;
	ports_kernel(k, ctx, c);
	return 0;
}

/**
 * do_port_rm() - withdraw published ports of a cell, all or none
 * @k:		keeper
 * @ctx:	context
 * @name:	cell name
 * @text:	canonical specs separated by spaces, modified
 *
 * Return: 0, or -errno with a message; on failure nothing changed
 */
int do_port_rm(struct keeper *k, struct nc_ctx *ctx, const char *name,
		      char *text)
{
	struct portspec s[NC_PORTS_MAX];
	char a[PORTSPEC_TEXT_MAX + 1];
	struct kcell *c = find(k, name);
	struct cell_conf conf;
	unsigned n, i;
	int ret, at;

	if (!c)
		return no_cell(ctx, name);
	ret = parse_specs(ctx, text, s, &n);
	conf = c->conf;
	for (i = 0; i < n && !ret; i++) {
		at = conf_index(&conf, &s[i], portspec_equal);
		if (at < 0) {
			portspec_format(&s[i], a, sizeof(a));
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED,
				       "no forward %s on cell \"%s\"; 'netcell port list %s' shows its ports",
				       a, name, name);
		}
		conf.nports--;
		memmove(&conf.ports[at], &conf.ports[at + 1],
			(conf.nports - (unsigned)at) * sizeof(conf.ports[0]));
		memmove(&c->inactive[at], &c->inactive[at + 1],
			conf.nports - (unsigned)at);
	}
	if (ret || (ret = store_save(ctx, k->p.state, &conf)))
		return ret;
	for (i = 0; i < n && c->fc; i++)
		fwd_close(c->fc, &s[i]);
	c->conf = conf;
	ports_kernel(k, ctx, c);
	ports_idle(c);
	return 0;
}

/* how a kernel path changed behind netcell's back is made whole again */
#define KPORTS_REPAIR "'netcell port add' or 'port rm' on the cell, or a new keeper, writes it again"

/**
 * port_path() - which path carries a port, and what is wrong with it
 * @k:		keeper
 * @c:		cell
 * @i:		index of the port
 * @ret:	kdnat_check()'s result for the cell
 * @why:	its message
 * @dnat:	its per-port answer
 * @note:	set: what is wrong, "" when nothing is
 * @len:	size of @note
 *
 * Return: "kernel", "forwarder" or "none" (inactive)
 */
static const char *port_path(const struct keeper *k, const struct kcell *c, unsigned i,
			     int ret, const char *why, const unsigned char *dnat,
			     char *note, size_t len)
{
	note[0] = '\0';
	if (c->inactive[i])
		return "none";
	if (k->p.rootless || !kdnat_wanted(&c->conf.ports[i], 1, NULL))
		return "forwarder";
	if (c->kdslot < 0) {
		snprintf(note, len, "%s", c->kdwhy);
		return "forwarder";
	}
	if (kdnat_shared(c->conf.ports, c->conf.nports, c->inactive, i) >= 0) {
		snprintf(note, len, "cell port %u/%s is carried by the kernel for another host port; two host ports of one cell port would meet on the same tuples in the cell",
			 c->conf.ports[i].cport, c->conf.ports[i].proto == IPPROTO_UDP ? "udp" : "tcp");
		return "forwarder";
	}
	if (!ret && dnat[i])
		return "kernel";
	if (dnat[i])
		snprintf(note, len, "damaged: %s; %s", why, KPORTS_REPAIR);
	else if (ret)
		snprintf(note, len, "its DNAT is missing: %s; %s", why, KPORTS_REPAIR);
	else
		snprintf(note, len, "its DNAT is missing from the host's table ip netcell_ports_%s (removed behind netcell's back); %s",
			 c->conf.name, KPORTS_REPAIR);
	return dnat[i] ? "kernel" : "forwarder";
}

/**
 * format_ports() - the PORTLIST records of one cell:
 * CELL \t SPEC \t ACTIVE \t PATH \t NOTE
 * @k:		keeper
 * @c:		cell
 * @buf:	output
 * @len:	room in @buf
 *
 * The kernel path of a root cell is read back (kdnat_check()) for every
 * listing: a table changed behind netcell's back is reported, not assumed.
 *
 * Return: characters written, 0 when they do not fit
 */
static size_t format_ports(const struct keeper *k, const struct kcell *c, char *buf,
			   size_t len)
{
	char spec[PORTSPEC_TEXT_MAX + 1], note[NC_MSG_MAX + 160];
	unsigned char dnat[NC_PORTS_MAX] = { 0 };
	struct nc_ctx why = { .kfd = -1 };
	const char *path;
	size_t off = 0;
	unsigned i;
	int n, ret = 0;

	if (!k->p.rootless && c->kdslot >= 0)
		ret = kdnat_check(&why, c->conf.name, c->netfd, c->kdslot, c->conf.ports,
				  c->conf.nports, c->inactive, dnat);
	for (i = 0; i < c->conf.nports; i++) {
		portspec_format(&c->conf.ports[i], spec, sizeof(spec));
		path = port_path(k, c, i, ret, why.msg, dnat, note, sizeof(note));
		one_line(note);
		n = snprintf(buf + off, len - off, "%s\t%s\t%d\t%s\t%s\n", c->conf.name,
			     spec, !c->inactive[i], path, note);
		if (n < 0 || (size_t)n >= len - off)
			return 0;
		off += (size_t)n;
	}
	return off;
}

/**
 * do_port_list() - reply with the published ports of one or every cell
 * @k:		keeper
 * @ctx:	context
 * @sock:	client
 * @name:	cell name, or "" for every cell
 * @from:	index of the first cell of the page
 *
 * Return: 0 when the reply was sent, else -errno with a message
 */
int do_port_list(struct keeper *k, struct nc_ctx *ctx, int sock,
			const char *name, const char *from)
{
	_cleanup_free_ char *buf = malloc(PROTO_MAX);
	size_t i = strtoul(from, NULL, 10), off = 3, n;

	if (!buf)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (name[0] && !find(k, name))
		/* cppcheck-suppress memleak ; freed by _cleanup_free_ */
		return no_cell(ctx, name);
	memcpy(buf, "OK\t", 3);
	/* a page: the ports of as many whole cells as fit, then "MORE\tINDEX" */
	for (; i < k->n; i++) {
		if (name[0] && strcmp(k->cells[i].conf.name, name))
			continue;
		n = format_ports(k, &k->cells[i], buf + off, PROTO_MAX - off - PROTO_MORE);
		if (!n && k->cells[i].conf.nports) {
			off += (size_t)snprintf(buf + off, PROTO_MAX - off, "MORE\t%zu\n", i);
			break;
		}
		off += n;
	}
	return kconn_send(k, sock, buf, off, NULL, 0);
}

/**
 * ports_restore() - publish a rebuilt cell's saved ports again
 * @k:		keeper
 * @c:		cell
 *
 * A port whose host socket cannot be had again (another program took it
 * while no keeper ran) stays in the configuration, marked inactive.
 */
void ports_restore(struct keeper *k, struct kcell *c)
{
	struct nc_ctx ctx = { .kfd = -1 };
	unsigned i;
	int ret;

	if (!c->conf.nports)
		return;
	ret = fwd_cell_new(k->fwd, &ctx, c->netfd, &c->fc);
	for (i = 0; i < c->conf.nports; i++)
		c->inactive[i] = ret || fwd_open(c->fc, &ctx, &c->conf.ports[i]);
	ports_kernel(k, NULL, c);
	ports_idle(c);
}
