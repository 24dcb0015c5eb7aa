#!/usr/bin/env bash
# bench/cells.sh - cell create/delete and exec, netcell beside its peers.
# Run as root: it measures root mode, then rootless mode as an unprivileged
# user (NETCELL_TEST_USER, default netcell-test, created if missing).
#   rootless create+delete (--uplink none) vs  unshare -Urn ip link set lo up   (target 1.2x;
#   ROUNDS interleaved rounds of N each, 5 by default, medians)
#   root create+delete     vs  ip netns add + ip netns del
#   exec                   vs  nsenter -U -n --preserve-credentials / ip netns exec (target 1.3x)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-200}
NC=$PWD/build/netcell
[ -x "$NC" ] || make -s -j2
if [ "$(id -u)" = 0 ]; then
	U=${NETCELL_TEST_USER:-netcell-test}
	id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
	NETCELL_RUNTIME_DIR=$(mktemp -d /tmp/ncbench.XXXXXX); export NETCELL_RUNTIME_DIR NETCELL_STATE_DIR=$NETCELL_RUNTIME_DIR/state
	echo "== root mode, N=$N =="
	nc_cd() { $NC create benchc --uplink none && $NC delete benchc; }
	ipn_cd() { ip netns add benchp && ip netns del benchp; }
	a=$(timeit "$N" nc_cd); b=$(timeit "$N" ipn_cd)
	row "create+delete (root)" "$a" "$b" "ip netns add+del" "-"
	$NC create benchc --uplink none; ip netns add benchp
	a=$(timeit "$N" $NC exec benchc -- true); b=$(timeit "$N" ip netns exec benchp true)
	row "exec true (root)" "$a" "$b" "ip netns exec" "1.3"
	$NC delete benchc; ip netns del benchp
	kill "$(cat "$NETCELL_RUNTIME_DIR/keeper.pid")" 2>/dev/null || true
	rm -rf "$NETCELL_RUNTIME_DIR"
	exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp N="$N" ROUNDS="${ROUNDS:-5}" bash "$0"
fi
NETCELL_RUNTIME_DIR=$(mktemp -d /tmp/ncbench.XXXXXX); export NETCELL_RUNTIME_DIR NETCELL_STATE_DIR=$NETCELL_RUNTIME_DIR/state
chmod 700 "$NETCELL_RUNTIME_DIR"
echo "== rootless mode (uid $(id -u)), N=$N =="
$NC list >/dev/null   # the keeper is up: measure cells, not keeper start
nc_cd() { $NC create benchc --uplink none && $NC delete benchc; }
# interleaved rounds, medians: the machine's load hits both alike
A=; B=
for ((r = 0; r < ${ROUNDS:-5}; r++)); do
	A+="$(timeit "$N" nc_cd) "; B+="$(timeit "$N" unshare -Urn ip link set lo up) "
done
row "create+delete (rootless)" "$(med $A)" "$(med $B)" "unshare -Urn ip link set lo up" "1.2"
echo "  rounds: netcell $A/ unshare $B"
$NC create benchc --uplink none
$NC exec benchc -- sleep 600 & holder=$!
sleep 0.3
pid=$(pgrep -n -u "$(id -u)" -x sleep)
A=; B=
for ((r = 0; r < ${ROUNDS:-5}; r++)); do
	A+="$(timeit "$N" $NC exec benchc -- true) "
	B+="$(timeit "$N" nsenter -t "$pid" -U -n --preserve-credentials true) "
done
row "exec true (rootless)" "$(med $A)" "$(med $B)" "nsenter -U -n --preserve-credentials" "1.3"
echo "  rounds: netcell $A/ nsenter $B"
kill "$pid" "$holder" 2>/dev/null || true
$NC delete benchc
kill "$(cat "$NETCELL_RUNTIME_DIR/keeper.pid")" 2>/dev/null || true
rm -rf "$NETCELL_RUNTIME_DIR"
