/* SPDX-License-Identifier: MIT */
/* netinfo.h - live addresses and routes of the current network namespace */
#ifndef NC_NETINFO_H
#define NC_NETINFO_H

#include <stddef.h>
#include "util.h"

NC_INTERNAL int netinfo_dump(void *arg, char *out, size_t len);

#endif /* NC_NETINFO_H */
