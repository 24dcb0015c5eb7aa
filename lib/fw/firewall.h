/* SPDX-License-Identifier: MIT */
/* firewall.h - a cell's firewall: generations, apply, confirm-or-revert */
#ifndef NC_FIREWALL_H
#define NC_FIREWALL_H

#include "base/ctx.h"

/* start the IPv4 and IPv6 iptables-restore sections of one file */
#define FW_IP4_MARK "# netcell: iptables-restore\n"
#define FW_IP6_MARK "# netcell: ip6tables-restore\n"

NC_INTERNAL enum nc_fw_format fw_detect_format(const char *text);
NC_INTERNAL int fw_ipt_family(const char *text, const char *name);
NC_INTERNAL int fw_revert_if_pending(const char *cell, const char *dir,
				     unsigned gen);
NC_INTERNAL void fw_current(const char *state, const char *cell,
			    unsigned *gen, int *pending, int *locked);
NC_INTERNAL void fw_forget(const char *state, const char *cell);
NC_INTERNAL void fw_settle(struct nc_ctx *ctx, const char *state, const char *cell);
NC_INTERNAL int fw_restore_fd(struct nc_ctx *ctx, const char *state,
			  const char *run, const char *cell, int netfd,
			  int *locked, unsigned *reverted);

#endif /* NC_FIREWALL_H */
