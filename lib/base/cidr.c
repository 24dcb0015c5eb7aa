// SPDX-License-Identifier: MIT
/*
 * cidr.c - parsing and stepping through address prefixes
 *
 * User input ("10.0.0.0/24", "fd00::/64", "192.0.2.1") is parsed strictly:
 * inet_pton() for the address, a decimal prefix length within the family's
 * range, nothing else on the line.  A bare address is a host prefix.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "base/cidr.h"

/**
 * cidr_parse() - parse "ADDR[/LEN]"
 * @s:		text
 * @c:		result
 *
 * Return: 0, or -EINVAL
 */
int cidr_parse(const char *s, struct cidr *c)
{
	char a[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(s, '/');
	size_t l = slash ? (size_t)(slash - s) : strlen(s);
	long plen;

	memset(c, 0, sizeof(*c));
	if (!l || l >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, l);
	a[l] = '\0';
	if (inet_pton(AF_INET, a, c->addr) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, a, c->addr) == 1)
		c->family = AF_INET6;
	else
		return -EINVAL;
	c->plen = c->family == AF_INET ? 32 : 128;
	if (!slash)
		return 0;
	if (!slash[1] || slash[1] == '-' || slash[1] == '+')
		return -EINVAL;
	plen = strtol(slash + 1, &end, 10);
	if (*end || plen < 0 || plen > c->plen)
		return -EINVAL;
	c->plen = (int)plen;
	return 0;
}

/**
 * cidr_host() - the @n-th address of a network, with the network's length
 * @net:	network (its host bits are ignored)
 * @n:		host number, from 1
 * @out:	result
 *
 * Return: 0, or -ERANGE when the network has no such host
 */
int cidr_host(const struct cidr *net, unsigned n, struct cidr *out)
{
	int bytes = net->family == AF_INET ? 4 : 16, hostbits = bytes * 8 - net->plen, i;

	if (hostbits < 32 && (n >= (1u << hostbits) - (net->family == AF_INET && hostbits > 1)))
		return -ERANGE;
	*out = *net;
	for (i = 0; i < bytes * 8; i++)
		if (i >= net->plen)
			out->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	for (i = bytes - 1; i >= 0 && n; i--, n >>= 8) {
		unsigned v = out->addr[i] + (n & 0xff);

		out->addr[i] = (unsigned char)v;
		if (v > 0xff && i > 0)
			out->addr[i - 1]++;
	}
	return 0;
}

/**
 * cidr_format() - "ADDR/LEN"
 * @c:		prefix
 * @buf:	output
 * @len:	size of @buf
 */
void cidr_format(const struct cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, c->plen);
}

/**
 * cidr_overlap() - do two prefixes share an address
 * @a:		prefix
 * @b:		prefix
 *
 * Return: 1 if they overlap
 */
int cidr_overlap(const struct cidr *a, const struct cidr *b)
{
	int plen = a->plen < b->plen ? a->plen : b->plen, i;

	if (a->family != b->family)
		return 0;
	for (i = 0; i < plen; i++)
		if ((a->addr[i / 8] ^ b->addr[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}
