#!/usr/bin/env bash
# bench/loops.sh - would more than one event loop make the published-port
# forwarder faster on this machine?  (issue 17, item 2: "try spreading
# connections over more than one event loop; keep it only if the numbers
# say so")
#
# bench/fwdloops.c pumps bytes as the keeper's forwarder does (splice()
# through a 1 MiB pipe, edge-triggered epoll) with 1 or 2 event loops
# (threads, one SO_REUSEPORT listener each).  Both forward to the same
# iperf3 and connrate servers on 127.0.0.1, in interleaved rounds, beside
# netcell's keeper forwarding the same servers' twins in a cell
# (NETCELL_PORTS_FORWARDER=1, so a root keeper forwards too) and the
# servers reached directly (the ceiling).  Prints throughput, the
# forwarder's CPU per GB and all processes' CPU per GB, and the ratio of
# 2 loops to 1.
# As root.  SECS=N (3), ROUNDS=N (3).  Loopback and the script's own cell only.
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
NC=${NC:-$TOP/build/netcell}
SECS=${SECS:-3}
ROUNDS=${ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "bench/loops.sh: run as root" >&2; exit 2; }
[ -x "$NC" ] || make -s -j2
. bench/lib.sh
. bench/flow.sh

D=$(mktemp -d /tmp/ncloops.XXXXXX)
chmod 700 "$D"
export NETCELL_RUNTIME_DIR=$D/run NETCELL_STATE_DIR=$D/state NETCELL_PORTS_FORWARDER=1
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null
	$NC delete --force benchloops >/dev/null 2>&1 || true
	p=$(cat "$D/run/keeper.pid" 2>/dev/null) && kill "$p" 2>/dev/null
	rm -rf "$D"
}
trap 'cleanup 2>/dev/null' EXIT
cc -O2 -o "$D/connrate" bench/connrate.c
cc -O2 -pthread -o "$D/fwdloops" bench/fwdloops.c
CONNRATE=$D/connrate
declare -A OWNER ALL

# the servers on the host, reached directly (the ceiling) and through fwdloops
S1=$(pick); S2=$(pick)
iperf3 -s -B 127.0.0.1 -p "$S1" >/dev/null 2>&1 & PIDS+=($!); srv=$!
"$D/connrate" serve "$S2" & PIDS+=($!)
OWNER[$S1]=$srv; OWNER[$S2]=$!; ALL[$S1]=$srv
declare -A LP
for t in 1 2; do
	a=$(pick); b=$(pick)
	"$D/fwdloops" "$a" "$S1" "$t" & PIDS+=($!); OWNER[$a]=$!; ALL[$a]="$! $srv"
	"$D/fwdloops" "$b" "$S2" "$t" & PIDS+=($!); OWNER[$b]=$!
	LP[$t]="$a $b"
done
# netcell: a root cell whose keeper forwards (not the kernel path)
N1=$(pick); N2=$(pick)
$NC create benchloops --uplink none -p "127.0.0.1:$N1:5201" -p "127.0.0.1:$N2:7000" >/dev/null
$NC exec benchloops -- iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!); nsrv=$!
$NC exec benchloops -- "$D/connrate" serve 7000 & PIDS+=($!)
OWNER[$N1]=$(cat "$D/run/keeper.pid"); OWNER[$N2]=${OWNER[$N1]}; ALL[$N1]="${OWNER[$N1]} $nsrv"
read -r T1 R1 <<<"${LP[1]}"; read -r T2 R2 <<<"${LP[2]}"
for p in "$S1" "$S2" "$T1" "$R1" "$T2" "$R2" "$N1" "$N2"; do wait_listen "$p"; done
for p in "$T1:$R1" "$T2:$R2" "$N1:$N2" "$S1:$S2"; do
	serving iperf3 "${p%:*}" && serving connrate "${p#*:}" ||
		{ echo "bench/loops.sh: the servers behind $p do not answer" >&2; exit 1; }
done

printf '== forwarder event loops: medians of %s interleaved rounds of %s s, one run; 2-core VM shared with other runs ==\n' "$ROUNDS" "$SECS"
printf '%-36s %10s %10s %10s %10s %8s\n' "" "1 loop" "2 loops" "netcell" "direct" "2/1"
lline() { printf '%-36s %10s %10s %10s %10s %7sx\n' "$1" "$2" "$3" "$4" "$5" "$(ratio "$3" "$2")"; }
for streams in 1 4; do
	read -r a ac aa b bc ba n nc na l lc la <<<"$(measure iperf "$streams" "$T1" "$T2" "$N1" "$S1")"
	lline "iperf3 $streams stream(s), Gbit/s" "$a" "$b" "$n" "$l"
	lline "  forwarder CPU s per GB" "$ac" "$bc" "$nc" "-"
	lline "  all processes CPU s per GB" "$aa" "$ba" "$na" "$la"
done
read -r a ac b bc n nc l lc <<<"$(measure rate "" "$R1" "$R2" "$N2" "$S2")"
lline "connections/s, sequential" "$a" "$b" "$n" "$l"
lline "  forwarder CPU ms per 1,000 conns" "$ac" "$bc" "$nc" "-"
