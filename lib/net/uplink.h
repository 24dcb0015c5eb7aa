/* SPDX-License-Identifier: MIT */
/* uplink.h - outbound connectivity of a cell through pasta or slirp4netns */
#ifndef NC_UPLINK_H
#define NC_UPLINK_H

#include "net/uplinkconf.h"

NC_INTERNAL int uplink_spawn(const char *state, const char *cell, int netfd,
			     const struct uplink *u, char *err, size_t len);
NC_INTERNAL void uplink_stop(const char *state, const char *cell, int forget);

#endif /* NC_UPLINK_H */
