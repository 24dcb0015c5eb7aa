/* SPDX-License-Identifier: MIT */
/* cidr.h - parsing and stepping through address prefixes */
#ifndef NC_CIDR_H
#define NC_CIDR_H

#include <netinet/in.h>
#include "base/util.h"

/**
 * struct cidr - an address with a prefix length
 * @family:	AF_INET or AF_INET6
 * @addr:	address bytes (4 or 16 used)
 * @plen:	prefix length
 */
struct cidr {
	int family;
	unsigned char addr[16];
	int plen;
};

NC_INTERNAL int cidr_parse(const char *s, struct cidr *c);
NC_INTERNAL int cidr_host(const struct cidr *net, unsigned n, struct cidr *out);
NC_INTERNAL void cidr_format(const struct cidr *c, char *buf, size_t len);
NC_INTERNAL int cidr_overlap(const struct cidr *a, const struct cidr *b);

#endif /* NC_CIDR_H */
