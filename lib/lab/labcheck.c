// SPDX-License-Identifier: MIT
/*
 * labcheck.c - before "up" changes anything: what would make a step fail
 * late
 *
 * Theory of operation: "up" undoes its steps when one fails, but some
 * cannot be taken back (a cell made again for a new uplink is a new
 * namespace), and the firewall and port steps come after cells, links and
 * addresses.  So what is known to fail is found first: every firewall
 * file the plan applies is loaded into a scratch namespace (nc_fw_check(),
 * its FILE:LINE:COL error), and every host port it publishes is bound
 * once, as the keeper's forwarder would bind it; a port another program
 * holds stops "up" with nothing changed.  A port the plan removes first,
 * or one of a cell made again, is the lab's own and counts as free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "lab/lab.h"

/**
 * lab_check_firewalls() - load every firewall the plan applies into a scratch
 * namespace: a rejected ruleset stops "up" before any change
 * @ctx:	context
 * @p:		plan
 *
 * Return: 0 or -errno with the ruleset's FILE:LINE:COL error
 */
int lab_check_firewalls(struct nc_ctx *ctx, const struct lab_plan *p)
{
	unsigned i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == LOP_FW && nc_fw_check(ctx, p->ops[i].arg, NC_FW_AUTO))
			return -EINVAL;
	return 0;
}

/**
 * host_port_free() - whether a host port could be bound now (as the
 * keeper's forwarder binds it)
 * @pt:		the port
 *
 * Return: 0, or -errno of bind() (-EADDRINUSE: another program has it)
 */
static int host_port_free(const struct nc_port *pt)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	int six = strchr(pt->host_addr, ':') != NULL, one = 1, ret = 0;
	_cleanup_close_ int fd = socket(six ? AF_INET6 : AF_INET,
				       (strcmp(pt->proto, "udp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;	/* nothing known: the step itself will tell */
	if (six) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)pt->host_port);
		inet_pton(AF_INET6, pt->host_addr, &a6->sin6_addr);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	} else {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)pt->host_port);
		inet_pton(AF_INET, pt->host_addr, &a4->sin_addr);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, six ? sizeof(*a6) : sizeof(*a4)))
		ret = -errno;
	return ret == -EADDRINUSE ? ret : 0;
}

/**
 * lab_check_ports() - every host port the plan publishes is free: a port
 * another program holds stops "up" before any change, as the step itself
 * would fail last, after cells, links and addresses were changed (some,
 * such as a cell made again for a new uplink, cannot be taken back)
 * @ctx:	context
 * @lab:	lab
 * @p:		plan
 *
 * A port the plan removes first (the same host address, port and
 * protocol), or any port of a cell it makes again (which publishes it
 * again), is the lab's own and counts as free.
 *
 * Return: 0 or -EADDRINUSE with a message
 */
int lab_check_ports(struct nc_ctx *ctx, const struct nc_lab *lab, const struct lab_plan *p)
{
	struct nc_port pt, rm;
	unsigned i, k;

	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != LOP_PORT_ADD || nc_port_parse(ctx, p->ops[i].arg, &pt))
			continue;
		for (k = 0; k < p->nops; k++)
			if ((p->ops[k].kind == LOP_PORT_RM && !nc_port_parse(ctx, p->ops[k].arg, &rm) &&
			     rm.host_port == pt.host_port && !strcmp(rm.proto, pt.proto) &&
			     !strcmp(rm.host_addr, pt.host_addr)) ||
			    (p->ops[k].kind == LOP_CELL_DROP && !strcmp(p->ops[k].full, p->ops[i].full)))
				break;
		if (k == p->nops && host_port_free(&pt))
			return ctx_err(ctx, -EADDRINUSE, NC_ERR_FAILED,
				       "lab \"%s\": cannot publish %s of cell \"%s\": host port %s:%u is in use by another program; nothing was changed; publish another host port, or stop what uses it ('ss -%slpn sport = :%u' shows it)",
				       lab->name, p->ops[i].arg, p->ops[i].full, pt.host_addr, pt.host_port,
				       strcmp(pt.proto, "udp") ? "t" : "u", pt.host_port);
	}
	ctx->msg[0] = '\0';
	return 0;
}
