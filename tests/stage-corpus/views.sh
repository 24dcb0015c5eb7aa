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
# the rules of those tables as nft lists them, by chain: iptables-save
# writes a rule nft added that it cannot parse as the part it can, so the
# saves of two different rulesets can be the same text
echo "== nft rules of iptables' tables"
nft list ruleset 2>/dev/null | awk -v t4=" $t4" -v t6=" $t6" '
	/^table / { keep = ($2 == "ip" && index(t4, " " $3 " ")) || ($2 == "ip6" && index(t6, " " $3 " ")); tab = $2 " " $3; next }
	keep && /^\tchain / { ch = tab " " $2; next }
	keep && /^\t\t/ && !/^\t\ttype / { print ch ": " substr($0, 3) }
	/^}/ { keep = 0 }' | sed -E 's/packets [0-9]+ bytes [0-9]+/packets 0 bytes 0/g' | sort -s -t: -k1,1
