#!/usr/bin/env bash
# bench/cni-gc.sh - CNI GC (spec 1.1.0) beside what the standard chain
# gets in its place, in one run: M stale attachments of a network removed
#   netcell: one GC keeping only a first container (its records, links,
#            NAT and port entries, and a host-local DEL per attachment:
#            Debian's host-local 1.1.1 has no GC)
#   chain:   bridge (host-local) + portmap + firewall have no GC in
#            Debian 12 (plugins 1.1.1): libcni removes a stale cached
#            attachment with a DEL of the whole chain, in reverse order,
#            one attachment after the other
#                                                   (target <= 0.5x the chain)
# Same shape as bench/cni.sh: one /24 each from host-local, pinned
# addresses, one port mapping per container, a first container staying on
# each network (the bridge, the table and the chain's iptables chains
# stay).  The ADDs before each GC are not timed.
# Run as root.  M=stale attachments per round (10), ROUNDS (5), medians.
# Only namespaces this script makes are reached (none is, in fact).
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
NCCNI=${NCCNI:-$TOP/build/cni/netcell}
M=${M:-10}; ROUNDS=${ROUNDS:-5}
NCVER=1.1.0
[ "$(id -u)" = 0 ] || { echo "bench/cni-gc.sh: run as root (it makes bridges and namespaces)" >&2; exit 5; }
[ -x "$NCCNI" ] || make -s -j2
for b in bridge host-local portmap firewall; do
	[ -x "/usr/lib/cni/$b" ] || { echo "bench/cni-gc.sh: /usr/lib/cni/$b missing: apt-get install containernetworking-plugins" >&2; exit 5; }
done
. bench/lib.sh

D=$(mktemp -d /tmp/nccnigc.XXXXXX)
X=$(( $$ % 200 + 20 ))
P=ncg$$
A=10.234.$X; B=10.235.$X
export NETCELL_CNI_STATE_DIR=$D/state CNI_PATH=/usr/lib/cni CNI_IFNAME=eth0
HAD_CNI_CHAINS=$( (iptables-save; ip6tables-save) 2>/dev/null | grep -c '^:CNI-' || true)
. bench/cnilib.sh

cleanup() {
	local i
	set +e
	for i in $(seq 0 "$M"); do
		CNI_COMMAND=DEL CNI_CONTAINERID=nc$i CNI_NETNS= "$NCCNI" <"$D/nc$i.json" >/dev/null 2>&1
		chain DEL br$i "" "$i" >/dev/null 2>&1
		ip netns del "${P}n$i" 2>/dev/null; ip netns del "${P}b$i" 2>/dev/null
	done
	ip link del ${P}nb 2>/dev/null; ip link del ${P}bb 2>/dev/null
	chain_leftovers
	rm -rf "$D"
}
trap 'cleanup 2>/dev/null' EXIT

ip -4 route | grep -qE "^(10\.234|10\.235)\.$X\." && { echo "bench/cni-gc.sh: a route uses $A or $B" >&2; exit 1; }
nft list table inet netcell_cni >/dev/null 2>&1 && { echo "bench/cni-gc.sh: table inet netcell_cni is in use" >&2; exit 1; }

pick() { local p; for _ in $(seq 1 50); do p=$((20000 + RANDOM % 12000)); ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }; done; return 1; }
# container 0 stays; 1..M are the stale ones
for i in $(seq 0 "$M"); do
	ip netns add "${P}n$i"; ip netns add "${P}b$i"
	ncconf "$D/nc$i.json" $((10 + i)) "$(pick)"
	prepare_chain "$i" "br$i" "/run/netns/${P}b$i" $((10 + i)) "$(pick)" >/dev/null ||
		{ echo "bench/cni-gc.sh: the chain's ADD failed" >&2; exit 1; }
	[ "$i" = 0 ] || chain DEL "br$i" "/run/netns/${P}b$i" "$i"
done
CNI_COMMAND=ADD CNI_CONTAINERID=nc0 CNI_NETNS=/run/netns/${P}n0 "$NCCNI" <"$D/nc0.json" >/dev/null ||
	{ echo "bench/cni-gc.sh: netcell ADD failed" >&2; exit 1; }
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); del c["runtimeConfig"]
c["cni.dev/valid-attachments"]=[{"containerID": "nc0", "ifname": "eth0"}]; json.dump(c, open(sys.argv[2], "w"))' \
	"$D/nc0.json" "$D/gc.json"

nc_adds() {
	local i
	for i in $(seq 1 "$M"); do
		CNI_COMMAND=ADD CNI_CONTAINERID=nc$i CNI_NETNS=/run/netns/${P}n$i "$NCCNI" <"$D/nc$i.json" >/dev/null || return 1
	done
}
ch_adds() {
	local i
	for i in $(seq 1 "$M"); do chain ADD "br$i" "/run/netns/${P}b$i" "$i" || return 1; done
}
nc_gc() { env -u CNI_IFNAME CNI_COMMAND=GC "$NCCNI" <"$D/gc.json" >/dev/null; }
ch_gc() {
	local i
	for i in $(seq 1 "$M"); do chain DEL "br$i" "/run/netns/${P}b$i" "$i" || return 1; done
}
# ms CMD: the milliseconds one run of CMD takes
ms() {
	local s e
	s=$(date +%s%N)
	"$@" || { echo "FAILED: $*" >&2; return 1; }
	e=$(date +%s%N)
	awk -v d=$((e - s)) 'BEGIN { printf "%.1f", d / 1e6 }'
}

echo "bench/cni-gc.sh: GC of $M stale attachments, $ROUNDS rounds, medians ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
ncs=(); chs=()
for r in $(seq 1 "$ROUNDS"); do
	nc_adds || { echo "bench/cni-gc.sh: netcell ADD failed" >&2; exit 1; }
	ch_adds || { echo "bench/cni-gc.sh: the chain's ADD failed" >&2; exit 1; }
	# the order alternates: the second must not always meet a warmer machine
	if [ $((r % 2)) = 1 ]; then ncs+=("$(ms nc_gc)"); chs+=("$(ms ch_gc)")
	else chs+=("$(ms ch_gc)"); ncs+=("$(ms nc_gc)"); fi
	[ "$(ls "$D/state/${P}nc")" = nc0-eth0 ] || { echo "bench/cni-gc.sh: netcell's GC left $(ls "$D/state/${P}nc")" >&2; exit 1; }
done
row "GC of $M stale attachments" "$(med "${ncs[@]}")" "$(med "${chs[@]}")" "a chain DEL for each (libcni)" 0.5
echo "  each round: netcell ${ncs[*]} ms, chain ${chs[*]} ms"
