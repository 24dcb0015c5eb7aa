# tests/integration/cli.sh - the command line's conventions: help pages,
# version, output widths, terminal-only decoration
# Each t_* runs as root and as the unprivileged test user unless a
# "# modes t_NAME: ..." line says otherwise.

# -V as --version, 'netcell help CMD [VERB]', and a page of its own for
# every command the top-level help lists and for every verb of fw and port
t_cli_help_and_version() {
	local v cmd verb first
	v=$($NC --version) || fail "--version"
	[ "$($NC -V)" = "$v" ] || fail "-V says $($NC -V), --version $v"
	grep -q "^netcell $(sed -n 's/^VERSION *[:?]*= *//p' "$TOP/Makefile")\$" <<<"$v" || fail "version $v is not the Makefile's"
	$NC help >"$T/top" || fail "netcell help"
	grep -q '^  fw stage ' "$T/top" || fail "top-level help does not list fw stage: $(cat "$T/top")"
	for cmd in $(awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}' "$T/top"); do
		first=$($NC help "$cmd" | head -2 | tr '\n' ' ') || fail "help $cmd"
		case $first in "Usage: netcell $cmd"*|"Usage:   netcell $cmd"*) ;; *) fail "help $cmd starts with: $first" ;; esac
		[ "$($NC "$cmd" --help 2>&1 | head -2 | tr '\n' ' ')" = "$first" ] || fail "$cmd --help differs from help $cmd"
	done
	for verb in apply check confirm show history rollback stage; do
		first=$($NC fw "$verb" --help | head -1)
		case $first in "Usage: netcell fw $verb"*) ;; *) fail "fw $verb --help starts with: $first" ;; esac
		[ "$($NC help fw "$verb" | head -1)" = "$first" ] || fail "help fw $verb differs"
	done
	for verb in add rm list; do
		first=$($NC port "$verb" --help | head -1)
		case $first in "Usage: netcell port $verb"*) ;; *) fail "port $verb --help starts with: $first" ;; esac
	done
	expect_rc 2 $NC help frobnicate
	expect_err_match 'no help for "frobnicate"'
	return 0
}

# list's header fits an 80-column terminal
t_cli_list_width() {
	local c=${PFX}w
	expect_rc 0 $NC create "$c" --uplink none
	$NC list >"$T/list" || fail "list"
	[ "$(head -1 "$T/list" | wc -L)" -le 80 ] || fail "list header is $(head -1 "$T/list" | wc -L) columns: $(head -1 "$T/list")"
	grep -q "^$c " "$T/list" || fail "cell not listed: $(cat "$T/list")"
	$NC delete "$c"
}

# demo.sh decorates its commands on a terminal only: a pipe gets plain text
t_cli_demo_plain_in_pipe() {
	DEMO_PORT=$(free_port) NC=$NC "$TOP/demo.sh" >"$T/demo" 2>&1 || fail "demo.sh failed: $(tail -5 "$T/demo")"
	grep -q 'demo finished' "$T/demo" || fail "demo did not finish: $(tail -5 "$T/demo")"
	grep -q "$(printf '\033')" "$T/demo" && fail "ANSI codes in a pipe: $(grep -m1 "$(printf '\033')" "$T/demo" | od -c | head -2)"
	return 0
}

# exec CELL CMD ARGS works without '--', and a --help of CMD is CMD's
t_cli_exec_without_dashdash() {
	local c=${PFX}x
	expect_rc 0 $NC create "$c" --uplink none
	$NC exec "$c" ip -o link show >"$T/l" || fail "exec without --"
	[ "$(wc -l <"$T/l")" = 1 ] || fail "exec without -- ran elsewhere: $(cat "$T/l")"
	$NC exec "$c" ip --help >"$T/h" 2>&1
	grep -q 'Usage: ip ' "$T/h" || fail "exec CELL ip --help: $(head -3 "$T/h")"
	grep -q 'netcell' "$T/h" && fail "netcell's help instead of ip's: $(head -3 "$T/h")"
	$NC exec "$c" --as-user id -u >"$T/u" || fail "exec CELL --as-user CMD"
	[ "$(cat "$T/u")" = "$(id -u)" ] || fail "--as-user ran as $(cat "$T/u")"
	$NC exec --help | grep -q '^Usage: netcell exec' || fail "exec --help"
	$NC exec "$c" --help | grep -q '^Usage: netcell exec' || fail "exec CELL --help"
	[ "$($NC run sh -c 'echo hi')" = hi ] || fail "run without --"
	$NC run --help | grep -q '^Usage: netcell run' || fail "run --help"
	expect_rc 0 $NC delete "$c"
}

# published ports as podman users write them: -p, localhost, /TCP; -j as
# --json (as ip -j)
t_cli_publish_short_forms() {
	local c=${PFX}pf hp
	hp=$(free_port)
	expect_rc 0 $NC create "$c" --uplink none -p "localhost:$hp:80/TCP"
	$NC port list "$c" | grep -q "127.0.0.1:$hp .*tcp *80" || fail "port list: $($NC port list "$c")"
	$NC port list -j "$c" | python3 -c "import json,sys; p=json.load(sys.stdin); assert p[0]['host_port']==$hp and p[0]['proto']=='tcp', p" \
		|| fail "port list -j: $($NC port list -j "$c")"
	$NC list -j | python3 -c "import json,sys; assert any(x['name']=='$c' for x in json.load(sys.stdin))" || fail "list -j"
	$NC inspect -j "$c" | python3 -c "import json,sys; assert json.load(sys.stdin)['name']=='$c'" || fail "inspect -j"
	[ "$($NC run -p "127.0.0.1:$(free_port):81/Udp" sh -c 'echo ok')" = ok ] || fail "run -p"
	expect_rc 0 $NC delete "$c"
}

# pids and identify, as ip netns pids/identify: a process started in the
# cell is listed and identified; one outside is in no cell
t_cli_pids_identify() {
	local c=${PFX}pi d=${PFX}pj pid
	expect_rc 0 $NC create "$c" --uplink none
	expect_rc 0 $NC create "$d" --uplink none
	$NC exec "$c" sleep 60 &
	pid=$!
	trap 'kill $pid 2>/dev/null' EXIT RETURN
	for _ in $(seq 1 100); do [ "$(readlink /proc/$pid/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
	expect_rc 0 $NC pids "$c"
	grep -qx "$pid" "$T/out" || fail "pids $c does not list $pid: $(cat "$T/out")"
	expect_rc 0 $NC pids "$d"
	[ -s "$T/out" ] && fail "pids $d lists $(cat "$T/out")"
	expect_rc 0 $NC identify "$pid"
	[ "$(cat "$T/out")" = "$c" ] || fail "identify $pid: $(cat "$T/out")"
	$NC identify -j "$pid" | python3 -c "import json,sys; j=json.load(sys.stdin); assert j=={'pid':$pid,'cell':'$c'}, j" || fail "identify -j"
	$NC pids -j "$c" | python3 -c "import json,sys; assert $pid in json.load(sys.stdin)" || fail "pids -j"
	expect_rc 3 $NC identify $$
	expect_err_match "process $$ is in no cell"
	expect_rc 3 $NC pids "${PFX}none"
	expect_rc 2 $NC identify abc
	kill "$pid"; wait "$pid" 2>/dev/null
	expect_rc 0 $NC delete "$c" "$d"
}

# --json (and -j) on version, path, fw show and fw history: what the text
# output says, in the schema of docs/json.md
t_cli_json_more() {
	local c=${PFX}jm
	$NC version -j | python3 -c "import json,sys; j=json.load(sys.stdin); assert j['name']=='netcell' and 'netcell '+j['version']=='$($NC -V)', j" \
		|| fail "version -j: $($NC version -j)"
	[ "$($NC --version --json)" = "$($NC version -j)" ] || fail "--version --json differs from version -j"
	expect_rc 2 $NC version --frob
	expect_rc 0 $NC create "$c" --uplink none
	$NC path --json "$c" | python3 -c "
import json,sys; j=json.load(sys.stdin)
assert j['name']=='$c' and j['netns']=='$($NC path "$c")', j
assert (j['userns'] is None) == ('$MODE'=='root'), j" || fail "path --json: $($NC path --json "$c")"
	[ "$MODE" = user ] && { [ "$($NC path -j "$c" | python3 -c "import json,sys; print(json.load(sys.stdin)['userns'])")" = "$($NC path --user "$c")" ] || fail "path -j userns"; }
	$NC fw history -j "$c" | python3 -c "import json,sys; assert json.load(sys.stdin)==[]" || fail "fw history -j before any apply: $($NC fw history -j "$c")"
	$NC fw show -j "$c" | python3 -c "import json,sys; j=json.load(sys.stdin); assert j['generation']==0 and isinstance(j['ruleset'],str), j" \
		|| fail "fw show -j with no rules: $($NC fw show -j "$c")"
	printf 'table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n' >"$T/a.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	expect_rc 0 $NC fw apply "$c" "$T/a.nft"
	$NC fw history --json "$c" | python3 -c "
import json,sys; h=json.load(sys.stdin)
assert [g['generation'] for g in h]==[1,2], h
assert [g['current'] for g in h]==[False,True] and h[1]['format']=='nft' and h[1]['source'].endswith('a.nft'), h
assert all(type(g['applied'])==int and g['pending'] is False and g['reverted'] is False and g['locked'] is False for g in h), h" \
		|| fail "fw history --json: $($NC fw history --json "$c")"
	$NC fw show "$c" >"$T/show" || fail "fw show"
	$NC fw show --json "$c" | python3 -c "
import json,sys; j=json.load(sys.stdin)
assert j['generation']==2 and 'table inet t' in j['ruleset'], j
assert j['ruleset']==open('$T/show').read(), 'differs from fw show'" || fail "fw show --json: $($NC fw show --json "$c")"
	expect_rc 2 $NC fw apply -j "$c" "$T/a.nft"
	expect_rc 0 $NC delete "$c"
	# create --json: the cell made, with the host port chosen for -p 80
	expect_rc 0 $NC create -j "$c" --uplink none -p 80
	python3 -c "
import json,sys; j=json.load(open('$T/out'))
assert j['name']=='$c' and j['netns']=='$($NC path "$c")', j
p=j['ports']; assert len(p)==1 and p[0]['cell_port']==80 and p[0]['host_port']>0, p
assert '$($NC port list "$c" | awk 'NR==2{print $2}')'=='127.0.0.1:%d' % p[0]['host_port'], p" \
		|| fail "create -j: $(cat "$T/out")"
	expect_rc 0 $NC delete "$c"
}

# delete refuses a cell that still has processes and names them (PID and
# command); the keeper's port helper there does not count; --force deletes
t_cli_delete_busy() {
	local c=${PFX}bz hp pid
	hp=$(free_port)
	expect_rc 0 $NC create "$c" --uplink none -p "127.0.0.1:$hp:80"
	expect_rc 0 $NC pids "$c"
	[ -s "$T/out" ] && fail "pids lists the keeper's helper: $(cat "$T/out")"
	$NC exec "$c" sleep 60 &
	pid=$!
	trap 'kill $pid 2>/dev/null; $NC delete --force "$c" 2>/dev/null' EXIT RETURN
	for _ in $(seq 1 100); do [ "$(readlink /proc/$pid/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
	expect_rc 1 $NC delete "$c"
	expect_err_match "cannot delete cell \"$c\": 1 process still in it: $pid \\(sleep\\); stop it, or run 'netcell delete --force $c'"
	$NC list | grep -q "^$c " || fail "a refused delete removed the cell"
	expect_rc 0 $NC delete -f "$c"
	$NC list | grep -q "^$c " && fail "delete --force left the cell"
	kill "$pid"; wait "$pid" 2>/dev/null
	return 0
}

# run ends what CMD left running when CMD ends (a background job, and a
# daemon that detached with setsid and a double fork), as unshare
# --kill-child does; --keep-children leaves them; CMD's status is kept
t_cli_run_kills_children() {
	local a b k
	trap 'for p in $a $b $k; do kill $p 2>/dev/null; done' EXIT RETURN
	expect_rc 3 $NC run --uplink none -- sh -c 'sleep 60 & echo $! >"$1/bg"; setsid sh -c "sleep 61 & echo \$! >\"$1/bg2\""; exit 3' sh "$T"
	a=$(cat "$T/bg"); b=$(cat "$T/bg2")
	[ -n "$a" ] && [ -n "$b" ] || fail "the test's command did not start its background processes"
	gone "$a" || fail "run left CMD's background job $a running"
	gone "$b" || fail "run left CMD's detached daemon $b running"
	expect_rc 0 $NC run --uplink none --keep-children -- sh -c 'sleep 62 & echo $! >"$1/keep"' sh "$T"
	k=$(cat "$T/keep")
	sleep 0.3
	alive "$k" || fail "--keep-children: the background job $k was killed"
	kill "$k"
	return 0
}

# published ports as podman users write them: ranges (TCP and UDP) and
# -p 80 (a free host port chosen, shown, and working)
t_cli_publish_ranges_auto() {
	local c=${PFX}pr hp chosen srv
	for _ in $(seq 1 20); do
		hp=$(free_port)
		ss -Htuan "sport = :$((hp + 1))" | grep -q . || break
	done
	trap 'kill $srv 2>/dev/null; $NC delete --force "$c" 2>/dev/null' EXIT RETURN
	expect_rc 0 $NC create "$c" --uplink none -p "$hp-$((hp + 1)):8000-8001" -p "$hp-$((hp + 1)):53-54/udp" -p 80
	chosen=$(sed -n 's/^netcell: notice: host port \([0-9]*\) chosen for cell port 80\/tcp: 127.0.0.1:\1:80\/tcp$/\1/p' "$T/err")
	[ -n "$chosen" ] || fail "no notice of the chosen host port: $(cat "$T/err")"
	$NC port list -j "$c" | python3 -c "
import json,sys; got=sorted((p['host_port'],p['cell_port'],p['proto']) for p in json.load(sys.stdin))
want=sorted([($hp,8000,'tcp'),($hp+1,8001,'tcp'),($hp,53,'udp'),($hp+1,54,'udp'),($chosen,80,'tcp')])
assert got==want, (got, want)" || fail "port list: $($NC port list "$c")"
	$NC exec "$c" python3 -c "
import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',80)); s.listen()
c,_=s.accept(); c.sendall(b'hi80'); c.close()" &
	srv=$!
	wait_port 80 "$c" || fail "server in the cell did not start"
	[ "$(python3 -c "import socket; print(socket.create_connection(('127.0.0.1',$chosen),3).recv(9).decode())")" = hi80 ] \
		|| fail "nothing through the chosen host port $chosen"
	wait $srv; srv=
	expect_rc 0 $NC port rm "$c" "$hp-$((hp + 1)):8000-8001"
	[ "$($NC port list -j "$c" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 3 ] || fail "port rm of a range: $($NC port list "$c")"
	expect_rc 2 $NC port add "$c" "1-2:3"
	expect_err_match 'one length'
	expect_rc 2 $NC port rm "$c" 80
	expect_rc 0 $NC delete "$c"
}

# -q and -v, global options before the command: -q drops notices (here the
# host port chosen for -p 80), -v says what was made and deleted, with a
# generated name; errors are shown either way
t_cli_quiet_verbose() {
	local c=${PFX}qv
	expect_rc 0 $NC -q create "$c" --uplink none -p 80
	[ -s "$T/err" ] && fail "-q create printed: $(cat "$T/err")"
	expect_rc 0 $NC port add "$c" 81
	expect_err_match '^netcell: notice: host port [0-9]+ chosen for cell port 81/tcp'
	expect_rc 0 $NC --quiet port add "$c" 82
	[ -s "$T/err" ] && fail "--quiet port add printed: $(cat "$T/err")"
	expect_rc 3 $NC -q delete "${PFX}none"
	expect_err_match "${PFX}none"
	expect_rc 0 $NC -v run --uplink none true
	expect_err_match '^netcell: created cell "[^"]+" for the command'
	expect_err_match '^netcell: deleted cell "'
	expect_rc 0 $NC --verbose delete "$c"
	expect_err_match "^netcell: deleted cell \"$c\"\$"
	expect_rc 0 $NC -v create "$c" --uplink none
	expect_err_match "^netcell: created cell \"$c\" \\((root|rootless)\\), network namespace $($NC path "$c")\$"
	expect_rc 0 $NC delete "$c"
	[ -s "$T/err" ] && fail "delete without -v printed: $(cat "$T/err")"
	return 0
}

# the bash and zsh completions know the commands and options added with
# the conventions (pids, identify, help, version, -q/-v before the
# command, --keep-children, --host-port, delete --force, --json)
# modes t_cli_completions: root
t_cli_completions() {
	local comp
	comp() {
		bash -c '_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
			_filedir() { :; }; netcell() { :; }
			source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _netcell; echo "${COMPREPLY[*]}"' \
			sh "$TOP/dist/netcell.bash" "$@"
	}
	[ "$(comp netcell -q pi)" = pids ] || fail "bash: 'netcell -q pi' gave '$(comp netcell -q pi)'"
	for w in identify keeper help version -V -q --verbose; do
		case " $(comp netcell '') " in *" $w "*) ;; *) fail "bash: no $w among the commands" ;; esac
	done
	[ "$(comp netcell run --ke)" = --keep-children ] || fail "bash: run --ke gave '$(comp netcell run --ke)'"
	[ "$(comp netcell -v create web --host-p)" = --host-port ] || fail "bash: --host-p"
	[ "$(comp netcell delete --f)" = --force ] || fail "bash: delete --f"
	[ "$(comp netcell fw history web --j)" = --json ] || fail "bash: fw history --j"
	[ "$(comp netcell path --j)" = --json ] || fail "bash: path --j"
	zsh -n "$TOP/dist/_netcell" || fail "zsh completion: syntax"
	local z
	z=$(zsh -c 'words=(netcell -q ""); CURRENT=3; _describe() { print -l -- ${(P)4}; }
		compadd() { :; }; _files() { :; }; _values() { :; }; source "$1"' zsh "$TOP/dist/_netcell")
	grep -q '^pids:' <<<"$z" && grep -q '^identify:' <<<"$z" && grep -q '^version:' <<<"$z" \
		|| fail "zsh: commands after -q: $z"
	z=$(zsh -c 'words=(netcell run ""); CURRENT=3; compadd() { print -l -- "$@"; }; source "$1"' zsh "$TOP/dist/_netcell")
	grep -qx -- --keep-children <<<"$z" && grep -qx -- --host-port <<<"$z" || fail "zsh: run options: $z"
	return 0
}

# the man page names every command of the top-level help and the options
# added with the conventions, and renders without warnings
# modes t_cli_man_page: root
t_cli_man_page() {
	local cmd opt
	MANWIDTH=200 man -l "$TOP/netcell.1" 2>"$T/manwarn" >"$T/man" || fail "man -l netcell.1 failed"
	[ -s "$T/manwarn" ] && fail "man page warnings: $(head -3 "$T/manwarn")"
	$NC help >"$T/top"
	for cmd in $(awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}' "$T/top"); do
		grep -qE "^ {7}(${cmd//|/\\|})( |$)" "$T/man" || fail "man page lacks command $cmd"
	done
	for opt in --quiet --verbose --json --host-port --keep-children --force --publish; do
		grep -q -- "$opt" "$T/man" || fail "man page lacks $opt"
	done
	return 0
}

t_cli_progress_keeper_start() {
	# a keeper that takes long to answer (as one bringing many cells back)
	# is shown as progress on a terminal, and not in a pipe
	expect_rc 0 $NC create "${PFX}pg" --uplink none
	trap '$NC delete "${PFX}pg" >/dev/null 2>&1' RETURN
	kill -9 "$(keeper_pid)"
	NETCELL_TEST_READY_DELAY_MS=2300 script -qec "$NC list" /dev/null >"$T/tty" 2>&1
	grep -q 'starting the keeper, which brings the saved cells back\.\.\. 2s' "$T/tty" || fail "no progress on a terminal: $(tr '\r' '\n' <"$T/tty" | head -5)"
	grep -q "${PFX}pg" "$T/tty" || fail "list printed nothing after the wait"
	kill -9 "$(keeper_pid)"
	NETCELL_TEST_READY_DELAY_MS=1300 $NC list >"$T/out" 2>"$T/err" || fail "list failed"
	grep -q 'starting the keeper' "$T/err" && fail "progress written to a pipe"
	return 0
}
