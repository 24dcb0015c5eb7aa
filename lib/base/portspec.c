// SPDX-License-Identifier: MIT
/*
 * portspec.c - published port specifications: parse, format, compare
 *
 * Theory of operation: a published port is written by the user as
 * [HOSTADDR:]HOSTPORT:CELLPORT[/tcp|/udp], the form of docker and podman
 * "-p", with an IPv6 host address in brackets ([::1]:8080:80).  The host
 * address defaults to 127.0.0.1, never to a wildcard: a port is reachable
 * from other machines only when the user writes 0.0.0.0 or [::].  The
 * parser is strict (numeric addresses only, no scope ids, ports 1-65535,
 * nothing trailing) because the same text is saved in the cell's
 * configuration and must mean one thing only; portspec_format() gives the
 * canonical text, which is what the keeper stores, lists and compares.
 *
 * What podman users also write, ranges (8000-8010:8000-8010, the two of
 * one length) and no host port (80, 127.0.0.1::80: one is chosen), is
 * expanded by portspec_expand() on the client's side into single specs,
 * the only form the keeper stores; a chosen host port is fixed before
 * the request is sent, so a saved cell always names its ports.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "base/ctx.h"
#include "base/portspec.h"

#define PORTSPEC_FORM "[HOSTADDR:][HOSTPORT:]CELLPORT[/tcp|/udp], e.g. 8080:80, 0.0.0.0:5353:53/udp, [::1]:8080:80, 8000-8010:8000-8010 or 80 (a free host port chosen), or host:HOSTPORT[:CELLPORT] for a host loopback service in the cell"

/**
 * parse_port() - a port number that fills the whole string
 * @s:		text
 * @port:	result
 *
 * Return: 0, or -EINVAL unless @s is 1 to 5 digits worth 1-65535
 */
static int parse_port(const char *s, unsigned short *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (i >= 5 || s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!i || !v || v > 65535)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

/**
 * parse_proto() - cut "/tcp" or "/udp" off the end of @buf
 * @buf:	spec text, modified
 * @s:		result
 *
 * Return: 0 or -EINVAL for another suffix
 */
static int parse_proto(char *buf, struct portspec *s)
{
	char *slash = strrchr(buf, '/');

	s->proto = IPPROTO_TCP;
	if (!slash)
		return 0;
	*slash++ = '\0';
	/* /TCP, /Udp: podman takes any case */
	if (!strcasecmp(slash, "udp"))
		s->proto = IPPROTO_UDP;
	else if (strcasecmp(slash, "tcp"))
		return -EINVAL;
	return 0;
}

/**
 * split_addr() - separate the host address from the two ports
 * @buf:	spec text without the protocol, modified
 * @addr:	the address text, or NULL when none was given
 * @ports:	"HOSTPORT:CELLPORT"
 * @why:	reason on failure
 *
 * Return: 0 or -EINVAL
 */
static int split_addr(char *buf, char **addr, char **ports, const char **why)
{
	char *c, *close;
	int colons = 0;

	*addr = NULL;
	*ports = buf;
	if (buf[0] == '[') {
		close = strchr(buf, ']');
		if (!close || close[1] != ':') {
			*why = "an IPv6 host address is written [ADDR]:HOSTPORT:CELLPORT";
			return -EINVAL;
		}
		*close = '\0';
		*addr = buf + 1;
		*ports = close + 2;
		return 0;
	}
	for (c = buf; *c; c++)
		colons += *c == ':';
	if (colons > 2) {
		*why = "an IPv6 host address goes in brackets, e.g. [::1]:8080:80";
		return -EINVAL;
	}
	if (colons == 2) {
		c = strchr(buf, ':');
		*c = '\0';
		*addr = buf;
		*ports = c + 1;
	}
	return 0;
}

/**
 * parse_addr() - the numeric host address, IPv4 or (bracketed) IPv6
 * @addr:	text, or NULL for the default 127.0.0.1; "localhost" (any
 *		case), as podman users write it, is 127.0.0.1
 * @v6:		1 if it was written in brackets
 * @s:		result
 *
 * Return: 0 or -EINVAL
 */
static int parse_addr(const char *addr, int v6, struct portspec *s)
{
	memset(s->addr, 0, sizeof(s->addr));
	s->family = v6 ? AF_INET6 : AF_INET;
	if (!addr || (!v6 && !strcasecmp(addr, "localhost")))
		addr = "127.0.0.1";
	return inet_pton(s->family, addr, s->addr) == 1 ? 0 : -EINVAL;
}

/**
 * parse_to_host() - "HOSTPORT[:CELLPORT][/tcp]" after "host:"
 * @text:	the rest of the spec
 * @s:		result, zeroed
 * @why:	on failure, what was wrong
 *
 * The host's 127.0.0.1:HOSTPORT, reached from the cell at its own
 * 127.0.0.1:CELLPORT (default HOSTPORT), through the keeper's forwarder.
 *
 * Return: 0 or -EINVAL
 */
static int parse_to_host(const char *text, struct portspec *s, const char **why)
{
	char buf[PORTSPEC_TEXT_MAX + 1], *colon;

	snprintf(buf, sizeof(buf), "%s", text);
	if (parse_proto(buf, s) || s->proto != IPPROTO_TCP) {
		*why = "host loopback services are TCP";
		return -EINVAL;
	}
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (parse_port(buf, &s->hport) || (colon && parse_port(colon + 1, &s->cport))) {
		*why = "a port is a number from 1 to 65535";
		return -EINVAL;
	}
	if (!colon)
		s->cport = s->hport;
	s->family = AF_INET;
	s->addr[0] = 127, s->addr[3] = 1;
	s->to_host = 1;
	return 0;
}

/**
 * portspec_parse() - parse [HOSTADDR:]HOSTPORT:CELLPORT[/tcp|/udp]
 * @text:	what the user wrote
 * @s:		result
 * @why:	on failure, what was wrong (static text), may be NULL
 *
 * Return: 0 or -EINVAL
 */
int portspec_parse(const char *text, struct portspec *s, const char **why)
{
	char buf[PORTSPEC_TEXT_MAX + 1], *addr, *ports, *colon;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = "it is too long";
	memset(s, 0, sizeof(*s));
	if (strlen(text) > PORTSPEC_TEXT_MAX)
		return -EINVAL;
	if (!strncmp(text, "host:", 5))
		return parse_to_host(text + 5, s, why);
	snprintf(buf, sizeof(buf), "%s", text);
	if (parse_proto(buf, s)) {
		*why = "the protocol is /tcp or /udp";
		return -EINVAL;
	}
	if (split_addr(buf, &addr, &ports, why))
		return -EINVAL;
	colon = strchr(ports, ':');
	if (!colon) {
		*why = "both ports are needed: HOSTPORT:CELLPORT";
		return -EINVAL;
	}
	*colon = '\0';
	if (parse_port(ports, &s->hport) || parse_port(colon + 1, &s->cport)) {
		*why = "a port is a number from 1 to 65535";
		return -EINVAL;
	}
	if (parse_addr(addr, buf[0] == '[', s)) {
		*why = "the host address must be a numeric IPv4 address, localhost or a bracketed IPv6 address";
		return -EINVAL;
	}
	return 0;
}

/**
 * parse_range() - "PORT" or "LOW-HIGH"
 * @text:	text, modified
 * @lo:		result, first port
 * @hi:		result, last port (@lo for a single port)
 *
 * Return: 0 or -EINVAL
 */
static int parse_range(char *text, unsigned short *lo, unsigned short *hi)
{
	char *dash = strchr(text, '-');

	if (dash)
		*dash = '\0';
	if (parse_port(text, lo) || (dash ? parse_port(dash + 1, hi) : (*hi = *lo, 0)))
		return -EINVAL;
	return *hi < *lo ? -EINVAL : 0;
}

/**
 * expand_ports() - fill @out from the ports part of a spec
 * @ports:	"[HOST[-HOST]]:CELL[-CELL]" or "CELL[-CELL]", modified
 * @base:	address and protocol of every port
 * @out:	result
 * @room:	its size
 * @n:		result, how many
 * @why:	on failure, what was wrong
 *
 * Return: 0 or -EINVAL
 */
static int expand_ports(char *ports, const struct portspec *base,
			struct portspec *out, size_t room, size_t *n,
			const char **why)
{
	unsigned short hlo = 0, hhi = 0, clo, chi;
	char *colon = strchr(ports, ':');
	size_t i, count;

	*why = "a port is a number from 1 to 65535, a range LOW-HIGH";
	if (parse_range(colon ? colon + 1 : ports, &clo, &chi))
		return -EINVAL;
	if (colon) {
		*colon = '\0';
		if (ports[0] && parse_range(ports, &hlo, &hhi))
			return -EINVAL;
	}
	count = (size_t)(chi - clo) + 1;
	if (hlo && (size_t)(hhi - hlo) + 1 != count) {
		*why = "a host port range and a cell port range have one length";
		return -EINVAL;
	}
	if (count > room) {
		*why = "too many ports in one range";
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		out[i] = *base;
		out[i].hport = hlo ? (unsigned short)(hlo + i) : 0;
		out[i].cport = (unsigned short)(clo + i);
	}
	*n = count;
	return 0;
}

/**
 * portspec_expand() - a spec as users write it, as single specs
 * @text:	[HOSTADDR:][HOSTPORT[-HOSTPORT]:]CELLPORT[-CELLPORT][/tcp|/udp],
 *		or host:HOSTPORT[:CELLPORT]
 * @out:	result; a host port of 0 is to be chosen
 * @room:	its size
 * @n:		result, how many
 * @why:	on failure, what was wrong (static text)
 *
 * Return: 0 or -EINVAL
 */
int portspec_expand(const char *text, struct portspec *out, size_t room,
		    size_t *n, const char **why)
{
	char buf[PORTSPEC_TEXT_MAX + 1], *addr, *ports;
	struct portspec base;

	*n = 0;
	*why = "it is too long";
	if (!room || strlen(text) > PORTSPEC_TEXT_MAX)
		return -EINVAL;
	if (!strncmp(text, "host:", 5) || (!strchr(text, '-') && !portspec_parse(text, out, why))) {
		if (portspec_parse(text, out, why))
			return -EINVAL;
		*n = 1;
		return 0;
	}
	memset(&base, 0, sizeof(base));
	snprintf(buf, sizeof(buf), "%s", text);
	if (parse_proto(buf, &base)) {
		*why = "the protocol is /tcp or /udp";
		return -EINVAL;
	}
	if (split_addr(buf, &addr, &ports, why))
		return -EINVAL;
	if (parse_addr(addr, buf[0] == '[', &base)) {
		*why = "the host address must be a numeric IPv4 address, localhost or a bracketed IPv6 address";
		return -EINVAL;
	}
	return expand_ports(ports, &base, out, room, n, why);
}

/**
 * portspec_addr_text() - the host address as text, without brackets
 * @s:		spec
 * @buf:	output, at least INET6_ADDRSTRLEN
 * @len:	size of @buf
 */
void portspec_addr_text(const struct portspec *s, char *buf, size_t len)
{
	if (!inet_ntop(s->family, s->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/**
 * format_parts() - the canonical text from its parts
 * @buf:	output
 * @len:	size of @buf
 * @addr:	numeric host address; one with a colon is IPv6, put in brackets
 * @hport:	host port
 * @cport:	cell port
 * @proto:	"tcp" or "udp"
 *
 * Return: length written, or -ENOSPC
 */
static int format_parts(char *buf, size_t len, const char *addr,
			unsigned hport, unsigned cport, const char *proto)
{
	int n = snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u:%u/%s" :
			 "%s:%u:%u/%s", addr, hport, cport, proto);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/**
 * portspec_format() - the canonical text of a spec
 * @s:		spec
 * @buf:	output
 * @len:	size of @buf, PORTSPEC_TEXT_MAX + 1 is always enough
 *
 * Return: length written, or -ENOSPC
 */
int portspec_format(const struct portspec *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (s->to_host) {
		n = snprintf(buf, len, "host:%u:%u/tcp", s->hport, s->cport);
		return n < 0 || (size_t)n >= len ? -ENOSPC : n;
	}
	portspec_addr_text(s, a, sizeof(a));
	return format_parts(buf, len, a, s->hport, s->cport,
			    s->proto == IPPROTO_UDP ? "udp" : "tcp");
}

/**
 * portspec_equal() - the same forward, host and cell side
 * @a:		spec
 * @b:		spec
 *
 * Return: 1 if equal
 */
int portspec_equal(const struct portspec *a, const struct portspec *b)
{
	return portspec_clash(a, b) == 2 && a->cport == b->cport;
}

/**
 * portspec_wildcard() - is the host address 0.0.0.0 or ::
 * @s:		spec
 *
 * Return: 1 for a wildcard address
 */
int portspec_wildcard(const struct portspec *s)
{
	static const unsigned char zero[16];

	return !memcmp(s->addr, zero, s->family == AF_INET6 ? 16 : 4);
}

/**
 * portspec_clash() - would two forwards want the same host socket
 * @a:		spec
 * @b:		spec
 *
 * A wildcard address clashes with every address of its family on the same
 * port (IPv6 listeners are IPV6_V6ONLY, so 0.0.0.0 and :: do not clash).
 * A host loopback service ("host:") takes a port of the cell's loopback
 * instead, which only another of its kind in the same cell can want (the
 * caller compares them within one cell only).
 *
 * Return: 0 no clash, 1 overlapping addresses, 2 the same host address
 */
int portspec_clash(const struct portspec *a, const struct portspec *b)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;

	if (a->to_host != b->to_host)
		return 0;
	if (a->to_host)
		return a->cport != b->cport ? 0 : a->hport == b->hport ? 2 : 1;

	if (a->family != b->family || a->proto != b->proto || a->hport != b->hport)
		return 0;
	if (!memcmp(a->addr, b->addr, alen))
		return 2;
	return portspec_wildcard(a) || portspec_wildcard(b);
}

/**
 * portspec_to_port() - a spec as the public struct nc_port
 * @s:		spec
 * @cell:	cell name, may be NULL
 * @port:	result
 */
void portspec_to_port(const struct portspec *s, const char *cell,
		      struct nc_port *port)
{
	memset(port, 0, sizeof(*port));
	snprintf(port->cell, sizeof(port->cell), "%s", cell ? cell : "");
	portspec_addr_text(s, port->host_addr, sizeof(port->host_addr));
	port->host_port = s->hport;
	port->cell_port = s->cport;
	snprintf(port->proto, sizeof(port->proto), "%s",
		 s->proto == IPPROTO_UDP ? "udp" : "tcp");
	port->to_host = s->to_host;
}

/**
 * nc_port_parse() - check a port specification and split it up
 * @ctx:	context
 * @spec:	[HOSTADDR:]HOSTPORT:CELLPORT[/tcp|/udp]
 * @port:	result (its @cell is left empty)
 *
 * Return: 0, or -EINVAL with a usage message showing the accepted form
 */
int nc_port_parse(struct nc_ctx *ctx, const char *spec, struct nc_port *port)
{
	struct portspec s;
	const char *why;

	if (portspec_parse(spec, &s, &why))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid port \"%s\": %s; the form is " PORTSPEC_FORM,
			       spec, why);
	portspec_to_port(&s, NULL, port);
	return 0;
}

/**
 * nc_port_expand() - a port specification as users write it, as ports
 * @ctx:	context
 * @spec:	[HOSTADDR:][HOSTPORT[-HOSTPORT]:]CELLPORT[-CELLPORT][/tcp|/udp]
 *		(ranges of one length; no host port: one is chosen when it is
 *		published), or host:HOSTPORT[:CELLPORT]
 * @ports:	result (their @cell left empty; @host_port 0: to be chosen)
 * @room:	size of @ports
 * @n:		result, how many
 *
 * Return: 0, or -EINVAL with a usage message showing the accepted form
 */
int nc_port_expand(struct nc_ctx *ctx, const char *spec, struct nc_port *ports,
		   size_t room, size_t *n)
{
	struct portspec s[NC_PORTS_MAX];
	const char *why;
	size_t i;

	if (portspec_expand(spec, s, room < NC_PORTS_MAX ? room : NC_PORTS_MAX, n, &why))
		return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
			       "invalid port \"%s\": %s; the form is " PORTSPEC_FORM,
			       spec, why);
	for (i = 0; i < *n; i++)
		portspec_to_port(&s[i], NULL, &ports[i]);
	return 0;
}

/**
 * nc_port_format() - the canonical specification of a port
 * @port:	port, as nc_port_parse() or nc_port_list() gave it
 * @buf:	output; 80 bytes are always enough
 * @len:	size of @buf
 *
 * Return: length written, or -ENOSPC
 */
int nc_port_format(const struct nc_port *port, char *buf, size_t len)
{
	int n;

	if (port->to_host) {
		n = snprintf(buf, len, "host:%u:%u/tcp", port->host_port, port->cell_port);
		return n < 0 || (size_t)n >= len ? -ENOSPC : n;
	}
	return format_parts(buf, len, port->host_addr, port->host_port,
			    port->cell_port, port->proto);
}
