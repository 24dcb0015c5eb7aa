/* SPDX-License-Identifier: MIT */
/* labwalk.h - the walk over a lab file's YAML nodes (labfile.c, labcell.c) */
#ifndef NC_LABWALK_H
#define NC_LABWALK_H

#include <stddef.h>
#include <yaml.h>
#include "lab/lab.h"

/**
 * struct walk - the parse in progress
 * @ctx:	context (the first error goes there)
 * @doc:	the document
 * @lab:	the lab being filled
 * @dir:	the lab file's directory (firewall paths are relative to it)
 * @rootless:	1 when the caller is not root
 * @name_only:	read the lab's name, nothing else ("down")
 */
struct walk {
	struct nc_ctx *ctx;
	yaml_document_t *doc;
	struct nc_lab *lab;
	const char *dir;
	int rootless;
	int name_only;
};

NC_INTERNAL int __attribute__((format(printf, 3, 4)))
lab_bad(struct walk *w, const yaml_node_t *n, const char *fmt, ...);
NC_INTERNAL yaml_node_t *lab_node(struct walk *w, int i);
NC_INTERNAL const char *lab_scalar(const yaml_node_t *n);
NC_INTERNAL int lab_want(struct walk *w, const yaml_node_t *n, yaml_node_type_t type,
			 const char *what);
NC_INTERNAL int lab_empty(const yaml_node_t *n);
NC_INTERNAL const char *lab_short_text(struct walk *w, const yaml_node_t *n, const char *what,
				       size_t len);

/* labcell.c */
NC_INTERNAL struct lab_if *lab_find_if(struct lab_cell *c, const char *name);
NC_INTERNAL struct lab_if *lab_new_if(struct walk *w, struct lab_cell *c, const yaml_node_t *n,
				   const char *name);
NC_INTERNAL int lab_parse_cell(struct walk *w, struct lab_cell *c, yaml_node_t *n);
NC_INTERNAL int lab_find_key(const char *const *keys, unsigned n, const char *key);

#endif /* NC_LABWALK_H */
