/* SPDX-License-Identifier: MIT */
/* fwsnap.h - a namespace's ruleset taken as three comparable views */
#ifndef NC_FWSNAP_H
#define NC_FWSNAP_H

#include <stddef.h>
#include <stdio.h>
#include "base/util.h"

/**
 * struct fw_snap - three views of a ruleset
 * @nft:	nft list ruleset, counters zeroed
 * @v4:		iptables-save, without comment lines and counters zeroed
 * @v6:		ip6tables-save, likewise
 */
struct fw_snap {
	char *nft;
	char *v4;
	char *v6;
};

NC_INTERNAL void fw_snap_free(struct fw_snap *s);
NC_INTERNAL int fw_snap_take(const char *tmp, int sets, struct fw_snap *s, char *err, size_t len);

#endif /* NC_FWSNAP_H */
