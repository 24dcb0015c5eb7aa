/* SPDX-License-Identifier: MIT */
/* cellns.h - a cell's namespaces by name, for work done inside them */
#ifndef NC_CELLNS_H
#define NC_CELLNS_H

#include "kernel/incell.h"

/**
 * struct cellns - a cell's namespaces, held while the caller works there
 * @ns:		what incell_call() takes
 * @scratch:	1 for a throwaway namespace (no cell)
 */
struct cellns {
	struct incell_ns ns;
	int scratch;
};

NC_INTERNAL int cellns_open(struct nc_ctx *ctx, const char *cell, struct cellns *c);
NC_INTERNAL const struct incell_ns *cellns_at(const struct cellns *c);
NC_INTERNAL void cellns_close(struct cellns *c);
NC_INTERNAL int incell_call_cell(struct nc_ctx *ctx, const char *cell,
				 incell_fn fn, void *arg, char **out);
NC_INTERNAL int incell_call_text_cell(struct nc_ctx *ctx, const char *cell,
				      incell_text_fn fn, void *arg, char **out);

#endif /* NC_CELLNS_H */
