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
	expect_rc 0 $NC delete "$A"
	no_trace_of "$A"
	expect_rc 0 $NC delete "$B"
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
		$NC delete "$A" >/dev/null 2>"$T/derr" & pd=$!
		wait "$pc"; rcc=$?; wait "$pd"; rcd=$?
		[ "$rcc" = 0 ] || fail "round $i: create exited $rcc: $(cat "$T/cerr")"
		case $rcd in 0) ;; 3) rc3=$((rc3 + 1)) ;; *) fail "round $i: delete exited $rcd: $(cat "$T/derr")" ;; esac
		if $NC inspect "$A" >"$T/insp" 2>/dev/null; then
			grep -q '^uplink: *none' "$T/insp" && fail "round $i: cell $A is listed without its uplink"
			expect_rc 0 $NC delete "$A"
		fi
	done
	note "30 rounds: delete came first (exit 3) $rc3 times"
	return 0
}

t_create_undo_spares_other_cell() {
	# the create's keeper restarts during its setup and another command
	# makes a cell of the same name: the failed create's rollback leaves
	# that cell alone (it deleted by name)
	local A="${PFX}u" pc kp
	printf 'table inet t {\n}\n' >"$T/r.nft"
	mkfifo "$T/fifo"
	expect_rc 0 $NC list
	$NC create --uplink none --firewall "$T/fifo" "$A" >/dev/null 2>"$T/cerr" & pc=$!
	for _ in $(seq 1 100); do $NC list 2>/dev/null | grep -q "$A" && break; sleep 0.05; done
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || fail "keeper $kp did not die"
	expect_rc 0 $NC create --uplink none "$A"
	echo 'this is no ruleset' >"$T/fifo"
	wait "$pc" && fail "the create whose keeper died succeeded"
	expect_rc 0 $NC inspect "$A"
	expect_rc 0 $NC delete "$A"
	return 0
}
