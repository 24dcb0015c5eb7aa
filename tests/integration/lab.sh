# tests/integration/lab.sh - labs: netcell up/down/status -f LAB.yaml
# Each t_* runs as root and as the unprivileged test user.  Traffic stays
# between the lab's own cells, and the host's loopback for published ports.

# lab3 FILE NAME HOSTPORT: the issue's lab (a - r - b), firewall r.nft next
# to it dropping forwarded TCP to port 9999; b has pasta and publishes
# HOSTPORT:80
lab3() {
	cat >"$1" <<EOF
name: $2                   # cells are named $2-<cell>
cells:
  a:
    interfaces: { e1: [10.0.1.1/24, "fd00:1::1/64"] }
    routes: ["default via 10.0.1.2", "default via fd00:1::2"]
  r:
    interfaces: { e1: [10.0.1.2/24, "fd00:1::2/64"], e2: [10.0.2.2/24, "fd00:2::2/64"] }
    sysctl: { net.ipv4.ip_forward: "1", net.ipv6.conf.all.forwarding: "1" }
    firewall: r.nft
  b:
    interfaces: { e1: [10.0.2.1/24, "fd00:2::1/64"] }
    routes: ["default via 10.0.2.2", "default via fd00:2::2"]
    uplink: pasta
    publish: ["$3:80"]
links:
  - [a:e1, r:e1]
  - [r:e2, b:e1]
EOF
	cat >"$(dirname "$1")/r.nft" <<'EOF'
table inet filter {
	chain forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 9999 drop
	}
}
EOF
}

# lab_wait_reach CELL ADDR PORT: reach (tests/lib.sh), retried for up to 4 s (the server starts)
lab_wait_reach() {
	for _ in $(seq 1 20); do reach "$@" && return 0; sleep 0.2; done
	return 1
}

# nsid CELL: the cell's network namespace ("net:[N]"): a cell made again has another
nsid() { $NC exec "$1" -- readlink /proc/self/ns/net; }

# ifidx CELL IF: an interface's index in the cell ("" when none)
ifidx() { $NC exec "$1" -- cat "/sys/class/net/$2/ifindex" 2>/dev/null; }

# lab_cleanup FILE PIDS...: the lab down, servers stopped (also on failure)
lab_cleanup() {
	local f=$1; shift
	for p in "$@"; do kill "$p" 2>/dev/null; done
	[ -f "$f" ] && $NC down -f "$f" >/dev/null 2>&1
}

# no_lab_left LAB: no cell, record or saved link of the lab remains
no_lab_left() {
	$NC list | grep -q "^$1-" && fail "cells of lab $1 left: $($NC list)"
	[ -e "$NETCELL_STATE_DIR/labs/$1.lab" ] && fail "the lab's record is left"
	grep -q "^$1-" "$NETCELL_STATE_DIR/links.conf" 2>/dev/null && fail "links left: $(cat "$NETCELL_STATE_DIR/links.conf")"
	[ "$MODE" = root ] && ip netns list | grep -q "^$1-" && fail "namespaces left: $(ip netns list)"
	return 0
}

t_lab_three_cells_traffic() {
	local lab=${PFX}d f=$T/lab.yaml hp s4 s6 s9 sp
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f" $s4 $s6 $s9 $sp' EXIT
	expect_rc 0 $NC up -f "$f"
	grep -q "lab $lab: up, 21 changes" "$T/out" || fail "up said: $(cat "$T/out")"
	s4=$(serve "$lab-b" 10.0.2.1 8080)
	s6=$(serve "$lab-b" fd00:2::1 8080)
	s9=$(serve "$lab-b" 10.0.2.1 9999)
	sp=$(serve "$lab-b" 127.0.0.1 80)
	lab_wait_reach "$lab-a" 10.0.2.1 8080 || fail "a cannot reach b over IPv4 through r"
	lab_wait_reach "$lab-a" fd00:2::1 8080 || fail "a cannot reach b over IPv6 through r"
	reach "$lab-b" 10.0.2.1 9999 || fail "the server on 9999 does not answer in b itself"
	reach "$lab-a" 10.0.2.1 9999 && fail "r's firewall did not drop port 9999"
	# published: the host's loopback to b's 127.0.0.1:80, through the keeper
	python3 -c "
import socket; c=socket.create_connection(('127.0.0.1',$hp),2.0); assert c.recv(2)==b'hi'" ||
		fail "the published port 127.0.0.1:$hp does not reach b"
	expect_rc 0 $NC up -f "$f"
	grep -qx "lab $lab: up to date, nothing changed" "$T/out" || fail "unchanged up said: $(cat "$T/out")"
	kill $s4 $s6 $s9 $sp 2>/dev/null
	expect_rc 0 $NC down -f "$f"
	grep -q "lab $lab: down, 3 cells removed" "$T/out" || fail "down said: $(cat "$T/out")"
	no_lab_left "$lab"
	ss -Htln "sport = :$hp" | grep -q . && fail "the published port is still open"
	trap - EXIT
}

t_lab_chain_30_static_routes() {
	local lab=${PFX}c f=$T/chain.yaml n=30 s
	sh "$TOP/examples/lab/chain.sh" "$n" "$lab" >"$f"
	trap 'lab_cleanup "$f" $s' EXIT
	expect_rc 0 $NC up -f "$f"
	[ "$($NC list | grep -c "^$lab-")" = $n ] || fail "not $n cells: $($NC list | head -5)"
	s=$(serve "$lab-c$((n - 1))" 10.77.$((n - 2)).2 7070)
	lab_wait_reach "$lab-c0" 10.77.$((n - 2)).2 7070 || fail "no TCP from the first cell to the last across $n cells"
	kill "$s"
	expect_rc 0 $NC up -f "$f"
	grep -q "up to date, nothing changed" "$T/out" || fail "unchanged up said: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

t_lab_edit_changes_only_that() {
	local lab=${PFX}e f=$T/lab.yaml hp ida idr idb ie1 ie1r
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f"' EXIT
	expect_rc 0 $NC up -f "$f"
	ida=$(nsid "$lab-a"); idr=$(nsid "$lab-r"); idb=$(nsid "$lab-b")
	ie1=$(ifidx "$lab-a" e1); ie1r=$(ifidx "$lab-r" e1)
	[ -n "$ie1" ] && [ -n "$ie1r" ] || fail "no e1 in a or r"
	$NC fw history "$lab-r" | grep -q '^1 *\*' || fail "r has not firewall generation 1: $($NC fw history "$lab-r")"
	# add a cell c on a new link r:e3, change r's firewall, remove the link r:e2 - b:e1
	sed -i 's/9999/9998/' "$T/r.nft"
	python3 - "$f" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('e2: [10.0.2.2/24, "fd00:2::2/64"]', 'e3: [10.0.3.2/24]')
s = s.replace('    interfaces: { e1: [10.0.2.1/24, "fd00:2::1/64"] }\n    routes: ["default via 10.0.2.2", "default via fd00:2::2"]\n', '')
s = s.replace('links:\n', '  c:\n    interfaces: { e1: [10.0.3.1/24] }\n    routes: ["10.0.1.0/24 via 10.0.3.2"]\nlinks:\n')
s = s.replace('  - [r:e2, b:e1]', '  - [c:e1, r:e3]')
open(p, 'w').write(s)
PY
	expect_rc 0 $NC up --dry-run -f "$f"
	$NC list | grep -q "^$lab-c " && fail "dry-run made cell c"
	expect_rc 0 $NC up -f "$f"
	grep -q 'add     cell     '"$lab"'-c (new)' "$T/out" || fail "c not added: $(cat "$T/out")"
	grep -q 'remove  link     '"$lab"'-b:e1 '"$lab"'-r:e2' "$T/out" || fail "link not removed: $(cat "$T/out")"
	grep -q 'change  firewall '"$lab"'-r' "$T/out" || fail "firewall not changed: $(cat "$T/out")"
	grep -Eq "cell +$lab-(a|r|b) " "$T/out" && fail "an unchanged cell was touched: $(cat "$T/out")"
	[ "$(nsid "$lab-a")" = "$ida" ] && [ "$(nsid "$lab-r")" = "$idr" ] && [ "$(nsid "$lab-b")" = "$idb" ] ||
		fail "a cell that did not change was made again"
	[ "$(ifidx "$lab-a" e1)" = "$ie1" ] && [ "$(ifidx "$lab-r" e1)" = "$ie1r" ] || fail "the unchanged link a-r was made again"
	[ -z "$(ifidx "$lab-b" e1)" ] || fail "b still has e1"
	[ -z "$(ifidx "$lab-r" e2)" ] || fail "r still has e2"
	$NC fw history "$lab-r" | grep -q '^2 *\*' || fail "the firewall change is not generation 2: $($NC fw history "$lab-r")"
	$NC fw show "$lab-r" | grep -q 9998 || fail "the new ruleset is not in force"
	s=$(serve "$lab-c" 10.0.3.1 7071)
	lab_wait_reach "$lab-a" 10.0.3.1 7071 || fail "a cannot reach the new cell c through r"
	kill "$s"
	expect_rc 0 $NC up -f "$f"
	grep -q "up to date, nothing changed" "$T/out" || fail "second up said: $(cat "$T/out")"
	# remove cell c (and its link) while a process runs in it
	$NC exec "$lab-c" -- sleep 60 &
	local sp=$!
	for _ in $(seq 1 50); do [ -n "$($NC pids "$lab-c" 2>/dev/null)" ] && break; sleep 0.05; done
	python3 - "$f" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('  c:\n    interfaces: { e1: [10.0.3.1/24] }\n    routes: ["10.0.1.0/24 via 10.0.3.2"]\n', '')
s = s.replace('  - [c:e1, r:e3]\n', '').replace(', e3: [10.0.3.2/24]', '')
open(p, 'w').write(s)
PY
	expect_rc 0 $NC up -f "$f"
	grep -q "remove  cell     $lab-c (not in the file any more)" "$T/out" || fail "c not removed: $(cat "$T/out")"
	grep -q "remove  link     $lab-c:e1 $lab-r:e3" "$T/out" || fail "the link to c not removed first: $(cat "$T/out")"
	gone "$sp" || fail "the process in the removed cell survived"
	$NC list | grep -q "^$lab-c " && fail "cell c is still there"
	[ "$(nsid "$lab-a")" = "$ida" ] && [ "$(nsid "$lab-r")" = "$idr" ] || fail "removing c made a or r again"
	[ -z "$(ifidx "$lab-r" e3)" ] || fail "r still has e3"
	expect_rc 0 $NC down -f "$f"
	grep -q "down, 3 cells removed" "$T/out" || fail "down said: $(cat "$T/out")"
	no_lab_left "$lab"
	trap - EXIT
}

t_lab_down_leaves_nothing() {
	local lab=${PFX}n f=$T/lab.yaml hp sp
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f"' EXIT
	expect_rc 0 $NC up -f "$f"
	$NC exec "$lab-a" -- sleep 60 &
	sp=$!
	for _ in $(seq 1 50); do [ -n "$($NC pids "$lab-a" 2>/dev/null)" ] && break; sleep 0.05; done
	[ -n "$($NC pids "$lab-a")" ] || fail "the process did not start in a"
	expect_rc 0 $NC down -f "$f"
	gone "$sp" || fail "the process in cell a survived down"
	no_lab_left "$lab"
	$NC list | grep -q . && fail "cells left: $($NC list)"
	[ -n "$(ls "$NETCELL_STATE_DIR/fw" 2>/dev/null)" ] && fail "firewall state left: $(ls "$NETCELL_STATE_DIR/fw")"
	ss -Htln "sport = :$hp" | grep -q . && fail "the published port is still open"
	expect_rc 0 $NC down -f "$f"
	grep -q "down, 0 cells removed" "$T/out" || fail "a second down said: $(cat "$T/out")"
	trap - EXIT
}

# bad_file LINE:COL REGEX: "up" of $T/bad.yaml fails with exit 2 and the
# position, and changes nothing
bad_file() {
	expect_rc 2 $NC up -f "$T/bad.yaml"
	expect_err_match "^netcell: $T/bad.yaml:$1: $2"
	$NC list | grep -q . && fail "a bad file made cells: $($NC list)"
	[ -n "$(ls "$NETCELL_STATE_DIR/labs" 2>/dev/null)" ] && fail "a bad file left a record"
	return 0
}

t_lab_bad_files_change_nothing() {
	local lab=${PFX}b
	printf 'name: %s\ncells:\n  a: { interfaces: { e1: [10.0.1.1/24] } }\nlinks:\n  - [a:e1, r:e3]\n' "$lab" >"$T/bad.yaml"
	bad_file 5:12 'link endpoint "r:e3": no such cell "r"'
	printf 'name: %s\ncells:\n  a: { colour: red }\n' "$lab" >"$T/bad.yaml"
	bad_file 3:8 'cell "a": unknown key "colour"'
	printf 'name: %s\ncells:\n  a: { interfaces: { e1: [10.0.1.300/24] } }\n  b: { interfaces: { e1: [] } }\nlinks: [[a:e1, b:e1]]\n' "$lab" >"$T/bad.yaml"
	bad_file 3:27 'address "10.0.1.300/24" of a:e1: invalid'
	printf 'name: %s\ncells:\n  a: { interfaces: { e1: [], e1: [] } }\n' "$lab" >"$T/bad.yaml"
	bad_file 3:30 'interface "e1" of cell "a": duplicate interface'
	printf 'name: %s\ncells:\n  a:\n  b:\nlinks:\n  - [a:e1, b:e1]\n  - [a:e1, b:e2]\n' "$lab" >"$T/bad.yaml"
	bad_file 7:6 'link endpoint "a:e1": duplicate interface'
	printf 'name: %s\ncells:\n  a: { interfaces: { interface-too-long: [] } }\n' "$lab" >"$T/bad.yaml"
	bad_file 3:22 'interface "interface-too-long" of cell "a": invalid name'
	printf 'name: %s\ncells:\n  a: { sysctl: { net.ipv4.no_such_key: "1" } }\n' "$lab" >"$T/bad.yaml"
	bad_file 3:18 'sysctl "net.ipv4.no_such_key" of cell "a": no such key'
	printf 'name: %s\ncells:\n  a: { firewall: missing.nft }\n' "$lab" >"$T/bad.yaml"
	bad_file 3:18 'firewall "'"$T"'/missing.nft" of cell "a": No such file'
	printf 'name: %s\ncells:\n  a: {\n' "$lab" >"$T/bad.yaml"
	bad_file '4:1' 'invalid YAML'
	# a ruleset the kernel would refuse: exit 6, nothing made either
	printf 'name: %s\ncells:\n  a: { firewall: bad.nft }\n' "$lab" >"$T/bad.yaml"
	printf 'table inet t {\n\tchain c {\n\t\tthis is not nft\n\t}\n}\n' >"$T/bad.nft"
	expect_rc 6 $NC up -f "$T/bad.yaml"
	$NC list | grep -q . && fail "a rejected ruleset made cells: $($NC list)"
	# a lab that is up: a bad edit leaves it as it was
	lab3 "$T/lab.yaml" "$lab" "$(free_port)"
	trap 'lab_cleanup "$T/lab.yaml"' EXIT
	expect_rc 0 $NC up -f "$T/lab.yaml"
	local ida
	ida=$(nsid "$lab-a")
	sed -i 's/\[10.0.1.1\/24/[10.0.1.1\/99/' "$T/lab.yaml"
	expect_rc 2 $NC up -f "$T/lab.yaml"
	expect_err_match "lab.yaml:4:"
	[ "$(nsid "$lab-a")" = "$ida" ] || fail "a bad edit made cell a again"
	$NC exec "$lab-a" -- ip -o addr show dev e1 | grep -q '10.0.1.1/24' || fail "a bad edit changed a's address"
	expect_rc 0 $NC down -f "$T/lab.yaml"
	no_lab_left "$lab"
	trap - EXIT
}

t_lab_dry_run_and_status_drift() {
	local lab=${PFX}s f=$T/lab.yaml ida
	lab3 "$f" "$lab" "$(free_port)"
	trap 'lab_cleanup "$f"' EXIT
	expect_rc 0 $NC up --dry-run -f "$f"
	grep -q "plan (nothing done): 21 changes" "$T/out" || fail "dry-run said: $(cat "$T/out")"
	grep -q "add     route    $lab-a default via 10.0.1.2" "$T/out" || fail "the plan lacks a's route: $(cat "$T/out")"
	$NC list | grep -q . && fail "dry-run made cells"
	expect_rc 0 $NC status -f "$f"
	grep -q "0 of 3 cells up" "$T/out" || fail "status before up said: $(cat "$T/out")"
	expect_rc 0 $NC up -f "$f"
	expect_rc 0 $NC status -f "$f"
	grep -q "3 of 3 cells up, 0 differences" "$T/out" || fail "status after up said: $(cat "$T/out")"
	# changes by hand: an address removed, a sysctl reset, a cell deleted
	$NC exec "$lab-a" -- ip addr del 10.0.1.1/24 dev e1 || fail "ip addr del failed"
	$NC exec "$lab-r" -- sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward' || fail "sysctl write failed"
	expect_rc 0 $NC delete "$lab-b"
	expect_rc 0 $NC status -f "$f"
	grep -q "^drift   cell     $lab-a" "$T/out" || fail "status misses the drift of a: $(cat "$T/out")"
	grep -q "add     addr     $lab-a e1 10.0.1.1/24 (drift" "$T/out" || fail "status misses a's address: $(cat "$T/out")"
	grep -q "change  sysctl   $lab-r net.ipv4.ip_forward 1 (drift" "$T/out" || fail "status misses r's sysctl: $(cat "$T/out")"
	grep -q "^missing cell     $lab-b (drift: the cell is gone)" "$T/out" || fail "status misses b: $(cat "$T/out")"
	expect_rc 0 $NC status --json -f "$f"
	python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['up'] is False and d['lab']=='$lab'" ||
		fail "status --json: $(cat "$T/out")"
	ida=$(nsid "$lab-a")
	expect_rc 0 $NC up -f "$f"
	[ "$(nsid "$lab-a")" = "$ida" ] || fail "repairing a's address made a again"
	expect_rc 0 $NC status -f "$f"
	grep -q "3 of 3 cells up, 0 differences" "$T/out" || fail "status after repair said: $(cat "$T/out")"
	local s
	s=$(serve "$lab-b" 10.0.2.1 7072)
	lab_wait_reach "$lab-a" 10.0.2.1 7072 || fail "no traffic after the repair"
	kill "$s"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

# lab_edit_fail FILE PORTSPEC: the edit of t_lab_failed_up_is_undone: a
# cell d linked to a, with addresses and the port PORTSPEC; cell b (and its
# link to r) dropped
lab_edit_fail() {
	python3 - "$1" "$2" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('    interfaces: { e1: [10.0.1.1/24, "fd00:1::1/64"] }', '    interfaces: { e1: [10.0.1.1/24, "fd00:1::1/64"], e5: [10.0.5.1/24] }')
i = s.index('  b:\n'); j = s.index('links:\n')
s = s[:i] + s[j:]
s = s.replace('  - [r:e2, b:e1]\n', '').replace(', e2: [10.0.2.2/24, "fd00:2::2/64"]', '')
s = s.replace('links:\n', '  d:\n    interfaces: { e1: [10.0.5.2/24] }\n    publish: ["%s:80"]\nlinks:\n  - [a:e5, d:e1]\n' % sys.argv[2])
open(p, 'w').write(s)
PY
}

# lab_as_before LAB FILE HOSTPORT IDA: the lab3 lab is as it was
lab_as_before() {
	$NC list | grep -q "^$1-d " && fail "the failed up left cell d"
	[ -z "$(ifidx "$1-a" e5)" ] || fail "the failed up left a's e5"
	[ "$(nsid "$1-a")" = "$4" ] || fail "the failed up made a again"
	grep -q "$1-d" "$NETCELL_STATE_DIR/links.conf" && fail "the failed up left a saved link"
	$NC exec "$1-r" -- ip -o addr show dev e2 | grep -q ' 10.0.2.2/24' ||
		fail "r's e2 lost its address: $($NC exec "$1-r" -- ip -o addr)"
	lab3 "$2" "$1" "$3"
	expect_rc 0 $NC status -f "$2"
	grep -q "3 of 3 cells up, 0 differences" "$T/out" || fail "the lab is not as before: $(cat "$T/out")"
}

t_lab_failed_up_is_undone() {
	local lab=${PFX}u f=$T/lab.yaml hp taken ida port
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f" $taken' EXIT
	expect_rc 0 $NC up -f "$f"
	ida=$(nsid "$lab-a")
	# a host port another program holds: found before any change
	taken=$(free_port) || fail "no free port"
	python3 -c "
import socket,time
s=socket.socket(); s.bind(('127.0.0.1',$taken)); s.listen(1); time.sleep(30)" &
	taken=$!
	sleep 0.3
	port=$(ss -Htlnp | grep "pid=$taken," | awk '{print $4}' | sed 's/.*://')
	[ -n "$port" ] || fail "the blocking listener did not start"
	lab_edit_fail "$f" "$port"
	expect_rc 1 $NC up -f "$f"
	expect_err_match "host port 127.0.0.1:$port is in use by another program; nothing was changed"
	grep -q . "$T/out" && fail "up printed steps: $(cat "$T/out")"
	lab_as_before "$lab" "$f" "$hp" "$ida"
	kill "$taken"; taken=
	# a host address that is not the host's: the port is the last step and
	# fails (bound only, no packet goes there); every change is undone, and
	# the link to b, which the edit drops, was not removed before
	lab_edit_fail "$f" "192.0.2.1:$(free_port)"
	expect_rc 1 $NC up -f "$f"
	expect_err_match "up failed; every change it made was undone"
	lab_as_before "$lab" "$f" "$hp" "$ida"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

t_lab_named_links_after_keeper_crash() {
	local lab=${PFX}k f=$T/lab.yaml s
	lab3 "$f" "$lab" "$(free_port)"
	trap 'lab_cleanup "$f" $s' EXIT
	expect_rc 0 $NC up -f "$f"
	kill -9 "$(keeper_pid)"; sleep 0.2
	$NC list >/dev/null 2>&1
	[ -n "$(ifidx "$lab-a" e1)" ] && [ -n "$(ifidx "$lab-r" e2)" ] || fail "the named links did not come back"
	# rootless cells come back in new namespaces: addresses and routes are
	# drift that status shows and up repairs (root cells keep theirs)
	expect_rc 0 $NC status -f "$f"
	if [ "$MODE" = user ]; then
		grep -q "add     addr     $lab-a e1 10.0.1.1/24 (drift" "$T/out" || fail "status after the crash: $(cat "$T/out")"
	else
		grep -q "0 differences" "$T/out" || fail "root cells changed in the crash: $(cat "$T/out")"
	fi
	expect_rc 0 $NC up -f "$f"
	s=$(serve "$lab-b" 10.0.2.1 7073)
	lab_wait_reach "$lab-a" 10.0.2.1 7073 || fail "no traffic after the keeper crash and up"
	kill "$s"; s=
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

t_lab_hundred_cells() {
	local lab=${PFX}h f=$T/h.yaml n=100 i start
	{
		echo "name: $lab"; echo "cells:"
		for i in $(seq 0 $((n - 1))); do
			echo "  c$i:"
			[ "$i" -lt $((n - 1)) ] && echo "    interfaces: { r: [10.78.$((i / 100)).$((i % 100 * 2 + 1))/31] }"
			[ "$i" -gt 0 ] && echo "    routes: [\"10.79.$i.0/24 dev l\"]"
		done
		echo "links:"
		for i in $(seq 0 $((n - 2))); do echo "  - [c$i:r, c$((i + 1)):l]"; done
	} >"$f"
	trap 'lab_cleanup "$f"' EXIT
	start=$(date +%s)
	expect_rc 0 $NC up -f "$f"
	[ "$($NC list | grep -c "^$lab-")" = $n ] || fail "not $n cells"
	[ -n "$(ifidx "$lab-c99" l)" ] || fail "the last link is missing"
	$NC exec "$lab-c50" -- ip route show | grep -q '10.79.50.0/24 dev l' || fail "a route is missing"
	expect_rc 0 $NC up -f "$f"
	grep -q "up to date, nothing changed" "$T/out" || fail "unchanged up of $n cells said: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	note "100 cells up, unchanged up and down in $(( $(date +%s) - start )) s"
	trap - EXIT
}

# t_lab_generated: the differential campaign of tests/labgen/labgen.py with
# a fixed seed (LABGEN_SEED, LABGEN_LABS to widen it): generated labs up,
# edited, drifted behind netcell's back, failed mid-up and down, each
# checked against ip/nft/ss/TCP as witnesses.  Lab and cell names start
# with l5g (the generator refuses others); its own cleanup downs each lab
t_lab_generated() {
	local out rc
	python3 "$TOP/tests/labgen/labgen.py" --nc "$NC" --mode "$MODE" --dir "$T/gen" --prefix "l5g$$x" \
		--seed "${LABGEN_SEED:-11}" --labs "${LABGEN_LABS:-12}" --edits 3 --budget 75 >"$T/gen.out" 2>&1
	rc=$?
	{ grep '^MISMATCH' "$T/gen.out" | head -40; grep -v '^MISMATCH\|^  ' "$T/gen.out"; } | sed 's/^/    /' >&2
	[ $rc = 0 ] || fail "the campaign found mismatches (above)"
	grep -q "^campaign: labs [1-9]" "$T/gen.out" || fail "the campaign did not run"
}

# a ruleset flushed inside the cells behind netcell's back (labgen found
# both): r's firewall, and b's published port whose kernel path (root
# cells: the cell's table inet netcell, docs/kernel-ports.md) goes with
# it; status names both, up repairs both, and nothing else
t_lab_flush_in_cell_is_drift() {
	local lab=l5${PFX}f f=$T/lab.yaml hp sp ida
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f" $sp' EXIT
	expect_rc 0 $NC up -f "$f"
	ida=$(nsid "$lab-a")
	$NC exec "$lab-r" -- nft flush ruleset || fail "nft flush ruleset in r failed"
	$NC exec "$lab-b" -- nft flush ruleset || fail "nft flush ruleset in b failed"
	$NC exec "$lab-r" -- nft list ruleset | grep -q 9999 && fail "the flush did not flush r's firewall"
	expect_rc 0 $NC status -f "$f"
	grep -q "change  firewall $lab-r .*(drift: its ruleset was changed inside the cell)" "$T/out" ||
		fail "status misses r's flushed firewall: $(cat "$T/out")"
	if [ "$MODE" = root ]; then
		grep -q "add     port     $lab-b 127.0.0.1:$hp:80/tcp (drift" "$T/out" ||
			fail "status misses b's damaged port: $(cat "$T/out")"
	fi
	expect_rc 0 $NC up -f "$f"
	grep -Eq "(addr|route|link|sysctl|cell) " "$T/out" && fail "up changed more than the firewall and port: $(cat "$T/out")"
	$NC exec "$lab-r" -- nft list ruleset | grep -q 'tcp dport 9999 drop' || fail "r's firewall is not back"
	sp=$(serve "$lab-b" 127.0.0.1 80)
	for _ in $(seq 1 20); do
		python3 -c "
import socket; c=socket.create_connection(('127.0.0.1',$hp),1.0); assert c.recv(2)==b'hi'" 2>/dev/null && break
		sleep 0.2
	done || true
	python3 -c "
import socket; c=socket.create_connection(('127.0.0.1',$hp),1.0); assert c.recv(2)==b'hi'" ||
		fail "the published port $hp does not reach b after up"
	kill "$sp"; sp=
	[ "$(nsid "$lab-a")" = "$ida" ] || fail "the repair made a again"
	expect_rc 0 $NC status -f "$f"
	grep -q "3 of 3 cells up, 0 differences" "$T/out" || fail "status after the repair: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

# sysctls of an interface (net.ipv4.conf.IF.*) follow the interface (labgen
# found both): a link made again (its other cell made again for a new
# uplink) gets the file's value back on the new interface; a link dropped
# from the file with its interface's key is removed and nothing is written
# to the gone interface
t_lab_interface_sysctl_follows_link() {
	local lab=l5${PFX}i f=$T/lab.yaml d v
	d=$(cat /proc/sys/net/ipv4/conf/default/rp_filter)
	v=$(( d == 2 ? 1 : 2 ))
	lab_isys() { # UPLINK WITH_C
		{
			echo "name: $lab"; echo "cells:"
			echo "  a:"
			if [ "$2" = 1 ]; then
				echo "    interfaces: { e1: [10.61.1.1/24], e2: [10.61.2.1/24] }"
				echo "    sysctl: { net.ipv4.conf.e1.rp_filter: \"$v\", net.ipv4.conf.e2.rp_filter: \"$v\" }"
			else
				echo "    interfaces: { e1: [10.61.1.1/24] }"
				echo "    sysctl: { net.ipv4.conf.e1.rp_filter: \"$v\" }"
			fi
			echo "  b:"; echo "    interfaces: { e1: [10.61.1.2/24] }"; echo "    uplink: $1"
			[ "$2" = 1 ] && { echo "  c:"; echo "    interfaces: { e1: [10.61.2.2/24] }"; }
			echo "links:"; echo "  - [a:e1, b:e1]"
			[ "$2" = 1 ] && echo "  - [a:e2, c:e1]"
		} >"$f"
	}
	lab_isys none 1
	trap 'lab_cleanup "$f"' EXIT
	expect_rc 0 $NC up -f "$f"
	[ "$($NC exec "$lab-a" -- cat /proc/sys/net/ipv4/conf/e1/rp_filter)" = "$v" ] || fail "a's e1 rp_filter is not $v"
	# b made again (another uplink): the link a-b and a's e1 are new
	lab_isys pasta 1
	expect_rc 0 $NC up -f "$f"
	grep -q "add     link     $lab-a:e1 $lab-b:e1" "$T/out" || fail "the link a-b was not made again: $(cat "$T/out")"
	[ "$($NC exec "$lab-a" -- cat /proc/sys/net/ipv4/conf/e1/rp_filter)" = "$v" ] ||
		fail "the new e1 of a has rp_filter $($NC exec "$lab-a" -- cat /proc/sys/net/ipv4/conf/e1/rp_filter), not the file's $v"
	# the link a-c, cell c and the key of a's e2 dropped from the file
	lab_isys pasta 0
	expect_rc 0 $NC up -f "$f"
	[ -z "$(ifidx "$lab-a" e2)" ] || fail "a still has e2"
	$NC list | grep -q "^$lab-c " && fail "cell c is still there"
	expect_rc 0 $NC status -f "$f"
	grep -q "2 of 2 cells up, 0 differences" "$T/out" || fail "status: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

# a route edited only in its "dev" (labgen found it): the route stays,
# in both directions; it was removed as "not in the file any more" and
# up failed with "1 still differ"
t_lab_route_dev_edit_keeps_route() {
	local lab=l5${PFX}r f=$T/lab.yaml
	lab_rdev() {
		printf 'name: %s\ncells:\n  a:\n    interfaces: { e1: [10.62.0.1/24, "fd62::1/64"] }\n    routes: ["default via 10.62.0.2%s", "default via fd62::2%s"]\n  b:\n    interfaces: { e1: [10.62.0.2/24, "fd62::2/64"] }\nlinks:\n  - [a:e1, b:e1]\n' \
			"$lab" "$1" "$1" >"$f"
	}
	lab_rdev ""
	trap 'lab_cleanup "$f"' EXIT
	expect_rc 0 $NC up -f "$f"
	for dev in " dev e1" ""; do
		lab_rdev "$dev"
		expect_rc 0 $NC up -f "$f"
		$NC exec "$lab-a" -- ip -4 route show default | grep -q 'via 10.62.0.2 dev e1' ||
			fail "after the edit to \"default via 10.62.0.2$dev\" a has no IPv4 default: $($NC exec "$lab-a" -- ip route)"
		$NC exec "$lab-a" -- ip -6 route show default | grep -q 'via fd62::2 dev e1' ||
			fail "after the edit to \"default via fd62::2$dev\" a has no IPv6 default: $($NC exec "$lab-a" -- ip -6 route)"
		expect_rc 0 $NC up -f "$f"
		grep -q "up to date, nothing changed" "$T/out" || fail "the up after the edit said: $(cat "$T/out")"
	done
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

# the uplink's interface deleted inside a cell (labgen found it): status
# said "0 differences" and up "up to date"; now the cell is drift and up
# makes it again (there is no way to give a cell its uplink in place),
# with its link, addresses and published port
t_lab_uplink_gone_is_drift() {
	local lab=l5${PFX}p f=$T/lab.yaml hp sp ida
	hp=$(free_port) || fail "no free port"
	lab3 "$f" "$lab" "$hp"
	trap 'lab_cleanup "$f" $sp' EXIT
	expect_rc 0 $NC up -f "$f"
	ida=$(nsid "$lab-a")
	$NC exec "$lab-b" -- ip link del eth0 || fail "ip link del eth0 in b failed"
	expect_rc 0 $NC status -f "$f"
	grep -q "remove  cell     $lab-b (drift: its uplink's eth0 is gone: made again)" "$T/out" ||
		fail "status misses b's uplink: $(cat "$T/out")"
	expect_rc 0 $NC up -f "$f"
	[ -n "$(ifidx "$lab-b" eth0)" ] || fail "b has no eth0 after up"
	$NC exec "$lab-b" -- ip -o addr show dev e1 | grep -q ' 10.0.2.1/24' || fail "b's e1 lacks its address"
	[ "$(nsid "$lab-a")" = "$ida" ] || fail "the repair made a again"
	sp=$(serve "$lab-b" 127.0.0.1 80)
	for _ in $(seq 1 20); do
		python3 -c "
import socket; c=socket.create_connection(('127.0.0.1',$hp),1.0); assert c.recv(2)==b'hi'" 2>/dev/null && break
		sleep 0.2
	done
	python3 -c "
import socket; c=socket.create_connection(('127.0.0.1',$hp),1.0); assert c.recv(2)==b'hi'" ||
		fail "the published port $hp does not reach b after up"
	kill "$sp"; sp=
	expect_rc 0 $NC status -f "$f"
	grep -q "3 of 3 cells up, 0 differences" "$T/out" || fail "status after the repair: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}

# a record "down" cannot read is an error that changes nothing: the record
# stays (it was removed, leaving the lab's cells to no lab) and the message
# names the record, not a cell ("down stopped at cell """)
# modes t_lab_down_unreadable_record: user
t_lab_down_unreadable_record() {
	local lab=${PFX}s7r f=$T/lab.yaml rec
	rec=$NETCELL_STATE_DIR/labs/$lab.lab
	printf 'name: %s\ncells:\n  a: {}\n  b: {}\n' "$lab" >"$f"
	trap 'chmod 600 "$rec" 2>/dev/null; lab_cleanup "$f"; $NC delete "$lab-a" "$lab-b" >/dev/null 2>&1' EXIT
	expect_rc 0 $NC up -f "$f"
	[ -s "$rec" ] || fail "up wrote no record"
	cp "$rec" "$T/rec.before"
	chmod 000 "$rec"
	expect_rc 1 $NC down -f "$f"
	expect_err_match "^netcell: .*cannot read the record of lab \"$lab\""
	grep -q "stopped at cell" "$T/err" && fail "the message names a cell: $(cat "$T/err")"
	[ -e "$rec" ] || fail "down removed the record it could not read"
	chmod 600 "$rec"
	cmp -s "$rec" "$T/rec.before" || fail "down changed the record it could not read: $(cat "$rec")"
	[ "$($NC list | grep -c "^$lab-[ab] ")" = 2 ] || fail "down changed the cells: $($NC list)"
	expect_rc 0 $NC down -f "$f"
	grep -q "lab $lab: down, 2 cells removed" "$T/out" || fail "down said: $(cat "$T/out")"
	no_lab_left "$lab"
	trap - EXIT
}

# a cell "up" made whose uplink then fails is deleted again with every
# other change: it was left behind while up said "every change it made
# was undone" (and the next up refused it as not the lab's)
t_lab_failed_uplink_is_undone() {
	local lab=${PFX}s7p f=$T/lab.yaml
	printf 'name: %s\ncells:\n  a: {}\n' "$lab" >"$f"
	trap 'lab_cleanup "$f"; $NC delete "$lab-m" "$lab-n" >/dev/null 2>&1' EXIT
	expect_rc 0 $NC up -f "$f"
	# two new cells, the second with an uplink whose engine is not on PATH
	printf 'name: %s\ncells:\n  a: {}\n  m: {}\n  n: { uplink: slirp4netns }\n' "$lab" >"$T/edit.yaml"
	mkdir -p "$T/nobin"
	expect_rc 5 env PATH="$T/nobin" $NC up -f "$T/edit.yaml"
	expect_err_match "slirp4netns is not installed"
	expect_err_match "up failed; every change it made was undone"
	$NC list | grep -q "^$lab-m " && fail "the failed up left cell m: $($NC list)"
	$NC list | grep -q "^$lab-n " && fail "the failed up left cell n, whose uplink failed: $($NC list)"
	expect_rc 0 $NC up -f "$f"
	grep -qx "lab $lab: up to date, nothing changed" "$T/out" || fail "the lab is not as before: $(cat "$T/out")"
	expect_rc 0 $NC down -f "$f"
	no_lab_left "$lab"
	trap - EXIT
}
