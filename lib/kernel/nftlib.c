// SPDX-License-Identifier: MIT
/*
 * nftlib.c - libnftables, loaded the first time a ruleset is handled
 *
 * Why it is not linked: see base/dynlib.c.  Every context netcell makes
 * comes from nft_new() (nft.c), which loads the library first; the other
 * calls take a context, so the table is filled by then.
 */
#include "base/dynlib.h"
#include "kernel/nftlib.h"

union nftlib nftl;

static const char *const names[] = {
	"nft_ctx_new", "nft_ctx_free", "nft_run_cmd_from_buffer",
	"nft_ctx_buffer_output", "nft_ctx_buffer_error",
	"nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer",
	"nft_ctx_output_set_flags", "nft_ctx_set_dry_run",
	"nft_run_cmd_from_filename", NULL
};

static struct dynlib lib = {
	.soname = "libnftables.so.1",
	.package = "libnftables1",
	.names = names,
	.syms = nftl.sym,
};

_Static_assert(sizeof(names) / sizeof(names[0]) - 1 ==
	       sizeof(nftl.sym) / sizeof(nftl.sym[0]), "one name per function");

/**
 * nftlib_load() - load libnftables unless done
 *
 * Return: 0, or -ELIBACC (nftlib_error() says why)
 */
int nftlib_load(void)
{
	return dynlib_load(&lib);
}

/**
 * nftlib_error() - why nftlib_load() failed
 *
 * Return: a sentence ending in what to install
 */
const char *nftlib_error(void)
{
	return lib.error;
}
