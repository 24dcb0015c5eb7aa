// SPDX-License-Identifier: MIT
/*
 * ctx.c - the context object
 *
 * Theory of operation: library functions return 0 or -errno and, on failure,
 * leave one line in the context saying what failed, on which object and why,
 * plus a kind that is also the CLI's exit code.  Callers on the way up may
 * prefix the line with their own context (ctx_wrap()), as crun's
 * crun_error_wrap() does, so the user reads the whole chain in one message.
 * The firewall's "--host" travels below as the internal cell name ":host";
 * every message is rewritten as it is recorded so that the user reads "the
 * host" and "--host", never the internal name (ctx_host_words()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ctx.h"

/**
 * nc_ctx_new() - allocate a context
 *
 * Return: a context, NULL when out of memory
 */
struct nc_ctx *nc_ctx_new(void)
{
	struct nc_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx)
		ctx->kfd = -1;
	return ctx;
}

/**
 * nc_ctx_set_progress() - be told every second of a long wait
 * @ctx:	context
 * @fn:		function, or NULL for none
 * @arg:	its argument
 */
void nc_ctx_set_progress(struct nc_ctx *ctx, nc_progress_fn fn, void *arg)
{
	ctx->progress = fn;
	ctx->progress_arg = arg;
}

/**
 * nc_ctx_free() - release a context and its keeper connection
 * @ctx:	context, may be NULL
 *
 * Closing the keeper connection ends every ephemeral cell made through it.
 */
void nc_ctx_free(struct nc_ctx *ctx)
{
	int i;

	if (!ctx)
		return;
	if (ctx->kfd >= 0)
		close(ctx->kfd);
	for (i = 0; i < ctx->nnotice; i++)
		free(ctx->notice[i]);
	free(ctx);
}

/**
 * nc_errmsg() - the last error's message
 * @ctx:	context
 *
 * Return: one line, without "netcell: " and without newline
 */
const char *nc_errmsg(const struct nc_ctx *ctx)
{
	return ctx->msg;
}

/**
 * nc_errkind() - the class of the last error
 * @ctx:	context
 *
 * Return: an enum nc_errkind, also the CLI's exit code
 */
enum nc_errkind nc_errkind(const struct nc_ctx *ctx)
{
	return ctx->kind;
}

/**
 * nc_notice_next() - pop the oldest queued notice
 * @ctx:	context
 *
 * After the queued ones, one more says how many found the queue full.
 *
 * Return: a string valid until the next call on @ctx, NULL when none left
 */
const char *nc_notice_next(struct nc_ctx *ctx)
{
	static __thread char last[NC_MSG_MAX];

	if (!ctx->nnotice && ctx->ndropped) {
		snprintf(last, sizeof(last), "%u more notices were lost (at most %d are kept)",
			 ctx->ndropped, NC_NOTICES);
		ctx->ndropped = 0;
		return last;
	}
	if (!ctx->nnotice)
		return NULL;
	snprintf(last, sizeof(last), "%s", ctx->notice[0]);
	free(ctx->notice[0]);
	memmove(ctx->notice, ctx->notice + 1,
		--ctx->nnotice * sizeof(ctx->notice[0]));
	return last;
}

/**
 * ctx_kind_of_errno() - default error kind for an errno value
 * @ret:	negative errno
 *
 * Return: NC_ERR_PERM for permission errors, else NC_ERR_FAILED
 */
enum nc_errkind ctx_kind_of_errno(int ret)
{
	if (ret == -EPERM || ret == -EACCES)
		return NC_ERR_PERM;
	return NC_ERR_FAILED;
}

/**
 * ctx_replace() - replace every @from in @buf by @to, within @size bytes
 * @buf:	NUL-terminated text, rewritten in place
 * @size:	size of @buf; a longer result is truncated
 * @from:	text to find
 * @to:		its replacement
 */
static void ctx_replace(char *buf, size_t size, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to), rest;
	char *p = buf;

	while ((p = strstr(p, from))) {
		rest = strlen(p + lf) + 1;
		if ((size_t)(p - buf) + lt + rest > size)
			rest = size - (size_t)(p - buf) - lt;
		if ((size_t)(p - buf) + lt >= size)
			break;
		memmove(p + lt, p + lf, rest);
		memcpy(p, to, lt);
		buf[size - 1] = '\0';
		p += lt;
	}
}

/**
 * ctx_host_words() - say "the host" where a message names the internal ":host"
 * @buf:	message, rewritten in place
 * @size:	size of @buf
 */
static void ctx_host_words(char *buf, size_t size)
{
	if (!strstr(buf, NC_FW_HOST))
		return;
	ctx_replace(buf, size, "cell \"" NC_FW_HOST "\"", "the host");
	ctx_replace(buf, size, "cell " NC_FW_HOST, "the host");
	ctx_replace(buf, size, " " NC_FW_HOST "'", " --host'");
	ctx_replace(buf, size, "\"" NC_FW_HOST "\"", "the host");
}

/**
 * ctx_err() - record an error
 * @ctx:	context
 * @ret:	negative errno to return
 * @kind:	class of error
 * @fmt:	message format, one line
 *
 * Return: @ret
 */
int ctx_err(struct nc_ctx *ctx, int ret, enum nc_errkind kind,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	ctx_host_words(ctx->msg, sizeof(ctx->msg));
	ctx->kind = kind;
	return ret;
}

/**
 * ctx_wrap() - prefix the recorded error with the caller's context
 * @ctx:	context
 * @ret:	negative errno to return
 * @fmt:	prefix format; ": " and the previous message follow it
 *
 * Return: @ret
 */
int ctx_wrap(struct nc_ctx *ctx, int ret, const char *fmt, ...)
{
	char prefix[NC_MSG_MAX], old[NC_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, ctx->msg, sizeof(old));
	snprintf(ctx->msg, sizeof(ctx->msg), "%s: %s", prefix, old);
	ctx_host_words(ctx->msg, sizeof(ctx->msg));
	return ret;
}

/**
 * ctx_notice() - queue a notice for the caller to show
 * @ctx:	context
 * @fmt:	message format, one line
 */
void ctx_notice(struct nc_ctx *ctx, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	if (ctx->nnotice >= NC_NOTICES) {
		ctx->ndropped++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s && strstr(s, NC_FW_HOST)) {
		/* each ":host" grows by at most 1 byte (" --host'") */
		size_t size = 2 * strlen(s) + 1;
		char *r = realloc(s, size);

		if (r)
			ctx_host_words(s = r, size);
	}
	if (s)
		ctx->notice[ctx->nnotice++] = s;
	else
		ctx->ndropped++;
}
