#!/bin/sh
# views.sh - what a ruleset holds, as a user would check it by hand:
# iptables-save and ip6tables-save (comment lines and counters aside), then
# nft's listing of every table those do not show.  The differential test
# (t_stage_differential) compares a direct run's views with a cell's.
t4=$(iptables-save 2>/dev/null | sed -n 's/^\*//p' | tr '\n' ' ')
t6=$(ip6tables-save 2>/dev/null | sed -n 's/^\*//p' | tr '\n' ' ')
echo "== iptables-save"
iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]/[0:0]/'
echo "== ip6tables-save"
ip6tables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]/[0:0]/'
echo "== nft"
nft list ruleset 2>/dev/null | grep -v '^#' | awk -v t4=" $t4" -v t6=" $t6" '
	/^table / { skip = ($2 == "ip" && index(t4, " " $3 " ")) || ($2 == "ip6" && index(t6, " " $3 " ")) }
	!skip { print }
	/^}/ { skip = 0 }' | sed -E 's/packets [0-9]+ bytes [0-9]+/packets 0 bytes 0/g'
# the rules of those tables as nft holds them, by chain: iptables-save
# writes a rule nft added that it cannot parse as the part it can, so the
# saves of two different rulesets can be the same text.  nft's JSON, since
# its text renders xtables extensions through libxtables, which loads each
# for one family per process (the text depends on which table came first)
echo "== nft rules of iptables' tables"
nft -j list ruleset 2>/dev/null | python3 -c '
import json, sys
t4, t6 = sys.argv[1].split(), sys.argv[2].split()
try:
    items = json.load(sys.stdin)["nftables"]
except ValueError:
    items = []
def zero(x):
    if isinstance(x, dict):
        return {k: (0 if k in ("packets", "bytes") else zero(v)) for k, v in x.items()}
    return [zero(v) for v in x] if isinstance(x, list) else x
rules = [r["rule"] for r in items if "rule" in r]
rules = [r for r in rules if (r["family"] == "ip" and r["table"] in t4) or (r["family"] == "ip6" and r["table"] in t6)]
for r in sorted(rules, key=lambda r: (r["family"], r["table"], r["chain"])):
    print("%s %s %s: %s" % (r["family"], r["table"], r["chain"], json.dumps(zero(r["expr"]), sort_keys=True)))
' "$t4" "$t6"
