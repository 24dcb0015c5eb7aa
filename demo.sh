#!/usr/bin/env bash
# demo.sh - netcell's main job, end to end, as whoever runs it (root or not):
# create a cell, run a server in it, reach it, firewall it, show the effect.
set -eu
cd "$(dirname "$0")"
NC=${NC:-$PWD/build/netcell}
CELL=demo-$$
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cleanup() { "$NC" delete --force "$CELL" >/dev/null 2>&1 || true; }
trap cleanup EXIT
[ -c /dev/net/tun ] || true

say "netcell create $CELL"; "$NC" create "$CELL"
say "netcell list"; "$NC" list
say "netcell exec $CELL -- ip -br addr     # a private network: only loopback"
"$NC" exec "$CELL" -- ip -br addr
say "netcell exec $CELL -- python3 -m http.server 80 &   # port 80 works, even rootless"
"$NC" exec "$CELL" -- python3 -m http.server 80 --bind 127.0.0.1 >/dev/null 2>&1 &
SRV=$!
for _ in $(seq 1 50); do "$NC" exec "$CELL" -- ss -Htln 'sport = :80' | grep -q . && break; sleep 0.1; done
say "netcell exec $CELL -- curl-like GET http://127.0.0.1/   # inside the cell"
"$NC" exec "$CELL" -- python3 -c 'import urllib.request as u; print("HTTP", u.urlopen("http://127.0.0.1/", timeout=3).status)'
say "on the host, the cell's server is not there (isolation)"
python3 -c 'import urllib.request as u; u.urlopen("http://127.0.0.1:80/", timeout=1)' 2>/dev/null \
	&& echo "host port 80 answered (some host service, not the cell)" || echo "connection refused: the server lives only in the cell"
say "netcell exec $CELL -- nft add rule ... tcp dport 80 reject   # a firewall inside the cell, rootless"
"$NC" exec "$CELL" -- nft -f - <<'NFT'
table inet demo {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 80 reject with tcp reset
	}
}
NFT
"$NC" exec "$CELL" -- nft list ruleset
say "GET again: the firewall rejects it"
"$NC" exec "$CELL" -- python3 -c 'import urllib.request as u; u.urlopen("http://127.0.0.1/", timeout=3)' 2>&1 | tail -1 || true
kill "$SRV" 2>/dev/null || true
say "netcell delete $CELL"; "$NC" delete "$CELL"
"$NC" list
echo; echo "demo finished"
