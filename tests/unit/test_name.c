// SPDX-License-Identifier: MIT
/* test_name.c - cell name rules */
#include <string.h>
#include "base/ctx.h"
#include "base/name.h"
#include "unit.h"

/**
 * main() - check accepted and refused names
 *
 * Return: 0 if all checks pass
 */
int main(void)
{
	static const char *good[] = { "web", "a", "web-1", "db_2.test", "UPPER",
		"x0123456789012345678901234567890123456789012345678901234567890123" + 1 };
	static const char *bad[] = { "", ".", "..", "a/b", "/", "a\tb", "a\nb",
		"-x", "a b", "\x7f", "$(id)", "a;b", "a\x9b" "b", "caf\xc3\xa9",
		"a*", "a'b", "a:b",
		"x0123456789012345678901234567890123456789012345678901234567890123" };
	struct nc_ctx *ctx = nc_ctx_new();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		CHECK(name_problem(good[i]) == NULL, good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(name_problem(bad[i]) != NULL, "bad name refused");
	CHECK(name_problem(NULL) != NULL, "NULL refused");
	CHECK(nc_name_check(ctx, "a/b") == -EINVAL, "-EINVAL");
	CHECK(nc_errkind(ctx) == NC_ERR_USAGE, "usage kind");
	CHECK(strstr(nc_errmsg(ctx), "\"a/b\"") != NULL, "message names the name");
	CHECK(nc_name_check(ctx, "a\001") == -EINVAL, "control char");
	CHECK(strchr(nc_errmsg(ctx), '\001') == NULL, "no control char echoed");
	CHECK(nc_name_check(ctx, "a\x9b" "b") == -EINVAL, "C1 byte");
	CHECK(strchr(nc_errmsg(ctx), '\x9b') == NULL, "no C1 byte echoed");
	nc_ctx_free(ctx);
	return unit_done();
}
