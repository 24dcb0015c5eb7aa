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
NC_INTERNAL void nft_free(struct nft_ctx *n);
NC_INTERNAL void nft_keep_low_fds(void);

/* netcell's own table in a cell (published ports, net/kdnat.c): a whole-ruleset
 * load keeps it, a user ruleset may not define it */
#define NFT_RESERVED "inet netcell"
/* the host's tables of the kernel-carried ports: "ip netcell_ports_CELL" */
#define NFT_HOST_OWN "netcell_ports_"

NC_INTERNAL char *nft_keep_reserved(void);
NC_INTERNAL char *nft_keep_host_own(void);
NC_INTERNAL int nft_line_defines_host_own(const char *line, char *name, size_t len);
NC_INTERNAL void nft_reserved_error(const char *shown, const char *path,
				    char *err, size_t len);
NC_INTERNAL void nft_strip_reserved(char *text);
NC_INTERNAL int nft_line_defines_reserved(const char *line);
NC_INTERNAL int nft_file_defines_reserved(const char *path);

/* nftfile.c: a ruleset file as one transaction (or nftsplit's steps) */
NC_INTERNAL int nft_apply_host_file(const char *path, const char *shown, const char *prefix,
				char *err, size_t len);
NC_INTERNAL int nft_apply_file(const char *path, const char *shown,
			       const char *prefix, char *err, size_t len);
NC_INTERNAL int nft_run_text(const char *cmds, char *err, size_t len);

/* nftinc.c: include statements found, expanded, frozen for an apply */
NC_INTERNAL int nft_file_includes(const char *path);
NC_INTERNAL int nft_include_line(const char *line, char *name, size_t len);
NC_INTERNAL int nft_expand_file(const char *path, char **text);
NC_INTERNAL void nft_include_root(const char *path, char *root, size_t len);
NC_INTERNAL int nft_snapshot_includes(const char *path);
NC_INTERNAL void nft_drop_snapshot(const char *path);
NC_INTERNAL void nft_unroot(char *text, const char *path);
NC_INTERNAL int nft_list_ruleset(char **text);
NC_INTERNAL int nft_list_cmd(const char *cmd, char **text);
NC_INTERNAL int nft_list_json(char **text);
NC_INTERNAL int nft_list_stateless(const char *cmd, char **text);

NC_INTERNAL int nft_genid(unsigned *id);
NC_INTERNAL int nft_list_tables(char **text);
NC_INTERNAL int nft_init_root(void);
NC_INTERNAL unsigned long nft_wmem_max(void);
NC_INTERNAL int nft_list_table_handles(const char *family, const char *table,
				       char **text);

#endif /* NC_NFT_H */
