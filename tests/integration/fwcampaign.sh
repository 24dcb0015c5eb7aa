# tests/integration/fwcampaign.sh - fw apply against nft -f and
# iptables-restore as witnesses: the differential campaign
# (tests/fwcampaign, docs/fw-campaign.md) with a fixed seed, and one
# minimal reproduction of each class of difference it found.  Each t_*
# runs as root and as the unprivileged test user.

t_fw_apply_generated() {
	# fixed seed, bounded: at most 36 pairs and 75 s of new pairs; every
	# ruleset loaded by nft -f / iptables-restore into a scratch namespace
	# and by fw apply into a cell, live rulesets compared, then fw show,
	# history, a second apply, rollback, a refused file, keeper restarts
	local out rc
	command -v python3 >/dev/null || fail "python3 is needed to write the rulesets"
	command -v unshare >/dev/null || fail "unshare (util-linux) is needed for the witness's namespace"
	out=$(python3 "$TOP/tests/fwcampaign/campaign.py" --cell "${PFX}gen" --seed 7 --pairs 36 \
		--seconds 75 --restart-every 4 2>&1); rc=$?
	echo "$out" | grep -E '^(MISMATCH|campaign:)' | head -20 | sed 's/^/    /' >&2
	[ "$rc" = 0 ] || fail "the campaign found differences (exit $rc)"
	echo "$out" | grep -qE '^campaign: ([4-9][0-9]|[1-9][0-9]{2,}) rulesets' ||
		fail "the campaign ran too few rulesets to mean anything: $(echo "$out" | tail -1)"
	$NC list 2>/dev/null | grep -q "${PFX}gen" && fail "the campaign's cell was left behind"
	return 0
}

t_fw_nft_table_named_like_iptables() {
	# an nft table named like iptables' ("table ip filter") holding a rule
	# iptables-save cannot read: nft -f loads it, so does fw apply; and a
	# failed check after a load never says "nothing was changed"
	local c=${PFX}nl
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	printf 'table inet first {\n\tchain c {\n\t\ttype filter hook output priority 0; policy accept;\n\t}\n}\n' >"$T/first.nft"
	printf 'table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tmeta mark set 0x10\n\t}\n}\n' >"$T/named.nft"
	expect_rc 0 $NC fw apply "$c" "$T/first.nft"
	expect_rc 0 $NC fw apply "$c" "$T/named.nft"
	$NC exec "$c" -- nft list ruleset | grep -q 'meta mark set 0x00000010' || fail "the rule is not in force"
	$NC exec "$c" -- nft list tables | grep -q 'inet first' && fail "the previous generation's table is still there"
	expect_rc 0 $NC fw rollback "$c" 1
	expect_rc 0 $NC fw rollback "$c" 2
	expect_rc 0 $NC fw history "$c"
	grep -Eq '^2 +\* ' "$T/out" || fail "history: $(cat "$T/out" "$T/err")"
}

t_fw_include_kept_in_generation() {
	# a generation is the ruleset that was loaded: files it included that
	# change later change neither a rollback to it nor a rebuilt cell
	local c=${PFX}ic kp
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	mkdir -p "$T/parts"
	printf 'table inet inc {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 7101 drop\n\t}\n}\n' >"$T/parts/a.nft"
	printf 'table ip6 inc6 {\n\tchain c {\n\t\ttype filter hook output priority 0; policy accept;\n\t}\n}\n' >"$T/one.nft"
	printf 'flush ruleset\ninclude "%s/parts/*.nft"\ninclude "%s/one.nft"\n' "$T" "$T" >"$T/main.nft"
	printf 'table inet other {\n}\n' >"$T/other.nft"
	expect_rc 0 $NC fw apply "$c" "$T/main.nft"
	$NC fw show "$c" >"$T/want"
	# the included files change, and a new one matches the glob
	sed -i 's/7101/7999/' "$T/parts/a.nft"
	printf 'table ip late {\n}\n' >"$T/parts/b.nft"
	printf 'table ip6 inc6 {\n}\n' >"$T/one.nft"
	expect_rc 0 $NC fw apply "$c" "$T/other.nft"
	expect_rc 0 $NC fw rollback "$c" 1
	$NC fw show "$c" | diff "$T/want" - >"$T/diff" || fail "rollback to 1 does not give what 1 loaded: $(cat "$T/diff")"
	kp=$(keeper_pid); [ -n "$kp" ] && kill -9 "$kp"
	expect_rc 0 $NC list
	$NC fw show "$c" | diff "$T/want" - >"$T/diff" || fail "after a keeper restart the cell does not hold generation 1: $(cat "$T/diff")"
	# a relative include is looked for where nft looks (its include
	# directory), not beside the file: refused as nft -f refuses it
	cp "$T/one.nft" "$T/rel-only-here.nft"
	printf 'include "rel-only-here.nft"\n' >"$T/rel.nft"
	expect_rc 6 $NC fw apply "$c" "$T/rel.nft"
	expect_err_match 'rel.nft:1:.*File not found'
	unshare -Urn nft -f "$T/rel.nft" 2>/dev/null && fail "nft -f loads it: the test proves nothing"
	return 0
}

t_fw_include_frozen_during_apply() {
	# included files that change while fw apply runs: every load of the
	# generation (the cell's, the throwaway one it is compared with) and
	# the generation kept read the same text, so each apply succeeds and a
	# rollback to it gives what was in force after it
	local c=${PFX}if i n=12 fpid
	expect_rc 0 $NC create "$c" --uplink none
	# (fail exits the shell: EXIT too, so the flipper never outlives it)
	trap '[ -n "$fpid" ] && kill "$fpid" 2>/dev/null; $NC delete --force "$c" >/dev/null 2>&1' RETURN EXIT
	mkdir -p "$T/fparts" "$T/fnest"
	printf 'table ip nest {\n\tchain x {\n\t\tcounter\n\t}\n}\n' >"$T/fnest/n.nft"
	printf 'include "%s/fnest/*.nft"\n' "$T" >"$T/fparts/b.nft"
	printf 'flush ruleset\ninclude "%s/fparts/*.nft" # the parts\n' "$T" >"$T/fmain.nft"
	# the flipper: a.nft and n.nft replaced by one of two versions,
	# again and again (bounded in count and time), by rename
	(
		k=0; end=$(($(date +%s) + 60))
		while [ "$k" -lt 20000 ] && [ "$(date +%s)" -lt "$end" ] && [ ! -e "$T/fstop" ] &&
			[ -e "$T/fmain.nft" ]; do
			printf 'table inet inc {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport %d drop\n\t}\n}\n' $((7100 + k % 2)) >"$T/fa.tmp"
			mv -f "$T/fa.tmp" "$T/fparts/a.nft"
			printf 'table ip nest {\n\tchain x%d {\n\t\tcounter\n\t}\n}\n' $((k % 3)) >"$T/fn.tmp"
			mv -f "$T/fn.tmp" "$T/fnest/n.nft"
			k=$((k + 1))
		done
	) &
	fpid=$!
	for i in $(seq 1 $n); do
		expect_rc 0 $NC fw apply "$c" "$T/fmain.nft"
		$NC fw show "$c" >"$T/live.$i"
		grep -q 'tcp dport 710[01] drop' "$T/live.$i" || fail "apply $i: the included rule is not in force: $(cat "$T/live.$i")"
	done
	touch "$T/fstop"
	kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; fpid=
	[ "$(cat "$T/live."* | grep -c 'dport 7100')" -gt 0 ] && [ "$(cat "$T/live."* | grep -c 'dport 7101')" -gt 0 ] ||
		fail "the included file did not change between the applies: the test proves nothing"
	for i in $(seq 1 $n); do
		expect_rc 0 $NC fw rollback "$c" "$i"
		$NC fw show "$c" | diff "$T/live.$i" - >"$T/diff" ||
			fail "rollback to $i does not give what was in force after apply $i: $(cat "$T/diff")"
	done
	# the copies the loads read are gone with the applies
	find "${NETCELL_STATE_DIR:-$HOME/.local/state/netcell}" -name '*.inc' 2>/dev/null | grep -q . &&
		fail "include copies left behind: $(find "${NETCELL_STATE_DIR:-$HOME/.local/state/netcell}" -name '*.inc')"
	# an error in a nested included file names that file, as nft -f does
	printf 'table ip nest {\n\tchain x {\n\t\tcounter bogus\n\t}\n}\n' >"$T/fnest/n.nft"
	expect_rc 6 $NC fw apply "$c" "$T/fmain.nft"
	expect_err_match "^$T/fnest/n.nft:3:[0-9-]+: Error: syntax error"
	expect_err_match "from $T/fmain.nft:2:"
	grep -q '\.inc/' "$T/err" && fail "the error names netcell's copies: $(cat "$T/err")"
	return 0
}

t_fw_rejected_line_with_ruleset_in_force() {
	# a rule the kernel refuses is named by its own line, also when the
	# cell already holds a ruleset (libnftables then names the table)
	local c=${PFX}rl
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	printf 'table inet nat {\n\tchain chain_0 {\n\t}\n}\n' >"$T/good.nft"
	printf 'table ip badt {\n\tchain c {\n\t\tcounter name "nosuch"\n\t}\n}\n' >"$T/bad.nft"
	expect_rc 0 $NC fw apply "$c" "$T/good.nft"
	expect_rc 6 $NC fw apply "$c" "$T/bad.nft"
	expect_err_match 'bad.nft:3:[0-9-]+: Error: .*No such file or directory'
	grep -q 'did you mean table' "$T/err" && fail "the table is named, not the rule: $(cat "$T/err")"
	$NC exec "$c" -- nft list tables | grep -q '^table inet nat$' || fail "the rejected file changed the ruleset"
}

t_fw_ipt_errors_name_file_line() {
	# iptables-restore's refusals name the user's FILE:LINE: a missing final
	# COMMIT, and a bad line in a mixed file's section (its line in the
	# file, not in the section)
	local c=${PFX}ie n
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 9 -j DROP\n' >"$T/nocommit.v4"
	expect_rc 6 $NC fw apply "$c" "$T/nocommit.v4"
	expect_err_match 'nocommit.v4:4:1: Error: .*COMMIT expected'
	printf 'table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n}\n# netcell: iptables-restore\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 9 -j DROP\nCOMMIT\n# netcell: ip6tables-restore\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NO_SUCH_CHAIN\nCOMMIT\n' >"$T/mixed.rules"
	n=$(grep -n NO_SUCH_CHAIN "$T/mixed.rules" | cut -d: -f1)
	expect_rc 6 $NC fw apply "$c" "$T/mixed.rules"
	expect_err_match "mixed.rules:$n:1: Error: .*NO_SUCH_CHAIN"
	grep -q 'part)' "$T/err" && fail "the section's own line is named: $(cat "$T/err")"
	$NC exec "$c" -- nft list ruleset | grep -q . && fail "a refused file left rules"
	# the good part of the same shape loads, its lines where they were
	sed -i 's/-A INPUT -j NO_SUCH_CHAIN/-A INPUT -p tcp --dport 10 -j DROP/' "$T/mixed.rules"
	expect_rc 0 $NC fw apply "$c" "$T/mixed.rules"
	$NC exec "$c" -- ip6tables-save | grep -q -- '--dport 10 -j DROP' || fail "the IPv6 section is not in force"
}

t_fw_large_split_exact() {
	# a ruleset too large for one transaction of a rootless process (the
	# split path: dormant tables built in steps) with what the campaign's
	# small files have: define lines, a table the file keeps dormant, a
	# table declared twice, objects; it is loaded exactly, or refused
	local c=${PFX}ls n
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	python3 - "$T/big.nft" <<'PY' || fail "cannot write the ruleset"
import sys
l = ["flush ruleset", "define adm = 192.0.2.10", "define ports = { 22, 80 }",
     "table inet dorm {", "\tflags dormant", "\tchain c {",
     "\t\ttype filter hook input priority 0; policy accept;",
     "\t\tip saddr $adm tcp dport $ports accept", "\t}", "}",
     "table ip t {", "\tcounter c1 {", "\t}", "\tquota q1 {", "\t\tover 100 mbytes", "\t}",
     "\tset s {", "\t\ttype ipv4_addr", "\t\tflags interval", "\t\telements = { 10.0.0.0/8, 192.168.0.0/16 }", "\t}",
     "\tchain in {", "\t\ttype filter hook input priority filter + 10; policy accept;",
     "\t\tip saddr @s counter name \"c1\"", "\t\tjump big", "\t}", "\tchain big {"]
for i in range(26000):
    l.append("\t\tip saddr 10.%d.%d.%d tcp dport %d counter drop comment \"r%d\"" % (i // 65536, i // 256 % 256, i % 256, 1000 + i % 5000, i))
l += ["\t}", "}", "table ip t {", "\tchain merged {", "\t\tip daddr $adm counter", "\t}", "}"]
open(sys.argv[1], "w").write("\n".join(l) + "\n")
PY
	[ "$(stat -c %s "$T/big.nft")" -gt $((1700 * 1024)) ] || fail "the ruleset is too small to prove anything"
	expect_rc 0 $NC fw apply "$c" "$T/big.nft"
	# a large generation is compared with the cell too (the split path is
	# where a difference is likeliest), not merely loaded
	grep -q 'checked by its loader only' "$T/err" && fail "the large generation was not compared: $(cat "$T/err")"
	[ "$(stat -c %s "$NETCELL_STATE_DIR/fw/$c/1.cell-seen" 2>/dev/null || stat -c %s "$NETCELL_STATE_DIR/fw/$c/1.live-nft")" -gt 0 ] ||
		fail "generation 1 has no views: it was not compared ($(ls "$NETCELL_STATE_DIR/fw/$c"))"
	$NC exec "$c" -- nft list table inet dorm >"$T/dorm" 2>&1
	grep -q 'flags dormant' "$T/dorm" || fail "the table the file keeps dormant was woken: $(head -5 "$T/dorm")"
	grep -q 'ip saddr 192.0.2.10 tcp dport { 22, 80 } accept' "$T/dorm" || fail "the defines did not apply: $(cat "$T/dorm")"
	$NC exec "$c" -- nft list chain ip t merged | grep -q 'ip daddr 192.0.2.10 counter' || fail "the second declaration of table ip t is missing"
	n=$($NC exec "$c" -- nft list chain ip t big | grep -c 'counter packets 0 bytes 0 drop comment')
	[ "$n" = 26000 ] || fail "chain big holds $n rules, not 26000"
	if [ "$MODE" = root ]; then
		# nft -f itself (root raises its buffer) as the witness
		diff <(unshare -n sh -c "nft -f '$T/big.nft' && nft list ruleset" | sed -E 's/packets [0-9]+ bytes [0-9]+//') \
			<($NC exec "$c" -- nft list ruleset | sed -E 's/packets [0-9]+ bytes [0-9]+//') >"$T/diff" ||
			fail "the cell differs from nft -f: $(head -10 "$T/diff")"
	fi
	# a symbol bound twice would have one value throughout the steps:
	# refused with the reason, nothing changed
	sed -i 's/^define ports = { 22, 80 }$/define ports = { 22, 80 }\nredefine ports = { 443 }/' "$T/big.nft"
	if [ "$MODE" = user ]; then
		expect_rc 6 $NC fw apply "$c" "$T/big.nft"
		expect_err_match 'big.nft: line 4: "redefine ports.*must define each symbol once'
		$NC exec "$c" -- nft list table inet dorm | grep -q 'dport { 22, 80 }' || fail "the refused file changed the ruleset"
	fi
	return 0
}

t_fw_nft_file_edges() {
	# files as editors leave them: no final newline (loaded when nft -f
	# loads it, refused with nft's words when nft -f refuses it), a missing
	# last brace (named at the line nft -f names); a rollback to a
	# generation that does not exist leaves nothing behind
	local c=${PFX}fe
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	printf 'table inet nonl {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n}' >"$T/nonl.nft"
	unshare -Urn nft -f "$T/nonl.nft" || fail "nft -f refuses nonl.nft: the test proves nothing"
	expect_rc 0 $NC fw apply "$c" "$T/nonl.nft"
	$NC exec "$c" -- nft list ruleset | grep -q 'tcp dport 22 accept' || fail "nonl.nft is not in force"
	# a comment as the last line, without its newline: nft -f refuses it
	printf 'table inet other {\n}\n# last words' >"$T/comment.nft"
	unshare -Urn nft -f "$T/comment.nft" 2>"$T/witness" && fail "nft -f loads comment.nft: the test proves nothing"
	expect_rc 6 $NC fw apply "$c" "$T/comment.nft"
	expect_err_match "comment.nft:3:1-1: Error: syntax error"
	expect_rc 6 $NC fw check "$T/comment.nft"
	$NC exec "$c" -- nft list tables | grep -q 'inet other' && fail "a refused file changed the ruleset"
	ls "$NETCELL_STATE_DIR/fw/$c" | grep -q '\.end' && fail "a temporary copy was left: $(ls "$NETCELL_STATE_DIR/fw/$c")"
	# the last brace missing: the line nft -f names, not netcell's buffer
	printf 'table inet x {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n' >"$T/unbal.nft"
	expect_rc 6 $NC fw apply "$c" "$T/unbal.nft"
	expect_err_match "unbal.nft:5:1-1: Error: syntax error, unexpected end of file"
	grep -q 'flush ruleset' "$T/err" && fail "netcell's own commands are shown: $(cat "$T/err")"
	# rollback to a generation the cell never had: a usage error, and no
	# "earlier command was killed" notice afterwards
	expect_rc 2 $NC fw rollback "$c" 9
	expect_rc 0 $NC fw apply "$c" "$T/nonl.nft"
	grep -q 'killed' "$T/err" && fail "a rollback that did nothing left a mark: $(cat "$T/err")"
	return 0
}
