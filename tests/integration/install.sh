# tests/integration/install.sh - netcell installed: make install into a
# DESTDIR and the installed files run from there (binary, library through
# pkg-config with the example program, completion), the systemd units
# verified, and the keeper run as its unit runs it.
# Each t_* runs as root and as the unprivileged test user unless a
# "# modes t_NAME: ..." line says otherwise.

# one_line_server PORT: in a cell (run through exec), accept one TCP
# connection on 127.0.0.1:PORT and say hello
ONE_SERVER='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
c, _ = s.accept(); c.sendall(b"hello\n"); c.close()'
ONE_CLIENT='import socket,sys
c=socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
sys.stdout.write(c.recv(100).decode())'

# installed files, the example built with pkg-config against them, make
# uninstall; nothing runs from the build tree
t_install_destdir() {
	local d=$T/dest c=${PFX}in e=${PFX}ex p f left
	local u=$d/usr/local
	trap '$u/bin/netcell delete "$c" "$e" >/dev/null 2>&1' EXIT
	make -s -C "$TOP" install BUILD="$BUILD" DESTDIR="$d" >"$T/make.out" 2>&1 ||
		fail "make install: $(tail -5 "$T/make.out")"
	for f in bin/netcell libexec/netcell/netcell-stage lib/libnetcell.so.0.1.0 \
		 include/netcell.h lib/pkgconfig/libnetcell.pc share/man/man1/netcell.1 \
		 share/bash-completion/completions/netcell share/zsh/site-functions/_netcell \
		 lib/systemd/system/netcell.service lib/systemd/user/netcell.service; do
		[ -s "$u/$f" ] || fail "make install did not install $f"
	done
	[ "$(readlink "$u/lib/libnetcell.so.0")" = libnetcell.so.0.1.0 ] &&
		[ "$(readlink "$u/lib/libnetcell.so")" = libnetcell.so.0 ] ||
		fail "libnetcell.so links: $(ls -l "$u/lib")"
	grep -qx "ExecStart=/usr/local/bin/netcell keeper" "$u/lib/systemd/user/netcell.service" ||
		fail "user unit does not start /usr/local/bin/netcell keeper"
	man -l "$u/share/man/man1/netcell.1" 2>&1 >/dev/null | grep . && fail "man page warnings"

	# the installed binary, its recorder found in the relocated libexec
	export PATH=$u/bin:$PATH
	[ "$(command -v netcell)" = "$u/bin/netcell" ] || fail "installed netcell not on PATH"
	expect_rc 0 netcell create "$c" --uplink none
	expect_rc 0 netcell exec "$c" -- true
	printf '#!/bin/sh\niptables -A INPUT -p tcp --dport 7 -j DROP\n' > "$T/fw.sh"
	chmod +x "$T/fw.sh"
	expect_rc 0 netcell fw stage -o "$T/staged" -- "$T/fw.sh"
	grep -q -- '--dport 7 -j DROP' "$T/staged" || fail "staged ruleset: $(cat "$T/staged")"

	# bash completion of cell names, from the installed netcell list
	# (_init_completion of the bash-completion package, stubbed)
	f=$(bash -c '_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
		source "$1"; COMP_WORDS=(netcell exec "$2"); COMP_CWORD=2; _netcell; echo "${COMPREPLY[*]}"' \
		sh "$u/share/bash-completion/completions/netcell" "${c:0:4}")
	case " $f " in *" $c "*) ;; *) fail "completion of '${c:0:4}' gave '$f', not $c" ;; esac
	# zsh's, its completion functions stubbed
	zsh -n "$u/share/zsh/site-functions/_netcell" || fail "zsh completion: syntax"
	f=$(zsh -c 'words=(netcell exec "$2"); CURRENT=3; _describe() { print -l -- ${(P)4}; }
		_files() { :; }; _values() { :; }; source "$1"' \
		zsh "$u/share/zsh/site-functions/_netcell" "${c:0:4}")
	[ "$f" = "$c" ] || fail "zsh completion of cells gave '$f', not $c"
	expect_rc 0 netcell delete "$c"

	# the example program, built against the installed library
	(cd "$T" && PKG_CONFIG_PATH=$u/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d \
		make -s -f "$TOP/examples/Makefile" VPATH="$TOP/examples" \
		CFLAGS="-O1 -g -Wall -Wextra -Werror $( [ "$BUILD" = build-asan ] && echo -fsanitize=address,undefined)" \
		cellfw) >"$T/make.out" 2>&1 || fail "example build: $(tail -5 "$T/make.out")"
	printf 'table inet exf {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 9 drop\n\t}\n}\n' > "$T/rules.nft"
	p=$(free_port) || fail "no free port"
	LD_LIBRARY_PATH=$u/lib expect_rc 0 "$T/cellfw" "$e" "$T/rules.nft" "$T/fw.sh" \
		"127.0.0.1:$p:80" 'netcell fw history "$NETCELL_EXAMPLE_CELL" && netcell port list "$NETCELL_EXAMPLE_CELL"'
	for f in "created $e" "applied $T/rules.nft as generation 1" "staged $T/fw.sh" \
		 "applied the staged ruleset as generation 2" "published 127.0.0.1:$p:80/tcp\|published 127.0.0.1:$p:80" \
		 "command succeeded" "deleted $e"; do
		grep -qx -- "$f" "$T/out" || fail "example output lacks '$f': $(cat "$T/out")"
	done
	[ "$(grep -c '^ *[0-9]' "$T/out")" -ge 2 ] || fail "fw history inside the example: $(cat "$T/out")"
	grep -q "127.0.0.1:$p:80" "$T/out" || fail "port list inside the example: $(cat "$T/out")"
	expect_rc 3 netcell inspect "$e"

	make -s -C "$TOP" uninstall BUILD="$BUILD" DESTDIR="$d" >"$T/make.out" 2>&1 ||
		fail "make uninstall: $(tail -5 "$T/make.out")"
	left=$(find "$d" -type f -o -type l)
	[ -z "$left" ] || fail "make uninstall left: $left"
}

# the unit files as built pass systemd-analyze verify with no warning
# modes t_install_units_verify: root
t_install_units_verify() {
	local kind f
	for kind in system user; do
		mkdir -p "$T/$kind"
		sed "s|@BINDIR@|$TOP/$BUILD|" "$TOP/dist/netcell-$kind.service.in" > "$T/$kind/netcell.service"
		f=$T/$kind/netcell.service
		grep -qx "ExecStart=$TOP/$BUILD/netcell keeper" "$f" || fail "$kind unit ExecStart: $(grep ExecStart "$f")"
		expect_rc 0 systemd-analyze verify --man=no "$f"
		[ ! -s "$T/err" ] || fail "$kind unit: $(cat "$T/err")"
	done
	expect_rc 0 env XDG_RUNTIME_DIR="$T" systemd-analyze --user verify --man=no "$T/user/netcell.service"
	[ ! -s "$T/err" ] || fail "user unit as a user unit: $(cat "$T/err")"
	# the examples of a service in a cell, beside the unit they need
	for f in root:system user:user; do
		mkdir -p "$T/ex-${f%:*}"
		cp "$T/${f#*:}/netcell.service" "$T/ex-${f%:*}/"
		sed "s|/usr/bin/netcell|$TOP/$BUILD/netcell|g" "$TOP/examples/web-${f%:*}.service" \
			> "$T/ex-${f%:*}/web-${f%:*}.service"
		expect_rc 0 systemd-analyze verify --man=no "$T/ex-${f%:*}/netcell.service" \
			"$T/ex-${f%:*}/web-${f%:*}.service"
		[ ! -s "$T/err" ] || fail "web-${f%:*}.service: $(cat "$T/err")"
	done
}

# start_unit: run the unit's ExecStart as systemd does: its own session,
# stdin /dev/null, the service environment, NOTIFY_SOCKET (Type=notify,
# every message appended to $T/notify.msg); waits for READY=1
start_unit() {
	local cmd
	cmd=$(sed -n 's/^ExecStart=//p' "$T/netcell.service")
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	rm -f "$T/notify.sock" "$T/notify.msg"
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(60)
while True:
    m = s.recv(4096).decode()
    with open(sys.argv[2], "a") as f: f.write(m + "\n")' "$T/notify.sock" "$T/notify.msg" 2>/dev/null &
	LISTENER=$!
	for _ in $(seq 1 100); do [ -S "$T/notify.sock" ] && break; sleep 0.02; done
	(cd / && exec setsid env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \
		HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" NOTIFY_SOCKET="$T/notify.sock" \
		NETCELL_RUNTIME_DIR="$NETCELL_RUNTIME_DIR" NETCELL_STATE_DIR="$NETCELL_STATE_DIR" \
		ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
		$cmd </dev/null >>"$T/journal" 2>&1) &
	UNIT_PID=$!
	disown "$UNIT_PID"
	notified "READY=1" || fail "no READY=1 from the keeper: $(cat "$T/journal")"
	grep -qx "MAINPID=$UNIT_PID" "$T/notify.msg" || fail "MAINPID is not $UNIT_PID: $(cat "$T/notify.msg")"
}

# notified LINE: wait up to 20 s for LINE in what the unit told systemd
notified() {
	for _ in $(seq 1 400); do
		grep -qxF -- "$1" "$T/notify.msg" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# the keeper as netcell.service runs it.  Enabled while a keeper a command
# started holds cells: ready at once, that keeper still serving, and taking
# over (the cells brought back) when it dies.  Stays when idle; a second
# one with --no-wait refused.  Killed and started again (Restart=), it
# brings back the cell, its firewall and its published port with no other
# command; SIGTERM (systemctl stop) ends it.
t_install_keeper_unit() {
	local c=${PFX}ku p kind=system got srv= kp
	LISTENER= UNIT_PID=
	[ "$MODE" = user ] && kind=user
	sed "s|@BINDIR@|$TOP/$BUILD|" "$TOP/dist/netcell-$kind.service.in" > "$T/netcell.service"
	trap '[ -n "$srv" ] && kill $srv 2>/dev/null; $NC delete --force "$c" >/dev/null 2>&1; [ -n "$UNIT_PID" ] && kill -9 $UNIT_PID 2>/dev/null; [ -n "$LISTENER" ] && kill $LISTENER 2>/dev/null' EXIT

	p=$(free_port) || fail "no free port"
	expect_rc 0 $NC create "$c" --uplink none
	kp=$(keeper_pid)
	start_unit
	notified "STATUS=keeper PID $kp serves; taking over when it leaves" ||
		fail "no waiting status: $(cat "$T/notify.msg")"
	alive "$UNIT_PID" || fail "the unit's keeper exited: $(cat "$T/journal")"
	[ "$(keeper_pid)" = "$kp" ] || fail "keeper PID $(keeper_pid), the command's keeper was $kp"
	expect_rc 0 $NC port add "$c" "127.0.0.1:$p:80"
	kill -9 "$kp"
	notified "STATUS=1 cell brought back" || fail "the unit did not take over: $(cat "$T/journal")"
	[ "$(keeper_pid)" = "$UNIT_PID" ] || fail "keeper PID $(keeper_pid), unit's $UNIT_PID"
	ss -Htln "sport = :$p" | grep -q . || fail "published port $p not back after the takeover"

	# the cell gone, past NETCELL_KEEPER_LINGER: a service keeper stays
	expect_rc 0 $NC delete --force "$c"
	sleep 0.5
	alive "$UNIT_PID" || fail "the unit's keeper left when idle"
	expect_rc 4 $NC keeper --no-wait
	expect_err_match "^netcell: a keeper of uid $(id -u) already serves .*\(PID $UNIT_PID\)"

	expect_rc 0 $NC create "$c" --uplink none
	expect_rc 0 $NC port add "$c" "127.0.0.1:$p:80"
	printf 'table inet unitfw {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 9 drop\n\t}\n}\n' > "$T/rules.nft"
	expect_rc 0 $NC fw apply "$c" "$T/rules.nft"

	# the keeper dies; systemd starts ExecStart again (Restart=always)
	kill -9 "$UNIT_PID"
	gone "$UNIT_PID" || fail "keeper survived SIGKILL"
	: > "$T/journal"
	start_unit
	notified "STATUS=1 cell brought back" || fail "notify: $(cat "$T/notify.msg")"
	grep -q "1 cell brought back" "$T/journal" || fail "journal: $(cat "$T/journal")"
	# the port listens again before any netcell command ran
	ss -Htln "sport = :$p" | grep -q . || fail "published port $p not back after the restart"
	$NC exec "$c" -- nft list tables | grep -qx "table inet unitfw" || fail "firewall not back: $($NC exec "$c" -- nft list tables)"
	$NC exec "$c" -- python3 -c "$ONE_SERVER" 80 >"$T/srv.out" 2>&1 &
	srv=$!
	wait_port 80 "$c" || fail "server in the cell did not start: $(cat "$T/srv.out")"
	got=$(python3 -c "$ONE_CLIENT" "$p") || fail "connection through port $p failed"
	[ "$got" = hello ] || fail "through port $p: '$got'"
	wait $srv; srv=

	# systemctl stop: SIGTERM to the main process
	kill -TERM "$UNIT_PID"
	gone "$UNIT_PID" || fail "keeper ignored SIGTERM"
	UNIT_PID=
	expect_rc 0 $NC delete --force "$c"
}

# http_get_in CELL PORT: the status line of GET / on 127.0.0.1:PORT in CELL
http_get_in() {
	$NC exec "$1" -- python3 -c 'import socket,sys
c=socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
c.sendall(b"GET / HTTP/1.0\r\n\r\n"); sys.stdout.write(c.recv(100).decode().split("\r\n")[0])' "$2"
}

# the example units of a service in a cell (examples/web-*.service), their
# ExecStart run as systemd would: root, joining the cell's path as
# NetworkNamespacePath= does, as a dynamic user with CAP_NET_BIND_SERVICE;
# rootless, through netcell exec; the service answers in the cell,
# and SIGTERM (systemctl stop) ends it
t_install_service_in_cell() {
	local c=${PFX}sv kind=root cmd port pid got
	[ "$MODE" = user ] && kind=user
	trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; $NC delete --force "$c" >/dev/null 2>&1' EXIT
	expect_rc 0 $NC create "$c" --uplink none
	sed -e "s|/usr/bin/netcell|$NC|g" -e "s|/run/netns/web|/run/netns/$c|" \
		-e "s|netcell exec web|netcell exec $c|; s|$NC exec web|$NC exec $c|" \
		"$TOP/examples/web-$kind.service" > "$T/web.service"
	cmd=$(sed -n 's/^ExecStart=//p' "$T/web.service")
	port=$(echo "$cmd" | grep -oE 'http.server [0-9]+' | cut -d' ' -f2)
	if [ "$kind" = root ]; then
		grep -qx "NetworkNamespacePath=/run/netns/$c" "$T/web.service" || fail "unit: $(cat "$T/web.service")"
		(cd / && exec setsid nsenter --net="/run/netns/$c" setpriv --reuid=65534 --regid=65534 \
			--clear-groups --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
			env -i PATH=/usr/bin:/bin $cmd </dev/null >"$T/svc.out" 2>&1) &
	else
		(cd / && exec setsid env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \
			HOME="$HOME" NETCELL_RUNTIME_DIR="$NETCELL_RUNTIME_DIR" \
			NETCELL_STATE_DIR="$NETCELL_STATE_DIR" $cmd </dev/null >"$T/svc.out" 2>&1) &
	fi
	pid=$!
	wait_port "$port" "$c" || fail "the service does not listen in the cell: $(cat "$T/svc.out")"
	got=$(http_get_in "$c" "$port") || fail "GET in the cell failed"
	case $got in "HTTP/1.0 200"*) ;; *) fail "GET in the cell: '$got'" ;; esac
	kill -TERM "$pid"
	gone "$pid" || fail "the service ignored SIGTERM"
	pid=
	expect_rc 0 $NC delete --force "$c"
}

# a keeper started by create (which holds its signals until the cell is
# whole) ends on SIGTERM, as systemctl stop and a shutdown send it
t_install_keeper_sigterm() {
	local c=${PFX}st kp
	trap '$NC delete --force "$c" >/dev/null 2>&1' EXIT
	expect_rc 0 $NC create "$c" --uplink none
	kp=$(keeper_pid)
	[ -n "$kp" ] || fail "no keeper PID"
	grep -q '^SigBlk:[[:space:]]*0*$' "/proc/$kp/status" ||
		fail "the keeper blocks signals: $(grep SigBlk "/proc/$kp/status")"
	kill -TERM "$kp"
	gone "$kp" || fail "the keeper ignored SIGTERM"
	# its cell comes back with the next command
	expect_rc 0 $NC exec "$c" -- true
	expect_rc 0 $NC delete --force "$c"
}

# libnftables and libyaml are loaded when a command needs them, not at
# every start: exec and list map neither, fw check maps libnftables, up
# maps libyaml (the dynamic loader's own trace is the witness)
t_install_libs_on_demand() {
	local c=${PFX}dl
	expect_rc 0 $NC create "$c" --uplink none
	LD_DEBUG=libs $NC exec "$c" true 2>"$T/exec.ld" || fail "exec"
	LD_DEBUG=libs $NC list 2>"$T/list.ld" >/dev/null || fail "list"
	grep -q 'calling init' "$T/exec.ld" || fail "LD_DEBUG gave no trace: $(head -3 "$T/exec.ld")"
	grep -E 'libnftables|libyaml|libnftnl|libxtables' "$T/exec.ld" "$T/list.ld" &&
		fail "exec or list loaded a library it does not need"
	printf 'table inet %sdl {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n}\n' "$PFX" >"$T/r.nft"
	LD_DEBUG=libs $NC fw check "$T/r.nft" 2>"$T/check.ld" >/dev/null || fail "fw check: $(grep -v '^ *[0-9]*:' "$T/check.ld")"
	grep -q 'libnftables.so.1' "$T/check.ld" || fail "fw check did not load libnftables"
	printf 'name: %sy\ncells:\n  a: {}\n' "$PFX" >"$T/lab.yaml"
	LD_DEBUG=libs $NC status -f "$T/lab.yaml" 2>"$T/lab.ld" >/dev/null
	grep -q 'libyaml-0.so.2' "$T/lab.ld" || fail "status -f did not load libyaml: $(grep -v '^ *[0-9]*:' "$T/lab.ld")"
	$NC delete "$c"
}

# root only: hiding a system library takes a mount namespace of root's;
# the unprivileged half of the loading is t_install_libs_on_demand
# modes t_install_nftables_missing: root
# libnftables missing at run time: the commands that need it fail with
# exit 5 naming the package, change nothing; the others work
t_install_nftables_missing() {
	local c=${PFX}nm lib
	lib=$(readlink -f "$(ldconfig -p | awk '/libnftables.so.1 .*x86-64/{print $NF; exit}')")
	[ -f "$lib" ] || fail "libnftables.so.1 not found with ldconfig -p"
	expect_rc 0 $NC create "$c" --uplink none
	printf 'table inet %snm {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\ttcp dport 9 drop\n\t}\n}\n' "$PFX" >"$T/r.nft"
	cat >"$T/hidden.sh" <<EOS
mount --bind /dev/null "$lib" || exit 99
$NC fw check "$T/r.nft"; echo "check=\$?"
$NC fw apply "$c" "$T/r.nft"; echo "apply=\$?"
$NC fw show "$c"; echo "show=\$?"
$NC exec "$c" ip -o link show lo; echo "exec=\$?"
$NC doctor >"$T/doctor"; echo "doctor=\$?"
EOS
	unshare -m sh "$T/hidden.sh" >"$T/out" 2>"$T/err"
	[ $? = 99 ] && fail "could not hide $lib: $(cat "$T/err")"
	for w in check=5 apply=5 show=5 exec=0 doctor=5; do
		grep -qx "$w" "$T/out" || fail "wanted $w: $(cat "$T/out") / $(cat "$T/err")"
	done
	[ "$(grep -c 'install the package libnftables1' "$T/err")" = 3 ] || fail "errors do not name the package: $(cat "$T/err")"
	grep -q 'nothing was changed' "$T/err" || fail "apply does not say nothing changed: $(cat "$T/err")"
	grep -q '^FAIL libnftables .*install the package libnftables1' "$T/doctor" || fail "doctor: $(cat "$T/doctor")"
	$NC fw history "$c" >"$T/h" 2>&1
	grep -q "${PFX}nm" "$T/h" && fail "a generation was recorded: $(cat "$T/h")"
	ip netns exec "$c" nft list ruleset | grep -q "${PFX}nm" && fail "the ruleset reached the cell"
	$NC delete "$c"
}
