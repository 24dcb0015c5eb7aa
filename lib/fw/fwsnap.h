/* SPDX-License-Identifier: MIT */
/* fwsnap.h - a namespace's ruleset in three comparable views */
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
NC_INTERNAL void fw_ipt_tables(const char *text, char *names, size_t len);
NC_INTERNAL int fw_nft_without(const char *nft, const char *t4, const char *t6, FILE *f);
NC_INTERNAL int fw_ipt_nft_diff(const struct fw_snap *a, const char *aj, const char *bj,
				char *table, size_t tlen, char *la, char *lb, size_t llen);
NC_INTERNAL int fw_snap_cut_ipt(struct fw_snap *s, const struct fw_snap *want);
NC_INTERNAL int fw_snap_only(struct fw_snap *s, const struct fw_snap *want);
NC_INTERNAL int fw_snap_diff(const struct fw_snap *a, const struct fw_snap *b, int nft_only,
			     char *what, size_t wlen, char *la, char *lb, size_t llen,
			     unsigned *line);

#endif /* NC_FWSNAP_H */
