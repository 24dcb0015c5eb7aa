/* SPDX-License-Identifier: MIT */
/* nftsplit.h - apply an nft ruleset too large for one transaction, atomically */
#ifndef NC_NFTSPLIT_H
#define NC_NFTSPLIT_H

#include <stddef.h>
#include "base/util.h"

struct nft_ctx;

NC_INTERNAL int nftsplit_apply(struct nft_ctx *n, char *text, const char *shown,
			       char *err, size_t len);

NC_INTERNAL int nftsplit_check(const char *text, char *err, size_t len);

#endif /* NC_NFTSPLIT_H */
