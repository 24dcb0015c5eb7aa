#!/usr/bin/env bash
# bench/stage.sh - stage scripts of 1,000 and 10,000 iptables commands:
# netcell fw stage beside running the same script in unshare -Urn (each
# command a real iptables run).  Target: staging at least 10x faster.
# Runs as whoever starts it (rootless when not root).  The direct run of
# 10,000 commands takes minutes; it is bounded by DIRECT_LIMIT seconds
# (default 600) and reported as a lower bound if cut.
set -eu
cd "$(dirname "$0")/.."
NC=$PWD/build/netcell
[ -x "$NC" ] || make -s -j2
W=$(mktemp -d /tmp/ncbst.XXXXXX); trap 'rm -rf "$W"' EXIT
LIMIT=${DIRECT_LIMIT:-600}
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
for n in 1000 10000; do
	python3 -c "
print('#!/bin/sh')
for i in range($n): print('iptables -A INPUT -s 10.%d.%d.%d -p tcp --dport %d -j ACCEPT' % ((i>>16)&255,(i>>8)&255,i&255, 1000+i%60000))" >"$W/s$n.sh"
	chmod +x "$W/s$n.sh"
	t0=$(date +%s%N); "$NC" fw stage -o "$W/out$n" -- "$W/s$n.sh"; t1=$(date +%s%N)
	a=$(ms "$t0" "$t1")
	[ "$(grep -c -- '-j ACCEPT$\|accept$' "$W/out$n")" = "$n" ] || { echo "staged output lacks rules" >&2; exit 1; }
	t0=$(date +%s%N); cut=""
	timeout "$LIMIT" unshare -Urn sh -c "XTABLES_LOCKFILE='$W/xt.lock' '$W/s$n.sh'" || cut=">="
	t1=$(date +%s%N)
	b=$(ms "$t0" "$t1")
	printf '%6d commands: netcell fw stage %7d ms   unshare -Urn script %s%7d ms   speedup %s%sx (target >= 10x)\n' \
		"$n" "$a" "$cut" "$b" "$cut" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
done
