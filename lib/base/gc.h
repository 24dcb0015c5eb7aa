/* SPDX-License-Identifier: MIT */
/* gc.h - 'netcell gc': netcell's own leftovers, and nothing else */
#ifndef NC_GC_H
#define NC_GC_H

#include "base/ctx.h"

NC_INTERNAL void gc_state(const char *const *dirs, unsigned *removed);
NC_INTERNAL void gc_stage_dirs(unsigned *removed);

#endif /* NC_GC_H */
