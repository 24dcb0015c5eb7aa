#!/usr/bin/env bash
# bench/hostport.sh - a cell reaching a host loopback service: netcell's
# --host-port (the keeper's splice, at the cell's 127.0.0.1) beside pasta's
# tap path to the gateway address (--host-loopback, and plain pasta
# --config-net), rootless (as root it re-runs itself as NETCELL_TEST_USER).
# Each run sends MIB MiB (200) over one TCP connection to a sink on the
# host's 127.0.0.1 (tests/hostsink.py, a thread per client), which answers
# the byte count once; a run over 30 s, a wrong count or a doubled reply
# counts as a failure, with the sender's last words.
# RUNS=runs per path (5).  Traffic only to that sink.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
	U=${NETCELL_TEST_USER:-netcell-test}; id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
	exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp RUNS="${RUNS:-5}" MIB="${MIB:-200}" bash "$0"
fi
NC=$PWD/build/netcell
RUNS=${RUNS:-5}; MIB=${MIB:-200}
W=$(mktemp -d /tmp/ncbhp.XXXXXX); chmod 700 "$W"
export NETCELL_RUNTIME_DIR=$W/run NETCELL_STATE_DIR=$W/state
PORT=$((30000 + RANDOM % 20000))
python3 tests/hostsink.py sink "$PORT" &
SINK=$!
cleanup() { kill "$SINK" 2>/dev/null || true; "$NC" delete --force bhp-port bhp-gw >/dev/null 2>&1 || true
	kill "$(cat "$W/run/keeper.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
for _ in $(seq 1 50); do ss -Htln "sport = :$PORT" | grep -q . && break; sleep 0.1; done
S=$PWD/tests/hostsink.py
run() { timeout 40 "$@" 2>"$W/err" || echo "FAIL($(tail -1 "$W/err" | cut -c1-60))"; }
$NC create bhp-port --host-port "$PORT" >/dev/null
$NC create bhp-gw --host-loopback >/dev/null
GW=$($NC exec bhp-gw -- ip route | awk '/default/{print $3; exit}')
SIZE=$((MIB << 20))
printf '%-44s %s\n' "path ($MIB MiB, one connection)" "seconds per run"
printf '%-44s' "netcell --host-port (cell 127.0.0.1)"
for _ in $(seq 1 "$RUNS"); do printf ' %s' "$(run $NC exec bhp-port -- python3 "$S" send 127.0.0.1 "$PORT" "$SIZE")"; done; echo
printf '%-44s' "netcell --host-loopback (gateway, pasta tap)"
for _ in $(seq 1 "$RUNS"); do printf ' %s' "$(run $NC exec bhp-gw -- python3 "$S" send "$GW" "$PORT" "$SIZE")"; done; echo
printf '%-44s' "pasta --config-net (gateway, tap)"
for _ in $(seq 1 "$RUNS"); do printf ' %s' "$(run pasta --config-net -q -- sh -c "python3 '$S' send \$(ip route | awk '/default/{print \$3; exit}') $PORT $SIZE")"; done; echo
