/* SPDX-License-Identifier: MIT */
/* nldump.h - the current namespace's addresses and routes as text lines */
#ifndef NC_NLDUMP_H
#define NC_NLDUMP_H

#include <stddef.h>
#include "base/util.h"

NC_INTERNAL int nldump_text(void *arg, char *out, size_t len);

#endif /* NC_NLDUMP_H */
