/* SPDX-License-Identifier: MIT */
/* fwformat.h - what a user's ruleset file is: read, syntax, family */
#ifndef NC_FWFORMAT_H
#define NC_FWFORMAT_H

#include <stddef.h>
#include "base/ctx.h"

#define FW_MAX_FILE (16 << 20)
/* start the IPv4 and IPv6 iptables-restore sections of one file */
#define FW_IP4_MARK "# netcell: iptables-restore\n"
#define FW_IP6_MARK "# netcell: ip6tables-restore\n"

NC_INTERNAL int fw_read_ruleset(struct nc_ctx *ctx, const char *file,
				char **text, size_t *len);
NC_INTERNAL char *fw_find_mark(char *text, const char *mark);
NC_INTERNAL enum nc_fw_format fw_detect_format(const char *text);
NC_INTERNAL int fw_ipt_family(const char *text, const char *name);

#endif /* NC_FWFORMAT_H */
