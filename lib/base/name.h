/* SPDX-License-Identifier: MIT */
/* name.h - cell name rules */
#ifndef NC_NAME_H
#define NC_NAME_H

#include "base/util.h"

NC_INTERNAL const char *name_problem(const char *name);

#endif /* NC_NAME_H */
