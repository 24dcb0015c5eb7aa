# tests/integration/firewall.sh - fw apply/check/show/history/rollback/confirm
# Each t_* runs as root and as the unprivileged test user.

# ruleset_drop PORT FILE: an nft file that drops TCP to PORT
ruleset_drop() {
	cat >"$2" <<EOF
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport $1 drop
	}
}
EOF
}

t_fw_apply_reject_rollback() {
	local c=${PFX}f
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/drop.nft"
	expect_rc 0 $NC fw apply "$c" "$T/drop.nft"
	$NC fw show "$c" | grep -q 'tcp dport 8080 drop' || fail "fw show lacks the rule"
	$NC exec "$c" -- nft list ruleset | grep -q 'tcp dport 8080 drop' || fail "rule not in the cell"
	# an error points into the user's file and changes nothing
	printf 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport 9090 dropp\n\t}\n}\n' >bad.nft
	expect_rc 6 $NC fw apply "$c" bad.nft
	expect_err_match '^bad\.nft:4:[0-9]+'
	expect_err_match 'dropp'
	$NC fw show "$c" | grep -q 'tcp dport 8080 drop' || fail "a rejected file changed the ruleset"
	ruleset_drop 7070 "$T/drop2.nft"
	expect_rc 0 $NC fw apply "$c" "$T/drop2.nft"
	$NC fw history "$c" >"$T/h"
	grep -Eq '^1 .*nft' "$T/h" && grep -Eq '^2 +\* ' "$T/h" || fail "history: $(cat "$T/h")"
	expect_rc 0 $NC fw rollback "$c"
	$NC fw show "$c" | grep -q 'dport 8080' || fail "rollback did not restore generation 1"
	$NC fw show "$c" | grep -q 'dport 7070' && fail "rollback left generation 2 rules"
	expect_rc 0 $NC fw rollback "$c" 2
	$NC fw show "$c" | grep -q 'dport 7070' || fail "rollback to 2"
	expect_rc 2 $NC fw rollback "$c" 99
	$NC delete --force "$c"
}

t_fw_blocks_traffic() {
	local c=${PFX}t srv
	expect_rc 0 $NC create "$c"
	srv=$(serve "$c" 127.0.0.1 8080)
	for _ in $(seq 1 50); do reach "$c" 127.0.0.1 8080 && break; sleep 0.1; done
	reach "$c" 127.0.0.1 8080 || fail "server not reachable before the firewall"
	ruleset_drop 8080 "$T/drop.nft"
	expect_rc 0 $NC fw apply "$c" "$T/drop.nft"
	reach "$c" 127.0.0.1 8080 && fail "TCP 8080 still reachable after the drop rule"
	expect_rc 0 $NC fw rollback "$c"
	reach "$c" 127.0.0.1 8080 || fail "rollback did not restore reachability"
	kill "$srv" 2>/dev/null
	$NC delete --force "$c"
}

# modes t_fw_blocks_traffic_from_outside: root
t_fw_blocks_traffic_from_outside() {
	# a second namespace (made by the test with ip) reaches the cell over a veth
	local c=${PFX}o w=${PFX}w srv
	expect_rc 0 $NC create "$c"
	ip netns add "$w"
	trap 'ip netns del "$w" 2>/dev/null' EXIT RETURN
	ip link add "${PFX}a" netns "$w" type veth peer name "${PFX}b" netns "$c"
	ip -n "$w" addr add 10.241.7.1/24 dev "${PFX}a"; ip -n "$w" link set "${PFX}a" up
	ip -n "$c" addr add 10.241.7.2/24 dev "${PFX}b"; ip -n "$c" link set "${PFX}b" up
	$NC exec "$c" -- python3 -c "
import socket,time
s=socket.socket(); s.bind(('10.241.7.2',8080)); s.listen(16); s.settimeout(15)
end=time.time()+15
while time.time()<end:
    try: c,_=s.accept(); c.sendall(b'hi'); c.close()
    except Exception: break" &
	srv=$!
	sleep 0.5
	probe() { ip netns exec "$w" python3 -c "import socket; c=socket.create_connection(('10.241.7.2',8080),1.0); assert c.recv(2)==b'hi'" 2>/dev/null; }
	probe || fail "no connection from the other namespace before the firewall"
	ruleset_drop 8080 "$T/drop.nft"
	expect_rc 0 $NC fw apply "$c" "$T/drop.nft"
	probe && fail "the other namespace still connects through the drop rule"
	expect_rc 0 $NC fw rollback "$c"
	probe || fail "rollback did not reopen the port"
	kill $srv 2>/dev/null
	$NC delete --force "$c"
}

t_fw_atomic_under_observer() {
	# 200 applies alternate between two 40-rule rulesets; an observer listing
	# the ruleset all the while must only ever see all of A or all of B
	local c=${PFX}at i
	expect_rc 0 $NC create "$c"
	for s in A B; do
		{ echo "table inet t {"; echo " chain c {"
		  for i in $(seq 1 40); do echo "  tcp dport $i accept comment \"$s$i\""; done
		  echo " }"; echo "}"; } >"$T/$s.nft"
	done
	$NC fw apply "$c" "$T/A.nft" >/dev/null || fail "first apply"
	$NC exec "$c" -- sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 3000 ]; do nft list ruleset > "$2.tmp"; a=$(grep -c "comment \"A" "$2.tmp"); b=$(grep -c "comment \"B" "$2.tmp"); echo "$a $b" >> "$2"; i=$((i+1)); done' sh "$T/stop" "$T/obs" &
	local obs=$!
	# a failing apply must not leave the observer writing into a removed directory
	trap 'touch "$T/stop"; kill "$obs" 2>/dev/null; wait "$obs" 2>/dev/null' RETURN
	for i in $(seq 1 200); do
		$NC fw apply "$c" "$T/$([ $((i % 2)) = 0 ] && echo A || echo B).nft" >/dev/null || fail "apply $i failed"
	done
	touch "$T/stop"; wait $obs
	[ "$(wc -l <"$T/obs")" -gt 20 ] || fail "observer saw too little: $(wc -l <"$T/obs") listings"
	grep -vxE '40 0|0 40' "$T/obs" | head -3 | grep -q . && fail "observer saw a mix: $(grep -vxE '40 0|0 40' "$T/obs" | head -3 | tr '\n' ';')"
	$NC delete --force "$c"
}

t_fw_last_rule_invalid_changes_nothing() {
	local c=${PFX}li i
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/drop.nft"
	expect_rc 0 $NC fw apply "$c" "$T/drop.nft"
	{ echo "table inet big {"; echo " chain c {"; echo "  type filter hook input priority 0;"
	  for i in $(seq 1 300); do echo "  tcp dport $((3000 + i)) accept"; done
	  echo "  tcp dport 99999 accept"; echo " }"; echo "}"; } >"$T/last.nft"
	expect_rc 6 $NC fw apply "$c" "$T/last.nft"
	expect_err_match 'last\.nft:304:'
	$NC exec "$c" -- nft list ruleset >"$T/now"
	grep -q 'table inet big' "$T/now" && fail "part of a rejected file went in"
	grep -q 'dport 8080 drop' "$T/now" || fail "the previous ruleset was lost"
	$NC delete --force "$c"
}

t_fw_iptables_families_together() {
	local c=${PFX}ip
	expect_rc 0 $NC create "$c"
	printf '# Generated by iptables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8081 -j DROP\nCOMMIT\n' >"$T/v4"
	printf '# Generated by ip6tables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8082 -j DROP\nCOMMIT\n' >"$T/v6"
	printf '# Generated by ip6tables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8083 -j NOSUCHTARGET\nCOMMIT\n' >"$T/v6bad"
	expect_rc 6 $NC fw apply "$c" "$T/v4" "$T/v6bad"
	$NC exec "$c" -- iptables-save | grep -q 8081 && fail "IPv4 part applied although IPv6 failed"
	expect_rc 0 $NC fw apply "$c" "$T/v4" "$T/v6"
	$NC exec "$c" -- iptables-save | grep -q -- '--dport 8081 -j DROP' || fail "IPv4 rules missing"
	$NC exec "$c" -- ip6tables-save | grep -q -- '--dport 8082 -j DROP' || fail "IPv6 rules missing"
	$NC delete --force "$c"
}

t_fw_iptables_save_roundtrip() {
	# files made by iptables-save apply, and the cell saves them back the same
	local c=${PFX}rt
	cat >"$T/src" <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j SSH
-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
-A SSH -s 192.0.2.0/24 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
EOF
	unshare -Urn sh -c "iptables-restore < '$T/src' && iptables-save" >"$T/saved.v4" || fail "iptables-save in a scratch namespace"
	expect_rc 0 $NC create "$c"
	expect_rc 0 $NC fw apply "$c" "$T/saved.v4"
	$NC exec "$c" -- iptables-save >"$T/back"
	strip() { grep -v '^#' "$1" | sed 's/\[[0-9]*:[0-9]*\]//'; }
	diff <(strip "$T/saved.v4") <(strip "$T/back") >"$T/d" || fail "round trip differs: $(head -c 300 "$T/d")"
	$NC delete --force "$c"
}

t_fw_large_ruleset() {
	# 10,000 single rules in one transaction, rootless too
	local c=${PFX}lg
	python3 -c "
print('table inet big {\n chain input {\n  type filter hook input priority 0; policy accept;')
for i in range(10000): print('  tcp dport %d ip saddr 10.%d.%d.%d accept' % (1000 + i % 60000, (i>>16)&255, (i>>8)&255, i&255))
print(' }\n}')" >"$T/big.nft"
	expect_rc 0 $NC create "$c"
	expect_rc 0 $NC fw apply "$c" "$T/big.nft"
	[ "$($NC exec "$c" -- nft list ruleset | grep -c 'accept$')" = 10000 ] || fail "not 10000 rules in force"
	$NC delete --force "$c"
}

t_fw_confirm_or_revert() {
	local c=${PFX}cf
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/a.nft"; ruleset_drop 9090 "$T/b.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	# no confirm: reverted, exit 7
	expect_rc 7 $NC fw apply "$c" "$T/b.nft" --confirm 1
	expect_err_match 'not confirmed in time'
	$NC fw show "$c" | grep -q 'dport 8080' || fail "not reverted to generation 1"
	$NC fw show "$c" | grep -q 'dport 9090' && fail "unconfirmed rules stayed"
	# confirmed in time: kept
	$NC fw apply "$c" "$T/b.nft" --confirm 20 >/dev/null 2>&1 &
	local ap=$!
	for _ in $(seq 1 100); do $NC fw confirm "$c" 2>/dev/null && break; sleep 0.1; done
	wait $ap || fail "confirmed apply did not exit 0"
	$NC fw show "$c" | grep -q 'dport 9090' || fail "confirmed rules not kept"
	$NC delete --force "$c"
}

t_fw_confirm_survives_keeper_kill() {
	local c=${PFX}ck
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/a.nft"; ruleset_drop 9090 "$T/b.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	$NC fw apply "$c" "$T/b.nft" --confirm 2 >/dev/null 2>"$T/aerr" &
	local ap=$!
	sleep 0.5
	kill -9 "$(keeper_pid)"
	wait $ap; local rc=$?
	[ $rc = 7 ] || fail "apply exited $rc, wanted 7 (reverted): $(cat "$T/aerr")"
	$NC fw history "$c" 2>/dev/null | grep -Eq '^1 +\* ' || fail "history does not say generation 1 is in force"
	$NC fw show "$c" | grep -q 'dport 8080' || fail "the cell does not have generation 1 in force"
	$NC delete --force "$c"
}

t_fw_survives_keeper_crash() {
	local c=${PFX}kc
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/a.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	kill -9 "$(keeper_pid)"; sleep 0.2
	$NC list >/dev/null 2>&1
	$NC fw show "$c" | grep -q 'dport 8080' || fail "rebuilt cell lost its firewall"
	$NC delete --force "$c"
}

# a rootless cell is made anew by a new keeper and its firewall loaded again;
# when that fails, the cell comes back closed (a drop-all table) rather than
# open, and the command that started the keeper says so (root cells keep
# their namespace and their rules)
# modes t_fw_restore_failure_closes_cell: user
t_fw_restore_failure_closes_cell() {
	local c=${PFX}rf gen srv
	expect_rc 0 $NC create "$c" --uplink none
	ruleset_drop 8080 "$T/a.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	gen=$(ls "$NETCELL_STATE_DIR/fw/$c/"*.nft 2>/dev/null | head -1)
	[ -n "$gen" ] || fail "no saved generation under $NETCELL_STATE_DIR/fw/$c"
	kill -9 "$(keeper_pid)"; sleep 0.2
	printf 'table inet broken {\n' >"$gen"
	expect_rc 0 $NC list
	expect_err_match "cell \"$c\" came back with ALL ITS TRAFFIC BLOCKED"
	expect_err_match "netcell fw history $c"
	$NC list | grep -q "^$c " || fail "the cell did not come back"
	$NC fw show "$c" | grep -q 'table inet netcell_lockdown' || fail "no drop-all table in the cell"
	# history and inspect say the generation on record is not what holds
	$NC fw history "$c" >"$T/hist" 2>"$T/herr" || fail "fw history failed: $(cat "$T/herr")"
	grep -Eq '^1 +! ' "$T/hist" || fail "history does not mark generation 1 as not loaded: $(cat "$T/hist")"
	grep -q 'did not load' "$T/herr" || fail "history does not say why: $(cat "$T/herr")"
	$NC inspect "$c" | grep -q '^firewall: .*DID NOT LOAD' || fail "inspect does not say the firewall did not load"
	$NC inspect "$c" --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["firewall"]["locked"] is True' ||
		fail "inspect --json lacks firewall.locked"
	# 9090 is not in the saved ruleset: only the lockdown can stop it
	srv=$(serve "$c" 127.0.0.1 9090)
	wait_port 9090 "$c" || fail "test server never listened"
	reach "$c" 127.0.0.1 9090 && fail "traffic passes in a cell whose firewall did not load"
	# applying a ruleset opens the cell again
	ruleset_drop 8080 "$T/b.nft"
	expect_rc 0 $NC fw apply "$c" "$T/b.nft"
	$NC fw show "$c" | grep -q netcell_lockdown && fail "apply left the drop-all table"
	$NC fw history "$c" 2>"$T/herr" | grep -Eq '^2 +\* ' || fail "history does not say generation 2 is in force"
	grep -q . "$T/herr" && fail "history still warns after apply: $(cat "$T/herr")"
	$NC inspect "$c" --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["firewall"]["locked"] is False' ||
		fail "inspect still says locked after apply"
	reach "$c" 127.0.0.1 9090 || fail "the cell stayed closed after a ruleset was applied"
	kill "$srv" 2>/dev/null
	$NC delete --force "$c"
}

# a rebuild ends a confirm window (after a restart no watcher is left to
# revert at the deadline): a generation awaiting confirmation is reverted
# when its cell is rebuilt, even one that would no longer load
# modes t_fw_rebuild_reverts_pending: user
t_fw_rebuild_reverts_pending() {
	local c=${PFX}lp ap rc
	expect_rc 0 $NC create "$c" --uplink none
	ruleset_drop 8080 "$T/a.nft"; ruleset_drop 9090 "$T/b.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	$NC fw apply "$c" "$T/b.nft" --confirm 60 >/dev/null 2>"$T/aerr" &
	ap=$!
	for _ in $(seq 1 50); do $NC fw history "$c" 2>/dev/null | grep -Eq '^2 +\? ' && break; sleep 0.1; done
	$NC fw history "$c" 2>/dev/null | grep -Eq '^2 +\? ' || fail "generation 2 never awaited confirmation"
	kill -9 "$(keeper_pid)"; sleep 0.2
	printf 'table inet broken {\n' >"$(ls "$NETCELL_STATE_DIR/fw/$c/"2.* | grep -v meta | head -1)"
	expect_rc 0 $NC list
	expect_err_match "generation 2 still awaited fw confirm and was reverted"
	grep -q 'ALL ITS TRAFFIC BLOCKED' "$T/err" && fail "the reverted generation was loaded: $(cat "$T/err")"
	# the waiting apply learns it, long before its 60 s deadline
	for _ in $(seq 1 50); do alive $ap || break; sleep 0.1; done
	wait $ap; rc=$?
	[ $rc = 7 ] || fail "apply exited $rc, wanted 7 (reverted): $(cat "$T/aerr")"
	expect_rc 7 $NC fw confirm "$c"
	expect_err_match 'too late'
	$NC fw history "$c" 2>"$T/herr" | grep -Eq '^1 +\* ' || fail "history does not say generation 1 is in force"
	grep -q . "$T/herr" && fail "history warns: $(cat "$T/herr")"
	$NC fw show "$c" >"$T/show"
	grep -q netcell_lockdown "$T/show" && fail "a drop-all table after the revert"
	grep -q 'dport 8080' "$T/show" || fail "the revert did not load generation 1"
	$NC delete --force "$c"
}

# more problems in one rebuild than one pipe write or the notice queue holds:
# each is still counted, and all that were kept are listed in a file
# modes t_rebuild_many_problems_counted: user
t_rebuild_many_problems_counted() {
	local i n=18 shown more file
	ruleset_drop 8080 "$T/a.nft"
	# a cell without firewall keeps the keeper up through the deletes below
	expect_rc 0 $NC create "${PFX}ok" --uplink none
	for i in $(seq 1 $n); do
		expect_rc 0 $NC create "${PFX}m$i" --uplink none
		expect_rc 0 $NC fw apply "${PFX}m$i" "$T/a.nft"
	done
	kill -9 "$(keeper_pid)"; sleep 0.2
	for i in $(seq 1 $n); do
		printf 'table inet broken {\n' >"$(ls "$NETCELL_STATE_DIR/fw/${PFX}m$i/"*.nft | head -1)"
	done
	expect_rc 0 $NC list
	shown=$(grep -c 'came back with ALL ITS TRAFFIC BLOCKED' "$T/err")
	more=$(sed -nE 's/.* ([0-9]+) more problems of this rebuild are not shown here; see ([^ ]+).*/\1/p' "$T/err")
	file=$(sed -nE 's/.* more problems of this rebuild are not shown here; see ([^ ]+).*/\1/p' "$T/err")
	[ -n "$more" ] || fail "no count of the problems not shown: $(head -c 600 "$T/err")"
	[ $((shown + more)) = $n ] || fail "$shown shown + $more counted, wanted $n"
	[ -f "$file" ] || fail "the file named, $file, does not exist"
	[ "$(grep -c 'came back with ALL ITS TRAFFIC BLOCKED' "$file")" = 16 ] ||
		fail "$file does not list the 16 kept problems: $(head -c 600 "$file")"
	grep -q '^2 more problems were not kept' "$file" || fail "$file does not count the 2 not kept"
	[ "$($NC list | grep -c "^${PFX}m")" = $n ] || fail "not every cell came back"
	[ "$shown" -le 8 ] || fail "$shown problems in the ready word, more than half of the 16 a context keeps"
	for i in $(seq 1 $n); do $NC delete --force "${PFX}m$i"; done
	# a clean rebuild removes the file
	[ -f "$file" ] || fail "$file went before the keeper was restarted"
	kill -9 "$(keeper_pid)"; sleep 0.2
	expect_rc 0 $NC list
	grep -q "^${PFX}ok " "$T/out" || fail "the clean cell was not rebuilt"
	[ -e "$file" ] && fail "$file outlived a rebuild with no problems"
	$NC delete --force "${PFX}ok"
}

t_fw_bad_inputs() {
	local c=${PFX}bi
	expect_rc 0 $NC create "$c"
	ruleset_drop 8080 "$T/a.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	expect_rc 2 $NC fw apply "$c" "$T/missing.nft"; expect_err_match 'cannot read ruleset'
	: >"$T/empty.nft"
	expect_rc 6 $NC fw apply "$c" "$T/empty.nft"; expect_err_match 'is empty'
	head -c 4096 /dev/urandom >"$T/bin.nft"; printf '\0' >>"$T/bin.nft"
	expect_rc 6 $NC fw apply "$c" "$T/bin.nft"; expect_err_match 'not a text file'
	head -c 50000000 /dev/zero | tr '\0' '#' >"$T/huge.nft"
	expect_rc 6 $NC fw apply "$c" "$T/huge.nft"; expect_err_match 'over the limit'
	expect_rc 2 $NC fw apply "$c" "$T/a.nft" --format pf; expect_err_match 'unknown format'
	expect_rc 3 $NC fw apply "${PFX}nocell" "$T/a.nft"
	expect_rc 2 $NC fw frob "$c"
	$NC fw show "$c" | grep -q 'dport 8080' || fail "a bad input changed the ruleset"
	[ "$($NC fw history "$c" | grep -c '^[0-9]')" = 1 ] || fail "bad inputs left generations"
	$NC delete --force "$c"
}

t_fw_check_without_cell() {
	ruleset_drop 8080 "$T/a.nft"
	expect_rc 0 $NC fw check "$T/a.nft"
	printf 'table inet x {\n chain c {\n  tcp dport 1 frob\n }\n}\n' >"$T/b.nft"
	expect_rc 6 $NC fw check "$T/b.nft"
	expect_err_match 'b\.nft:3:'
	expect_rc 0 $NC list
	grep -q . "$T/out" && fail "fw check created a cell"
	return 0
}

# modes t_fw_large_ruleset_default_wmem: root
t_fw_large_ruleset_default_wmem() {
	# With Debian's default net.core.wmem_max (208 KiB) a rootless
	# transaction holds ~1,000 rules; 10,000 still go in all or nothing
	# (dormant tables built in steps, one switch).  An observer counting the
	# rules of the live (not dormant) tables never sees a mix.
	local old rd c=${PFX}wm
	old=$(sysctl -n net.core.wmem_max)
	rd=$(mktemp -d /tmp/ncw.XXXXXX); chmod 755 "$rd"; mkdir -p "$rd/run" "$rd/state"
	chown "$TUSER" "$rd/run" "$rd/state" "$rd"; chmod 700 "$rd/run" "$rd/state"
	trap 'sysctl -qw net.core.wmem_max='"$old"'; kill -9 $(cat "'"$rd"'/run/keeper.pid" 2>/dev/null) 2>/dev/null; rm -rf "'"$rd"'"' EXIT RETURN
	sysctl -qw net.core.wmem_max=212992
	asu() { setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups \
		env NETCELL_RUNTIME_DIR="$rd/run" NETCELL_STATE_DIR="$rd/state" HOME="$rd" "$@"; }
	for s in A B; do
		python3 -c "
print('table inet big {\n chain input {\n  type filter hook input priority 0; policy accept;')
for i in range(10000): print('  tcp dport %d ip saddr 10.%d.%d.%d accept comment \"$s\"' % (1000 + i % 60000, (i>>16)&255, (i>>8)&255, i&255))
print(' }\n}')" >"$rd/$s.nft"
	done
	sed '5005s/accept comment/frob comment/' "$rd/A.nft" >"$rd/bad.nft"
	chmod 644 "$rd"/*.nft
	asu $NC create "$c" || fail "create"
	asu $NC fw apply "$c" "$rd/A.nft" >/dev/null 2>"$rd/err" || fail "10,000 rules rootless at wmem_max 212992: $(cat "$rd/err")"
	[ "$(asu $NC exec "$c" -- nft list ruleset | grep -c 'comment "A"')" = 10000 ] || fail "not 10,000 rules in force"
	# observer: live tables only, each listing all A or all B
	asu $NC exec "$c" -- sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 2000 ]; do nft list ruleset | awk "/^table/{d=0} /flags dormant/{d=1} !d && /comment \"A\"/{a++} !d && /comment \"B\"/{b++} END{print a+0, b+0}" >> "$2"; i=$((i+1)); done' sh "$rd/stop" "$rd/obs" &
	local obs=$! i
	# at least 4 applies, more (up to 20) until the observer has looked 6 times
	for i in $(seq 1 20); do
		asu $NC fw apply "$c" "$rd/$([ $((i % 2)) = 1 ] && echo B || echo A).nft" >/dev/null 2>"$rd/err" || fail "apply $i: $(cat "$rd/err")"
		[ "$i" -ge 4 ] && [ "$(wc -l <"$rd/obs" 2>/dev/null || echo 0)" -gt 5 ] && [ $((i % 2)) = 0 ] && break
		# a listing is a netlink dump, which starts over while the
		# ruleset keeps changing: leave the observer time to finish one
		sleep 0.3
	done
	touch "$rd/stop"; wait $obs
	[ "$(wc -l <"$rd/obs")" -gt 5 ] || fail "observer saw too little: $(wc -l <"$rd/obs") lines after $i applies: $(head -3 "$rd/obs")"
	grep -vxE '10000 0|0 10000' "$rd/obs" | grep -q . && fail "observer saw a mix: $(grep -vxE '10000 0|0 10000' "$rd/obs" | head -3 | tr '\n' ';')"
	# a bad rule deep in a large file: nothing changes, no dormant leftovers
	asu $NC fw apply "$c" "$rd/bad.nft" >/dev/null 2>"$rd/err"; [ $? = 6 ] || fail "bad large file not rejected with 6"
	grep -q 'bad.nft:5005' "$rd/err" || fail "error does not name line 5005: $(head -c 300 "$rd/err")"
	[ "$(asu $NC exec "$c" -- nft list tables | wc -l)" = 1 ] || fail "leftover tables: $(asu $NC exec "$c" -- nft list tables)"
	[ "$(asu $NC exec "$c" -- nft list ruleset | grep -c 'comment "A"')" = 10000 ] || fail "rejected file changed the rules"
	asu $NC delete --force "$c"
}

# modes t_fw_host_apply: root
t_fw_host_apply() {
	# never against the real host: a namespace of the test's own stands in
	local h=${PFX}host
	ip netns add "$h"
	trap 'ip netns del "$h" 2>/dev/null' EXIT RETURN
	hx() { ip netns exec "$h" "$@"; }
	hx nft add table inet othertool
	hx nft add chain inet othertool c '{ type filter hook input priority 50; }'
	hx nft add rule inet othertool c tcp dport 4444 drop
	printf 'table inet mine {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 8080 drop\n }\n}\n' >"$T/g1.nft"
	printf 'table inet mine {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 9090 drop\n }\n}\ntable ip extra {\n chain c {\n  type filter hook output priority 0;\n }\n}\n' >"$T/g2.nft"
	expect_rc 0 hx $NC fw apply --host "$T/g1.nft"
	hx nft list ruleset | grep -q 'dport 4444 drop' || fail "another tool's table was touched"
	hx nft list ruleset | grep -q 'dport 8080 drop' || fail "host ruleset not applied"
	expect_rc 0 hx $NC fw apply --host "$T/g2.nft"
	hx nft list ruleset >"$T/now"
	grep -q 'dport 8080' "$T/now" && fail "table inet mine was not replaced"
	grep -q 'dport 9090' "$T/now" && grep -q 'dport 4444' "$T/now" && grep -q 'table ip extra' "$T/now" || fail "after g2: $(cat "$T/now")"
	# rollback: g1 again, and the table g2 added is gone
	expect_rc 0 hx $NC fw rollback --host
	hx nft list ruleset >"$T/now"
	grep -q 'dport 8080' "$T/now" && ! grep -q 'table ip extra' "$T/now" && grep -q 'dport 4444' "$T/now" || fail "after rollback: $(cat "$T/now")"
	# confirm-or-revert on the host
	expect_rc 7 hx $NC fw apply --host "$T/g2.nft" --confirm 1
	hx nft list ruleset | grep -q 'dport 8080' || fail "unconfirmed host change not reverted"
	# a bad file changes nothing
	printf 'table inet mine {\n chain input {\n  tcp dport 1 frob\n }\n}\n' >"$T/bad.nft"
	expect_rc 6 hx $NC fw apply --host "$T/bad.nft"
	hx nft list ruleset | grep -q 'dport 8080' || fail "bad host file changed the ruleset"
	hx $NC fw history --host | grep -Eq '^1 +\* ' || fail "host history"
	# ordinary users are told the host is root's
	setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups env NETCELL_RUNTIME_DIR=/nonexistent HOME=/tmp $NC fw apply --host "$T/g1.nft" 2>"$T/err"
	[ $? = 5 ] || fail "non-root --host did not exit 5"
	return 0
}

# what --host prints names the host, never the internal name ":host"
# modes t_fw_host_words: root
t_fw_host_words() {
	local h=${PFX}hw pid
	ip netns add "$h"
	trap 'ip netns del "$h" 2>/dev/null' EXIT RETURN
	hx() { ip netns exec "$h" "$@"; }
	printf 'table inet mine {\n chain input {\n  type filter hook input priority 0;\n }\n}\n' >"$T/g1.nft"
	hx $NC fw apply --host "$T/g1.nft" >"$T/out" 2>&1 || fail "apply: $(cat "$T/out")"
	grep -qx 'the host: firewall generation 1 in force' "$T/out" || fail "apply said: $(cat "$T/out")"
	hx $NC fw confirm --host >"$T/out" 2>&1
	grep -q 'nothing awaits confirmation on the host' "$T/out" || fail "confirm said: $(cat "$T/out")"
	hx $NC fw apply --host "$T/g1.nft" --confirm 30 >"$T/wait" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do grep -q 'within 30 s' "$T/wait" && break; sleep 0.05; done
	grep -q "generation 2 applied to the host; run 'netcell fw confirm --host' within 30 s" "$T/wait" || fail "confirm prompt: $(cat "$T/wait")"
	hx $NC fw apply --host "$T/g1.nft" >>"$T/out" 2>&1
	grep -q "generation 2 of the host awaits confirmation" "$T/out" || fail "apply while pending said: $(cat "$T/out")"
	hx $NC fw confirm --host >>"$T/out" 2>&1 || fail "confirm --host: $(cat "$T/out")"
	wait "$pid" || fail "confirmed apply: $(cat "$T/wait")"
	hx $NC fw rollback --host >>"$T/out" 2>&1 || fail "rollback: $(cat "$T/out")"
	grep -qx 'the host: firewall generation 1 in force' "$T/out" || fail "rollback said: $(cat "$T/out")"
	grep -q ':host' "$T/out" "$T/wait" && fail "internal name shown: $(cat "$T/out" "$T/wait")"
	return 0
}

# --firewall on create and run: the ruleset is in force before anything
# runs in the cell; a bad file means no cell and no state
t_fw_on_create_and_run() {
	local c=${PFX}fc out
	printf 'table inet t {\n chain input { type filter hook input priority 0;\n tcp dport 81 drop\n }\n}\n' >"$T/ok.nft"
	printf 'table inet t {\n chain input { type filter hook input priority 0;\n tcp dport 81 dropp\n }\n}\n' >"$T/bad.nft"
	expect_rc 6 $NC create "$c" --uplink none --firewall "$T/bad.nft"
	expect_err_match "bad.nft:3:"
	$NC list | grep -q "^$c " && fail "a cell was left by a rejected --firewall"
	[ -e "$NETCELL_STATE_DIR/fw/$c" ] && fail "firewall state left: $(ls "$NETCELL_STATE_DIR/fw/$c")"
	[ -e "$NETCELL_STATE_DIR/cells/$c" ] && fail "saved cell left"
	expect_rc 2 $NC create "$c" --uplink none --firewall "$T/missing.nft"
	$NC list | grep -q "^$c " && fail "a cell was left by a missing --firewall file"
	expect_rc 0 $NC create "$c" --uplink none --firewall "$T/ok.nft"
	$NC fw history "$c" | grep -q '^1 *\*' || fail "generation 1 not in force: $($NC fw history "$c")"
	$NC exec "$c" -- nft list ruleset | grep -q 'tcp dport 81 drop' || fail "rule not in the cell"
	$NC delete --force "$c"
	out=$($NC run --uplink none --firewall "$T/ok.nft" -- nft list ruleset) || fail "run --firewall failed"
	grep -q 'tcp dport 81 drop' <<<"$out" || fail "run: the command ran without the ruleset: $out"
	expect_rc 6 $NC run --uplink none --firewall "$T/bad.nft" -- touch "$T/ran"
	[ -e "$T/ran" ] && fail "run started CMD despite a rejected ruleset"
	[ -z "$($NC list | tail -n +2)" ] || fail "cells left: $($NC list)"
}
