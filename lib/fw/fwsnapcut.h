/* SPDX-License-Identifier: MIT */
/* fwsnapcut.h - a ruleset's views cut to a set of tables */
#ifndef NC_FWSNAPCUT_H
#define NC_FWSNAPCUT_H

#include <stddef.h>
#include <stdio.h>
#include "fw/fwsnap.h"

NC_INTERNAL void fw_ipt_tables(const char *text, char *names, size_t len);
NC_INTERNAL int fw_nft_without(const char *nft, const char *t4, const char *t6, FILE *f);
NC_INTERNAL int fw_snap_cut_ipt(struct fw_snap *s, const struct fw_snap *want);
NC_INTERNAL int fw_snap_only(struct fw_snap *s, const struct fw_snap *want);

#endif /* NC_FWSNAPCUT_H */
