/* SPDX-License-Identifier: MIT */
/* portspec.h - published port specifications: parse, format, compare */
#ifndef NC_PORTSPEC_H
#define NC_PORTSPEC_H

#include <stddef.h>
#include "netcell.h"
#include "base/util.h"

/* longest canonical text: "[" IPv6 "]:65535:65535/udp" */
#define PORTSPEC_TEXT_MAX 72

/**
 * struct portspec - one published port
 * @addr:	host address, network byte order (IPv4 in the first 4 bytes)
 * @family:	AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @hport:	host port, 1-65535
 * @cport:	port on the cell's loopback, 1-65535
 * @to_host:	the other way ("host:HOSTPORT[:CELLPORT]"): the cell's
 *		127.0.0.1:CELLPORT leads to the host's 127.0.0.1:HOSTPORT
 */
struct portspec {
	unsigned char addr[16];
	int family;
	int proto;
	unsigned short hport;
	unsigned short cport;
	unsigned char to_host;
};

NC_INTERNAL int portspec_parse(const char *text, struct portspec *s,
			       const char **why);
NC_INTERNAL int portspec_expand(const char *text, struct portspec *out,
				size_t room, size_t *n, const char **why);
NC_INTERNAL int portspec_format(const struct portspec *s, char *buf,
				size_t len);
NC_INTERNAL void portspec_addr_text(const struct portspec *s, char *buf,
				    size_t len);
NC_INTERNAL int portspec_equal(const struct portspec *a,
			       const struct portspec *b);
NC_INTERNAL int portspec_clash(const struct portspec *a,
			       const struct portspec *b);
NC_INTERNAL void portspec_to_port(const struct portspec *s, const char *cell,
				  struct nc_port *port);
NC_INTERNAL int portspec_wildcard(const struct portspec *s);

#endif /* NC_PORTSPEC_H */
