/* SPDX-License-Identifier: MIT */
/* fwsnapdiff.h - two rulesets' views compared: where they first differ */
#ifndef NC_FWSNAPDIFF_H
#define NC_FWSNAPDIFF_H

#include <stddef.h>
#include "fw/fwsnap.h"

NC_INTERNAL int fw_snap_diff(const struct fw_snap *a, const struct fw_snap *b, int nft_only,
			     char *what, size_t wlen, char *la, char *lb, size_t llen,
			     unsigned *line);
NC_INTERNAL int fw_ipt_nft_diff(const struct fw_snap *a, const char *aj, const char *bj,
				char *table, size_t tlen, char *la, char *lb, size_t llen);

#endif /* NC_FWSNAPDIFF_H */
