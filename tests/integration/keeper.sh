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
	$NC delete --force "$c"
	[ "$comm" = netcell-keeper ] || fail "keeper comm is '$comm'"
	[ "$args" = "netcell-keeper uid=$(id -u)" ] || fail "keeper command line is '$args'"
	# the environment still reaches what the keeper starts (PATH: pasta)
	expect_rc 0 $NC create "$c"
	$NC exec "$c" -- true || fail "exec in a cell with an uplink failed"
	expect_rc 0 $NC delete --force "$c"
}

# a process started in a cell may not manage cells, with or without
# --as-user; nor, as root, one without the capabilities the keeper acts with
t_keeper_refuses_cells() {
	local c=${PFX}sb v=${PFX}vi p
	expect_rc 0 $NC create "$c" --uplink none
	expect_rc 0 $NC create "$v" --uplink none
	p=$(free_port) || fail "no free port"
	trap '$NC delete --force "$c" 2>/dev/null; $NC delete --force "$v" 2>/dev/null' EXIT
	for as in --as-user ""; do
		expect_rc 5 $NC exec "$c" $as -- $NC port add "$v" "127.0.0.1:$p:22"
		expect_err_match "^netcell: refused: this process runs in cell \"$c\", and a cell may not manage cells; run netcell on the host$"
		expect_rc 5 $NC exec "$c" $as -- $NC delete --force "$v"
		expect_rc 5 $NC exec "$c" $as -- $NC create "${PFX}x"
		expect_rc 5 $NC exec "$c" $as -- $NC list
	done
	if [ "$MODE" = user ]; then
		# a network namespace of its own does not get it out of the cells'
		# user namespace
		expect_rc 5 $NC exec "$c" --as-user -- unshare -rn $NC list
		expect_err_match "^netcell: refused: this process was started in a cell \(it runs in the cells' user namespace\)"
	else
		# root without CAP_NET_ADMIN/CAP_SYS_ADMIN, on the host
		expect_rc 5 setpriv --bounding-set -all $NC create "${PFX}x"
		expect_err_match "^netcell: refused: this process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN"
		expect_rc 5 setpriv --inh-caps -all --bounding-set -net_admin $NC list
	fi
	# nothing of it happened; the host is still served
	expect_rc 0 $NC port list "$v"
	grep -q ":$p" "$T/out" && fail "a port was published from inside a cell"
	expect_rc 0 $NC list
	grep -q "^$v " "$T/out" || fail "the victim cell was deleted from inside a cell"
	grep -q "^${PFX}x " "$T/out" && fail "a cell was created from inside a cell"
	expect_rc 0 $NC delete --force "$c"
	expect_rc 0 $NC delete --force "$v"
	trap - EXIT
}

# cpu_ticks PID: user+system time of PID in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# a client that sends requests and never reads the replies stalls only
# itself: the keeper queues a bounded number of replies, then drops it
# (200 unread PORTLIST replies once blocked the keeper in sendmsg; here
# up to 1000, so that the socket buffer and the queue surely fill)
t_keeper_slow_reader() {
	local c=${PFX}sr i p start took
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" 2>/dev/null; kill $hog 2>/dev/null' EXIT
	for i in 1 2 3 4 5 6; do
		p=$(free_port) || fail "no free port"
		expect_rc 0 $NC port add "$c" "127.0.0.1:$p:$((8000 + i))"
	done
	python3 - "$NETCELL_STATE_DIR/keeper.sock" "$c" >"$T/hog" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
sent = 0
try:
    for i in range(1000):
        s.send(("PORTLIST\t" + sys.argv[2]).encode())
        sent += 1
except OSError as e:
    print("send failed after", sent, e)
print("sent", sent, flush=True)
time.sleep(3)     # hold the connection, reading nothing
# then read: what the socket and the keeper's bounded queue kept, and an
# end (a reset comes first when our requests were still unread)
s.settimeout(5)
got = 0
try:
    while s.recv(70000):
        got += 1
    print("replies", got, "then end", flush=True)
except ConnectionResetError:
    print("replies", got, "then end (reset)", flush=True)
except socket.timeout:
    print("replies", got, "then still connected", flush=True)
PY
	hog=$!
	sleep 1
	start=$(date +%s%N)
	timeout 10 $NC list >"$T/list" 2>"$T/err" || fail "list failed or hung while a client does not read: $(cat "$T/err")"
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$took" -lt 3000 ] || fail "list took $took ms while a client does not read"
	grep -q "^$c " "$T/list" || fail "list does not show $c"
	wait $hog 2>/dev/null
	grep -q '^sent' "$T/hog" || fail "the hog did not run: $(cat "$T/hog")"
	# it was dropped once over its queue: not all 200 replies came
	grep -Eq '^replies [0-9]+ then end' "$T/hog" || fail "the client that did not read was not disconnected: $(cat "$T/hog")"
	[ "$(sed -n 's/^replies \([0-9]*\).*/\1/p' "$T/hog")" -lt 1000 ] || fail "all replies were kept for a client that did not read: $(cat "$T/hog")"
	expect_rc 0 $NC port list "$c"
	expect_rc 0 $NC delete --force "$c"
	trap - EXIT
}

# out of descriptors the keeper does not spin: a client it cannot take is
# told so, and the keeper answers again once descriptors are free
t_keeper_out_of_fds() {
	local c=${PFX}fd kp t0 t1 hog
	# the keeper inherits the limits of the command that starts it
	(ulimit -n 48 && ulimit -Hn 48 && $NC create "$c" --uplink none) || fail "create failed"
	kp=$(keeper_pid)
	trap '$NC delete --force "$c" 2>/dev/null; kill $hog 2>/dev/null' EXIT
	[ "$(awk '/^Max open files/ {print $4 " " $5}' "/proc/$kp/limits")" = "48 48" ] ||
		fail "keeper limits: $(grep 'open files' "/proc/$kp/limits")"
	python3 - "$NETCELL_STATE_DIR/keeper.sock" "$T/ready" <<'PY' &
import socket, sys, time
held = []
for i in range(80):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    held.append(s)
open(sys.argv[2], "w").close()
time.sleep(6)
PY
	hog=$!
	for _ in $(seq 1 100); do [ -e "$T/ready" ] && break; sleep 0.05; done
	[ -e "$T/ready" ] || fail "the client holding connections did not start"
	sleep 0.5
	t0=$(cpu_ticks "$kp")
	timeout 10 $NC list >"$T/out" 2>"$T/err"; rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "list while out of descriptors: exit $rc: $(cat "$T/err")"
	[ "$rc" = 0 ] || grep -q "^netcell: the keeper is out of file descriptors" "$T/err" ||
		fail "list while out of descriptors: $(cat "$T/err")"
	sleep 2
	t1=$(cpu_ticks "$kp")
	[ $((t1 - t0)) -lt 50 ] || fail "the keeper used $((t1 - t0)) ticks of CPU in 2 s while out of descriptors"
	kill $hog; wait $hog 2>/dev/null
	sleep 0.3
	expect_rc 0 $NC list
	grep -q "^$c " "$T/out" || fail "list does not show $c"
	expect_rc 0 $NC delete --force "$c"
	trap - EXIT
}

# link/unlink racing delete: no command may hold a lock the keeper needs
# (links.lock was held by link while it waited on the keeper, whose
# delete waited on links.lock: every command of the user hung for good)
t_keeper_link_delete_no_deadlock() {
	local a=${PFX}la b=${PFX}lb end rc
	expect_rc 0 $NC create "$a" --uplink none
	trap '$NC delete --force "$a" 2>/dev/null; $NC delete --force "$b" 2>/dev/null' EXIT
	end=$(($(date +%s) + 30))
	(
		while [ "$(date +%s)" -lt "$end" ]; do
			timeout 20 $NC link "$a" "$b" >/dev/null 2>&1; rc=$?
			[ $rc = 124 ] && { echo "link hung" >>"$T/hung"; exit 1; }
			timeout 20 $NC unlink "$a" "$b" >/dev/null 2>&1; rc=$?
			[ $rc = 124 ] && { echo "unlink hung" >>"$T/hung"; exit 1; }
		done
	) &
	local linker=$!
	while [ "$(date +%s)" -lt "$end" ]; do
		timeout 20 $NC create "$b" --uplink none >/dev/null 2>&1; rc=$?
		[ $rc = 124 ] && { echo "create hung" >>"$T/hung"; break; }
		timeout 20 $NC delete --force "$b" >/dev/null 2>&1; rc=$?
		[ $rc = 124 ] && { echo "delete hung" >>"$T/hung"; break; }
	done
	wait $linker
	[ -e "$T/hung" ] && fail "commands hung: $(cat "$T/hung")"
	# still answering, and no link left to a deleted cell
	timeout 20 $NC delete --force "$b" >/dev/null 2>&1
	expect_rc 0 timeout 20 $NC inspect "$a" --json
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert not d.get('links'), d.get('links')" "$T/out" ||
		fail "a link to the deleted cell is left: $(cat "$T/out")"
	expect_rc 0 $NC delete --force "$a"
	trap - EXIT
}

# keeper_pid_of RUN: the keeper PID a command with runtime directory RUN
# talks to (list --json, with a cell)
keeper_pid_of() {
	NETCELL_RUNTIME_DIR=$1 $NC list --json 2>"$T/kerr" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["keeper_pid"])'
}

# two logins of one user (one with XDG_RUNTIME_DIR, one without: su), and
# a runtime directory wiped by logind while the keeper lives: one keeper,
# found by every command
t_keeper_one_per_user() {
	local c=${PFX}one d=${PFX}two r1=$NETCELL_RUNTIME_DIR r2=$T/run2 kp p hub k2
	mkdir -m 0700 "$r2"
	trap 'kill -9 $(cat "$NETCELL_STATE_DIR/keeper.pid" 2>/dev/null) 2>/dev/null; $NC delete --force "$c" 2>/dev/null; NETCELL_RUNTIME_DIR='"$r2"' $NC delete --force "$d" 2>/dev/null' EXIT
	p=$(free_port) || fail "no free port"
	expect_rc 0 $NC create "$c"
	expect_rc 0 $NC port add "$c" "127.0.0.1:$p:80"
	kp=$(cat "$NETCELL_STATE_DIR/keeper.pid")
	hub=$(cat "$NETCELL_STATE_DIR/net/:hub.pid" 2>/dev/null)
	# the second login
	k2=$(keeper_pid_of "$r2") || fail "list from the second login: $(cat "$T/kerr")"
	[ "$k2" = "$kp" ] || fail "the second login talks to keeper $k2, not $kp"
	grep -q . "$T/kerr" && fail "the second login printed: $(cat "$T/kerr")"
	[ -e "$r2/keeper.pid" ] && fail "a second keeper started: $(cat "$r2/keeper.pid")"
	NETCELL_RUNTIME_DIR=$r2 expect_rc 0 $NC create "$d" --uplink none
	alive "$kp" || fail "the first keeper died"
	[ -z "$hub" ] || alive "$hub" || fail "the hub's pasta ($hub) was killed"
	ss -Htln "sport = :$p" | grep -q . || fail "host port $p is no longer published"
	expect_rc 0 $NC port list "$c"
	grep -q "inactive" "$T/out" && fail "a port became inactive: $(cat "$T/out")"
	# deleted through one login, not resurrected through the other
	NETCELL_RUNTIME_DIR=$r2 expect_rc 0 $NC delete --force "$d"
	expect_rc 3 $NC port add "$d" "127.0.0.1:$(free_port):81"
	expect_rc 0 $NC list
	grep -q "^$d " "$T/out" && fail "the deleted cell came back"
	# logind wipes the runtime directory while the keeper lives
	rm -rf "$r1"
	k2=$(keeper_pid_of "$r1") || fail "list after the runtime directory was wiped: $(cat "$T/kerr")"
	[ "$k2" = "$kp" ] || fail "after the wipe the command talks to keeper $k2, not $kp"
	grep -q . "$T/kerr" && fail "after the wipe the command printed: $(cat "$T/kerr")"
	ss -Htln "sport = :$p" | grep -q . || fail "host port $p is gone after the wipe"
	expect_rc 0 $NC delete --force "$c"
	gone "$kp" || fail "the keeper did not leave when idle"
	trap - EXIT
}

# the state directory removed while its keeper runs: the keeper sees it
# (inotify), says so on its log and leaves at once; the next command gets
# one new keeper for the new directory, whose socket and PID files the old
# one never removes; never two keepers serving one state path
t_keeper_state_dir_removed() {
	local c=${PFX}sd kp k2
	expect_rc 0 $NC create "$c" --uplink none
	kp=$(keeper_pid)
	trap '[ "$MODE" = root ] && ip netns del "$c" 2>/dev/null' RETURN
	rm -rf "$NETCELL_STATE_DIR"
	for _ in $(seq 1 100); do alive "$kp" || break; sleep 0.02; done
	alive "$kp" && fail "the keeper of the removed state directory still runs"
	grep -q 'the state directory was removed or moved; leaving at once' "$NETCELL_KEEPER_LOG" ||
		fail "the keeper did not say why it left: $(tail -3 "$NETCELL_KEEPER_LOG")"
	expect_rc 0 $NC list
	grep -q "^$c " "$T/out" && fail "a cell of the removed state came back: $(cat "$T/out")"
	k2=$(keeper_pid)
	[ -n "$k2" ] && [ "$k2" != "$kp" ] && alive "$k2" || fail "no new keeper ($k2)"
	[ -S "$NETCELL_STATE_DIR/keeper.sock" ] || fail "the new keeper has no socket"
	# moved instead of removed: the same
	mv "$NETCELL_STATE_DIR" "$T/state.moved"
	for _ in $(seq 1 100); do alive "$k2" || break; sleep 0.02; done
	alive "$k2" && fail "the keeper of the moved state directory still runs"
	expect_rc 0 $NC list
	rm -rf "$T/state.moved"
}

# a keeper killed while it serves create or delete: each command's exit
# status tells the truth about the cell afterwards (the retry after the
# crash reads the outcome from the new keeper before it repeats anything)
t_keeper_kill_campaign() {
	local i c rc kp there bad=0
	trap 'for i in $(seq 1 15); do $NC delete --force "${PFX}k$i" 2>/dev/null; done' EXIT
	expect_rc 0 $NC create "${PFX}k0" --uplink none	# keeps a keeper up
	for i in $(seq 1 15); do
		for op in create delete; do
			c=${PFX}k$i
			if [ $op = create ]; then
				$NC create "$c" >/dev/null 2>"$T/err.$i" &
			else
				$NC delete --force "$c" >/dev/null 2>"$T/err.$i" &
			fi
			local cmd=$!
			sleep "0.0$((RANDOM % 8))$((RANDOM % 10))"
			kp=$(cat "$NETCELL_STATE_DIR/keeper.pid" 2>/dev/null)
			[ -n "$kp" ] && kill -9 "$kp" 2>/dev/null
			timeout 30 tail --pid=$cmd -f /dev/null
			wait $cmd; rc=$?
			timeout 20 $NC list >"$T/list" 2>/dev/null || fail "list after kill $i ($op) failed"
			there=0; grep -q "^$c " "$T/list" && there=1
			if [ $op = create ] && { [ $rc = 0 ] && [ $there = 0 ] || [ $rc != 0 ] && [ $there = 1 ]; }; then
				note "create $c exited $rc but the cell is$([ $there = 0 ] && echo " not") there: $(cat "$T/err.$i")"; bad=$((bad + 1))
			fi
			if [ $op = delete ] && { [ $rc = 0 ] && [ $there = 1 ] || [ $rc != 0 ] && [ $there = 0 ]; }; then
				note "delete $c exited $rc but the cell is$([ $there = 0 ] && echo " not") there: $(cat "$T/err.$i")"; bad=$((bad + 1))
			fi
			# the campaign is about crashes, not failures: each command works
			[ $rc = 0 ] || { note "$op $c exited $rc: $(cat "$T/err.$i")"; bad=$((bad + 1)); }
			[ $op = create ] && [ $there = 0 ] && $NC create "$c" 2>/dev/null
		done
	done
	[ $bad = 0 ] || fail "$bad of 30 commands killed under them did not tell the outcome"
	expect_rc 0 $NC delete --force "${PFX}k0"
	trap - EXIT
}
