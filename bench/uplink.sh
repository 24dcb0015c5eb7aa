#!/usr/bin/env bash
# bench/uplink.sh - rootless uplinks, netcell beside plain pasta and
# slirp4netns, in one run (as an ordinary user; as root it re-runs itself as
# NETCELL_TEST_USER).  N=create/delete repetitions (20), SECS=length of a
# throughput run (3), ROUNDS=interleaved throughput rounds (3).  Traffic only to an iperf3 server on the host's
# 127.0.0.1, started here.
#   create with uplink (netcell create + delete) vs pasta --config-net -- true   target <= 0.5x
#   cell -> host loopback, 1 and 4 TCP streams to 127.0.0.1:PORT in the cell:
#   netcell --host-port PORT (the keeper's splice) vs pasta --config-net (its
#   -T auto splice of host loopback ports) and slirp4netns (10.0.2.2)       target >= 10 Gb/s
#   (--host-loopback reaches the host at the gateway address over pasta's
#   tap path since --host-port exists, not on the cell's 127.0.0.1:
#   bench/hostport.sh compares those)
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
	U=${NETCELL_TEST_USER:-netcell-test}; id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
	[ -c /dev/net/tun ] && chmod 0666 /dev/net/tun
	exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp ${NC:+NC="$NC"} N="${N:-20}" SECS="${SECS:-3}" ROUNDS="${ROUNDS:-3}" bash "$0"
fi
. bench/lib.sh
NC=${NC:-$PWD/build/netcell}
N=${N:-20}; SECS=${SECS:-3}
W=$(mktemp -d /tmp/ncbup.XXXXXX); chmod 700 "$W"
export NETCELL_RUNTIME_DIR=$W/run NETCELL_STATE_DIR=$W/state
SLIRP=; IPERF_PID=
cleanup() { [ -z "$SLIRP" ] || kill "$SLIRP" 2>/dev/null; [ -z "$IPERF_PID" ] || kill "$IPERF_PID" 2>/dev/null || true
	kill "$(cat "$W/run/keeper.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
start_iperf3 "$W/iperf.log" || { echo "bench/uplink.sh: the iperf3 server did not start" >&2; exit 1; }
PORT=$IPERF_PORT
# gbps: the receiver's rate in Gbit/s; nothing when the run gave none (med
# then prints "-"), and the client's last words on stderr
gbps() { awk '/receiver/ { v = $(NF-2); u = $(NF-1) } END { if (u == "") exit; if (u ~ /^M/) v /= 1000; printf "%.2f", v }'; }
# tp NAME FILE: the figure of a client's output FILE, or its complaint
tp() { local g; g=$(grep -E "$(stream "$P")" "$2" | gbps); [ -n "$g" ] && echo "$g" || echo "bench/uplink.sh: $1 gave no figure: $(tail -1 "$2")" >&2; }

$NC list >/dev/null
nc_cd() { $NC create bup && $NC delete bup; }
pasta_true() { pasta --config-net -q -- true 2>/dev/null; }
# the user's first cell starts the hub's pasta (and its delete stops it);
# every further cell only joins the running hub
a=$(timeit "$N" nc_cd); b=$(timeit "$N" pasta_true)
row "create+delete, first cell (starts the hub)" "$a" "$b" "pasta --config-net -- true" "-"
$NC create bkeep
a=$(timeit "$N" nc_cd); b=$(timeit "$N" pasta_true)
row "create+delete, hub running" "$a" "$b" "pasta --config-net -- true" "0.5"
$NC delete bkeep

$NC create bup --host-port "$PORT"; sleep 1.2
# stream P: which iperf3 line holds the total
stream() { if [ "$1" = 1 ]; then echo '^\[ *5\]'; else echo SUM; fi; }
nc_tp() { $NC exec bup -- iperf3 -c 127.0.0.1 -p "$PORT" -t "$SECS" -P "$1" >"$W/nc.out" 2>&1; tp netcell "$W/nc.out"; }
pasta_tp() { pasta --config-net -q -- iperf3 -c 127.0.0.1 -p "$PORT" -t "$SECS" -P "$1" >"$W/pasta.out" 2>&1; tp pasta "$W/pasta.out"; }
# slirp_tp P: sets RES (not a subshell, so that cleanup sees $SLIRP)
slirp_tp() {
	unshare -Urn sh -c "sleep 1; iperf3 -c 10.0.2.2 -p $PORT -t $SECS -P $1 2>&1" >"$W/slirp.out" & cpid=$!
	sleep 0.2; slirp4netns --configure --mtu=65520 "$cpid" tap0 >/dev/null 2>&1 & SLIRP=$!
	wait $cpid || true; kill $SLIRP 2>/dev/null || true; wait $SLIRP 2>/dev/null || true; SLIRP=
	RES=$(tp slirp4netns "$W/slirp.out")
}
ROUNDS=${ROUNDS:-3}
for P in 1 4; do
	n=; p=; s=
	# interleaved rounds: noise on a shared VM hits every tool alike
	for ((i = 0; i < ROUNDS; i++)); do
		n+="$(nc_tp "$P") "; p+="$(pasta_tp "$P") "; slirp_tp "$P"; s+="$RES "
	done
	n=$(med $n); p=$(med $p); s=$(med $s)
	printf '%d stream(s) cell->host loopback: netcell %6s Gb/s   pasta %6s Gb/s (ratio %sx)   slirp4netns %6s Gb/s (ratio %sx)   target >= 10 Gb/s (medians of %d)\n' \
		"$P" "$n" "$p" "$(ratio "$n" "$p")" "$s" "$(ratio "$n" "$s")" "$ROUNDS"
done
$NC delete bup
