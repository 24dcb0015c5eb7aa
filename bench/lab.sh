#!/usr/bin/env bash
# bench/lab.sh - "netcell up" of a 50-cell chain lab, beside its peers.
# Run as root: it measures root mode, then rootless mode as an unprivileged
# user (NETCELL_TEST_USER, default netcell-test, created if missing).
#   up of the chain            vs  the same by a shell script of netcell commands
#                                  (create, link --subnet, exec ip route, exec sysctl)   target <= 0.5x
#   up of the chain            vs  plain ip scripting: root "ip netns"; rootless one
#                                  "unshare -Urm" holding the namespaces under a private /run/netns
#   unchanged up (nothing to do)                                                          target < 100 ms
# ROUNDS interleaved rounds (3 by default), medians; the teardown is not timed.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-50}
ROUNDS=${ROUNDS:-3}
NC=$PWD/build/netcell
[ -x "$NC" ] || make -s -j2
if [ "$(id -u)" = 0 ] && [ -z "${LAB_BENCH_USER_DONE:-}" ]; then
	U=${NETCELL_TEST_USER:-netcell-test}
	id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
fi
W=$(mktemp -d /tmp/nclabbench.XXXXXX)
chmod 755 "$W"
export NETCELL_RUNTIME_DIR=$W/run NETCELL_STATE_DIR=$W/state
mkdir -p -m 700 "$NETCELL_RUNTIME_DIR" "$NETCELL_STATE_DIR"
LAB=lbb$$
trap '$NC down -f "$W/chain.yaml" >/dev/null 2>&1; kill "$(cat "$NETCELL_RUNTIME_DIR/keeper.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$W"' EXIT

# the chain: c0 - c1 - ... - c(N-1), link i on 10.77.i.0/24 (.1 left, .2
# right), a default route each way, forwarding in the middle
sh examples/lab/chain.sh "$N" "$LAB" >"$W/chain.yaml"

# the same with netcell commands: what a user scripted before labs
nc_script() {
	local i
	for i in $(seq 0 $((N - 1))); do $NC create "$LAB-s$i" --uplink none; done
	for i in $(seq 0 $((N - 2))); do $NC link "$LAB-s$i" "$LAB-s$((i + 1))" --subnet "10.77.$i.0/24"; done
	$NC exec "$LAB-s0" -- ip route add default via 10.77.0.2
	$NC exec "$LAB-s$((N - 1))" -- ip route add default via "10.77.$((N - 2)).1"
	for i in $(seq 1 $((N - 2))); do
		$NC exec "$LAB-s$i" -- ip route add default via "10.77.$i.2"
		$NC exec "$LAB-s$i" -- ip route add 10.77.0.0/24 via "10.77.$((i - 1)).1"
		$NC exec "$LAB-s$i" -- sysctl -qw net.ipv4.ip_forward=1
	done
}
nc_script_down() { local i; for i in $(seq 0 $((N - 1))); do $NC delete "$LAB-s$i"; done; }

# the same with plain ip: named namespaces under /run/netns; rootless in
# one user+mount namespace whose private tmpfs holds /run/netns (the
# namespaces live as long as that shell)
ip_script() {
	local i p=$1
	for i in $(seq 0 $((N - 1))); do ip netns add "$p$i"; ip -n "$p$i" link set lo up; done
	for i in $(seq 0 $((N - 2))); do
		ip -n "$p$i" link add r type veth peer name l netns "$p$((i + 1))"
		ip -n "$p$i" addr add "10.77.$i.1/24" dev r; ip -n "$p$i" link set r up
		ip -n "$p$((i + 1))" addr add "10.77.$i.2/24" dev l; ip -n "$p$((i + 1))" link set l up
	done
	ip -n "${p}0" route add default via 10.77.0.2
	ip -n "$p$((N - 1))" route add default via "10.77.$((N - 2)).1"
	for i in $(seq 1 $((N - 2))); do
		ip -n "$p$i" route add default via "10.77.$i.2"
		ip -n "$p$i" route add 10.77.0.0/24 via "10.77.$((i - 1)).1"
		ip netns exec "$p$i" sysctl -qw net.ipv4.ip_forward=1
	done
}
ip_script_down() { local i; for i in $(seq 0 $((N - 1))); do ip netns del "$1$i"; done; }

# ms CMD...: one run's wall time in milliseconds (output dropped; a failure aborts)
ms() {
	local s e
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1 || { echo "bench: FAILED: $*" >&2; exit 1; }
	e=$(date +%s%N)
	awk -v d=$((e - s)) 'BEGIN { printf "%.1f", d / 1e6 }'
}
plain_rootless() {
	unshare -Urm --propagation private sh -c '
		mount -t tmpfs none /run && mkdir -p /run/netns && . "$1" && N=$2 && ip_script lbp' \
		sh "$W/ipfns.sh" "$N"
}

mode=root; [ "$(id -u)" = 0 ] || mode=rootless
echo "== $mode mode (uid $(id -u)), a chain of $N cells, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) =="
$NC list >/dev/null   # the keeper is up: measure the lab, not keeper start
declare -f ip_script >"$W/ipfns.sh"
A=; B=; C=
for ((r = 0; r < ROUNDS; r++)); do
	A+="$(ms $NC up -f "$W/chain.yaml") "
	$NC down -f "$W/chain.yaml" >/dev/null
	B+="$(ms nc_script) "
	nc_script_down >/dev/null 2>&1
	if [ "$mode" = root ]; then
		C+="$(ms ip_script "lbp$$-") "
		ip_script_down "lbp$$-"
	else
		C+="$(ms plain_rootless) "	# its namespaces go with the shell
	fi
done
row "up, $N-cell chain ($mode)" "$(med $A)" "$(med $B)" "shell script of netcell commands" "0.5"
row "up, $N-cell chain ($mode)" "$(med $A)" "$(med $C)" "plain ip$( [ $mode = root ] && echo ' netns' || echo ' in unshare -Urm')" "-"
echo "  rounds (ms): netcell up $A/ netcell script $B/ plain ip $C"
$NC up -f "$W/chain.yaml" >/dev/null
# traffic end to end, so the figures are of a working lab
$NC exec "$LAB-c$((N - 1))" -- python3 -c "
import socket; s=socket.socket(); s.bind(('10.77.$((N - 2)).2',7000)); s.listen(1); s.settimeout(10); c,_=s.accept(); c.sendall(b'ok')" &
srv=$!
ok=
for _ in $(seq 1 40); do
	$NC exec "$LAB-c0" -- python3 -c "
import socket; c=socket.create_connection(('10.77.$((N - 2)).2',7000),1); assert c.recv(2)==b'ok'" 2>/dev/null && { ok=1; break; }
	sleep 0.1
done
kill "$srv" 2>/dev/null || true
[ -n "$ok" ] || { echo "bench: no TCP from c0 to c$((N - 1)) through the chain" >&2; exit 1; }
U20=$(timeit 20 $NC up -f "$W/chain.yaml")
$NC up -f "$W/chain.yaml" | grep -q "up to date, nothing changed" || { echo "bench: the unchanged up changed something" >&2; exit 1; }
printf '%-34s netcell %8s ms   (target < 100 ms; mean of 20)\n' "unchanged up, $N cells ($mode)" "$U20"
$NC down -f "$W/chain.yaml" >/dev/null

if [ "$mode" = root ] && [ -n "${U:-}" ]; then
	$NC down -f "$W/chain.yaml" >/dev/null 2>&1 || true
	kill "$(cat "$NETCELL_RUNTIME_DIR/keeper.pid" 2>/dev/null)" 2>/dev/null || true
	rm -rf "$W"; trap - EXIT
	exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp N="$N" ROUNDS="$ROUNDS" \
		LAB_BENCH_USER_DONE=1 bash "$0"
fi
