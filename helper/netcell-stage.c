// SPDX-License-Identifier: MIT
/*
 * netcell-stage - the firewall recorder of "netcell fw stage"
 *
 * While a script is staged, this binary is bound over the real iptables,
 * ip6tables (every xtables multi-call binary) and nft in the script's own
 * mount namespace, so whatever way the script runs them, the command is
 * recorded in order or run after what is pending (lib/fw/stagerec.c).  It is
 * no tool of its own: run outside a stage it says so and fails.
 */
#include "fw/stagerec.h"

int main(int argc, char **argv)
{
	return stage_tool_main(argc, argv);
}
