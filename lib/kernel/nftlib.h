/* SPDX-License-Identifier: MIT */
/* nftlib.h - libnftables, loaded the first time a ruleset is handled */
#ifndef NC_NFTLIB_H
#define NC_NFTLIB_H

#include <nftables/libnftables.h>
#include "base/util.h"

/**
 * union nftlib - the functions of libnftables netcell calls, with the
 * library's own prototypes; valid once nftlib_load() returned 0
 */
union nftlib {
	struct {
		__typeof__(nft_ctx_new) *ctx_new;
		__typeof__(nft_ctx_free) *ctx_free;
		__typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
		__typeof__(nft_ctx_buffer_output) *ctx_buffer_output;
		__typeof__(nft_ctx_buffer_error) *ctx_buffer_error;
		__typeof__(nft_ctx_get_output_buffer) *ctx_get_output_buffer;
		__typeof__(nft_ctx_get_error_buffer) *ctx_get_error_buffer;
		__typeof__(nft_ctx_output_set_flags) *ctx_output_set_flags;
		__typeof__(nft_ctx_set_dry_run) *ctx_set_dry_run;
		__typeof__(nft_run_cmd_from_filename) *run_cmd_from_filename;
	};
	void *sym[10];
};

NC_INTERNAL extern union nftlib nftl;
NC_INTERNAL int nftlib_load(void);
NC_INTERNAL const char *nftlib_error(void);

#endif /* NC_NFTLIB_H */
