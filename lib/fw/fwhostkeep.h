/* SPDX-License-Identifier: MIT */
/* fwhostkeep.h - the host's other tables kept across an unconfirmed apply */
#ifndef NC_FWHOSTKEEP_H
#define NC_FWHOSTKEEP_H

#include <stddef.h>
#include "base/ctx.h"

NC_INTERNAL int fw_host_snapshot_in_ns(void *arg, char *out, size_t len);
NC_INTERNAL int fw_host_putback_in_ns(void *arg, char *out, size_t len);

#endif
