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
