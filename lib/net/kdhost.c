// SPDX-License-Identifier: MIT
/*
 * kdhost.c - the host's half of the kernel-carried ports of a root cell:
 * its table "ip netcell_ports_CELL" (one DNAT per port, the host port
 * kept), written whole in one transaction and read back (kdnat.c has the
 * theory of operation and the cell's half)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/nft.h"
#include "kernel/nftcmp.h"
#include "net/kdhost.h"
#include "net/link.h"
/**
 * kdhost_port_line() - the host's DNAT of one port, as nft lists it (counter
 * shortened as norm_line() does): to the cell's end, the host port kept
 * (cell_body() says why)
 * @s:		the port
 * @ca:		the cell's end, as text
 * @buf:	output
 * @len:	size of @buf
 */
void kdhost_port_line(const struct portspec *s, const char *ca, char *buf, size_t len)
{
	char ha[64];

	if (portspec_wildcard(s))
		snprintf(ha, sizeof(ha), "fib daddr type local");
	else {
		memcpy(ha, "ip daddr ", 9);
		inet_ntop(AF_INET, s->addr, ha + 9, sizeof(ha) - 9);
	}
	snprintf(buf, len, "%s %s dport %u counter dnat to %s:%u", ha,
		 s->proto == IPPROTO_UDP ? "udp" : "tcp", s->hport, ca, s->hport);
}

/**
 * kdhost_body() - the host's table of a cell, written as nft lists it: one
 * DNAT per port, and a SNAT of the client's address to itself, so that no
 * later masquerade of DNATed loopback traffic (CNI's portmap, docker)
 * replaces it: the first NAT chain that binds a connection's source is the
 * last one consulted
 * @cell:	cell
 * @net:	the pair's /31
 * @ports:	the cell's ports
 * @n:		how many
 * @skip:	per port: not in the table (skip_mask())
 *
 * Return: heap text (the table), NULL when out of memory
 */
char *kdhost_body(const char *cell, const struct cidr *net,
		       const struct portspec *ports, unsigned n,
		       const unsigned char *skip)
{
	char ca[INET_ADDRSTRLEN], ifn[IFNAMSIZ], *buf;
	size_t len = 1024 + (size_t)n * 160, off;
	struct cidr me;
	unsigned i;

	buf = malloc(len);
	if (!buf)
		return NULL;
	kdhost_ifname(cell, ifn);
	cidr_host(net, 1, &me);
	inet_ntop(AF_INET, me.addr, ca, sizeof(ca));
	off = (size_t)snprintf(buf, len,
			       "table ip netcell_ports_%s {\n"
			       " chain postrouting {\n"
			       "  type nat hook postrouting priority mangle; policy accept;\n"
			       "  oifname \"%s\" snat to ip saddr\n"
			       " }\n"
			       " chain output {\n"
			       "  type nat hook output priority -100; policy accept;\n",
			       cell, ifn);
	for (i = 0; i < n; i++) {
		if (skip[i])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "  ");
		kdhost_port_line(&ports[i], ca, buf + off, len - off);
		off += strlen(buf + off);
		off += (size_t)snprintf(buf + off, len - off, "\n");
	}
	snprintf(buf + off, len - off, " }\n}\n");
	return buf;
}

/**
 * kdhost_load() - replace the host's table of a cell in one transaction
 * @ctx:	context
 * @cell:	cell
 * @body:	kdhost_body()'s text
 *
 * Return: 0 or -EINVAL with a message
 */
int kdhost_load(struct nc_ctx *ctx, const char *cell, const char *body)
{
	_cleanup_free_ char *cmds = NULL;
	char err[1024];

	if (asprintf(&cmds, "table ip netcell_ports_%s {}\n"
		     "delete table ip netcell_ports_%s\n%s", cell, cell, body) < 0)
		return ctx_err(ctx, -ENOMEM, NC_ERR_FAILED, "out of memory");
	if (nft_run_text(cmds, err, sizeof(err)))
		return ctx_err(ctx, -EINVAL, NC_ERR_FAILED,
			       "table ip netcell_ports_%s: %s", cell, err);
	return 0;
}

/**
 * kdhost_check() - compare the host's table of a cell with what netcell
 * meant, and see that the host's end of the pair is there
 * @ctx:	context
 * @cell:	cell
 * @body:	kdhost_body()'s text
 * @list:	the table as listed, NULL when there is none
 *
 * Return: 0, or -EIO with a message saying what differs
 */
int kdhost_check(struct nc_ctx *ctx, const char *cell, const char *body,
		      const char *list)
{
	char why[1200], ifn[IFNAMSIZ];

	kdhost_ifname(cell, ifn);
	if (!list)
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the host's table ip netcell_ports_%s is gone", cell);
	if (nft_listing_diff(list, body, why, sizeof(why)))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the host's table ip netcell_ports_%s differs from what netcell wrote: %s",
			       cell, why);
	if (!if_nametoindex(ifn))
		return ctx_err(ctx, -EIO, NC_ERR_FAILED,
			       "the host's end %s of the pair is gone", ifn);
	return 0;
}

/**
 * kdhost_list() - the host's table of a cell as nft lists it
 * @cell:	cell
 *
 * Return: heap text, NULL when there is no such table (or no memory)
 */
char *kdhost_list(const char *cell)
{
	char cmd[NC_NAME_MAX + 64], *list = NULL;

	snprintf(cmd, sizeof(cmd), "list table ip netcell_ports_%s", cell);
	return nft_list_cmd(cmd, &list) ? NULL : list;
}

/**
 * kdhost_ifname() - the host's end of a cell's pair: "np-" and link_ifname()'s
 * rest
 * @cell:	cell
 * @out:	IFNAMSIZ buffer
 */
void kdhost_ifname(const char *cell, char out[IFNAMSIZ])
{
	link_ifname(cell, out);
	out[1] = 'p';
}
