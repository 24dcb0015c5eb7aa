#!/usr/bin/env bash
# bench/firewall.sh - apply 1,000, 10,000 and 50,000 single rules: netcell
# fw apply (root and rootless) beside nft -f and iptables-restore as root.  Every
# side replaces the whole ruleset of an existing namespace (the peers' files
# start with "flush ruleset", as netcell does), so the same work is timed.
# Targets: netcell root at most 1.2x root nft -f; rootless 50,000 rules at
# most 1.5x (rootless, a transaction is bounded by net.core.wmem_max, so a
# large ruleset goes in as dormant tables built in steps: see
# docs/architecture.md).  The 50,000-rule rows replace a live table of the
# same name, as re-applying a ruleset does (R50 runs, default 3).
# Every netcell apply is a new ruleset (one per run): each is loaded, and
# compared with a second load in a throwaway namespace.
# Run as root; rootless figures come from NETCELL_TEST_USER (netcell-test).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
NC=${NC:-$PWD/build/netcell}
[ -x "$NC" ] || make -s -j2
U=${NETCELL_TEST_USER:-netcell-test}
id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
W=$(mktemp -d /tmp/ncbfw.XXXXXX); chmod 755 "$W"
mkdir -p "$W/u-run" "$W/u-state"; chown "$U" "$W/u-run" "$W/u-state"; chmod 700 "$W/u-run" "$W/u-state"
ip netns add ncbfw-peer
trap 'ip netns del ncbfw-peer; rm -rf "$W"' EXIT
R=${R:-5}
for n in ${SIZES:-1000 10000 50000}; do
	# rulesets of the same size that differ in every rule, one per run:
	# netcell applies them in turn, so each apply is a new ruleset (one
	# applied again within 16 generations is checked against the views
	# kept from before, which is cheaper)
	for v in $(seq 0 $(( (R > ${R50:-3} ? R : ${R50:-3}) + 1 ))); do
		python3 -c "
print('flush ruleset\ntable inet t {\n chain input {\n  type filter hook input priority 0; policy accept;')
for i in range($n): print('  tcp dport %d ip saddr 10.%d.%d.%d accept' % (1000 + (i + $v) % 60000, (i>>16)&255, (i>>8)&255, i&255))
print(' }\n}')" >"$W/r$n.$v.nft"
	done
	cp "$W/r$n.0.nft" "$W/r$n.nft"
	{ echo '*filter'; echo ':INPUT ACCEPT [0:0]'; echo ':FORWARD ACCEPT [0:0]'; echo ':OUTPUT ACCEPT [0:0]'
	  python3 -c "
for i in range($n): print('-A INPUT -s 10.%d.%d.%d/32 -p tcp -m tcp --dport %d -j ACCEPT' % ((i>>16)&255, (i>>8)&255, i&255, 1000 + i % 60000))"
	  echo COMMIT; } >"$W/r$n.ipt"
done
chmod 644 "$W"/*

nft_root() { ip netns exec ncbfw-peer nft -f "$1"; }
# by_turns FILE: netcell fw apply bfw FILE.1.nft, then FILE.2.nft, ...
turn=0
by_turns() { turn=$((turn + 1)); "$NC" fw apply bfw "${1%.nft}.$turn.nft"; }
ipt_root() { ip netns exec ncbfw-peer sh -c "iptables-nft-restore < '$1'"; }
echo "== replace the ruleset of a namespace with N rules, mean of $R runs (ms); net.core.wmem_max=$(sysctl -n net.core.wmem_max) =="
for n in ${SIZES:-1000 10000 50000}; do
	[ "$n" = 50000 ] && R=${R50:-3}
	export NETCELL_RUNTIME_DIR=$W/root-run NETCELL_STATE_DIR=$W/root-state
	$NC create bfw >/dev/null
	a=$(timeit "$R" by_turns "$W/r$n.nft")
	$NC delete bfw
	b=$(timeit "$R" nft_root "$W/r$n.nft")
	c=$(timeit "$R" ipt_root "$W/r$n.ipt")
	row "$n rules, netcell root" "$a" "$b" "root nft -f" "1.2"
	printf '%-34s %8s ms\n' "  (root iptables-restore)" "$c"
	# rootless: the first apply to a cell, then replacing the live ruleset
	# (a table of the same name: see the large-ruleset path)
	read -r f u < <(setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp \
		NETCELL_RUNTIME_DIR="$W/u-run" NETCELL_STATE_DIR="$W/u-state" bash -c "
		. bench/lib.sh
		turn=0; by_turns() { turn=\$((turn + 1)); $NC fw apply bfw \"\${1%.nft}.\$turn.nft\"; }
		$NC create bfw >/dev/null && echo \$(timeit 1 $NC fw apply bfw '$W/r$n.nft') \$(timeit $R by_turns '$W/r$n.nft'); $NC delete bfw")
	row "$n rules, rootless, first apply" "$f" "$b" "root nft -f" "$([ "$n" = 50000 ] && echo 1.5 || echo 1.2)"
	row "$n rules, rootless, replacing" "$u" "$b" "root nft -f" "$([ "$n" = 50000 ] && echo 1.5 || echo 1.2)"
	kill "$(cat "$W/root-run/keeper.pid" 2>/dev/null)" "$(cat "$W/u-run/keeper.pid" 2>/dev/null)" 2>/dev/null || true
done
