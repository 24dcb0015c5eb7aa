/* SPDX-License-Identifier: MIT */
/* proctitle.h - the keeper's name in ps */
#ifndef NC_PROCTITLE_H
#define NC_PROCTITLE_H

#include "base/util.h"

NC_INTERNAL int proctitle_set(const char *comm, const char *title);

#endif /* NC_PROCTITLE_H */
