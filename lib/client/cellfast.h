/* SPDX-License-Identifier: MIT */
/* cellfast.h - a rootless cell's namespaces opened without asking the keeper */
#ifndef NC_CELLFAST_H
#define NC_CELLFAST_H

#include <stddef.h>
#include "base/paths.h"

NC_INTERNAL int cellfast_open(const struct nc_paths *p, const char *name, char *rec,
			      size_t len, int fds[2]);

#endif /* NC_CELLFAST_H */
