// SPDX-License-Identifier: MIT
/* test_nftcmp.c - an nft listing compared with the text loaded */
#include <string.h>
#include "kernel/nftcmp.h"
#include "unit.h"

/**
 * main() - same, missing, extra, reordered, counters and blanks aside
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	const char *meant = "table ip t {\n\tchain c {\n\t\ttcp dport 80 dnat to 10.216.0.1:80\n"
			    "\t\tcounter accept\n\t}\n}\n";
	const char *same = "table ip t {\n  chain c {\n    tcp dport 80 dnat to 10.216.0.1:80  \n"
			   "\t\tcounter packets 12 bytes 3456 accept\n\n\t}\n}";
	const char *missing = "table ip t {\n\tchain c {\n\t\tcounter accept\n\t}\n}\n";
	const char *extra = "table ip t {\n\tchain c {\n\t\ttcp dport 80 dnat to 10.216.0.1:80\n"
			    "\t\ttcp dport 22 drop\n\t\tcounter accept\n\t}\n}\n";
	const char *order = "table ip t {\n\tchain c {\n\t\tcounter accept\n"
			    "\t\ttcp dport 80 dnat to 10.216.0.1:80\n\t}\n}\n";
	char why[256] = "";

	CHECK(nft_listing_diff(same, meant, why, sizeof(why)) == 0, why);
	CHECK(nft_listing_diff(missing, meant, why, sizeof(why)) == 1 &&
	      strstr(why, "\"tcp dport 80 dnat to 10.216.0.1:80\" is missing"), why);
	CHECK(nft_listing_diff(extra, meant, why, sizeof(why)) == 1 &&
	      strstr(why, "holds \"tcp dport 22 drop\""), why);
	CHECK(nft_listing_diff(order, meant, why, sizeof(why)) == 1 && strstr(why, "order"), why);
	CHECK(nft_listing_diff("", "", why, sizeof(why)) == 0, "both empty");
	CHECK(nft_listing_has(same, "counter accept"), "has, counters aside");
	CHECK(!nft_listing_has(same, "counter"), "a part of a line is not the line");
	return unit_done();
}
