#!/usr/bin/env bash
# bench/scale.sh - one user's keeper with many cells, rootless (as root it
# re-runs itself as NETCELL_TEST_USER).  CELLS=1000, N=20 create+delete
# repetitions per probe, PORTS=1000 published ports (PORTCELLS=20 cells of
# PORTS/PORTCELLS each, all on 127.0.0.1).
#   create+delete of one more cell with 10 cells, then with CELLS     (target <= 1.2x)
#     beside unshare -Urn ip link set lo up in the same rounds
#   keeper RSS with CELLS cells and PORTS ports (VmRSS)               (target <= 16 MB)
#   list of CELLS cells (text), list --json complete                  (target < 50 ms)
#     beside ls of a directory of CELLS files (the floor of a listing command)
#   keeper rebuild of CELLS cells after kill -9 (the next list)       (target < 5 s)
set -eu
cd "$(dirname "$0")/.."
CELLS=${CELLS:-1000}; N=${N:-20}; PORTS=${PORTS:-1000}; PORTCELLS=${PORTCELLS:-20}
if [ "$(id -u)" = 0 ]; then
	U=${NETCELL_TEST_USER:-netcell-test}; id "$U" >/dev/null 2>&1 || useradd -m -s /bin/bash "$U"
	exec setpriv --reuid="$U" --regid="$U" --init-groups env -i PATH="$PATH" HOME=/tmp \
		CELLS="$CELLS" N="$N" PORTS="$PORTS" PORTCELLS="$PORTCELLS" bash "$0"
fi
. bench/lib.sh
NC=$PWD/build/netcell
W=$(mktemp -d /tmp/ncbscale.XXXXXX); chmod 700 "$W"
export NETCELL_RUNTIME_DIR=$W/run NETCELL_STATE_DIR=$W/state
cleanup() {
	local p; p=$(cat "$W/run/keeper.pid" 2>/dev/null) && kill -9 "$p" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
name() { printf 'sc%04d\n' "$1"; }
probe() { $NC create scprobe --uplink none && $NC delete scprobe; }
# cd_at LABEL: create+delete of one more cell, 3 interleaved rounds beside unshare
cd_at() {
	local A='' B=''
	for _ in 1 2 3; do A+="$(timeit "$N" probe) "; B+="$(timeit "$N" unshare -Urn ip link set lo up) "; done
	CD=$(med $A); row "create+delete, $1" "$CD" "$(med $B)" "unshare -Urn ip link set lo up" "-"
}
mkcells() { local i; for ((i = $1; i <= $2; i++)); do $NC create "$(name "$i")" --uplink none >/dev/null; done; }
printf '== %d cells, one user, rootless (uid %s); the machine is shared (2 cores, other runs) ==\n' "$CELLS" "$(id -u)"
mkcells 1 10
cd_at "10 cells"; c10=$CD
s=$(date +%s%N); mkcells 11 "$CELLS"; e=$(date +%s%N)
printf '%-34s %8.1f ms per create (cells 11..%d)\n' "fill" "$(awk -v d=$((e - s)) -v n=$((CELLS - 10)) 'BEGIN { print d / n / 1e6 }')" "$CELLS"
cd_at "$CELLS cells"; cN=$CD
printf '%-34s %sx (target <= 1.2)\n' "create+delete ${CELLS}th / 10th" "$(ratio "$cN" "$c10")"
# ports: PORTCELLS cells of PORTS/PORTCELLS ports each
per=$((PORTS / PORTCELLS)); base=$((20000 + RANDOM % 5000)); k=0
for ((i = 1; i <= PORTCELLS; i++)); do
	specs=; for ((j = 0; j < per; j++)); do specs+=" 127.0.0.1:$((base + k)):$((8000 + j))"; k=$((k + 1)); done
	# shellcheck disable=SC2086
	$NC port add "$(name "$i")" $specs >/dev/null
done
kp=$(cat "$W/run/keeper.pid")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$kp/status")
printf '%-34s %8.1f MB   (%d ports in %d cells; target <= 16 MB)\n' "keeper RSS" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$k" "$PORTCELLS"
mkdir "$W/ls"; for ((i = 1; i <= CELLS; i++)); do : >"$W/ls/$(name "$i")"; done
A='' B='' J=''
for _ in 1 2 3 4 5; do A+="$(timeit 20 $NC list) "; J+="$(timeit 20 $NC list --json) "; B+="$(timeit 20 ls -l "$W/ls") "; done
row "list, $CELLS cells" "$(med $A)" "$(med $B)" "ls -l of $CELLS files" "50 ms absolute"
row "list --json, $CELLS cells" "$(med $J)" "$(med $B)" "ls -l of $CELLS files" "50 ms absolute"
n=$($NC list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
printf '%-34s %d of %d cells\n' "list --json complete" "$n" "$CELLS"
n=$($NC list | grep -c '^sc[0-9]')
printf '%-34s %d of %d cells\n' "list complete" "$n" "$CELLS"
kill -9 "$kp"; while [ -d "/proc/$kp" ] && ! grep -q '^State:.*Z' "/proc/$kp/status" 2>/dev/null; do sleep 0.01; done
s=$(date +%s%N); $NC list >/dev/null 2>"$W/rebuild.err"; e=$(date +%s%N)
printf '%-34s %8.0f ms   (target < 5000 ms; %s)\n' "rebuild of $CELLS cells" "$(awk -v d=$((e - s)) 'BEGIN { print d / 1e6 }')" "$(head -1 "$W/rebuild.err")"
kp=$(cat "$W/run/keeper.pid")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$kp/status")
printf '%-34s %8.1f MB\n' "keeper RSS after rebuild" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
s=$(date +%s%N)
for ((i = 1; i <= CELLS; i += 100)); do
	# shellcheck disable=SC2046 # names without spaces, one word each
	$NC delete $(for ((j = i; j < i + 100 && j <= CELLS; j++)); do name "$j"; done) >/dev/null
done
e=$(date +%s%N)
printf '%-34s %8.1f ms per cell\n' "delete, 100 names per command" "$(awk -v d=$((e - s)) -v n="$CELLS" 'BEGIN { print d / n / 1e6 }')"
