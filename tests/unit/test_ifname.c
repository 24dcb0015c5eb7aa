// SPDX-License-Identifier: MIT
/* test_ifname.c - names of the veth ends that lead to other cells */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "net/link.h"
#include "unit.h"

#define LONG_NAMES 2000

/**
 * main() - short names kept whole, long ones hashed within IFNAMSIZ and
 * apart from one another
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	static char names[LONG_NAMES][IFNAMSIZ];
	char n[64], out[IFNAMSIZ], again[IFNAMSIZ];
	size_t i, j, same = 0, over = 0;

	link_ifname("web", out);
	CHECK(!strcmp(out, "nc-web"), "short name kept");
	link_ifname("abcdefghijkl", out);
	CHECK(!strcmp(out, "nc-abcdefghijkl"), "12 characters kept");
	link_ifname("abcdefghijklm", out);
	CHECK(strlen(out) == IFNAMSIZ - 1 && !strncmp(out, "nc-abcde", 8), "13 characters hashed");
	link_ifname("abcdefghijklm", again);
	CHECK(!strcmp(out, again), "the same name, the same end");
	/* names alike in their start, as a test run's prefix makes them */
	for (i = 0; i < LONG_NAMES; i++) {
		snprintf(n, sizeof(n), "nct1234567x%zu", i + 100);
		link_ifname(n, names[i]);
		over += strlen(names[i]) >= IFNAMSIZ;
	}
	CHECK(over == 0, "every long name fits IFNAMSIZ");
	for (i = 0; i < LONG_NAMES; i++)
		for (j = i + 1; j < LONG_NAMES; j++)
			same += !strcmp(names[i], names[j]);
	CHECK(same == 0, "2000 long names, 2000 ends");
	return unit_done();
}
