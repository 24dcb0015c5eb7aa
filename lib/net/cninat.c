// SPDX-License-Identifier: MIT
/*
 * cninat.c - the CNI plugin's NAT and published ports, in table
 * "inet netcell_cni" of the host
 *
 * Theory of operation: the table's rules are always the same (each ADD
 * loads them again, flushing each chain first, so rules deleted behind the
 * plugin's back come back with the next container); what changes per
 * container are elements of its sets and maps, so ADD and DEL are each one
 * libnftables transaction and need no rule handles:
 *   - masq4/masq6: addresses of containers whose network masquerades;
 *     what they send out of any other interface than a netcell bridge
 *     (set "brs") leaves with the host's address;
 *   - pm4/pm6: published ports for every local address, PROTO . HOSTPORT
 *     to CONTAINER . PORT; pm4h/pm6h the same keyed by one host address;
 *     DNAT in prerouting (clients from outside) and output (the host's own
 *     clients) for destinations of type local, so the client's address is
 *     kept, as the standard portmap plugin keeps it;
 *   - connections to a published port from the host's loopback or from a
 *     container of the bridge itself (hairpin) are masqueraded after the
 *     DNAT: a 127.0.0.1 source cannot leave on the bridge (route_localnet
 *     lets it be routed, masquerade gives it the bridge's address), and a
 *     container answering another one directly would bypass the reverse
 *     NAT.  portmap does the same with its SETMARK chain.
 * A host port is taken with "create element", which fails on a key that
 * exists: a second container cannot take a mapped port silently.  The
 * table goes with the last container, so nothing stays behind.
 *
 * No filter chain: an accept in this table could not overrule a drop in
 * another (each base chain on a hook gives its own verdict), so "accept
 * the bridge's traffic" rules would only cost every forwarded packet a
 * lookup.  A host whose forward filter drops by default (Docker sets
 * iptables' FORWARD policy to DROP) must accept the bridges there; see
 * docs/cni.md.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "kernel/nft.h"
#include "kernel/nftlib.h"
#include "kernel/nftcmp.h"
#include "net/cninat.h"

#define T "inet " CNINAT_TABLE

/* loaded with every container's ADD: made with the first one, and put back
 * as it was for the next ones (each chain flushed and filled again in the
 * same transaction, no moment without its rules) when rules were deleted or
 * changed behind the plugin's back; the elements stay */
static const char skeleton[] =
	"add table " T "\n"
	"add set " T " masq4 { type ipv4_addr; }\n"
	"add set " T " masq6 { type ipv6_addr; }\n"
	"add set " T " brs { type ifname; }\n"
	"add map " T " pm4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add map " T " pm6 { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"add map " T " pm4h { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	"add map " T " pm6h { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }\n"
	"add chain " T " ports\n"
	"flush chain " T " ports\n"
	"add rule " T " ports meta l4proto { tcp, udp } dnat ip to ip daddr . meta l4proto . th dport map @pm4h\n"
	"add rule " T " ports meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pm4\n"
	"add rule " T " ports meta l4proto { tcp, udp } dnat ip6 to ip6 daddr . meta l4proto . th dport map @pm6h\n"
	"add rule " T " ports meta l4proto { tcp, udp } dnat ip6 to meta l4proto . th dport map @pm6\n"
	"add chain " T " prerouting { type nat hook prerouting priority dstnat; }\n"
	"flush chain " T " prerouting\n"
	"add rule " T " prerouting fib daddr type local jump ports\n"
	"add chain " T " output { type nat hook output priority -100; }\n"
	"flush chain " T " output\n"
	"add rule " T " output fib daddr type local jump ports\n"
	"add chain " T " postrouting { type nat hook postrouting priority srcnat; }\n"
	"flush chain " T " postrouting\n"
	"add rule " T " postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
	"add rule " T " postrouting ct status dnat oifname @brs ip saddr @masq4 masquerade\n"
	"add rule " T " postrouting ct status dnat oifname @brs ip6 saddr @masq6 masquerade\n"
	"add rule " T " postrouting oifname != @brs ip saddr @masq4 masquerade\n"
	"add rule " T " postrouting oifname != @brs ip6 saddr @masq6 masquerade\n";

/* the chains of the skeleton as nft lists them: CHECK compares them line
 * for line, so a rule deleted or changed behind our back is drift, not a
 * port that silently stopped answering */
static const char *const chains[][2] = {
	{ "ports",
	  "table " T " {\n\tchain ports {\n"
	  "\t\tmeta l4proto { tcp, udp } dnat ip to ip daddr . meta l4proto . th dport map @pm4h\n"
	  "\t\tmeta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @pm4\n"
	  "\t\tmeta l4proto { tcp, udp } dnat ip6 to ip6 daddr . meta l4proto . th dport map @pm6h\n"
	  "\t\tmeta l4proto { tcp, udp } dnat ip6 to meta l4proto . th dport map @pm6\n\t}\n}\n" },
	{ "prerouting",
	  "table " T " {\n\tchain prerouting {\n"
	  "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	  "\t\tfib daddr type local jump ports\n\t}\n}\n" },
	{ "output",
	  "table " T " {\n\tchain output {\n"
	  "\t\ttype nat hook output priority -100; policy accept;\n"
	  "\t\tfib daddr type local jump ports\n\t}\n}\n" },
	{ "postrouting",
	  "table " T " {\n\tchain postrouting {\n"
	  "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	  "\t\tct status dnat ip saddr 127.0.0.0/8 masquerade\n"
	  "\t\tct status dnat oifname @brs ip saddr @masq4 masquerade\n"
	  "\t\tct status dnat oifname @brs ip6 saddr @masq6 masquerade\n"
	  "\t\toifname != @brs ip saddr @masq4 masquerade\n"
	  "\t\toifname != @brs ip6 saddr @masq6 masquerade\n\t}\n}\n" },
};

/**
 * struct cmds - a growing text of nft commands
 * @buf:	text
 * @len:	size of @buf
 * @off:	used
 * @full:	set when something did not fit
 */
struct cmds {
	char *buf;
	size_t len;
	size_t off;
	int full;
};

static void put(struct cmds *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * put() - append a formatted command
 * @c:		text
 * @fmt:	format
 */
static void put(struct cmds *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->off, c->len - c->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= c->len - c->off)
		c->full = 1;
	else
		c->off += (size_t)n;
}

/**
 * any_addr() - is a host address "every local address"
 * @hip:	host address of a mapping
 * @family:	AF_INET or AF_INET6
 *
 * Return: 1 for "", 0.0.0.0 and ::; 0 for one address
 */
static int any_addr(const char *hip, int family)
{
	return !hip[0] || (family == AF_INET && !strcmp(hip, "0.0.0.0")) ||
	       (family == AF_INET6 && !strcmp(hip, "::"));
}

/**
 * same_family() - is a mapping's host address of a family
 * @hip:	host address
 * @family:	AF_INET or AF_INET6
 *
 * Return: 1 if so, or when @hip is empty
 */
static int same_family(const char *hip, int family)
{
	unsigned char b[16];

	return !hip[0] || inet_pton(family, hip, b) == 1;
}

/**
 * elements() - one command per element of a container
 * @n:		the container's entries
 * @verb:	"add", "delete" or "get"; "add" takes ports with "create"
 * @c:		output
 */
static void elements(const struct cni_nat *n, const char *verb, struct cmds *c)
{
	const char *pv = strcmp(verb, "add") ? verb : "create";
	char a[INET6_ADDRSTRLEN], key[96], val[80];
	int i, j, v6, get = !strcmp(verb, "get");

	for (i = 0; i < n->nips; i++) {
		v6 = n->ips[i].family == AF_INET6;
		inet_ntop(n->ips[i].family, n->ips[i].addr, a, sizeof(a));
		if (n->masq)
			put(c, "%s element " T " masq%c { %s }\n", verb, v6 ? '6' : '4', a);
		for (j = 0; j < n->nports; j++) {
			const struct nc_cni_port *p = &n->ports[j];
			int any = any_addr(p->host_ip, n->ips[i].family);

			if (!same_family(p->host_ip, n->ips[i].family))
				continue;
			snprintf(key, sizeof(key), "%s%s%s . %u", any ? "" : p->host_ip,
				 any ? "" : " . ", p->proto, p->host_port);
			snprintf(val, sizeof(val), " : %s . %u", a, p->container_port);
			put(c, "%s element " T " pm%c%s { %s%s }\n", pv, v6 ? '6' : '4',
			    any ? "" : "h", key, get ? "" : val);
		}
	}
}

/**
 * table_exists() - is table inet netcell_cni there
 *
 * Return: 1 if so, 0 if not, -errno when the tables cannot be read
 */
static int table_exists(void)
{
	_cleanup_free_ char *text = NULL;
	int ret = nft_list_tables(&text);

	if (ret)
		return ret;
	return strstr(text, "table " T "\n") != NULL;
}

/**
 * run() - one transaction, its error in the context
 * @ctx:	context
 * @c:		commands
 * @what:	what they do, for the message
 *
 * Return: 0 or -errno with a message
 */
static int run(struct nc_ctx *ctx, const struct cmds *c, const char *what)
{
	char err[2048];
	int ret;

	if (c->full)
		return ctx_err(ctx, -E2BIG, NC_ERR_FAILED, "cannot %s: too many entries", what);
	if (!c->off)
		return 0;
	ret = nft_run_text(c->buf, err, sizeof(err));
	if (!ret)
		return 0;
	err[strcspn(err, "\n")] = '\0';
	if (strstr(err, "File exists"))
		return ctx_err(ctx, -EEXIST, NC_ERR_EXISTS,
			       "cannot %s: a host port of this container is published for another one already; choose another host port",
			       what);
	return ctx_err(ctx, ret, NC_ERR_FAILED, "cannot %s: %s", what, err);
}

/**
 * cninat_add() - a container's NAT and ports, in one transaction with the
 * table's skeleton (made for the first container, its rules put back as
 * they were for the next ones)
 * @ctx:	context
 * @n:		its entries
 *
 * Return: 0 or -errno with a message; nothing changed on failure
 */
int cninat_add(struct nc_ctx *ctx, const struct cni_nat *n)
{
	char buf[32768];
	struct cmds c = { buf, sizeof(buf), 0, 0 };

	put(&c, "%s", skeleton);
	put(&c, "add element " T " brs { \"%s\" }\n", n->bridge);
	elements(n, "add", &c);
	return run(ctx, &c, "add the container's NAT and published ports");
}

/**
 * cninat_del() - remove a container's entries
 * @ctx:	context
 * @n:		its entries, as added
 * @drop_bridge: its bridge goes too (no other container on it)
 * @drop_table:	the whole table goes (no other container at all)
 *
 * One transaction; when it fails because something was already gone (a
 * DEL repeated, a rule removed by hand), each command is run on its own,
 * so what is there goes and what is not is no error.
 *
 * Return: 0 or -errno with a message
 */
int cninat_del(struct nc_ctx *ctx, const struct cni_nat *n, int drop_bridge, int drop_table)
{
	char buf[32768], err[512], *l, *save = NULL;
	struct cmds c = { buf, sizeof(buf), 0, 0 };
	int ex = table_exists();

	if (ex <= 0)
		return 0;
	if (drop_table) {
		put(&c, "delete table " T "\n");
		return run(ctx, &c, "delete table " T);
	}
	elements(n, "delete", &c);
	if (drop_bridge)
		put(&c, "delete element " T " brs { \"%s\" }\n", n->bridge);
	if (c.full)	/* run() says so */
		return run(ctx, &c, "delete the container's NAT and published ports");
	if (!run(ctx, &c, "delete the container's NAT and published ports"))
		return 0;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		nft_run_text(l, err, sizeof(err));
	ctx->msg[0] = '\0';
	return 0;
}

/**
 * cninat_check() - are the table's rules as made and the container's
 * entries all there
 * @ctx:	context
 * @n:		its entries, as added
 *
 * Return: 0, or -ENOENT naming the first entry missing
 */
int cninat_check(struct nc_ctx *ctx, const struct cni_nat *n)
{
	char buf[32768], err[512], *l, *save = NULL;
	struct cmds c = { buf, sizeof(buf), 0, 0 };
	size_t i;

	if (table_exists() != 1)
		return ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "table " T " is missing");
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		_cleanup_free_ char *text = NULL;
		char cmd[96], why[512];

		snprintf(cmd, sizeof(cmd), "list chain " T " %s", chains[i][0]);
		if (nft_list_cmd(cmd, &text))
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "chain " T " %s is missing",
				       chains[i][0]);
		if (nft_listing_diff(text, chains[i][1], why, sizeof(why)))
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "chain " T " %s changed: %s",
				       chains[i][0], why);
	}
	put(&c, "get element " T " brs { \"%s\" }\n", n->bridge);
	elements(n, "get", &c);
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (nft_run_text(l, err, sizeof(err)))
			return ctx_err(ctx, -ENOENT, NC_ERR_FAILED, "nftables entry missing: %s",
				       l + strlen("get element "));
	return 0;
}

/**
 * cninat_ready() - can the plugin's nftables work be done here: libnftables
 * loads and the kernel's nf_tables answers (the CNI STATUS check; reads
 * only, changes nothing)
 * @ctx:	context
 *
 * Return: 0, or -errno with a message (kind NC_ERR_PERM)
 */
int cninat_ready(struct nc_ctx *ctx)
{
	_cleanup_free_ char *text = NULL;
	struct nft_ctx *n = nft_new();
	int ret;

	if (!n)
		return ctx_err(ctx, -ELIBACC, NC_ERR_PERM, "libnftables cannot be loaded: %s",
			       nftlib_error());
	nft_free(n);
	ret = nft_list_tables(&text);
	if (ret)
		return ctx_err(ctx, ret, NC_ERR_PERM,
			       "cannot read the tables of nftables: %s; is nf_tables available and the caller root of its network namespace?",
			       strerror(-ret));
	return 0;
}
