#!/usr/bin/env bash
# demo.sh - netcell's main job, end to end, as whoever runs it (root or not):
# create a cell, run a server in it, publish a port, apply a firewall, show
# it working, roll it back.  All traffic stays on this machine's loopback.
set -eu
cd "$(dirname "$0")"
NC=${NC:-$PWD/build/netcell}
CELL=demo-$$
PORT=${DEMO_PORT:-$((20000 + $$ % 20000))}
# bold commands on a terminal only: a pipe or a file gets plain text
if [ -t 1 ]; then BOLD=$(printf '\033[1m') PLAIN=$(printf '\033[0m'); else BOLD= PLAIN=; fi
say() { printf '\n%s$ %s%s\n' "$BOLD" "$*" "$PLAIN"; }
get() { python3 -c "import urllib.request as u,sys; print('HTTP', u.urlopen(sys.argv[1], timeout=2).status)" "$1" 2>&1 | tail -1; }
cleanup() { kill "${SRV:-}" 2>/dev/null || true; "$NC" delete --force "$CELL" >/dev/null 2>&1 || true; rm -f "$RULES"; }
RULES=$(mktemp /tmp/demo-rules.XXXXXX.nft)
trap cleanup EXIT

say "netcell create $CELL --uplink none"; "$NC" create "$CELL" --uplink none
say "netcell exec $CELL -- ip -br addr          # a private network: only loopback"
"$NC" exec "$CELL" -- ip -br addr
say "netcell exec $CELL -- python3 -m http.server 80 &   # port 80 inside, even rootless"
"$NC" exec "$CELL" -- python3 -m http.server 80 --bind 127.0.0.1 >/dev/null 2>&1 &
SRV=$!
for _ in $(seq 1 50); do "$NC" exec "$CELL" -- ss -Htln 'sport = :80' | grep -q . && break; sleep 0.1; done
say "curl http://127.0.0.1:$PORT/      # on the host, before publishing"
get "http://127.0.0.1:$PORT/"
say "netcell port add $CELL $PORT:80"; "$NC" port add "$CELL" "$PORT:80"
"$NC" port list "$CELL"
say "curl http://127.0.0.1:$PORT/      # the host reaches the server in the cell"
get "http://127.0.0.1:$PORT/"
cat >"$RULES" <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 80 reject with tcp reset
	}
}
NFT
say "netcell fw apply $CELL rules.nft      # one atomic transaction, kept as generation 1"
cat "$RULES"; "$NC" fw apply "$CELL" "$RULES"
say "curl http://127.0.0.1:$PORT/      # the cell's firewall rejects it"
get "http://127.0.0.1:$PORT/"
say "netcell fw history $CELL"; "$NC" fw history "$CELL"
say "netcell fw rollback $CELL          # back to no rules, atomically"; "$NC" fw rollback "$CELL"
say "curl http://127.0.0.1:$PORT/"; get "http://127.0.0.1:$PORT/"
say "kill %1; netcell delete $CELL      # server stopped first (delete refuses a busy cell); cell, forward and rules gone"
kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true; SRV=
"$NC" delete "$CELL"
get "http://127.0.0.1:$PORT/"
echo; echo "demo finished"
