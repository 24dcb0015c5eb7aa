# tests/integration/crash.sh - a crash (SIGKILL of the keeper or of the
# command) at any moment leaves every cell whole or absent, never half

# half_cell A B: cell A with a firewall generation and a link to B
half_cell() {
	expect_rc 0 $NC create --uplink none "$1"
	expect_rc 0 $NC fw apply "$1" "$T/r.nft"
	expect_rc 0 $NC link "$1" "$2"
}

# no_trace_of A: nothing of cell A is left in the state or on the host
no_trace_of() {
	local S=$NETCELL_STATE_DIR
	expect_rc 0 $NC list
	grep -qw -- "$1" "$T/out" && fail "cell $1 is listed: $(cat "$T/out")"
	[ -e "$S/fw/$1" ] && fail "the firewall history of $1 is left"
	grep -qw -- "$1" "$S/links.conf" 2>/dev/null && fail "links.conf still names $1"
	ls "$S/cells" | grep -F -- "$1" && fail "a file of $1 is left in cells/"
	[ "$MODE" = user ] || [ ! -e "/run/netns/$1" ] || fail "/run/netns/$1 is left"
}

t_delete_cut_short_leaves_nothing() {
	# a delete killed after its first step: with the old order (the
	# configuration removed first) a new cell of the same name got the old
	# generation and link; with the tombstone, a new keeper finishes it
	local A="${PFX}a" B="${PFX}b" kp
	printf 'table inet t {\n}\n' >"$T/r.nft"
	expect_rc 0 $NC create --uplink none "$B"
	# 1. the tombstone is made, then the keeper dies
	half_cell "$A" "$B"
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || fail "keeper $kp did not die"
	mv "$NETCELL_STATE_DIR/cells/$A.conf" "$NETCELL_STATE_DIR/cells/$A.deleted"
	no_trace_of "$A"
	# 2. state an older version left: configuration gone, the rest kept
	half_cell "$A" "$B"
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || fail "keeper $kp did not die"
	rm "$NETCELL_STATE_DIR/cells/$A.conf"
	expect_rc 0 $NC list
	[ "$MODE" = user ] || ip netns del "$A" 2>/dev/null
	expect_rc 0 $NC create --uplink none "$A"
	expect_rc 0 $NC inspect "$A"
	grep -E '^firewall:' "$T/out" | grep -q 'generation' && fail "the new cell $A inherited a firewall generation: $(grep firewall: "$T/out")"
	grep -E '^links:' "$T/out" | grep -q "$B" && fail "the new cell $A inherited the link to $B"
	expect_rc 0 $NC fw history "$A"
	grep -q nft "$T/out" && fail "the new cell $A has the old history: $(cat "$T/out")"
	# and after another crash it loads no old ruleset
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || fail "keeper $kp did not die"
	expect_rc 0 $NC exec "$A" -- nft list ruleset
	grep -q 'table inet t' "$T/out" && fail "the new cell $A loaded the old ruleset after a crash"
	expect_rc 0 $NC delete --force "$A"
	no_trace_of "$A"
	expect_rc 0 $NC delete --force "$B"
	return 0
}

t_create_races_delete() {
	# delete racing create of the same name: the create always succeeds
	# (a delete that comes during its setup does not see the cell yet and
	# says so), the cell left is whole or absent, nothing half-made
	local A="${PFX}r" i rc3=0 pc pd rcc rcd
	expect_rc 0 $NC list	# one keeper for all of them
	for i in $(seq 1 30); do
		$NC create "$A" >/dev/null 2>"$T/cerr" & pc=$!
		(sleep "0.0$((RANDOM % 10))"; exec $NC delete "$A") >/dev/null 2>"$T/derr" & pd=$!
		wait "$pc"; rcc=$?; wait "$pd"; rcd=$?
		[ "$rcc" = 0 ] || fail "round $i: create exited $rcc: $(cat "$T/cerr")"
		case $rcd in 0) ;; 3) rc3=$((rc3 + 1)) ;; *) fail "round $i: delete exited $rcd: $(cat "$T/derr")" ;; esac
		[ "$rcd" = 0 ] || grep -Eq "no cell \"$A\"( yet: another command is still creating it)?;" "$T/derr" ||
			fail "round $i: delete said: $(cat "$T/derr")"
		# linearisable: delete first (exit 3) leaves the cell, after it none
		if $NC inspect "$A" >"$T/insp" 2>/dev/null; then
			[ "$rcd" = 3 ] || fail "round $i: delete exited $rcd but cell $A is there"
			grep -q '^uplink: *none' "$T/insp" && fail "round $i: cell $A is listed without its uplink"
			expect_rc 0 $NC delete --force "$A"
		else
			[ "$rcd" = 0 ] || fail "round $i: delete exited $rcd and create 0, but there is no cell $A"
		fi
	done
	note "30 rounds: delete came first (exit 3) $rc3 times, after the create $((30 - rc3))"
	return 0
}

t_create_undo_spares_other_cell() {
	# the create's keeper restarts during its setup and another command
	# makes a cell of the same name: the failed create's rollback leaves
	# that cell alone (it deleted by name).  The create is held in its
	# setup (loading a 50,000-rule firewall) by SIGSTOP.
	local A="${PFX}u" pc kp
	python3 -c "
print('table inet big {\n chain input {\n  type filter hook input priority 0; policy accept;')
for i in range(50000): print('  tcp dport %d ip saddr 10.%d.%d.%d accept' % (1000 + i % 60000, (i>>16)&255, (i>>8)&255, i&255))
print(' }\n}')" >"$T/big.nft"
	expect_rc 0 $NC list
	$NC create --uplink none --firewall "$T/big.nft" "$A" >/dev/null 2>"$T/cerr" & pc=$!
	for _ in $(seq 1 200); do $NC list 2>/dev/null | grep -q "$A" && break; sleep 0.02; done
	kill -STOP "$pc"
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || { kill -CONT "$pc"; fail "keeper $kp did not die"; }
	expect_rc 0 $NC create --uplink none "$A"
	kill -CONT "$pc"
	wait "$pc" && fail "the create whose keeper died succeeded"
	expect_rc 0 $NC inspect "$A"
	# nor did the killed create's firewall end up on the new cell's record
	$NC fw history "$A" | grep -q '^[0-9]' && fail "the new cell shows the failed create's firewall: $($NC fw history "$A")"
	[ -z "$($NC fw show "$A" | grep table)" ] || fail "the new cell has rules it was never given"
	expect_rc 0 $NC delete --force "$A"
	return 0
}

# --- the kill -9 campaign -------------------------------------------------
# Commands run one at a time; each is killed (SIGKILL), or its keeper is,
# at a random moment, or left alone.  After every round the state must be
# one the user could expect: what exited 0 is there, what was killed is
# there whole or not at all.

# ours_running: this test's engines, socket helpers and keepers still alive
ours_running() {
	local p c
	for p in /proc/[0-9]*; do
		c=$(cat "$p/comm" 2>/dev/null) || continue
		case $c in pasta*|passt*|slirp4netns|netcell-sock|netcell-keeper) ;; *) continue ;; esac
		{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "NETCELL_STATE_DIR=$NETCELL_STATE_DIR" &&
			echo "${p#/proc/} $c"
	done
}

# settled CELL: wait until CELL is absent or no longer being set up (the
# keeper drops the cell of a killed create when it sees the connection end)
settled() {
	for _ in $(seq 1 60); do
		$NC inspect "$1" >"$T/si" 2>/dev/null || return 0
		grep -q ephemeral "$T/si" || return 0
		sleep 0.05
	done
	fail "cell $1 is still half-made (being set up) long after its create was killed"
}

# check_cell CELL: a listed cell is whole: configuration, firewall
# generation in force as recorded, and what exited 0 for it is there
check_cell() {
	local c=$1 g want live
	[ -f "$NETCELL_STATE_DIR/cells/$c.conf" ] || fail "cell $c is listed without its configuration"
	expect_rc 0 $NC inspect "$c"
	grep -q ephemeral "$T/out" && fail "cell $c is half-made (still ephemeral)"
	g=$(sed -nE 's/^firewall: +generation ([0-9]+).*/\1/p' "$T/out")
	[ -z "${fwsure[$c]:-}" ] || [ "$g" = "${fwsure[$c]}" ] || fail "cell $c: generation ${fwsure[$c]} applied with exit 0, inspect says '${g:-none}'"
	for l in ${linksure[$c]:-}; do
		grep -Eq "^(links: +| +)$l " "$T/out" || fail "cell $c: link to $l made with exit 0 is missing: $(grep -A2 links: "$T/out")"
	done
	want=$( [ -n "$g" ] && sed -nE 's/^table inet (g[0-9]+).*/\1/p' "$NETCELL_STATE_DIR/fw/$c/$g.nft" | sort)
	live=$($NC exec "$c" -- nft list tables 2>/dev/null | sed -nE 's/^table inet (g[0-9]+)$/\1/p' | sort)
	[ "$want" = "$live" ] || fail "cell $c: generation ${g:-none} (tables '$want') in force, but the cell has '$live'"
	if [ -n "${portsure[$c]:-}" ]; then
		expect_rc 0 $NC port list "$c"
		for p in ${portsure[$c]}; do grep -q "127.0.0.1:$p " "$T/out" || fail "cell $c: port $p added with exit 0 is missing"; done
	fi
}

# modes t_kill9_campaign: root user
t_kill9_campaign() {
	local names=("${PFX}k0" "${PFX}k1" "${PFX}k2") start=$SECONDS
	local kills=0 kk=0 kc=0 ops=0 ok=0 gen=0 x y q op pid kp rc r present port who hit
	declare -A have fwsure linksure portsure
	trap 'for x in "${names[@]}"; do $NC delete --force "$x" >/dev/null 2>&1; done' EXIT
	for x in "${names[@]}"; do have[$x]=0; done
	while [ "$kills" -lt 120 ] && [ $((SECONDS - start)) -lt 60 ]; do
		x=${names[RANDOM % 3]}; y=${names[RANDOM % 3]}
		if [ "${have[$x]}" = 0 ]; then
			op=create
			if ((RANDOM % 2)); then set -- $NC create --uplink none "$x"; else set -- $NC create "$x"; fi
		else
			case $((RANDOM % 5)) in
			0) op=delete; set -- $NC delete --force "$x" ;;
			1|2) op=fw; gen=$((gen + 1))
				printf 'table inet g%d {\n\tchain c { type filter hook input priority 0; }\n}\n' "$gen" >"$T/g$gen.nft"
				set -- $NC fw apply "$x" "$T/g$gen.nft" ;;
			3) op=port; port=$(free_port) || fail "no free port"; set -- $NC port add "$x" "$port:80" ;;
			*) op=link
				# (a killed link may have been saved: links.conf says)
				if [ "$x" = "$y" ] || [ "${have[$y]}" = 0 ] ||
					grep -Eq "^($x $y|$y $x) " "$NETCELL_STATE_DIR/links.conf" 2>/dev/null; then
					op=delete; set -- $NC delete --force "$x"
				else set -- $NC link "$x" "$y"; fi ;;
			esac
		fi
		who=$((RANDOM % 10)) hit=0	# 0: left alone, 1-5: the command, 6-9: the keeper
		"$@" >"$T/op.out" 2>"$T/op.err" & pid=$!
		# most commands take a few ms: the command is killed early
		if [ "$who" -ge 1 ] && [ "$who" -le 5 ]; then
			sleep "$(printf '0.%03d' $((RANDOM % 10)))"
			kill -9 "$pid" 2>/dev/null && kills=$((kills + 1)) kc=$((kc + 1)) hit=1
		elif [ "$who" -ge 6 ]; then
			sleep "$(printf '0.%03d' $((RANDOM % 40)))"
			kp=$(keeper_pid); [ -n "$kp" ] && kill -9 "$kp" 2>/dev/null && kills=$((kills + 1)) kk=$((kk + 1)) hit=1
		fi
		wait "$pid" 2>/dev/null; rc=$?
		ops=$((ops + 1)); [ "$rc" = 0 ] && ok=$((ok + 1))
		# a command nothing was killed under (it may follow a crash) succeeds
		[ "$rc" = 0 ] || [ "$hit" = 1 ] || fail "round $ops: '$*' exited $rc with no kill: $(head -c 300 "$T/op.err")"
		settled "$x"
		expect_rc 0 $NC list
		for r in "${names[@]}"; do
			present=0; grep -q "^$r " "$T/out" && present=1
			if [ "$r" = "$x" ]; then
				[ "$op" = create ] && [ "$rc" = 0 ] && [ "$present" = 0 ] && fail "round $ops: create $x exited 0 but the cell is not there"
				[ "$op" = delete ] && [ "$rc" = 0 ] && [ "$present" = 1 ] && fail "round $ops: delete $x exited 0 but the cell is there"
				[ "$op" != create ] && [ "$op" != delete ] && [ "$present" = 0 ] && fail "round $ops: $op $x made the cell disappear"
			elif [ "$present" != "${have[$r]}" ]; then
				fail "round $ops: '$op $x' changed whether cell $r exists"
			fi
			if [ "$present" = 0 ]; then
				unset "fwsure[$r]" "portsure[$r]"; linksure[$r]=""
				for q in "${names[@]}"; do linksure[$q]=$(echo " ${linksure[$q]:-} " | sed "s/ $r / /g"); done
			fi
			have[$r]=$present
		done
		if [ "$rc" = 0 ] && [ "${have[$x]}" = 1 ]; then
			case $op in
			fw) fwsure[$x]=$(sed -nE 's/.*firewall generation ([0-9]+) in force.*/\1/p' "$T/op.out") ;;
			port) portsure[$x]="${portsure[$x]:-} $port" ;;
			link) linksure[$x]="${linksure[$x]:-} $y"; linksure[$y]="${linksure[$y]:-} $x" ;;
			esac
		elif [ "$op" = fw ]; then
			unset "fwsure[$x]"	# killed: the old or the new one, consistent either way
		fi
		for r in "${names[@]}"; do [ "${have[$r]}" = 1 ] && check_cell "$r"; done
	done
	note "kill -9 campaign: $ops commands, $ok exited 0, $kills kills ($kk keeper, $kc command), $((SECONDS - start)) s"
	[ "$kills" -ge 50 ] || fail "only $kills kills landed in the time allowed"
	for x in "${names[@]}"; do
		[ "${have[$x]}" = 1 ] && expect_rc 0 $NC delete --force "$x"
	done
	kp=$(keeper_pid)
	[ -z "$kp" ] || gone "$kp" || fail "the keeper did not leave with no cells"
	for _ in $(seq 1 60); do [ -z "$(ours_running)" ] && break; sleep 0.05; done
	[ -z "$(ours_running)" ] || fail "left running: $(ours_running | tr '\n' ' ')"
	[ "$MODE" = user ] || ! ip netns list 2>/dev/null | grep "^$PFX" || fail "namespaces left"
	expect_rc 0 $NC gc
	kp=$(keeper_pid); [ -z "$kp" ] || gone "$kp"
	find "$NETCELL_STATE_DIR" -type f ! -name '*lock' ! -name keeper.life ! -name links.conf >"$T/left"
	[ -s "$T/left" ] && fail "files left: $(tr '\n' ' ' <"$T/left")"
	[ ! -s "$NETCELL_STATE_DIR/links.conf" ] || fail "links.conf still has: $(cat "$NETCELL_STATE_DIR/links.conf")"
	trap - EXIT
	return 0
}

t_rebuild_names_damaged_conf() {
	# a cell's saved configuration cut short (a rootless keeper writes
	# without fsync; a machine crash right after a create): the rebuild
	# names it once, keeps the file aside, and the name can be used again
	local c=${PFX}dm
	expect_rc 0 $NC create "$c" --uplink none
	kill -9 "$(keeper_pid)"; sleep 0.2
	[ "$MODE" = root ] && ip netns del "$c"
	: >"$NETCELL_STATE_DIR/cells/$c.conf"
	expect_rc 0 $NC list
	expect_err_match "cell \"$c\" did not come back: its saved configuration was empty or damaged .*kept as .*/cells/$c.damaged"
	grep -q "^$c " "$T/out" && fail "a cell with a damaged configuration is listed"
	[ -f "$NETCELL_STATE_DIR/cells/$c.damaged" ] || fail "the damaged file was not kept aside"
	kill -9 "$(keeper_pid)"; sleep 0.2
	expect_rc 0 $NC list
	grep -q "$c" "$T/err" && fail "the damaged configuration is reported again: $(cat "$T/err")"
	expect_rc 0 $NC create "$c" --uplink none
	expect_rc 0 $NC delete "$c"
	rm -f "$NETCELL_STATE_DIR/cells/$c.damaged"
}
