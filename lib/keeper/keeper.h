/* SPDX-License-Identifier: MIT */
/* keeper.h - the per-user process that holds cells alive */
#ifndef NC_KEEPER_H
#define NC_KEEPER_H

#include "base/paths.h"

NC_INTERNAL int keeper_run(const struct nc_paths *p, int ready);

#endif /* NC_KEEPER_H */
