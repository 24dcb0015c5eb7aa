// SPDX-License-Identifier: MIT
/*
 * labwalk.c - reading a lab file's YAML nodes, with errors that point into
 * the file
 *
 * Theory of operation: labfile.c and labcell.c walk one libyaml document;
 * these helpers give them a node's text and type, and make the walk's one
 * error, "FILE:LINE:COL: message", from the node's start mark, so every
 * problem names the place in the file the user must change.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lab/labwalk.h"
#include "lab/labyaml.h"

/**
 * lab_bad() - the one error of a lab file: "FILE:LINE:COL: message"
 * @w:		walk
 * @n:		node it is about
 * @fmt:	message
 *
 * Return: -EINVAL
 */
int lab_bad(struct walk *w, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[NC_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ctx_err(w->ctx, -EINVAL, NC_ERR_USAGE, "%s:%lu:%lu: %s", w->lab->file,
		       (unsigned long)n->start_mark.line + 1, (unsigned long)n->start_mark.column + 1,
		       msg);
}

/**
 * lab_node() - a node of the document by index
 * @w:		walk
 * @i:		index
 *
 * Return: the node (libyaml's indexes are always valid in a loaded document)
 */
yaml_node_t *lab_node(struct walk *w, int i)
{
	return yl.document_get_node(w->doc, i);
}

/**
 * lab_scalar() - a node's text, or NULL when it is not a scalar
 * @n:		node
 *
 * Return: text or NULL
 */
const char *lab_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/**
 * lab_want() - check a node's type
 * @w:		walk
 * @n:		node
 * @type:	expected type
 * @what:	what it is, for the message
 *
 * Return: 0 or -EINVAL with a message
 */
int lab_want(struct walk *w, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	static const char *const names[] = { "nothing", "a string", "a list", "a mapping" };

	if (n->type == type)
		return 0;
	/* an empty value ("e1:") is a null scalar: as an empty list or mapping */
	return lab_bad(w, n, "%s: expected %s", what, names[type]);
}

/**
 * lab_empty() - whether a node is YAML's null ("", "~", "null")
 * @n:		node
 *
 * Return: 1 if null
 */
int lab_empty(const yaml_node_t *n)
{
	const char *s = lab_scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

/**
 * lab_short_text() - a scalar that fits @len, without control characters
 * @w:		walk
 * @n:		node
 * @what:	for the message
 * @len:	room, with the NUL
 *
 * Return: the text, or NULL with a message
 */
const char *lab_short_text(struct walk *w, const yaml_node_t *n, const char *what, size_t len)
{
	const char *s = lab_scalar(n), *p;

	if (!s) {
		lab_bad(w, n, "%s: expected a string", what);
		return NULL;
	}
	if (!*s || strlen(s) >= len) {
		lab_bad(w, n, "%s \"%.40s\": %s", what, s, *s ? "too long" : "empty");
		return NULL;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ') {
			lab_bad(w, n, "%s: control characters are not allowed", what);
			return NULL;
		}
	return s;
}
