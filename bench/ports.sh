#!/usr/bin/env bash
# bench/ports.sh - published ports, rootless: netcell's forwarder beside
# pasta -t and slirp4netns, all started by this script in the same run.
# MODE=root (as root): root cells instead, the kernel path (kdnat.c) beside
# the keeper's forwarder (a second keeper with NETCELL_PORTS_FORWARDER=1)
# and pasta -t attached to a root cell of its own (targets: 1 and 4
# streams >= 1.5x pasta, connections/s >= 2x), and plain host loopback
# (servers on the host, no cell): the ceiling, printed as "of lo".
#   host -> namespace throughput, iperf3, 1 and 4 streams  (target >= 1.2x / 1.0x pasta)
#   the forwarder's CPU time per GB moved, from /proc (utime+stime of its
#   process tree, the servers left out)                    (target <= 0.7x pasta)
#   all processes' CPU time per GB: the iperf3 client, the forwarder and the
#   server behind it, for every tool alike (kernel work that one tool's
#   setup moves from the forwarder into the server shows here)
#   connection rate: connect, 1-byte reply, close, sequential  (target >= 1.4x pasta)
# RootlessKit (Debian package rootlesskit, 1.1) with its builtin port driver
# over slirp4netns is started here too.
# Run as root (it re-runs itself as NETCELL_TEST_USER, default netcell-test)
# or as an ordinary user.  SECS=N: length of each measurement (3); ROUNDS=N:
# interleaved rounds, medians reported (5: the VM's speed swings by 20% within minutes).
# Only loopback addresses are used on the host; slirp4netns' own network
# exists only inside the namespace this script makes.
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
NC=${NC:-$TOP/build/netcell}
SECS=${SECS:-3}
[ -x "$NC" ] || make -s -j2
MODE=${MODE:-rootless}
if [ "$(id -u)" = 0 ] && [ "$MODE" != root ]; then
	U=${NETCELL_TEST_USER:-netcell-test}
	id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
	[ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
	exec setpriv --reuid="$U" --regid="$U" --init-groups \
		env -i PATH="$PATH" HOME=/tmp NC="$NC" SECS="$SECS" ROUNDS="${ROUNDS:-5}" bash "$0"
fi
. bench/lib.sh
. bench/flow.sh

D=$(mktemp -d /tmp/ncbench.XXXXXX)
chmod 700 "$D"
export NETCELL_RUNTIME_DIR=$D/run NETCELL_STATE_DIR=$D/state
PIDS=()
# kill_tree PID: a process and its descendants, by PID; SIGKILL, because
# pasta runs its command as PID 1 of a PID namespace, which ignores SIGTERM
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
	kill -9 "$1" 2>/dev/null || true
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill_tree "$p"; done
	wait 2>/dev/null
	$NC delete --force benchport >/dev/null 2>&1 || true
	if [ "$MODE" = root ]; then
		$NC delete --force benchkern >/dev/null 2>&1
		$NC delete --force benchpasta >/dev/null 2>&1
		NETCELL_RUNTIME_DIR=$D/run2 NETCELL_STATE_DIR=$D/state2 $NC delete --force benchfwd >/dev/null 2>&1
		p=$(cat "$D/run2/keeper.pid" 2>/dev/null) && kill "$p" 2>/dev/null
	fi
	p=$(cat "$D/run/keeper.pid" 2>/dev/null) && kill "$p" 2>/dev/null
	rm -rf "$D"
}
trap 'cleanup 2>/dev/null' EXIT
cc -O2 -o "$D/connrate" bench/connrate.c
NP1=$(pick); NP2=$(pick); PP1=$(pick); PP2=$(pick); SP1=$(pick); SP2=$(pick)
RP1=$(pick); RP2=$(pick)
ROUNDS=${ROUNDS:-5}
CONNRATE=$D/connrate
declare -A OWNER ALL

if [ "$MODE" = root ]; then
	# three root cells with the same servers: one whose ports the kernel
	# carries, one of a keeper that forwards them, one with pasta attached
	KP1=$(pick); KP2=$(pick); FP1=$(pick); FP2=$(pick)
	F2="env NETCELL_RUNTIME_DIR=$D/run2 NETCELL_STATE_DIR=$D/state2 NETCELL_PORTS_FORWARDER=1"
	mkdir -p -m 700 "$D/run2" "$D/state2"
	$NC create benchkern --uplink none -p "127.0.0.1:$KP1:5201" -p "127.0.0.1:$KP2:7000" >/dev/null
	$F2 $NC create benchfwd --uplink none -p "127.0.0.1:$FP1:5201" -p "127.0.0.1:$FP2:7000" >/dev/null
	$NC create benchpasta --uplink none >/dev/null
	nft list table ip netcell_ports_benchkern | grep -q "dport $KP1 " ||
		{ echo "bench/ports.sh: the kernel path is not in use (no DNAT in ip netcell_ports_benchkern)" >&2; exit 1; }
	declare -A SRV
	for c in benchkern benchpasta; do
		$NC exec "$c" -- iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!); SRV[$c]=$!
		$NC exec "$c" -- "$D/connrate" serve 7000 & PIDS+=($!)
	done
	$F2 $NC exec benchfwd -- iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!); SRV[benchfwd]=$!
	$F2 $NC exec benchfwd -- "$D/connrate" serve 7000 & PIDS+=($!)
	pasta -f --runas 0 -t "127.0.0.1/$PP1:5201" -t "127.0.0.1/$PP2:7000" -u none -T none -U none \
		--netns /run/netns/benchpasta >/dev/null 2>&1 & PIDS+=($!)
	OWNER[$PP1]=$!; OWNER[$PP2]=$!; ALL[$PP1]="$! ${SRV[benchpasta]}"
	# the kernel path has no process: its CPU time is nobody's (the keeper's
	# tree is measured and shows it is idle)
	OWNER[$KP1]=$(cat "$D/run/keeper.pid"); OWNER[$KP2]=${OWNER[$KP1]}
	OWNER[$FP1]=$(cat "$D/run2/keeper.pid"); OWNER[$FP2]=${OWNER[$FP1]}
	ALL[$KP1]="${OWNER[$KP1]} ${SRV[benchkern]}"; ALL[$FP1]="${OWNER[$FP1]} ${SRV[benchfwd]}"
	# the ceiling: the same servers on the host, reached over plain loopback
	LP1=$(pick); LP2=$(pick)
	iperf3 -s -p "$LP1" -B 127.0.0.1 >/dev/null 2>&1 & PIDS+=($!); OWNER[$LP1]=$!; ALL[$LP1]=$!
	"$D/connrate" serve "$LP2" & PIDS+=($!); OWNER[$LP2]=$!
	for p in "$KP1" "$KP2" "$FP1" "$FP2" "$PP1" "$PP2" "$LP1" "$LP2"; do wait_listen "$p"; done
	for p in "$KP1:$KP2" "$FP1:$FP2" "$PP1:$PP2" "$LP1:$LP2"; do
		serving iperf3 "${p%:*}" && serving connrate "${p#*:}" ||
			{ echo "bench/ports.sh: servers behind $p do not answer" >&2; exit 1; }
	done
	printf '== published ports, root cells: medians of %s interleaved rounds of %s s, one run; 2-core VM shared with other runs ==\n' "$ROUNDS" "$SECS"
	# "loopback": the servers on the host itself, no cell (what the machine
	# can do at all: a ratio to pasta above loopback/pasta cannot be)
	printf '%-36s %10s %10s %10s %10s %8s %8s   %s\n' "" "kernel" "forwarder" "pasta -t" "loopback" ratio "of lo" "target (kernel/pasta)"
	rline() { printf '%-36s %10s %10s %10s %10s %7sx %7sx   %s\n' "$1" "$2" "$3" "$4" "$5" "$(ratio "$2" "$4")" "$(ratio "$2" "$5")" "$6"; }
	for streams in 1 4; do
		read -r a ac aa f fc fa b bc ba l lc la <<<"$(measure iperf "$streams" "$KP1" "$FP1" "$PP1" "$LP1")"
		rline "iperf3 $streams stream(s), Gbit/s" "$a" "$f" "$b" "$l" ">= 1.5x"
		rline "  user-space CPU s per GB" "$ac" "$fc" "$bc" "-" "(kernel: softirq, not counted)"
		rline "  all processes CPU s per GB" "$aa" "$fa" "$ba" "$la" "client+forwarder+server"
	done
	read -r a ac f fc b bc l lc <<<"$(measure rate "" "$KP2" "$FP2" "$PP2" "$LP2")"
	rline "connections/s, sequential" "$a" "$f" "$b" "$l" ">= 2x"
	rline "  user-space CPU ms per 1,000 conns" "$ac" "$fc" "$bc" "-" "-"
	exit 0
fi

# netcell: a cell, two published ports, the servers inside
opt=; $NC create --help | grep -q -- --uplink && opt="--uplink none"
$NC create benchport $opt
$NC port add benchport "127.0.0.1:$NP1:5201" "127.0.0.1:$NP2:7000"
$NC exec benchport -- iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!); srv=$!
$NC exec benchport -- "$D/connrate" serve 7000 & PIDS+=($!)
OWNER[$NP1]=$(cat "$D/run/keeper.pid"); OWNER[$NP2]=${OWNER[$NP1]}
ALL[$NP1]="${OWNER[$NP1]} $srv"

# pasta -t: its own namespace with the same servers
pasta -f -t "$PP1:5201,$PP2:7000" -u none -T none -U none -- \
	sh -c "iperf3 -s -p 5201 >/dev/null 2>&1 & exec '$D/connrate' serve 7000" >/dev/null 2>&1 &
PIDS+=($!); OWNER[$PP1]=$!; OWNER[$PP2]=$!; ALL[$PP1]=$!

# slirp4netns: a namespace of our own, forwards added through its API
slirp=1
unshare -Urn sh -c "iperf3 -s -p 5201 >/dev/null 2>&1 & exec '$D/connrate' serve 7000 0.0.0.0" &
nspid=$!; PIDS+=($nspid)
sleep 0.3
slirp4netns --configure --mtu=65520 --disable-host-loopback --api-socket "$D/slirp.sock" \
	"$nspid" tap0 >/dev/null 2>&1 & PIDS+=($!); OWNER[$SP1]=$!; OWNER[$SP2]=$!; ALL[$SP1]="$! $nspid"
for _ in $(seq 1 50); do [ -S "$D/slirp.sock" ] && break; sleep 0.1; done
for pair in "$SP1:5201" "$SP2:7000"; do
	printf '{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":%s,"guest_port":%s}}' \
		"${pair%:*}" "${pair#*:}" | socat - "UNIX-CONNECT:$D/slirp.sock" | grep -q '"return"' || slirp=0
done
# RootlessKit: its builtin port driver (the fast one), slirp4netns network
rk=0
if command -v rootlesskit >/dev/null; then
	rootlesskit --state-dir="$D/rk" --net=slirp4netns --mtu=65520 --disable-host-loopback \
		--port-driver=builtin -p "127.0.0.1:$RP1:5201/tcp" -p "127.0.0.1:$RP2:7000/tcp" -- \
		sh -c "iperf3 -s -p 5201 >/dev/null 2>&1 & exec '$D/connrate' serve 7000 0.0.0.0" >"$D/rk.log" 2>&1 &
	PIDS+=($!); rk=1; OWNER[$RP1]=$!; OWNER[$RP2]=$!; ALL[$RP1]=$!
fi
for p in "$NP1" "$NP2" "$PP1" "$PP2"; do wait_listen "$p"; done
if [ "$rk" = 1 ]; then wait_listen "$RP1" && wait_listen "$RP2" || { rk=0; echo "RootlessKit did not start: $(tail -3 "$D/rk.log")" >&2; }; fi
# every server answers through its port (a listening forwarder says nothing
# of the server behind it); netcell and pasta must, the others are dropped
serving iperf3 "$NP1" && serving connrate "$NP2" || { echo "bench/ports.sh: netcell's servers do not answer" >&2; exit 1; }
serving iperf3 "$PP1" && serving connrate "$PP2" || { echo "bench/ports.sh: pasta's servers do not answer" >&2; exit 1; }
[ "$slirp" = 0 ] || { serving iperf3 "$SP1" && serving connrate "$SP2"; } || slirp=0
[ "$rk" = 0 ] || { serving iperf3 "$RP1" && serving connrate "$RP2"; } || rk=0

SP_T=-; SP_R=-; [ "$slirp" = 1 ] && { SP_T=$SP1; SP_R=$SP2; }
RP_T=-; RP_R=-; [ "$rk" = 1 ] && { RP_T=$RP1; RP_R=$RP2; }

printf '== published ports, rootless (uid %s): medians of %s interleaved rounds of %s s, one run; 2-core VM shared with other runs ==\n' "$(id -u)" "$ROUNDS" "$SECS"
printf '%-36s %10s %10s %12s %12s %8s   %s\n' "" netcell "pasta -t" slirp4netns rootlesskit ratio "target (netcell/pasta)"
line() { printf '%-36s %10s %10s %12s %12s %7sx   %s\n' "$1" "$2" "$3" "$4" "$5" "$(ratio "$2" "$3")" "$6"; }
for streams in 1 4; do
	read -r a ac aa b bc ba c cc ca r rc ra <<<"$(measure iperf "$streams" "$NP1" "$PP1" "$SP_T" "$RP_T")"
	if [ "$streams" = 1 ]; then want=">= 1.2x"; else want=">= 1.0x"; fi
	line "iperf3 $streams stream(s), Gbit/s" "$a" "$b" "$c" "$r" "$want"
	line "  forwarder CPU s per GB" "$ac" "$bc" "$cc" "$rc" "<= 0.7x"
	line "  all processes CPU s per GB" "$aa" "$ba" "$ca" "$ra" "client+forwarder+server"
done
read -r a ac b bc c cc r rc <<<"$(measure rate "" "$NP2" "$PP2" "$SP_R" "$RP_R")"
line "connections/s, sequential" "$a" "$b" "$c" "$r" ">= 1.4x"
line "  forwarder CPU ms per 1,000 conns" "$ac" "$bc" "$cc" "$rc" "-"
