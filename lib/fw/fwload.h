/* SPDX-License-Identifier: MIT */
/* fwload.h - loading a ruleset into a namespace: the job, the in-namespace
 * functions, iptables-restore with undo, the host's table prefix */
#ifndef NC_FWLOAD_H
#define NC_FWLOAD_H

#include <limits.h>
#include <stddef.h>
#include "base/ctx.h"
#include "fw/fwformat.h"
#include "fw/fwverify.h"
#include "kernel/incell.h"

/* the drop-all table of a cell whose saved firewall did not load again */
#define FW_LOCKDOWN_TABLE "netcell_lockdown"

/**
 * struct fw_job - what to load inside a cell
 * @format:	NC_FW_NFT or NC_FW_IPTABLES
 * @file:	stored files: [0] nft or IPv4, [1] IPv6 ("" when absent)
 * @shown:	names shown in errors, the user's paths
 * @host:	1 when applied to the host (NC_FW_HOST): only the tables the
 *		files define are replaced, other tools' tables stay
 * @prefix:	host only: "add table; delete table" lines that empty the
 *		tables being replaced, in the same transaction (iptables:
 *		those of the generation in force that it does not name,
 *		right after its iptables-restore)
 * @nft:	NC_FW_MIXED: the nft part (its "flush ruleset" lines blanked)
 * @nft_shown:	its name in errors
 * @undo_base:	path the iptables snapshots are named after (.undo4, .undo6)
 * @fresh:	loaded into a new, empty namespace: no snapshot to undo with
 * @expect:	base path of the generation's expected views (fwverify.c),
 *		"" for none
 * @expect_mode: what a successful load does with them
 * @displaced:	host, unconfirmed: where its tables are kept before the
 *		load for a revert (fw_host_snapshot_in_ns()), "" for nowhere
 */
struct fw_job {
	enum nc_fw_format format;
	char file[2][PATH_MAX];
	char shown[2][PATH_MAX];
	char nft[PATH_MAX];
	char nft_shown[PATH_MAX];
	char undo_base[PATH_MAX];
	int fresh;
	int host;
	char expect[PATH_MAX];
	enum fw_expect expect_mode;
	char prefix[16384];
	char displaced[PATH_MAX];
};

NC_INTERNAL int fw_job_in_ns(void *arg, char *out, size_t len);
NC_INTERNAL int fw_list_in_ns(void *arg, char **text);
NC_INTERNAL int fw_lockdown_in_ns(void *arg, char *out, size_t len);
NC_INTERNAL int fw_run_job(struct nc_ctx *ctx, const struct incell_ns *ns,
			   struct fw_job *job);
NC_INTERNAL int fw_is_host(const char *cell);
NC_INTERNAL size_t fw_job_bytes(const struct fw_job *job);
NC_INTERNAL int fw_host_prefix(struct fw_job *job, const struct fw_job *cur);
NC_INTERNAL int fw_prefix_in_ns(void *arg, char *out, size_t len);
NC_INTERNAL int fw_has_lines(const char *buf, const char *entry, size_t n);


#endif /* NC_FWLOAD_H */
