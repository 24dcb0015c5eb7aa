// SPDX-License-Identifier: MIT
/*
 * nftcmp.c - an nft listing compared with the text that was loaded, line
 * for line (blanks at the ends and counter values aside): what is
 * missing, what is there that was not written, or another order.  For
 * small tables netcell writes itself in the form nft lists them (the
 * kernel-carried ports' tables, net/kdnat.c).
 */
#include <stdio.h>
#include <string.h>
#include "kernel/nftcmp.h"
/**
 * norm_line() - one line of a listing as compared: blanks at either end
 * dropped, "counter packets N bytes M" shortened to "counter"
 * @line:	the line, without its newline
 * @n:		its length
 * @out:	result
 * @len:	size of @out
 */
static void norm_line(const char *line, size_t n, char *out, size_t len)
{
	char *c;

	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	snprintf(out, len, "%.*s", (int)n, line);
	c = strstr(out, "counter packets ");
	if (c) {
		char *e = strstr(c, " bytes ");

		e = e ? strchr(e + 7, ' ') : NULL;
		memmove(c + 7, e ? e : c + strlen(c), strlen(e ? e : c + strlen(c)) + 1);
	}
}

/**
 * next_line() - the next non-empty line of a listing, normalized
 * @p:		where to read; advanced
 * @out:	result
 * @len:	size of @out
 *
 * Return: 1 when a line was found, 0 at the end
 */
static int next_line(const char **p, char *out, size_t len)
{
	const char *e;

	while (**p) {
		e = strchr(*p, '\n');
		if (!e)
			e = *p + strlen(*p);
		norm_line(*p, (size_t)(e - *p), out, len);
		*p = *e ? e + 1 : e;
		if (out[0])
			return 1;
	}
	return 0;
}

/**
 * nft_listing_has() - does a listing hold a line (normalized as compared)
 * @found:	what nft lists
 * @line:	the line, normalized
 *
 * Return: 1 if so
 */
int nft_listing_has(const char *found, const char *line)
{
	char a[512];

	while (next_line(&found, a, sizeof(a)))
		if (!strcmp(a, line))
			return 1;
	return 0;
}

/**
 * nft_listing_diff() - compare an nft listing with the text that was loaded
 * @found:	what nft lists
 * @meant:	what netcell wrote
 * @why:	the first difference, when there is one
 * @len:	size of @why
 *
 * Return: 0 when they are the same line for line, 1 when not
 */
int nft_listing_diff(const char *found, const char *meant, char *why, size_t len)
{
	const char *f = found, *m = meant;
	char a[512], b[512];
	int fa, fb;

	while (next_line(&m, b, sizeof(b)))
		if (!nft_listing_has(found, b)) {
			snprintf(why, len, "\"%s\" is missing", b);
			return 1;
		}
	while (next_line(&f, a, sizeof(a)))
		if (!nft_listing_has(meant, a)) {
			snprintf(why, len, "it holds \"%s\", which netcell did not write", a);
			return 1;
		}
	for (f = found, m = meant;;) {
		fa = next_line(&f, a, sizeof(a));
		fb = next_line(&m, b, sizeof(b));
		if (!fa && !fb)
			return 0;
		if (fa != fb || strcmp(a, b)) {
			snprintf(why, len, "its lines are not in the order netcell wrote");
			return 1;
		}
	}
}
