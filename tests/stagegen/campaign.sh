#!/bin/bash
# tests/stagegen/campaign.sh - the generator-driven differential campaign
# for fw stage (docs/stage-campaign.md)
#
#   SEED=1 N=200 NC=build/netcell tests/stagegen/campaign.sh
#
# For each of N scripts tests/stagegen/gen.py writes (seeded: SEED and the
# index give the same script every time), as the calling user (root: in an
# `unshare -n` namespace; anyone else: `unshare -Urn`):
#   1. the script runs directly and its views are taken
#      (tests/stage-corpus/views.sh: iptables-save, ip6tables-save, nft's
#      listing of the other tables, counters and comments aside);
#   2. netcell fw stage stages it; a script that succeeds directly must
#      stage (exit 0), a script that fails directly must fail to stage
#      (exit 6) naming the failing line;
#   3. the staged output is applied to one cell (fw apply) and the cell's
#      views are compared with the direct run's.
# Prints one line per script that went wrong, then "scripts N ok N ..." with
# a count per class; exits 1 when any script went wrong in netcell (a
# generator error, where the direct run disagrees with the generator's
# model, is counted apart and does not fail the run unless STRICT_GEN=1).
# OUT=DIR keeps the scripts and the logs of those that went wrong (default:
# a temporary directory, removed).  STOP_AFTER=SECONDS bounds the time.
set -u
SEED=${SEED:-1} N=${N:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
TOPDIR=$(cd "$HERE/../.." && pwd)
NC=${NC:-$TOPDIR/build/netcell}
VIEWS=$TOPDIR/tests/stage-corpus/views.sh
STOP_AFTER=${STOP_AFTER:-0}
own_out=
if [ -z "${OUT:-}" ]; then OUT=$(mktemp -d /tmp/ncstagegen.XXXXXX); own_out=1; fi
mkdir -p "$OUT/bad"
CELL=${CELL:-ncsg$$}
declare -A cls=()
bad=0 gen=0 n=0 start=$SECONDS

cleanup() {
	"$NC" delete --force "$CELL" >/dev/null 2>&1
	[ -n "$own_out" ] && rm -rf "$OUT"
}
trap cleanup EXIT

direct_views() { # SCRIPT: run it for real in a fresh namespace; views on stdout, exit status kept
	local u=-n
	[ "$(id -u)" = 0 ] || u=-Urn
	unshare $u sh -c "NETCELL_STAGE=1 XTABLES_LOCKFILE='$OUT/xt.lock' '$1' >'$OUT/direct.log' 2>&1; rc=\$?; sh '$VIEWS'; exit \$rc"
}

direct_errexit() { # SCRIPT: run it directly under its shell with -e; exit status
	local u=-n sh
	[ "$(id -u)" = 0 ] || u=-Urn
	sh=$(sed -n '1s/^#! *//p' "$1"); sh=${sh#/usr/bin/env }
	unshare $u sh -c "NETCELL_STAGE=1 XTABLES_LOCKFILE='$OUT/xt.lock' $sh -e '$1' >'$OUT/direct.log' 2>&1"
}

note() { # CLASS SCRIPT TEXT
	cls[$1]=$(( ${cls[$1]:-0} + 1 ))
	printf '%s %s: %s\n' "$1" "$(basename "$2")" "$3"
	cp "$2" "$OUT/bad/" 2>/dev/null
	{ echo "== $1: $3"; echo "== stage stderr"; cat "$OUT/err" 2>/dev/null; echo "== direct log"; cat "$OUT/direct.log" 2>/dev/null; } >"$OUT/bad/$(basename "$2").log"
}

"$NC" create "$CELL" --uplink none >/dev/null || { echo "campaign: cannot create the cell $CELL" >&2; exit 1; }
for i in $(seq 1 "$N"); do
	if [ "$STOP_AFTER" != 0 ] && [ $((SECONDS - start)) -ge "$STOP_AFTER" ]; then break; fi
	read -r s expect line < <(python3 "$HERE/gen.py" "$SEED" "$i" "$OUT") || { echo "campaign: gen.py failed" >&2; exit 1; }
	n=$((n + 1))
	direct_views "$s" >"$OUT/direct"; drc=$?
	rm -f "$OUT/err" "$OUT/out"
	"$NC" fw stage -o "$OUT/out" -- "$s" >/dev/null 2>"$OUT/err"; src=$?
	if [ "$expect" = fail ]; then
		if [ $drc = 0 ]; then gen=$((gen + 1)); note gen "$s" "meant to fail at line $line, succeeds directly"; continue; fi
		if [ $src = 0 ]; then bad=$((bad + 1)); note staged-a-failing-script "$s" "fails directly at line $line, staged with exit 0"; continue; fi
		if [ $src != 6 ]; then bad=$((bad + 1)); note wrong-exit "$s" "fails directly at line $line, stage exit $src: $(head -c 300 "$OUT/err")"; continue; fi
		if ! grep -q "$(basename "$s"):$line: " "$OUT/err"; then bad=$((bad + 1)); note wrong-line "$s" "fails directly at line $line, stage says: $(head -c 300 "$OUT/err")"; continue; fi
		cls[ok]=$(( ${cls[ok]:-0} + 1 )); continue
	fi
	if [ $drc != 0 ]; then gen=$((gen + 1)); note gen "$s" "meant to succeed, fails directly (exit $drc): $(tail -2 "$OUT/direct.log" | tr '\n' ' ')"; continue; fi
	# fw stage runs every shell script with errexit on: a script without
	# set -e whose command fails unhandled is refused by design
	if [ "${s%.sh}" != "$s" ] && ! grep -q '^set -e' "$s" && ! direct_errexit "$s"; then
		gen=$((gen + 1)); note gen "$s" "a command fails unhandled (no set -e): $(tail -2 "$OUT/direct.log" | tr '\n' ' ')"; continue
	fi
	if [ $src != 0 ]; then
		bad=$((bad + 1))
		if [ $src = 6 ] && grep -q 'cannot be staged exactly' "$OUT/err"; then
			note refused-exactly "$s" "$(head -c 400 "$OUT/err")"
		else
			note refused "$s" "succeeds directly, stage exit $src: $(head -c 400 "$OUT/err")"
		fi
		continue
	fi
	if ! "$NC" fw apply "$CELL" "$OUT/out" >/dev/null 2>"$OUT/err"; then
		bad=$((bad + 1)); note apply-failed "$s" "$(head -c 300 "$OUT/err")"; continue
	fi
	"$NC" exec "$CELL" -- sh "$VIEWS" >"$OUT/cell" 2>/dev/null
	if ! diff "$OUT/direct" "$OUT/cell" >"$OUT/d"; then
		bad=$((bad + 1)); note differs "$s" "$(grep '^[<>]' "$OUT/d" | head -4 | tr '\n' '|')"
		cp "$OUT/d" "$OUT/bad/$(basename "$s").diff"
		continue
	fi
	cls[ok]=$(( ${cls[ok]:-0} + 1 ))
done
printf 'scripts %d' "$n"
for k in "${!cls[@]}"; do printf ' %s %d' "$k" "${cls[$k]}"; done
printf ' (%d s, seed %s)\n' $((SECONDS - start)) "$SEED"
[ "$bad" = 0 ] && { [ "${STRICT_GEN:-0}" = 0 ] || [ "$gen" = 0 ]; }
