# tests/integration/cells.sh - cells: create, exec, run, list, delete, keeper
# Each t_* runs as root and as the unprivileged test user unless a
# "# modes t_NAME: ..." line says otherwise.

t_create_exec_list_delete() {
	local c=${PFX}web
	expect_rc 0 $NC create "$c" --uplink none
	# the cell outlives the creating command; a second process enters it
	$NC exec "$c" -- ip -o link show >"$T/links" || fail "exec failed"
	[ "$(wc -l <"$T/links")" = 1 ] || fail "cell has links other than lo: $(cat "$T/links")"
	grep -q 'lo:.*UP' "$T/links" || fail "loopback is not up: $(cat "$T/links")"
	# the cell's loopback keeps the kernel's packet size (BIG TCP measured
	# slower for published ports, kernel/ns.c)
	$NC exec "$c" -- ip -d link show lo | grep -q 'gso_max_size 65536 ' ||
		fail "cell loopback not at the kernel's default size: $($NC exec "$c" -- ip -d link show lo)"
	$NC list | grep -q "^$c " || fail "list does not show $c"
	$NC list --json | python3 -c "
import json,sys; d=json.load(sys.stdin); c=[x for x in d if x['name']=='$c'][0]
assert c['mode']==('root' if '$MODE'=='root' else 'rootless'), c
assert c['ephemeral'] is False and c['created']>0 and c['netns'], c" || fail "list --json schema"
	$NC inspect "$c" --json | python3 -c "import json,sys; assert json.load(sys.stdin)['name']=='$c'" \
		|| fail "inspect --json"
	expect_rc 0 $NC delete --force "$c"
	expect_rc 3 $NC exec "$c" -- true
	$NC list | grep -q "^$c " && fail "deleted cell still listed"
	return 0
}

t_exec_is_root_in_cell() {
	local c=${PFX}r
	expect_rc 0 $NC create "$c"
	[ "$($NC exec "$c" -- id -u)" = 0 ] || fail "exec does not run as root of the cell"
	# binding a port below 1024 works inside the cell, as its root
	$NC exec "$c" -- python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 80))' \
		|| fail "cannot bind port 80 inside the cell"
	$NC exec "$c" -- sh -c 'test "$NETCELL_CELL" = '"$c" || fail "NETCELL_CELL not set"
	$NC delete --force "$c"
}

t_exec_as_user() {
	local c=${PFX}u me
	me=$(id -u)
	expect_rc 0 $NC create "$c"
	[ "$($NC exec "$c" --as-user -- id -u)" = "$me" ] || fail "--as-user does not keep uid $me"
	$NC exec "$c" --as-user -- grep -q '^CapEff:.0000000000000000' /proc/self/status \
		|| fail "--as-user keeps capabilities"
	$NC exec "$c" --as-user -- ip link set lo down 2>/dev/null && fail "--as-user could change links"
	$NC delete --force "$c"
}

t_run_status_and_stdio() {
	expect_rc 7 $NC run -- sh -c 'exit 7'
	expect_rc 143 $NC run -- sh -c 'kill -TERM $$'
	[ "$(echo hello | $NC run -- cat)" = hello ] || fail "stdin/stdout do not pass through"
	$NC run -- sh -c 'echo err >&2' 2>"$T/e" >/dev/null; grep -q '^err$' "$T/e" || fail "stderr does not pass"
	# a terminal passes through
	script -qec "$NC run -- sh -c 'test -t 0 && test -t 1 && echo TTYOK'" /dev/null </dev/null >"$T/tty" 2>&1
	grep -q TTYOK "$T/tty" || fail "no terminal in run: $(cat "$T/tty")"
	# the cell of run is gone when the command ends
	$NC run --name "${PFX}eph" -- true
	expect_rc 3 $NC inspect "${PFX}eph"
	return 0
}

t_run_forwards_signals() {
	$NC run --name "${PFX}sig" -- sh -c 'trap "exit 42" TERM; for i in $(seq 200); do sleep 0.05; done' &
	local pid=$!
	for _ in $(seq 1 100); do $NC exec "${PFX}sig" -- true 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	kill -TERM $pid
	wait $pid; local rc=$?
	[ $rc = 42 ] || fail "SIGTERM did not reach the command (rc $rc)"
	expect_rc 3 $NC inspect "${PFX}sig"
	# SIGINT sent with kill(1) reaches the command too (python, because a
	# non-interactive shell starts background jobs with SIGINT ignored)
	$NC run -- python3 -c 'import signal,sys,time
signal.signal(signal.SIGINT, lambda *a: sys.exit(43)); open(sys.argv[1], "w").close(); time.sleep(9)' "$T/ready" &
	pid=$!
	for _ in $(seq 1 100); do [ -e "$T/ready" ] && break; sleep 0.05; done
	kill -INT $pid; wait $pid; rc=$?
	[ $rc = 43 ] || fail "SIGINT did not reach the command (rc $rc)"
}

t_run_killed_leaves_nothing() {
	local d="30.$$"	# a command line no other test's process has
	$NC run --name "${PFX}k" -- sleep "$d" &
	local pid=$!
	for _ in $(seq 1 100); do $NC inspect "${PFX}k" >/dev/null 2>&1 && break; sleep 0.05; done
	kill -9 $pid; wait $pid 2>/dev/null
	for _ in $(seq 1 100); do $NC inspect "${PFX}k" >/dev/null 2>&1 || break; sleep 0.05; done
	expect_rc 3 $NC inspect "${PFX}k"
	sleep 0.2
	pgrep -u "$(id -u)" -xf "sleep $d" >/dev/null && fail "the command outlived a killed netcell run"
	return 0
}

t_isolation_from_host_loopback() {
	local port c=${PFX}iso
	port=$(free_port)
	python3 -c "
import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(8)" &
	local srv=$!
	wait_port "$port" || fail "host server did not start"
	python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" || fail "host server unreachable from host"
	expect_rc 0 $NC create "$c"
	$NC exec "$c" -- python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null \
		&& fail "a cell reached the host's 127.0.0.1:$port"
	kill $srv; wait $srv 2>/dev/null
	$NC delete --force "$c"
}

t_concurrent_creates() {
	local i
	for i in $(seq 1 20); do $NC create "${PFX}c$i" 2>>"$T/cerr" & done
	wait
	[ "$($NC list | grep -c "^${PFX}c")" = 20 ] || fail "not 20 cells after 20 concurrent creates: $(cat "$T/cerr")"
	$NC delete --force $(seq -f "${PFX}c%g" 1 20) || fail "delete of 20 cells"
	# same name: exactly one wins, the others exit 4
	rm -f "$T"/rc.*
	for i in $(seq 1 20); do ( $NC create "${PFX}same" 2>/dev/null; echo $? >"$T/rc.$i" ) & done
	wait
	[ "$(cat "$T"/rc.* | grep -c '^0$')" = 1 ] || fail "not exactly one winner: $(cat "$T"/rc.* | tr '\n' ' ')"
	[ "$(cat "$T"/rc.* | grep -c '^4$')" = 19 ] || fail "losers did not exit 4: $(cat "$T"/rc.* | tr '\n' ' ')"
	$NC delete --force "${PFX}same"
}

t_keeper_crash_rebuilds() {
	expect_rc 0 $NC create "${PFX}a"
	expect_rc 0 $NC create "${PFX}b"
	local kp
	kp=$(keeper_pid); [ -n "$kp" ] || fail "no keeper pid"
	kill -9 "$kp"
	for _ in $(seq 1 50); do alive "$kp" || break; sleep 0.02; done
	expect_rc 0 $NC list
	expect_err_match 'keeper was not running.*rebuilt 2 cells'
	# only rootless cells get new namespaces; root ones keep theirs
	if [ "$MODE" = root ]; then
		expect_err_match 'namespaces survived \(/run/netns\), so processes in them'
		grep -q 'keep the old namespaces' "$T/err" && fail "root notice says processes keep old namespaces: $(cat "$T/err")"
	else
		expect_err_match 'in new namespaces; processes started in the old cells keep the old namespaces'
	fi
	grep -q "^${PFX}a " "$T/out" && grep -q "^${PFX}b " "$T/out" || fail "cells lost after keeper crash: $(cat "$T/out")"
	[ "$(keeper_pid)" != "$kp" ] || fail "no new keeper"
	$NC exec "${PFX}a" -- ip -o link show lo | grep -q UP || fail "rebuilt cell has no loopback up"
	$NC delete --force "${PFX}a" "${PFX}b"
}

# rootless: once a cell has been handed out, commands open its namespaces
# themselves (RUN/fast/NAME, kfast.c): exec works while the keeper is
# stopped; a file that does not match sends them to the keeper; a process
# in a cell never takes that way (refused as before); the file goes with
# the cell and with a killed keeper's namespaces
# modes t_exec_without_keeper: user
t_exec_without_keeper() {
	local a=${PFX}fa b=${PFX}fb kp fd
	expect_rc 0 $NC create "$a" --uplink none
	expect_rc 0 $NC create "$b" --uplink none
	kp=$(keeper_pid)
	trap 'kill -CONT $kp 2>/dev/null; $NC delete --force "$a" "$b" 2>/dev/null' EXIT
	expect_rc 0 $NC exec "$a" -- ip addr add 10.9.9.1/32 dev lo
	expect_rc 0 $NC exec "$b" -- ip addr add 10.9.9.2/32 dev lo
	# RUN/fast-DEV-INO of the state directory (two state directories never
	# share one)
	fd=$NETCELL_RUNTIME_DIR/fast-$(printf '%x-%x' "0x$(stat -c '%D' "$NETCELL_STATE_DIR")" "$(stat -c %i "$NETCELL_STATE_DIR")")
	[ -f "$fd/$a" ] || fail "no fast file after the first exec in $fd: $(ls "$NETCELL_RUNTIME_DIR")"
	kill -STOP "$kp"
	timeout 10 $NC exec "$a" -- ip -o addr show to 10.9.9.1 | grep -q 10.9.9.1 || { kill -CONT "$kp"; fail "exec waited for the stopped keeper"; }
	timeout 10 $NC exec "$b" -- ip -o addr show to 10.9.9.1 | grep -q 10.9.9.1 2>&1 && { kill -CONT "$kp"; fail "exec of $b entered $a"; }
	kill -CONT "$kp"
	# b's file as a's: names differ, the keeper is asked, a is entered
	cp "$fd/$b" "$fd/$a"
	expect_rc 0 $NC exec "$a" -- sh -c "ip -o addr show to 10.9.9.1 | grep -q 10.9.9.1"
	# a file of the right name but another namespace's inode
	awk -F'\t' 'NR==1{$4=$4+1; print $1"\t"$2"\t"$3"\t"$4"\t"$5; next} {print}' \
		"$fd/$b" >"$T/forged" && cp "$T/forged" "$fd/$b"
	expect_rc 0 $NC exec "$b" -- sh -c "ip -o addr show to 10.9.9.2 | grep -q 10.9.9.2"
	# from inside a cell: refused by the keeper, as every command there
	expect_rc 5 $NC exec "$a" -- $NC exec "$b" -- true
	expect_err_match 'a cell may not manage cells'
	expect_rc 5 $NC exec "$a" --as-user -- $NC exec "$b" -- true
	# a killed keeper: its files lead nowhere; the new one's cells are entered
	kill -9 "$kp"
	for _ in $(seq 1 50); do alive "$kp" || break; sleep 0.02; done
	expect_rc 0 $NC exec "$a" -- ip -o link show lo
	$NC exec "$a" -- ip -o addr show to 10.9.9.1 | grep -q 10.9.9.1 2>&1 && fail "exec entered the dead keeper's namespace"
	[ "$(cut -f1 "$fd/$a" | head -1)" = "$(keeper_pid)" ] || fail "the fast file is not the new keeper's"
	[ -f "$fd/$b" ] && fail "a dead keeper's file stayed"
	# a second state directory with a cell of the same name, sharing the
	# runtime directory: each command enters its own state's cell
	mkdir -m 0700 "$T/state2"
	NETCELL_STATE_DIR=$T/state2 expect_rc 0 $NC create "$a" --uplink none
	NETCELL_STATE_DIR=$T/state2 expect_rc 0 $NC exec "$a" -- ip addr add 10.9.9.3/32 dev lo
	NETCELL_STATE_DIR=$T/state2 $NC exec "$a" -- sh -c "ip -o addr show to 10.9.9.3 | grep -q 10.9.9.3" ||
		fail "the second state's cell was not entered"
	$NC exec "$a" -- sh -c "ip -o addr show to 10.9.9.3 | grep -q 10.9.9.3" && fail "exec entered the other state's cell"
	NETCELL_STATE_DIR=$T/state2 expect_rc 0 $NC delete --force "$a"
	kill "$(cat "$T/state2/keeper.pid" 2>/dev/null)" 2>/dev/null
	expect_rc 0 $NC delete "$a"
	[ -f "$fd/$a" ] && fail "the file outlived its cell"
	expect_rc 0 $NC delete --force "$b"
	trap - EXIT
}

t_names_and_exit_codes() {
	local long
	long=$(printf 'x%.0s' $(seq 1 65))
	for bad in "" "a/b" "." ".." "$long" "$(printf 'a\tb')" "-x" "a b" \
		'$(id)' 'a;b' "$(printf 'a\233b')" "$(printf 'caf\303\251')"; do
		expect_rc 2 $NC create -- "$bad"
		expect_err_match 'invalid cell name'
	done
	expect_rc 3 $NC exec "${PFX}none" -- true
	expect_rc 3 $NC delete "${PFX}none"
	expect_rc 0 $NC delete --force "${PFX}none"
	expect_rc 3 $NC inspect "${PFX}none"
	expect_rc 3 $NC path "${PFX}none"
	expect_rc 2 $NC create
	expect_rc 2 $NC frobnicate
	expect_rc 2 $NC create --bogus x
	expect_rc 0 $NC create "${PFX}dup"
	expect_rc 4 $NC create "${PFX}dup"
	expect_err_match 'exists already'
	$NC delete --force "${PFX}dup"
}

t_firewall_tools_work() {
	local c=${PFX}fw
	expect_rc 0 $NC create "$c"
	$NC exec "$c" -- iptables-legacy -A INPUT -p tcp --dport 81 -j DROP || fail "iptables-legacy in a cell"
	$NC exec "$c" -- iptables-legacy -S INPUT | grep -q 'dport 81' || fail "iptables-legacy rule not there"
	$NC exec "$c" -- iptables-nft -A INPUT -p tcp --dport 82 -j DROP || fail "iptables-nft in a cell"
	$NC exec "$c" -- nft add table inet nctest || fail "nft in a cell"
	$NC exec "$c" -- nft list ruleset | grep -q 'dport 82' || fail "iptables-nft rule not in the ruleset"
	$NC exec "$c" -- sh -c 'test -n "$XTABLES_LOCKFILE" && test -O "$XTABLES_LOCKFILE"' || fail "XTABLES_LOCKFILE is not the user's"
	# the rules stay in the cell
	if [ "$MODE" = root ]; then nft list tables | grep -q nctest && fail "cell table leaked to the host"; fi
	$NC delete --force "$c"
}

t_etc_overlay() {
	local c=${PFX}etc dir
	if [ "$MODE" = root ]; then dir=/etc/netns/$c; else dir=$HOME/.config/netcell/$c/etc; fi
	mkdir -p "$dir" && echo "10.9.9.9 nctest-host" >"$dir/hosts"
	expect_rc 0 $NC create "$c"
	$NC exec "$c" -- cat /etc/hosts | grep -q nctest-host || { rm -rf "$dir"; fail "/etc/hosts not overlaid"; }
	grep -q nctest-host /etc/hosts && fail "overlay leaked to the host"
	rm -rf "${dir%/etc}" "$dir"
	$NC delete --force "$c"
}

# one resolver view: 'ip netns exec' (root) and 'netcell exec' read the
# same resolv.conf, and inspect reports the one in force, the user's own
# overlay file included
t_resolv_one_view() {
	local c=${PFX}rv d=${PFX}rw dir ns
	if [ "$MODE" = root ]; then dir=/etc/netns/$c; else dir=$HOME/.config/netcell/$c/etc; fi
	trap 'rm -rf "$dir" "${dir%/etc}"' EXIT RETURN
	expect_rc 0 $NC create "$c"
	ns=$($NC exec "$c" -- cat /etc/resolv.conf | awk '/^nameserver/{print $2; exit}')
	[ -n "$ns" ] || fail "no resolver in the cell"
	$NC inspect "$c" | grep -q "^dns: *$ns\$" || fail "inspect: $($NC inspect "$c" | grep dns)"
	if [ "$MODE" = root ]; then
		[ "$(ip netns exec "$c" cat /etc/resolv.conf)" = "$($NC exec "$c" -- cat /etc/resolv.conf)" ] \
			|| fail "ip netns exec sees $(ip netns exec "$c" cat /etc/resolv.conf | tr '\n' ' '), netcell exec $($NC exec "$c" -- cat /etc/resolv.conf | tr '\n' ' ')"
	fi
	# the user's own file wins, everywhere
	mkdir -p "$dir" && printf 'nameserver 192.0.2.99\n' >"$dir/resolv.conf"
	$NC exec "$c" -- cat /etc/resolv.conf | grep -qx 'nameserver 192.0.2.99' || fail "user's resolv.conf not in force"
	[ "$MODE" = root ] && { ip netns exec "$c" cat /etc/resolv.conf | grep -qx 'nameserver 192.0.2.99' || fail "ip netns exec: user's file not in force"; }
	$NC inspect "$c" | grep -q '^dns: *192.0.2.99$' || fail "inspect does not report the user's resolver: $($NC inspect "$c" | grep dns)"
	expect_rc 0 $NC delete --force "$c"
	[ -f "$dir/resolv.conf" ] || fail "delete removed the user's own resolv.conf"
	rm -rf "$dir" "${dir%/etc}"
	# netcell's own copy goes with the cell
	if [ "$MODE" = root ]; then
		expect_rc 0 $NC create "$d"
		[ -f "/etc/netns/$d/resolv.conf" ] || fail "no /etc/netns/$d/resolv.conf for ip netns exec"
		expect_rc 0 $NC delete --force "$d"
		[ -e "/etc/netns/$d" ] && { rm -rf "/etc/netns/$d"; fail "/etc/netns/$d left after delete"; }
	fi
	return 0
}

t_path_for_other_tools() {
	local c=${PFX}p
	expect_rc 0 $NC create "$c" --uplink none
	if [ "$MODE" = root ]; then
		nsenter --net="$($NC path "$c")" ip -o link show | grep -q 'lo:' || fail "nsenter --net=path"
	else
		nsenter --preserve-credentials --user="$($NC path --user "$c")" --net="$($NC path "$c")" \
			ip -o link show >"$T/l" || fail "nsenter --user --net with the paths"
		[ "$(wc -l <"$T/l")" = 1 ] || fail "nsenter entered the wrong namespace"
		# the help's example works when pasted
		$NC path --help | sed -n '/rootless:/,/CMD$/p' | sed 's/^ *rootless: *//; s/NAME/'"$c"'/g; s/ CMD$/ ip -o link show/' >"$T/ex.sh"
		grep -q preserve-credentials "$T/ex.sh" || fail "help example: $(cat "$T/ex.sh")"
		PATH="$(dirname "$NC"):$PATH" sh "$T/ex.sh" >"$T/l" 2>&1 || fail "the help's example failed: $(cat "$T/ex.sh"; cat "$T/l")"
		[ "$(wc -l <"$T/l")" = 1 ] || fail "the help's example entered the wrong namespace: $(cat "$T/l")"
	fi
	$NC delete --force "$c"
}

# modes t_root_cells_are_ip_netns: root
t_root_cells_are_ip_netns() {
	local c=${PFX}ipn
	expect_rc 0 $NC create "$c"
	ip netns list | grep -q "^$c\b" || fail "ip netns list does not show $c"
	ip netns exec "$c" ip -o link show | grep -q 'lo:.*UP' || fail "ip netns exec does not enter $c"
	expect_rc 0 $NC delete --force "$c"
	ip netns list | grep -q "^$c\b" && fail "ip netns still lists $c"
	# a name taken by ip netns is refused, nothing is saved
	ip netns add "${PFX}taken"
	expect_rc 4 $NC create "${PFX}taken"
	ls "$NETCELL_STATE_DIR/cells" | grep -q taken && fail "state saved for a failed create"
	ip netns del "${PFX}taken"
	return 0
}

# 'ip netns del' behind netcell's back: path gives a path that still opens
# the cell, and every command that shows the path says the binding went
# modes t_root_path_after_ip_netns_del: root
t_root_path_after_ip_netns_del() {
	local c=${PFX}gone p
	expect_rc 0 $NC create "$c" --uplink none
	$NC exec "$c" -- ip addr add 10.99.77.1/32 dev lo || fail "marker address in the cell"
	ip netns del "$c" || fail "ip netns del"
	expect_rc 0 $NC path "$c"
	p=$(cat "$T/out")
	[ "$p" != "/run/netns/$c" ] || fail "path still prints the dead /run/netns/$c"
	expect_err_match "cell \"$c\" lost /run/netns/$c .*ip netns del"
	nsenter --net="$p" ip -o addr show dev lo | grep -q 10.99.77.1 || fail "the path $p does not open the cell"
	expect_rc 0 $NC list
	expect_err_match "lost /run/netns/$c"
	expect_rc 0 $NC inspect "$c"
	expect_err_match "lost /run/netns/$c"
	expect_rc 0 $NC delete --force "$c"
	return 0
}

# modes t_other_uid_cannot_touch: root
t_other_uid_cannot_touch() {
	# user A makes a cell; user B can neither see, enter nor delete it
	local A=$TUSER B=$TUSER2 rd
	rd=$(mktemp -d /tmp/nco.XXXXXX); chmod 755 "$rd"
	mkdir -p "$rd/a" "$rd/b"; chown "$A" "$rd/a"; chown "$B" "$rd/b"; chmod 700 "$rd/a" "$rd/b"
	asu() { local u=$1 d=$2; shift 2; setpriv --reuid="$u" --regid="$u" --init-groups \
		env NETCELL_RUNTIME_DIR="$rd/$d/run" NETCELL_STATE_DIR="$rd/$d/state" HOME="$rd/$d" "$@"; }
	asu "$A" a $NC create "${PFX}priv" || fail "A cannot create"
	local np kp
	np=$(asu "$A" a $NC path "${PFX}priv")
	kp=$(cat "$rd/a/run/keeper.pid")
	asu "$B" b $NC list | grep -q priv && fail "B lists A's cell"
	asu "$B" b $NC delete "${PFX}priv" 2>/dev/null; [ $? = 3 ] || fail "B's delete did not say no such cell"
	asu "$B" b nsenter --net="$np" true 2>/dev/null && fail "B entered A's cell through $np"
	asu "$B" b env NETCELL_RUNTIME_DIR="$rd/a/run" $NC list >/dev/null 2>&1 && fail "B used A's runtime dir"
	asu "$A" a $NC inspect "${PFX}priv" >/dev/null || fail "A's cell was disturbed"
	asu "$A" a $NC delete --force "${PFX}priv"
	kill -9 "$kp" 2>/dev/null
	local kb; kb=$(cat "$rd/b/run/keeper.pid" 2>/dev/null); [ -n "$kb" ] && kill -9 "$kb" 2>/dev/null
	rm -rf "$rd"
	return 0
}

t_failed_create_leaves_nothing() {
	# the configuration cannot be saved (a directory is in the way): the
	# create fails and leaves no namespace and no cell behind
	expect_rc 0 $NC list
	mkdir "$NETCELL_STATE_DIR/cells/${PFX}ro.conf"
	expect_rc 1 $NC create "${PFX}ro"
	expect_err_match 'cannot save configuration'
	rmdir "$NETCELL_STATE_DIR/cells/${PFX}ro.conf"
	expect_rc 3 $NC inspect "${PFX}ro"
	[ -z "$(ls "$NETCELL_STATE_DIR/cells")" ] || fail "state left: $(ls "$NETCELL_STATE_DIR/cells")"
	if [ "$MODE" = root ]; then ip netns list | grep -q "^${PFX}ro" && fail "namespace left behind"; fi
	expect_rc 0 $NC create "${PFX}ro"
	$NC delete --force "${PFX}ro"
}

# modes t_private_runtime_dir: user
t_private_runtime_dir() {
	# a runtime directory that others can write is made private, not trusted
	chmod 0777 "$NETCELL_RUNTIME_DIR"
	expect_rc 0 $NC list
	[ "$(stat -c %a "$NETCELL_RUNTIME_DIR")" = 700 ] || fail "runtime dir left open"
}

# net_fds PID: how many network namespaces PID holds open
net_fds() { local f n=0; for f in /proc/"$1"/fd/*; do [[ $(readlink "$f" 2>/dev/null) == net:* ]] && n=$((n + 1)); done; echo "$n"; }

# modes t_create_from_pool_is_fresh: user
t_create_from_pool_is_fresh() {
	# a rootless keeper keeps two network namespaces ready, made while no
	# command is connected, for the next creates; each cell still gets one
	# of its own, untouched, loopback up and nothing else
	local a=${PFX}pa b=${PFX}pb c=${PFX}pc kp n x ids
	expect_rc 0 $NC create "$a" --uplink none
	kp=$(keeper_pid)
	for _ in $(seq 1 50); do [ "$(net_fds "$kp")" = 3 ] && break; sleep 0.02; done
	n=$(net_fds "$kp")
	[ "$n" = 3 ] || fail "the keeper holds $n network namespaces with 1 cell; wanted the cell's and 2 ready ones"
	# a change in the first cell shows in no cell made after it
	$NC exec "$a" -- ip addr add 192.0.2.7/32 dev lo || fail "exec in $a"
	expect_rc 0 $NC create "$b" --uplink none
	expect_rc 0 $NC create "$c" --uplink none
	for x in "$a" "$b" "$c"; do
		ids+="$($NC exec "$x" -- readlink /proc/self/ns/net) "
		[ "$x" = "$a" ] && continue
		$NC exec "$x" -- ip -o addr show >"$T/addrs" || fail "exec in $x"
		grep -q 192.0.2.7 "$T/addrs" && fail "$x has the address added in $a: $(cat "$T/addrs")"
		$NC exec "$x" -- ip -o link show >"$T/links"
		[ "$(wc -l <"$T/links")" = 1 ] && grep -q 'lo:.*UP' "$T/links" || fail "$x: links $(cat "$T/links")"
		$NC exec "$x" -- ip -d link show lo | grep -q 'gso_max_size 65536 ' ||
			fail "$x: loopback not at the kernel's default size"
	done
	[ "$(tr ' ' '\n' <<<"$ids" | grep . | sort -u | wc -l)" = 3 ] || fail "cells share a namespace: $ids"
	n=$(net_fds "$kp")
	[ "$n" -ge 3 ] && [ "$n" -le 5 ] || fail "the keeper holds $n network namespaces with 3 cells; at most 2 more than its cells"
	for x in "$a" "$b" "$c"; do expect_rc 0 $NC delete --force "$x"; done
	n=$(net_fds "$kp")
	[ "$n" -le 2 ] || fail "the keeper holds $n network namespaces with no cell"
	return 0
}
