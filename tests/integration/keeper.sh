# tests/integration/keeper.sh - the keeper under a hostile or careless
# client: who may talk to it, its name in ps, one keeper per user, locks,
# descriptors, slow readers, crashes.
# Each t_* runs as root and as the unprivileged test user unless a
# "# modes t_NAME: ..." line says otherwise.

t_keeper_proctitle() {
	local c=${PFX}pt kp comm args
	# a short command line: the title is longer than the argv it replaces
	expect_rc 0 $NC create "$c" --uplink none
	kp=$(keeper_pid)
	[ -n "$kp" ] || fail "no keeper PID"
	comm=$(ps -o comm= -p "$kp")
	args=$(ps -o args= -p "$kp")
	$NC delete "$c"
	[ "$comm" = netcell-keeper ] || fail "keeper comm is '$comm'"
	[ "$args" = "netcell-keeper uid=$(id -u)" ] || fail "keeper command line is '$args'"
	# the environment still reaches what the keeper starts (PATH: pasta)
	expect_rc 0 $NC create "$c"
	$NC exec "$c" -- true || fail "exec in a cell with an uplink failed"
	expect_rc 0 $NC delete "$c"
}
