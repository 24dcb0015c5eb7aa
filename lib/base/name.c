// SPDX-License-Identifier: MIT
/*
 * name.c - cell name rules
 *
 * A cell name becomes a file name (/run/netns/NAME, the saved configuration)
 * and appears in messages, so it follows ip-netns' rules (not empty, no '/',
 * not "." or "..", bounded length) and is stricter on what may confuse a
 * terminal or a shell: only ASCII letters, digits, '.', '_' and '-' are
 * accepted, as the message says (a name such as "$(id)", "a;b" or one with
 * byte 0x9b, a C1 control that some terminals obey, once went through),
 * and a leading '-' (which would read as an option to ip(8) and nsenter(1))
 * is refused too.
 */
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include "base/ctx.h"
#include "base/name.h"

/**
 * name_char_ok() - whether a byte may appear in a cell name
 * @c:		the byte
 *
 * Return: true for ASCII letters, digits, '.', '_' and '-'
 */
static bool name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/**
 * name_problem() - say what is wrong with a cell name
 * @name:	candidate name
 *
 * Return: NULL if @name is acceptable, else a static explanation
 */
const char *name_problem(const char *name)
{
	const unsigned char *p;

	if (!name || !*name)
		return "the name is empty";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "\".\" and \"..\" are not names";
	if (strlen(name) > NC_NAME_MAX)
		return "the name is longer than 64 characters";
	if (name[0] == '-')
		return "a name may not start with '-'";
	if (name[0] == ':')
		return "a name may not start with ':' (reserved for \":host\")";
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '/')
			return "a name may not contain '/'";
		if (*p < 0x20 || *p == 0x7f)
			return "a name may not contain control characters";
		if (*p == ' ')
			return "a name may not contain spaces";
		if (!name_char_ok(*p))
			return "a name may only contain ASCII letters, digits, '.', '_' and '-'";
	}
	return NULL;
}

/**
 * nc_name_check() - validate a cell name, with a message for the user
 * @ctx:	context
 * @name:	candidate name
 *
 * Return: 0 if valid, -EINVAL with a NC_ERR_USAGE message otherwise
 */
int nc_name_check(struct nc_ctx *ctx, const char *name)
{
	const char *why = name_problem(name);
	char shown[NC_NAME_MAX + 8];
	size_t i, j = 0;

	if (!why)
		return 0;
	/* show the name without its control characters, truncated */
	for (i = 0; name && name[i] && j < sizeof(shown) - 4; i++)
		shown[j++] = (unsigned char)name[i] < 0x20 ||
			    (unsigned char)name[i] >= 0x7f ? '?' : name[i];
	if (name && name[i])
		shown[j++] = '.', shown[j++] = '.', shown[j++] = '.';
	shown[j] = '\0';
	return ctx_err(ctx, -EINVAL, NC_ERR_USAGE,
		       "invalid cell name \"%s\": %s; use letters, digits, '.', '_' or '-', up to 64 characters",
		       shown, why);
}

/**
 * nc_unique_name() - make a name for an unnamed cell of "netcell run"
 * @buf:	output buffer
 * @len:	its size
 *
 * Return: 0, or -ENOSPC if @buf is too small
 */
int nc_unique_name(char *buf, size_t len)
{
	static unsigned seq;
	int n = snprintf(buf, len, "run-%d-%u", (int)getpid(), seq++);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
