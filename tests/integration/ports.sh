# tests/integration/ports.sh - published ports: port add/rm/list, --publish
# Real servers in cells (tests/integration/portnet.py), real clients on the
# host's loopback.  Each t_* runs as root and as the unprivileged test user
# unless a "# modes t_NAME: ..." line says otherwise.  Every server serves a
# fixed number of requests and is killed by PID when its test ends; cells
# are deleted with --force, as a server may still be running in them.

PNET=$TOP/tests/integration/portnet.py
NOUP="--uplink none"
SRVS=()
trap 'for p in "${SRVS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# serve CELL MODE ARGS...: a portnet.py server in CELL, in the background
serve() {
	local c=$1; shift
	$NC exec "$c" -- python3 "$PNET" "$@" >>"$T/servers" 2>&1 &
	SRVS+=($!)
}

# wait_udp PORT CELL: wait up to 5 s for a UDP socket bound to PORT in CELL
wait_udp() {
	for _ in $(seq 1 100); do
		$NC exec "$2" -- ss -Huln "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# host_listens PORT: something listens on host TCP port PORT
host_listens() { ss -Htln "sport = :$1" | grep -q .; }

# cell_with CELL SPEC...: a cell (no uplink) publishing SPECs
cell_with() {
	local c=$1; shift
	expect_rc 0 $NC create "$c" $NOUP
	[ $# = 0 ] || expect_rc 0 $NC port add "$c" "$@"
}

t_port_data_integrity() {
	local c=${PFX}d hp want got
	hp=$(free_port)
	cell_with "$c" "$hp:80"
	serve "$c" serve-sha 4 80
	wait_port 80 "$c" || fail "server in the cell did not start"
	head -c 100M /dev/urandom >"$T/blob"
	want=$(sha256sum "$T/blob" | cut -d' ' -f1)
	# the client shuts down its sending side; the answer comes back over the
	# half-closed connection
	got=$(python3 "$PNET" sha 127.0.0.1 "$hp" "$T/blob") || fail "client failed"
	rm -f "$T/blob"
	[ "$got" = "$want" ] || fail "sha256 through the forward is '$got', sent $want"
	$NC delete --force "$c"
}

t_port_parallel_connections() {
	local c=${PFX}par hp out
	hp=$(free_port)
	cell_with "$c" "$hp:7"
	serve "$c" serve-echo 4 7 50
	wait_port 7 "$c" || fail "echo server did not start"
	out=$(python3 "$PNET" echo 127.0.0.1 "$hp" 50 262144)
	[ "$out" = "ok 50" ] || fail "50 parallel echo clients of 256 KiB: $out"
	$NC delete --force "$c"
}

t_port_source_address() {
	local c=${PFX}src hp hu out
	hp=$(free_port); hu=$(free_port)
	cell_with "$c" "$hp:80" "$hu:53/udp"
	serve "$c" serve-peer 4 80 1
	serve "$c" serve-udp 4 53 3
	wait_port 80 "$c" && wait_udp 53 "$c" || fail "servers did not start"
	# the server sees the client's own address and port, not 127.0.0.1
	out=$(python3 "$PNET" peer 127.0.0.1 "$hp" 127.0.0.2)
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa" = 127.0.0.2 ] && [ "$sa:$sp" = "$ma:$mp" ] || fail "TCP server saw '$sa $sp', client was $ma:$mp"
	out=$(python3 "$PNET" udp 127.0.0.1 "$hu" 127.0.0.3)
	read -r data sa sp _ ma mp <<<"$out"
	[ "$data" = ping ] || fail "UDP request/reply: $out"
	[ "$sa" = 127.0.0.3 ] && [ "$sa:$sp" = "$ma:$mp" ] || fail "UDP server saw '$sa $sp', client was $ma:$mp"
	$NC delete --force "$c"
}

t_port_udp_many_clients() {
	local c=${PFX}um hu out n=1100 k=5 flows
	# the forwarder's flow cap, in both modes (a root keeper's kernel path
	# would carry these IPv4 clients itself: docs/kernel-ports.md)
	export NETCELL_PORTS_FORWARDER=1
	hu=$(free_port)
	cell_with "$c" "$hu:53/udp"
	# more clients than a port keeps flows (1024): the least recently used
	# are closed to make room, and every client still gets its own answer;
	# the first 5 come back last, from the same sockets, after their flows
	# went
	serve "$c" serve-udp 4 53 $((n * 3))
	wait_udp 53 "$c" || fail "server did not start"
	out=$(python3 "$PNET" udp-many 127.0.0.1 "$hu" "$n" "$k")
	[ "$out" = "ok $((n + k))" ] || fail "$n UDP clients, then $k of them again: $(tail -3 <<<"$out")"
	# one connected socket per flow in the cell: exactly the cap
	flows=$($NC exec "$c" -- ss -Hun | wc -l)
	[ "$flows" = 1024 ] || fail "the cell holds $flows UDP flow sockets after $n clients; the cap is 1024"
	$NC delete --force "$c"
}

t_port_ipv6() {
	local c=${PFX}v6 hp hu out
	ip -6 addr show dev lo | grep -q '::1' || fail "the host has no ::1 (IPv6 disabled?)"
	hp=$(free_port); hu=$(free_port)
	cell_with "$c" "[::1]:$hp:80" "[::1]:$hu:53/udp"
	$NC port list "$c" | grep -q "\[::1\]:$hp " || fail "list: $($NC port list "$c")"
	serve "$c" serve-peer 6 80 1
	serve "$c" serve-udp 6 53 3
	wait_port 80 "$c" && wait_udp 53 "$c" || fail "servers did not start"
	out=$(python3 "$PNET" peer ::1 "$hp")
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa:$sp" = "::1:$mp" ] && [ "$ma" = ::1 ] || fail "IPv6 TCP: server saw '$sa $sp', client $ma:$mp"
	out=$(python3 "$PNET" udp ::1 "$hu")
	read -r data sa sp _ ma mp <<<"$out"
	[ "$data $sa $sp" = "ping ::1 $mp" ] || fail "IPv6 UDP: $out"
	$NC delete --force "$c"
}

t_port_runtime_add_remove() {
	local c=${PFX}rt ha hb i out lp
	ha=$(free_port)
	cell_with "$c" "$ha:7"
	serve "$c" serve-echo 4 7 1
	serve "$c" serve-peer 4 80 3
	wait_port 7 "$c" && wait_port 80 "$c" || fail "servers did not start"
	# one connection echoes for 4 s while other forwards come and go
	python3 "$PNET" echo-long 127.0.0.1 "$ha" 4 >"$T/long" &
	lp=$!
	sleep 0.3
	for i in 1 2 3; do
		hb=$(free_port)
		expect_rc 0 $NC port add "$c" "$hb:80"
		out=$(python3 "$PNET" peer 127.0.0.1 "$hb") || fail "new forward $hb, round $i"
		case $out in 127.0.0.1\ *) ;; *) fail "peer through $hb: $out" ;; esac
		expect_rc 0 $NC port rm "$c" "$hb:80"
		host_listens "$hb" && fail "host port $hb still listens after port rm"
	done
	wait "$lp"
	grep -q '^ok [0-9]' "$T/long" || fail "the long connection was disturbed: $(cat "$T/long")"
	[ "$($NC port list "$c" | grep -c "$c")" = 1 ] || fail "list after add/rm: $($NC port list "$c")"
	$NC delete --force "$c"
}

# modes t_port_privileged: user
t_port_privileged() {
	local c=${PFX}priv start low hp out
	start=$(sysctl -n net.ipv4.ip_unprivileged_port_start)
	[ "$start" -gt 1 ] || fail "net.ipv4.ip_unprivileged_port_start is $start: no privileged port to try"
	low=$((start - 1))
	cell_with "$c"
	expect_rc 5 $NC port add "$c" "$low:80"
	expect_err_match 'net\.ipv4\.ip_unprivileged_port_start'
	expect_err_match "is $start"
	expect_err_match "sysctl -w net\.ipv4\.ip_unprivileged_port_start=$low"
	expect_err_match 'high port'
	[ -z "$($NC port list "$c")" ] || fail "a refused port is listed"
	# port 80 inside the cell is fine, behind a high host port
	hp=$(free_port)
	expect_rc 0 $NC port add "$c" "$hp:80"
	serve "$c" serve-peer 4 80 1
	wait_port 80 "$c" || fail "server on port 80 in the cell did not start"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hp") || fail "no answer from port 80 in the cell"
	$NC delete --force "$c"
}

t_port_in_use() {
	local c=${PFX}use hp hfree hu busy
	hp=$(free_port); hfree=$(free_port); hu=$(free_port)
	python3 -c "
import socket,time
s=socket.socket(); s.bind(('127.0.0.1',$hp)); s.listen()
u=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1',$hu))
time.sleep(30)" &
	busy=$!
	SRVS+=($busy)
	wait_port "$hp" || fail "the blocking listener did not start"
	cell_with "$c"
	# all or nothing: the free port of the same request is not published
	expect_rc 1 $NC port add "$c" "$hfree:81" "$hp:80"
	expect_err_match "127\.0\.0\.1:$hp/tcp is in use"
	host_listens "$hfree" && fail "port $hfree published although the request failed"
	[ -z "$($NC port list "$c")" ] || fail "list not empty: $($NC port list "$c")"
	expect_rc 1 $NC port add "$c" "$hu:53/udp"
	expect_err_match "127\.0\.0\.1:$hu/udp is in use"
	kill "$busy"
	$NC delete --force "$c"
}

t_port_errors_and_list() {
	local c=${PFX}err c2=${PFX}err2 hp
	hp=$(free_port)
	cell_with "$c"
	cell_with "$c2"
	expect_rc 2 $NC port add "$c" 80:
	expect_err_match '\[HOSTADDR:\]\[HOSTPORT:\]CELLPORT\[/tcp\|/udp\]'
	expect_rc 2 $NC port add "$c" "::1:$hp:80"
	expect_err_match 'brackets'
	expect_rc 2 $NC port add "$c" "$hp:80/sctp"
	expect_rc 2 $NC port add "$c"
	expect_rc 2 $NC port frob "$c"
	expect_rc 3 $NC port add "${PFX}none" "$hp:80"
	expect_rc 3 $NC port list "${PFX}none"
	expect_rc 0 $NC port add "$c" "$hp:80" "$hp:80/udp"
	expect_rc 4 $NC port add "$c" "$hp:81"
	expect_err_match "publishes 127\.0\.0\.1:$hp:80/tcp already"
	expect_rc 4 $NC port add "$c2" "0.0.0.0:$hp:80"
	expect_err_match "cell \"$c\""
	expect_rc 1 $NC port rm "$c" "$hp:81"
	expect_err_match "no forward 127\.0\.0\.1:$hp:81/tcp on cell"
	$NC port list --json | python3 -c "
import json,sys; d=json.load(sys.stdin); d=[x for x in d if x['cell']=='$c']
assert len(d)==2, d
assert {x['proto'] for x in d}=={'tcp','udp'}, d
for x in d:
    assert set(x)=={'cell','host_addr','host_port','cell_port','proto','active','to_host','path','path_note'} and x['to_host'] is False, x
    assert x['path']==('forwarder' if '$MODE'=='user' else 'kernel') and x['path_note']=='', x
    assert x['host_addr']=='127.0.0.1' and x['host_port']==$hp and x['cell_port']==80 and x['active'] is True, x" \
		|| fail "port list --json schema"
	$NC port list "$c" | grep -Eq "^$c +127\.0\.0\.1:$hp +udp +80 +(kernel|forwarder)$" || fail "human list: $($NC port list "$c")"
	$NC inspect "$c" | grep -q "^ports: .*127\.0\.0\.1:$hp:80/tcp" || fail "inspect does not show ports"
	$NC inspect "$c" --json | python3 -c "import json,sys; assert len(json.load(sys.stdin)['ports'])==2" \
		|| fail "inspect --json ports"
	grep -q "^port=127\.0\.0\.1:$hp:80/tcp$" "$NETCELL_STATE_DIR/cells/$c.conf" || fail "port not saved"
	expect_rc 0 $NC port rm "$c" "$hp:80" "$hp:80/udp"
	[ -z "$($NC port list "$c")" ] || fail "list after rm: $($NC port list "$c")"
	grep -q '^port=' "$NETCELL_STATE_DIR/cells/$c.conf" && fail "removed port still saved"
	$NC delete --force "$c" "$c2"
}

t_port_delete_frees_host_port() {
	local c=${PFX}del hp hu
	hp=$(free_port); hu=$(free_port)
	cell_with "$c" "$hp:80" "$hu:53/udp"
	serve "$c" serve-peer 4 80 1
	wait_port 80 "$c" || fail "server did not start"
	python3 "$PNET" peer 127.0.0.1 "$hp" >/dev/null || fail "no traffic before delete"
	expect_rc 0 $NC delete --force "$c"
	host_listens "$hp" && fail "host port $hp still listens after delete"
	python3 -c "
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$hp)); s.listen()
u=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1',$hu))" \
		|| fail "host ports $hp/tcp, $hu/udp not free right after delete"
}

t_port_keeper_crash() {
	local c=${PFX}kc hp kp out
	hp=$(free_port)
	cell_with "$c" "$hp:80"
	serve "$c" serve-peer 4 80 1
	wait_port 80 "$c" || fail "server did not start"
	python3 "$PNET" peer 127.0.0.1 "$hp" >/dev/null || fail "no traffic before the crash"
	kp=$(keeper_pid)
	kill -9 "$kp"
	for _ in $(seq 1 50); do alive "$kp" || break; sleep 0.02; done
	expect_rc 0 $NC port list "$c"
	expect_err_match 'rebuilt 1 cell'
	grep -q "127\.0\.0\.1:$hp " "$T/out" || fail "forward not back after the crash: $(cat "$T/out")"
	# rootless cells are new namespaces: the server starts again in it
	serve "$c" serve-peer 4 80 1
	wait_port 80 "$c" || fail "server did not start in the rebuilt cell"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hp") || fail "forward does not work after the crash"
	case $out in 127.0.0.1\ *) ;; *) fail "after the crash: $out" ;; esac
	$NC delete --force "$c"
}

t_port_publish_on_create_and_run() {
	local c=${PFX}pub hp hu hr rp out
	hp=$(free_port); hu=$(free_port); hr=$(free_port)
	expect_rc 0 $NC create "$c" $NOUP --publish "$hp:80" --publish "$hu:53/udp"
	[ "$($NC port list "$c" | grep -c "^$c ")" = 2 ] || fail "create --publish: $($NC port list "$c")"
	expect_rc 2 $NC create "${PFX}bad" $NOUP --publish 80:
	expect_err_match '\[HOSTPORT:\]CELLPORT'
	expect_rc 3 $NC inspect "${PFX}bad"
	# a port that cannot be published makes create fail and leaves no cell
	expect_rc 4 $NC create "${PFX}bad" $NOUP --publish "$hp:80"
	expect_rc 3 $NC inspect "${PFX}bad"
	$NC delete --force "$c"
	# run: the command is the server; the port goes with the cell
	$NC run $NOUP --publish "$hr:80" -- python3 "$PNET" serve-peer 4 80 1 &
	rp=$!
	SRVS+=($rp)
	for _ in $(seq 1 100); do
		out=$(python3 "$PNET" peer 127.0.0.1 "$hr" 2>/dev/null) && break
		sleep 0.05
	done
	case $out in 127.0.0.1\ *) ;; *) fail "run --publish: no answer ($out)" ;; esac
	wait "$rp" || fail "run exited $?"
	host_listens "$hr" && fail "host port $hr still listens after run ended"
	return 0
}

# modes t_port_source_nonlocal: root
t_port_source_nonlocal() {
	# a client address the cell does not have (192.0.2.2, a documentation
	# address on the loopback of a namespace of this test, where the keeper
	# runs) is kept too
	local w=${PFX}world c=${PFX}nl W out
	ip netns add "$w" || fail "ip netns add"
	W="nsenter --net=/run/netns/$w"
	$W ip link set lo up
	$W ip addr add 192.0.2.1/32 dev lo
	$W ip addr add 192.0.2.2/32 dev lo
	$W $NC create "$c" $NOUP >/dev/null || { ip netns del "$w"; fail "create"; }
	$W $NC port add "$c" 0.0.0.0:8080:80 0.0.0.0:5353:53/udp || fail "port add"
	$W $NC exec "$c" -- python3 "$PNET" serve-peer 4 80 1 & SRVS+=($!)
	$W $NC exec "$c" -- python3 "$PNET" serve-udp 4 53 3 & SRVS+=($!)
	for _ in $(seq 1 100); do $W $NC exec "$c" -- ss -Htln "sport = :80" | grep -q . && break; sleep 0.05; done
	out=$($W python3 "$PNET" peer 192.0.2.1 8080 192.0.2.2)
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa:$sp" = "192.0.2.2:$mp" ] || fail "TCP server saw '$sa $sp', client was $ma:$mp"
	out=$($W python3 "$PNET" udp 192.0.2.1 5353 192.0.2.2)
	read -r data sa sp _ ma mp <<<"$out"
	[ "$data $sa $sp" = "ping 192.0.2.2 $mp" ] || fail "UDP: $out"
	$W $NC delete --force "$c"
	ip netns del "$w"
}

# kernel_rules CELL: the host's DNAT table of a root cell's published ports
# (kdnat.c), empty when there is none
kernel_rules() { nft list table ip "netcell_ports_$1" 2>/dev/null; }

# kernel_count CELL PROTO PORT: packets the host's DNAT rule of PORT took
kernel_count() {
	kernel_rules "$1" | sed -n "s/.* $2 dport $3 counter packets \([0-9]*\) .*/\1/p"
}

# modes t_port_kernel_client_address: root
# (the kernel path is root's: a rootless keeper cannot touch the host's
# nftables or make a veth pair in the host's namespace)
t_port_kernel_client_address() {
	# the keeper runs in a namespace of this test, whose loopback holds
	# documentation addresses: clients there are the host's own, IPv4 is
	# carried by the kernel (its DNAT counters move), IPv6 by the
	# forwarder; both keep the client's address and port
	local w=${PFX}kw c=${PFX}kc W out n0 n1 u0 u1
	ip netns add "$w" || fail "ip netns add"

	W="nsenter --net=/run/netns/$w"
	$W ip link set lo up
	$W ip addr add 192.0.2.1/32 dev lo
	$W ip addr add 192.0.2.2/32 dev lo
	$W ip addr add 2001:db8::1/128 dev lo nodad
	$W ip addr add 2001:db8::2/128 dev lo nodad
	$W $NC create "$c" $NOUP >/dev/null || fail "create"
	$W $NC port add "$c" 0.0.0.0:8080:80 '[::]:8080:80' 127.0.0.1:5353:53/udp || fail "port add"
	$W $NC exec "$c" -- python3 "$PNET" serve-peer 4 80 2 & SRVS+=($!)
	$W $NC exec "$c" -- python3 "$PNET" serve-peer 6 80 1 & SRVS+=($!)
	$W $NC exec "$c" -- python3 "$PNET" serve-udp 4 53 3 & SRVS+=($!)
	for _ in $(seq 1 100); do
		[ "$($W $NC exec "$c" -- ss -Htln "sport = :80" | wc -l)" = 2 ] && break; sleep 0.05
	done
	n0=$($W nft list table ip "netcell_ports_$c" | grep -c 'dnat to 10\.216\.') || true
	[ "$n0" = 2 ] || fail "the host's table does not DNAT both IPv4 ports: $($W nft list table ip "netcell_ports_$c" 2>&1)"
	n0=$($W nft list table ip "netcell_ports_$c" | sed -n 's/.* tcp dport 8080 counter packets \([0-9]*\) .*/\1/p')
	out=$($W python3 "$PNET" peer 192.0.2.1 8080 192.0.2.2)
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa:$sp" = "192.0.2.2:$mp" ] || fail "IPv4 TCP: server saw '$sa $sp', client was $ma:$mp"
	out=$($W python3 "$PNET" peer 127.0.0.1 8080 127.0.0.2)
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa:$sp" = "127.0.0.2:$mp" ] || fail "IPv4 TCP from loopback: server saw '$sa $sp', client was $ma:$mp"
	n1=$($W nft list table ip "netcell_ports_$c" | sed -n 's/.* tcp dport 8080 counter packets \([0-9]*\) .*/\1/p')
	[ "$((n1 - n0))" = 2 ] || fail "the kernel's DNAT took $((n1 - n0)) connections of 2 (counter $n0 -> $n1)"
	u0=$($W nft list table ip "netcell_ports_$c" | sed -n 's/.* udp dport 5353 counter packets \([0-9]*\) .*/\1/p')
	out=$($W python3 "$PNET" udp 127.0.0.1 5353 127.0.0.3)
	read -r data sa sp _ ma mp <<<"$out"
	[ "$data $sa $sp" = "ping 127.0.0.3 $mp" ] || fail "IPv4 UDP: $out"
	u1=$($W nft list table ip "netcell_ports_$c" | sed -n 's/.* udp dport 5353 counter packets \([0-9]*\) .*/\1/p')
	[ "$u1" -gt "$u0" ] || fail "the kernel did not carry the UDP request (counter $u0 -> $u1)"
	out=$($W python3 "$PNET" peer 2001:db8::1 8080 2001:db8::2)
	read -r sa sp _ ma mp <<<"$out"
	[ "$sa:$sp" = "2001:db8::2:$mp" ] || fail "IPv6 TCP: server saw '$sa $sp', client was $ma:$mp"
	$W $NC delete --force "$c" || fail "delete"
	ip netns del "$w"
}

# modes t_port_kernel_runtime_and_crash: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_runtime_and_crash() {
	local c=${PFX}kr ha hb out kp ifn
	ha=$(free_port); hb=$(free_port)
	cell_with "$c" "$ha:80"
	ifn=$(ip -o link show | grep -o "np-${c:0:12}[^:@]*" | head -1)
	[ -n "$ifn" ] || fail "no host end np-* of the cell's pair: $(ip -o link show | grep -o 'np-[^:@]*')"
	kernel_rules "$c" | grep -q "tcp dport $ha counter" || fail "no DNAT of $ha: $(kernel_rules "$c")"
	serve "$c" serve-peer 4 80 3
	serve "$c" serve-peer 4 81 1
	wait_port 80 "$c" && wait_port 81 "$c" || fail "servers did not start"
	# another cell port: a second host port of port 80 would be the
	# forwarder's (t_port_kernel_one_host_port_per_cell_port)
	expect_rc 0 $NC port add "$c" "$hb:81"
	kernel_rules "$c" | grep -q "tcp dport $hb counter" || fail "port add did not add a DNAT of $hb: $(kernel_rules "$c")"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hb" 127.0.0.2) || fail "no answer through $hb"
	case $out in 127.0.0.2\ *) ;; *) fail "through $hb: $out" ;; esac
	[ "$(kernel_count "$c" tcp "$hb")" = 1 ] || fail "the kernel did not carry $hb: $(kernel_rules "$c")"
	expect_rc 0 $NC port rm "$c" "$hb:81"
	kernel_rules "$c" | grep -q "dport $hb " && fail "port rm left the DNAT of $hb: $(kernel_rules "$c")"
	kernel_rules "$c" | grep -q "tcp dport $ha counter" || fail "port rm of $hb took $ha's DNAT too"
	# a killed keeper: the next one puts the rules back, then delete
	# removes all
	kp=$(keeper_pid)
	kill -9 "$kp"
	for _ in $(seq 1 50); do alive "$kp" || break; sleep 0.02; done
	expect_rc 0 $NC port list "$c"
	out=$(python3 "$PNET" peer 127.0.0.1 "$ha" 127.0.0.2) || fail "no answer through $ha after the crash"
	case $out in 127.0.0.2\ *) ;; *) fail "through $ha after the crash: $out" ;; esac
	[ "$(kernel_count "$c" tcp "$ha")" = 1 ] || fail "the kernel did not carry $ha after the crash: $(kernel_rules "$c")"
	# the last port gone: no table, no pair
	expect_rc 0 $NC port rm "$c" "$ha:80"
	[ -z "$(kernel_rules "$c")" ] || fail "the host's table stays with no port: $(kernel_rules "$c")"
	ip link show "$ifn" >/dev/null 2>&1 && fail "the pair $ifn stays with no port"
	expect_rc 0 $NC port add "$c" "$ha:80"
	kernel_rules "$c" | grep -q "tcp dport $ha counter" || fail "no DNAT after adding again"
	expect_rc 0 $NC delete --force "$c"
	[ -z "$(kernel_rules "$c")" ] || fail "delete left the host's table: $(kernel_rules "$c")"
	ip -o link show | grep -q "np-${c:0:5}" && fail "delete left a pair: $(ip -o link show | grep -o 'np-[^:@]*')"
	return 0
}

# modes t_port_kernel_cell_firewall: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_cell_firewall() {
	local c=${PFX}kf hp out gen
	hp=$(free_port)
	cell_with "$c" "$hp:80"
	serve "$c" serve-peer 4 80 3
	wait_port 80 "$c" || fail "server did not start"
	# a firewall that drops all input but loopback and published traffic,
	# which arrives DNATed on the pair (docs/kernel-ports.md)
	printf 'flush ruleset\ntable inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n  iif lo accept\n  ct status dnat accept\n }\n}\n' >"$T/f.nft"
	expect_rc 0 $NC fw apply "$c" "$T/f.nft"
	$NC exec "$c" -- nft list tables | grep -qx 'table inet netcell' || fail "fw apply removed netcell's table"
	$NC fw show "$c" >"$T/show" || fail "fw show"
	grep -q netcell "$T/show" && fail "fw show shows netcell's own table: $(cat "$T/show")"
	# netcell's table is not the user's ruleset changed behind its back
	expect_rc 0 $NC inspect "$c"
	grep -q 'CHANGED inside the cell' "$T/out" && fail "inspect counts netcell's table as a change: $(grep -i firewall "$T/out")"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hp" 127.0.0.2) || fail "no answer through the firewall"
	case $out in 127.0.0.2\ *) ;; *) fail "through the firewall: $out" ;; esac
	[ "$(kernel_count "$c" tcp "$hp")" = 1 ] || fail "not carried by the kernel: $(kernel_rules "$c")"
	# a ruleset that defines netcell's table is refused, nothing changes
	printf 'table inet netcell {\n chain c {\n  type filter hook input priority 0; policy drop;\n }\n}\n' >"$T/bad.nft"
	gen=$($NC fw history "$c" | wc -l)
	expect_rc 6 $NC fw apply "$c" "$T/bad.nft"
	expect_err_match "table inet netcell is netcell's own"
	[ "$($NC fw history "$c" | wc -l)" = "$gen" ] || fail "a refused ruleset made a generation"
	$NC exec "$c" -- nft list table inet netcell | grep -q 'chain c ' && fail "the user's chain got into netcell's table"
	# iptables syntax and rollback to no rules keep it too
	printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 9 -j DROP\nCOMMIT\n' >"$T/r.v4"
	expect_rc 0 $NC fw apply "$c" "$T/r.v4"
	$NC exec "$c" -- nft list tables | grep -qx 'table inet netcell' || fail "an iptables generation removed netcell's table"
	expect_rc 0 $NC fw rollback "$c" 0
	$NC exec "$c" -- nft list tables | grep -qx 'table inet netcell' || fail "rollback to 0 removed netcell's table"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hp" 127.0.0.2) || fail "no answer after rollback"
	[ "$(kernel_count "$c" tcp "$hp")" = 2 ] || fail "not carried by the kernel after rollback: $(kernel_rules "$c")"
	$NC delete --force "$c"
}

# port_path CELL HOSTPORT PROTO: the path 'port list --json' gives a port,
# then its note, on one line
port_path() {
	$NC port list --json "$1" | python3 -c "
import json,sys
for x in json.load(sys.stdin):
    if x['host_port']==$2 and x['proto']=='$3': print(x['path'], x['path_note'])"
}

t_port_path_shown() {
	# port list and inspect, text and JSON, say which path carries each
	# port: root's IPv4 ports the kernel, IPv6 the forwarder; rootless
	# cells the forwarder only
	local c=${PFX}pp ha hb hc k=kernel
	[ "$MODE" = user ] && k=forwarder
	ha=$(free_port); hb=$(free_port); hc=$(free_port)
	cell_with "$c" "$ha:80" "$hb:53/udp" "[::1]:$hc:80"
	[ "$(port_path "$c" "$ha" tcp)" = "$k " ] || fail "path of TCP $ha: '$(port_path "$c" "$ha" tcp)', wanted $k"
	[ "$(port_path "$c" "$hb" udp)" = "$k " ] || fail "path of UDP $hb: '$(port_path "$c" "$hb" udp)', wanted $k"
	[ "$(port_path "$c" "$hc" tcp)" = "forwarder " ] || fail "path of IPv6 $hc: '$(port_path "$c" "$hc" tcp)'"
	$NC port list "$c" | grep -Eq "^$c +127\.0\.0\.1:$ha +tcp +80 +$k$" || fail "port list text: $($NC port list "$c")"
	$NC port list "$c" | grep -Eq "^$c +\[::1\]:$hc +tcp +80 +forwarder$" || fail "port list text, IPv6: $($NC port list "$c")"
	$NC port list "$c" | head -1 | grep -q ' PATH$' || fail "no PATH column: $($NC port list "$c")"
	$NC inspect "$c" | grep -qx "path: *127\.0\.0\.1:$ha:80/tcp $k" || fail "inspect: $($NC inspect "$c" | grep '^path')"
	$NC inspect "$c" | grep -qx "path: *\[::1\]:$hc:80/tcp forwarder" || fail "inspect, IPv6: $($NC inspect "$c" | grep '^path')"
	$NC inspect --json "$c" | python3 -c "
import json,sys; p={x['host_port']:x for x in json.load(sys.stdin)['ports']}
assert p[$ha]['path']=='$k' and p[$ha]['path_note']=='', p
assert p[$hc]['path']=='forwarder', p" || fail "inspect --json: $($NC inspect --json "$c")"
	$NC delete --force "$c"
}

# modes t_port_kernel_damage_shown: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_damage_shown() {
	# the host's table and the cell's are read back at every listing: a
	# change behind netcell's back is shown, per port, and the next port
	# add writes them again
	local c=${PFX}kd ha hb hc h out
	ha=$(free_port); hb=$(free_port); hc=$(free_port)
	# three cell ports: two host ports of one cell port would not both be
	# the kernel's (t_port_kernel_one_host_port_per_cell_port)
	cell_with "$c" "$ha:80" "$hb:81"
	serve "$c" serve-peer 4 80 4
	serve "$c" serve-peer 4 81 2
	wait_port 80 "$c" && wait_port 81 "$c" || fail "servers did not start"
	[ "$(port_path "$c" "$ha" tcp)" = "kernel " ] || fail "before: $(port_path "$c" "$ha" tcp)"
	# one port's DNAT deleted: that port is the forwarder's now (it holds
	# the host socket), the other is untouched
	h=$(nft -a list chain ip "netcell_ports_$c" output | sed -n "s/.* dport $hb .*# handle \([0-9]*\)$/\1/p")
	[ -n "$h" ] || fail "no rule of $hb: $(kernel_rules "$c")"
	nft delete rule ip "netcell_ports_$c" output handle "$h" || fail "nft delete rule"
	out=$(port_path "$c" "$hb" tcp)
	case $out in "forwarder its DNAT is missing from the host's table ip netcell_ports_$c "*"port add"*) ;;
		*) fail "a deleted DNAT: '$out'" ;; esac
	[ "$(port_path "$c" "$ha" tcp)" = "kernel " ] || fail "the other port: $(port_path "$c" "$ha" tcp)"
	$NC port list "$c" | grep -Eq "^$c +127\.0\.0\.1:$hb +tcp +81 +forwarder +\(its DNAT is missing" ||
		fail "port list text: $($NC port list "$c")"
	$NC inspect "$c" | grep -q "^path: *127\.0\.0\.1:$hb:81/tcp forwarder  (its DNAT is missing" ||
		fail "inspect text: $($NC inspect "$c" | grep '^path')"
	out=$(python3 "$PNET" peer 127.0.0.1 "$hb" 127.0.0.2) || fail "no answer through $hb (the forwarder)"
	# a rule netcell did not write: every kernel port is shown damaged
	nft add rule ip "netcell_ports_$c" output tcp dport 9 drop || fail "nft add rule"
	out=$(port_path "$c" "$ha" tcp)
	case $out in "kernel damaged: the host's table ip netcell_ports_$c differs from what netcell wrote: it holds \"tcp dport 9 drop\", which netcell did not write;"*) ;;
		*) fail "a foreign rule: '$out'" ;; esac
	$NC inspect --json "$c" | python3 -c "
import json,sys; p={x['host_port']:x for x in json.load(sys.stdin)['ports']}
assert p[$ha]['path']=='kernel' and 'tcp dport 9 drop' in p[$ha]['path_note'], p" ||
		fail "inspect --json: $($NC inspect --json "$c")"
	# port add writes both tables again, and reads them back
	expect_rc 0 $NC port add "$c" "$hc:82"
	for h in "$ha" "$hb" "$hc"; do
		[ "$(port_path "$c" "$h" tcp)" = "kernel " ] || fail "after port add, $h: $(port_path "$c" "$h" tcp)"
	done
	kernel_rules "$c" | grep -q 'dport 9 ' && fail "port add kept the foreign rule: $(kernel_rules "$c")"
	# the cell's table flushed by hand: the cell's half is shown damaged
	$NC exec "$c" -- nft flush ruleset || fail "nft flush ruleset in the cell"
	out=$(port_path "$c" "$ha" tcp)
	case $out in "kernel damaged: the cell's table inet netcell is gone;"*) ;; *) fail "a flushed cell: '$out'" ;; esac
	# the host's table deleted: every IPv4 port is the forwarder's
	nft delete table ip "netcell_ports_$c" || fail "nft delete table"
	out=$(port_path "$c" "$ha" tcp)
	case $out in "forwarder its DNAT is missing: the host's table ip netcell_ports_$c is gone;"*) ;; *) fail "no host table: '$out'" ;; esac
	expect_rc 0 $NC port rm "$c" "$hc:82"
	for h in "$ha" "$hb"; do
		[ "$(port_path "$c" "$h" tcp)" = "kernel " ] || fail "after port rm, $h: $(port_path "$c" "$h" tcp)"
	done
	out=$(python3 "$PNET" peer 127.0.0.1 "$ha" 127.0.0.2) || fail "no answer through $ha after the repair"
	[ "$(kernel_count "$c" tcp "$ha")" = 1 ] || fail "the kernel did not carry $ha after the repair: $(kernel_rules "$c")"
	$NC delete --force "$c"
}

# modes t_port_kernel_fallback_notice: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_fallback_notice() {
	# the keeper in a namespace of this test whose routes cover all of
	# 10.216.0.0/16: no /31 for the pair, the forwarder carries the port,
	# port add says why in a notice and port list shows it
	local w=${PFX}fw c=${PFX}fc W out
	ip netns add "$w" || fail "ip netns add"
	W="nsenter --net=/run/netns/$w"
	$W ip link set lo up
	$W ip route add blackhole 10.216.0.0/16 || fail "ip route add"
	$W $NC create "$c" $NOUP >/dev/null || fail "create"
	$W $NC exec "$c" -- python3 "$PNET" serve-peer 4 80 2 >/dev/null 2>&1 & SRVS+=($!)
	for _ in $(seq 1 100); do $W $NC exec "$c" -- ss -Htln "sport = :80" | grep -q . && break; sleep 0.05; done
	expect_rc 0 $W $NC port add "$c" 8080:80
	expect_err_match "notice: cell \"$c\": its IPv4 ports are forwarded by the keeper, not carried by the kernel: no free /31 in 10\.216\.0\.0/16"
	out=$($W $NC port list --json "$c" | python3 -c "import json,sys; x=json.load(sys.stdin)[0]; print(x['path'], x['path_note'])")
	case $out in "forwarder no free /31 in 10.216.0.0/16"*) ;; *) fail "port list --json: '$out'" ;; esac
	$W $NC port list "$c" | grep -Eq "^$c +127\.0\.0\.1:8080 +tcp +80 +forwarder +\(no free /31" ||
		fail "port list: $($W $NC port list "$c")"
	$W nft list tables | grep -q "netcell_ports_$c" && fail "a host table was left: $($W nft list tables)"
	out=$($W python3 "$PNET" peer 127.0.0.1 8080 127.0.0.2) || fail "no answer through the forwarder"
	# a /31 free again: the next port add puts the kernel path up
	$W ip route del blackhole 10.216.0.0/16
	expect_rc 0 $W $NC port add "$c" 8081:81
	grep -q notice "$T/err" && fail "a notice when the kernel path came up: $(cat "$T/err")"
	out=$($W $NC port list --json "$c" | python3 -c "import json,sys; print(' '.join(x['path'] + '/' + x['path_note'] for x in json.load(sys.stdin)))")
	[ "$out" = "kernel/ kernel/" ] || fail "after the route went: '$out'"
	out=$($W python3 "$PNET" peer 127.0.0.1 8080 127.0.0.2) || fail "no answer through the kernel"
	$W $NC delete --force "$c" || fail "delete"
	ip netns del "$w"
}

# modes t_port_kernel_same_name_again: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_same_name_again() {
	# a cell made again under the same name has the same pair address; a
	# client that reuses its source port while the host's conntrack still
	# holds its connection to the first cell (TIME_WAIT) keeps that port:
	# the host's DNAT keeps the host port, so the two never share a tuple
	# (when they did, the host's SNAT moved the client's port, and under
	# load SYNs failed the cell's TIME_WAIT PAWS check: 560 conn/s)
	local c=${PFX}ka ha hb sp out
	ha=$(free_port); hb=$(free_port)
	sp=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.2',0)); print(s.getsockname()[1])")
	for h in "$ha" "$hb"; do
		cell_with "$c" "$h:80"
		serve "$c" serve-peer 4 80 1
		wait_port 80 "$c" || fail "server did not start"
		out=$(python3 -c "
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.2', $sp)); s.settimeout(5); s.connect(('127.0.0.1', $h))
print(s.recv(200).decode().strip()); s.close()") || fail "no answer through $h"
		[ "$out" = "127.0.0.2 $sp" ] || fail "through $h the server saw '$out', the client was 127.0.0.2 $sp"
		[ "$(kernel_count "$c" tcp "$h")" = 1 ] || fail "the kernel did not carry $h: $(kernel_rules "$c")"
		expect_rc 0 $NC delete --force "$c"
	done
}

# modes t_port_kernel_one_host_port_per_cell_port: root
# (the kernel path is root's, see t_port_kernel_client_address)
t_port_kernel_one_host_port_per_cell_port() {
	# two host ports of one cell port would meet on the same tuples in the
	# cell (a SYN meeting the other's TIME_WAIT waits a second): the kernel
	# carries the first, the forwarder the second, and port list says so;
	# both answer, each keeps the client's address
	local c=${PFX}k2 ha hb out
	ha=$(free_port); hb=$(free_port)
	cell_with "$c" "127.0.0.1:$ha:80" "127.0.0.1:$hb:80"
	serve "$c" serve-peer 4 80 2
	wait_port 80 "$c" || fail "server did not start"
	expect_rc 0 $NC port list "$c"
	grep -Eq "127\.0\.0\.1:$ha +tcp +80 +kernel" "$T/out" || fail "the first host port is not the kernel's: $(cat "$T/out")"
	grep -Eq "127\.0\.0\.1:$hb +tcp +80 +forwarder .*carried by the kernel for another host port" "$T/out" ||
		fail "the second host port: $(cat "$T/out")"
	kernel_rules "$c" | grep -q "dport $hb " && fail "the host DNATs the second host port too: $(kernel_rules "$c")"
	for h in "$ha" "$hb"; do
		out=$(python3 "$PNET" peer 127.0.0.1 "$h" 127.0.0.2) || fail "no answer through $h"
		read -r sa _ <<<"$out"
		[ "$sa" = 127.0.0.2 ] || fail "through $h the server saw '$out'"
	done
	[ "$(kernel_count "$c" tcp "$ha")" = 1 ] || fail "the kernel did not carry $ha: $(kernel_rules "$c")"
	# the second goes away: nothing changes for the first
	expect_rc 0 $NC port rm "$c" "127.0.0.1:$hb:80"
	expect_rc 0 $NC port list "$c"
	grep -Eq "127\.0\.0\.1:$ha +tcp +80 +kernel" "$T/out" || fail "after rm: $(cat "$T/out")"
	expect_rc 0 $NC delete --force "$c"
}
