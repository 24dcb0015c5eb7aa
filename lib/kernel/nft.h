/* SPDX-License-Identifier: MIT */
/* nft.h - libnftables in the current network namespace */
#ifndef NC_NFT_H
#define NC_NFT_H

#include <stddef.h>
#include <stdint.h>
#include "base/util.h"

struct nft_ctx;

/* nft.c: contexts, commands, listings */
NC_INTERNAL struct nft_ctx *nft_new(void);
/* nftfile.c: a ruleset file as one transaction (or nftsplit's steps) */
NC_INTERNAL int nft_apply_file(const char *path, const char *shown,
			       const char *prefix, char *err, size_t len);
NC_INTERNAL int nft_run_text(const char *cmds, char *err, size_t len);
NC_INTERNAL int nft_list_ruleset(char **text);
NC_INTERNAL int nft_list_cmd(const char *cmd, char **text);

NC_INTERNAL int nft_genid(unsigned *id);
NC_INTERNAL int nft_list_tables(char **text);
NC_INTERNAL int nft_init_root(void);
NC_INTERNAL unsigned long nft_wmem_max(void);
NC_INTERNAL int nft_list_table_handles(const char *family, const char *table,
				       char **text);

#endif /* NC_NFT_H */
