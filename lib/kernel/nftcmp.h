/* SPDX-License-Identifier: MIT */
/* nftcmp.h - an nft listing compared with the text that was loaded */
#ifndef NC_NFTCMP_H
#define NC_NFTCMP_H

#include <stddef.h>
#include "base/util.h"

NC_INTERNAL int nft_listing_has(const char *found, const char *line);
NC_INTERNAL int nft_listing_diff(const char *found, const char *meant, char *why, size_t len);

#endif /* NC_NFTCMP_H */
