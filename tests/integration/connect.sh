# tests/integration/connect.sh - links between cells
# Each t_* runs as root and as the unprivileged test user.

t_link_two_cells() {
	local a=${PFX}la b=${PFX}lb c=${PFX}lc srv
	for x in $a $b $c; do expect_rc 0 $NC create "$x"; done
	expect_rc 0 $NC link "$a" "$b" --subnet 10.214.77.0/30
	expect_rc 4 $NC link "$b" "$a"
	$NC exec "$a" -- ip -o addr show | grep -q '10.214.77.1/30' || fail "A has no link address"
	$NC exec "$b" -- ip -o addr show | grep -q '10.214.77.2/30' || fail "B has no link address"
	srv=$(serve "$b" 10.214.77.2 7000)
	for _ in $(seq 1 40); do reach "$a" 10.214.77.2 7000 && break; sleep 0.1; done
	reach "$a" 10.214.77.2 7000 || fail "A cannot reach B over the link"
	reach "$c" 10.214.77.2 7000 && fail "an unlinked cell reached B"
	expect_rc 0 $NC unlink "$a" "$b"
	reach "$a" 10.214.77.2 7000 && fail "still reachable after unlink"
	$NC exec "$a" -- ip -o link show | grep -q 'nc-' && fail "veth left after unlink"
	kill "$srv" 2>/dev/null
	$NC delete --force "$a" "$b" "$c"
}

t_link_ipv6_and_default_subnet() {
	local a=${PFX}6a b=${PFX}6b srv
	for x in $a $b; do expect_rc 0 $NC create "$x"; done
	expect_rc 0 $NC link "$a" "$b" --subnet fd00:77::/64
	srv=$(serve "$b" fd00:77::2 7001)
	for _ in $(seq 1 40); do reach "$a" fd00:77::2 7001 && break; sleep 0.1; done
	reach "$a" fd00:77::2 7001 || fail "no IPv6 over the link"
	kill "$srv" 2>/dev/null
	expect_rc 0 $NC unlink "$a" "$b"
	expect_rc 0 $NC link "$a" "$b"
	$NC exec "$a" -- ip -o addr show | grep -q '10.214.0.1/24' || fail "default subnet not used"
	expect_rc 2 $NC link "$a" "$b" --subnet 10.0.0.0/33
	expect_rc 2 $NC link "$a" "$a"
	expect_rc 3 $NC link "$a" "${PFX}none"
	$NC delete --force "$a" "$b"
}

t_link_survives_keeper_crash() {
	local a=${PFX}ka b=${PFX}kb srv
	for x in $a $b; do expect_rc 0 $NC create "$x"; done
	expect_rc 0 $NC link "$a" "$b" --subnet 10.214.88.0/24
	kill -9 "$(keeper_pid)"; sleep 0.2
	$NC list >/dev/null 2>&1
	srv=$(serve "$b" 10.214.88.2 7002)
	for _ in $(seq 1 40); do reach "$a" 10.214.88.2 7002 && break; sleep 0.1; done
	reach "$a" 10.214.88.2 7002 || fail "link not back after a keeper crash"
	kill "$srv" 2>/dev/null
	$NC delete --force "$a"
	expect_rc 0 $NC create "$a"
	# the kernel dismantles a namespace in the background
	for _ in $(seq 1 40); do $NC exec "$b" -- ip -o link show | grep -q 'nc-' || break; sleep 0.05; done
	$NC exec "$b" -- ip -o link show | grep -q 'nc-' && fail "B kept a link to a deleted cell"
	$NC delete --force "$a" "$b"
}

# --- uplinks -----------------------------------------------------------
# The "world" is a namespace the test makes, joined to the host by a veth
# (10.250.N.0/24, fd99:N::/64): traffic from a cell goes through its uplink
# and the host's own stack to it, and to nothing else.

# world_up N: make world namespace ${PFX}w, server on 8000 printing the peer,
# UDP echo on 8001, DNS for world.test on 53; sets WNS, W4, W6
world_up() {
	WNS=${PFX}w; W4=10.250.$1.2; W6=fd99:$1::2
	ip netns add "$WNS"
	ip link add "${PFX}wh" type veth peer name "${PFX}wv" netns "$WNS"
	ip addr add "10.250.$1.1/24" dev "${PFX}wh"; ip -6 addr add "fd99:$1::1/64" dev "${PFX}wh" nodad
	ip link set "${PFX}wh" up
	ip -n "$WNS" addr add "$W4/24" dev "${PFX}wv"; ip -n "$WNS" -6 addr add "$W6/64" dev "${PFX}wv" nodad
	ip -n "$WNS" link set "${PFX}wv" up; ip -n "$WNS" link set lo up
	ip netns exec "$WNS" python3 - "$W4" "$W6" >/dev/null 2>&1 <<'PY' &
import socket, select, sys, time, struct
socks = []
for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    t = socket.socket(fam); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind((addr, 8000)); t.listen(16)
    u = socket.socket(fam, socket.SOCK_DGRAM); u.bind((addr, 8001))
    d = socket.socket(fam, socket.SOCK_DGRAM); d.bind((addr, 53))
    socks += [t, u, d]
def dns_answer(q):
    qid, qd = q[:2], q[12:]
    end = qd.index(b'\0') + 5
    name = qd[:end]
    ans = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + socket.inet_aton(sys.argv[1])
    return qid + b'\x81\x80' + struct.pack('>HHHH', 1, 1, 0, 0) + name + ans
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select(socks, [], [], 1)
    for s in r:
        if s.type == socket.SOCK_STREAM:
            c, peer = s.accept(); c.sendall(peer[0].encode()); c.close()
        elif s.getsockname()[1] == 53:
            q, peer = s.recvfrom(512); s.sendto(dns_answer(q), peer)
        else:
            q, peer = s.recvfrom(512); s.sendto(b'echo:' + q, peer)
PY
	WPID=$!
	for _ in $(seq 1 50); do ip netns exec "$WNS" ss -Htln 'sport = :8000' | grep -q . && return 0; sleep 0.1; done
	return 1
}
world_down() {
	kill "$WPID" 2>/dev/null; ip link del "${PFX}wh" 2>/dev/null; ip netns del "$WNS" 2>/dev/null
}
# asu MODE CMD...: run CMD as root or as the test user, each with own dirs
asu() {
	local m=$1; shift
	if [ "$m" = root ]; then env NETCELL_RUNTIME_DIR="$T/r-run" NETCELL_STATE_DIR="$T/r-state" "$@"
	else setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups env NETCELL_RUNTIME_DIR="$T/u-run" \
		NETCELL_STATE_DIR="$T/u-state" HOME="$T/uhome" PATH="$PATH" "$@"; fi
}
prep_dirs() {
	mkdir -p "$T/u-run" "$T/u-state" "$T/uhome" "$T/r-run" "$T/r-state"
	chown "$TUSER" "$T/u-run" "$T/u-state" "$T/uhome"; chmod 700 "$T/u-run" "$T/u-state" "$T/r-run" "$T/r-state"
	chmod 755 "$T"
}
kill_keepers() { for m in u r; do kill -9 "$(cat "$T/$m-run/keeper.pid" 2>/dev/null)" 2>/dev/null; done; }

# modes t_uplink_world: root
t_uplink_world() {
	local m c out
	prep_dirs
	world_up 31 || fail "world did not start"
	trap 'world_down; kill_keepers' EXIT RETURN
	for m in root user; do
		c=${PFX}up$m
		asu $m $NC create "$c" --dns "$W4" || fail "$m: create with the default uplink"
		out=$(asu $m $NC exec "$c" -- python3 -c "import socket; c=socket.create_connection(('$W4',8000),3); print(c.recv(64).decode())") \
			|| fail "$m: TCP to the world failed"
		[ "$out" = 10.250.31.1 ] || fail "$m: the world saw $out, not the host's (NATed) address"
		asu $m $NC exec "$c" -- python3 -c "
import socket; s=socket.socket(socket.AF_INET6); s.settimeout(3); s.connect(('$W6',8000)); print(s.recv(64).decode())" >/dev/null \
			|| fail "$m: IPv6 TCP to the world failed"
		asu $m $NC exec "$c" -- python3 -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3); s.sendto(b'x', ('$W4',8001)); assert s.recvfrom(64)[0]==b'echo:x'" \
			|| fail "$m: UDP to the world failed"
		[ "$(asu $m $NC exec "$c" -- getent hosts world.test | awk '{print $1}')" = "$W4" ] \
			|| fail "$m: DNS through --dns did not resolve: $(asu $m $NC exec "$c" -- cat /etc/resolv.conf)"
		# one pasta for all cells: a second cell shares it, and cannot
		# reach the first through the hub
		local pid; pid=$(cat "$T/${m:0:1}-state/net/:hub.pid" 2>/dev/null)
		[ -n "$pid" ] && alive "$pid" || fail "$m: no hub uplink process recorded"
		asu $m $NC create "${c}2" || fail "$m: second cell"
		[ "$(cat "$T/${m:0:1}-state/net/:hub.pid")" = "$pid" ] || fail "$m: the second cell did not share the hub's pasta"
		local a2; a2=$(asu $m $NC exec "$c" -- ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
		[ -n "$a2" ] || fail "$m: no IPv4 address on eth0 of $c"
		asu $m $NC exec "${c}2" -- python3 -c "import socket; socket.create_connection(('$W4',8000),3)" || fail "$m: second cell has no uplink"
		asu $m $NC exec "$c" -- python3 -c "
import socket,time; s=socket.socket(); s.bind(('$a2',9000)); s.listen(1); time.sleep(2)" & local lp=$!
		sleep 0.5
		asu $m $NC exec "${c}2" -- python3 -c "import socket; socket.create_connection(('$a2',9000),1)" 2>/dev/null \
			&& fail "$m: one cell reached another through the hub"
		kill $lp 2>/dev/null; wait $lp 2>/dev/null
		asu $m $NC delete --force "$c" || fail "$m: delete"
		sleep 0.3
		alive "$pid" || fail "$m: the hub's pasta stopped while a cell still uses it"
		asu $m $NC delete --force "${c}2" || fail "$m: delete"
		gone "$pid" || fail "$m: the uplink process outlived its cells"
		[ -e "$T/${m:0:1}-state/net/:hub.pid" ] && fail "$m: hub state left after the last cell"
	done
	return 0
}

# modes t_uplink_host_loopback: root
t_uplink_host_loopback() {
	local m port srv
	prep_dirs
	trap 'kill $srv 2>/dev/null; kill_keepers' EXIT RETURN
	port=$(free_port)
	python3 -c "
import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1',$port)); s.listen(16); s.settimeout(30); end=time.time()+30
while time.time()<end:
    try: c,_=s.accept(); c.sendall(b'host'); c.close()
    except Exception: break" &
	srv=$!
	wait_port "$port" || fail "host server"
	for m in root user; do
		asu $m $NC create "${PFX}closed$m" || fail "$m: create"
		asu $m $NC create "${PFX}open$m" --host-loopback || fail "$m: create --host-loopback"
		sleep 1.2	# pasta looks for host ports once a second
		for a in 127.0.0.1 "\$(ip route | awk '/default/{print \$3; exit}')"; do
			asu $m $NC exec "${PFX}closed$m" -- sh -c "python3 -c \"import socket; socket.create_connection(('$a',$port),1)\"" 2>/dev/null \
				&& fail "$m: a cell without --host-loopback reached the host's 127.0.0.1:$port via $a"
		done
		a="\$(ip route | awk '/default/{print \$3; exit}')"
		asu $m $NC exec "${PFX}open$m" -- sh -c "python3 -c \"import socket; c=socket.create_connection(('$a',$port),2); assert c.recv(4)==b'host'\"" \
			|| fail "$m: a cell with --host-loopback did not reach the host's loopback at its gateway"
		# nothing of the host's appears on the cell's own 127.0.0.1 unasked
		asu $m $NC exec "${PFX}open$m" -- python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null \
			&& fail "$m: --host-loopback mirrored the host's 127.0.0.1:$port onto the cell's"
		asu $m $NC exec "${PFX}open$m" -- python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen()" \
			|| fail "$m: the cell cannot bind 127.0.0.1:$port, which the host uses"
		asu $m $NC delete --force "${PFX}closed$m" "${PFX}open$m"
	done
	return 0
}

# --uplink none: --dns is honoured (the resolver may be over a link),
# --host-loopback refused; neither is silently ignored any more
t_uplink_none_dns() {
	local c=${PFX}nd
	expect_rc 0 $NC create "$c" --uplink none --dns 192.0.2.53
	$NC exec "$c" -- cat /etc/resolv.conf | grep -qx 'nameserver 192.0.2.53' \
		|| fail "--dns with --uplink none not in the cell: $($NC exec "$c" -- cat /etc/resolv.conf)"
	$NC inspect "$c" | grep -q '^dns: *192.0.2.53$' || fail "inspect: $($NC inspect "$c")"
	expect_rc 0 $NC delete --force "$c"
	expect_rc 2 $NC create "$c" --uplink none --host-loopback
	expect_err_match '--host-loopback needs an uplink'
	expect_rc 2 $NC create "$c" --uplink none --dns not-an-address
	expect_err_match '--dns takes the resolver'
	$NC list | grep -q "^$c " && fail "a refused create left a cell"
	return 0
}

# --host-port / port add host:P: chosen host loopback services at the
# cell's own 127.0.0.1, through the keeper (any uplink, none too); only the
# ports asked for, whole streams, one reply, back after a keeper crash.
# Traffic only to servers this test starts on the host's loopback.
t_host_port() {
	local c=${PFX}hp hp cp other srv kp
	hp=$(free_port); other=$(free_port); cp=$(free_port)
	[ "$hp" != "$other" ] || other=$(free_port)
	# a sink that answers each whole stream's length once, and a second
	# server the cell never asks for
	python3 "$TOP/tests/hostsink.py" sink "$hp" "$other" &
	srv=$!
	trap 'kill $srv 2>/dev/null' EXIT RETURN
	wait_port "$hp" && wait_port "$other" || fail "host servers did not start"
	expect_rc 0 $NC create "$c" --uplink none --host-port "$hp"
	out=$($NC exec "$c" -- python3 "$TOP/tests/hostsink.py" send 127.0.0.1 "$hp" $((200 << 20))) || fail "cell to the host's 127.0.0.1:$hp failed"
	[ "${out#FAIL}" = "$out" ] || fail "200 MiB to the host: the reply was '$out'"
	# only what was asked for: the host's other loopback port is not in the cell
	$NC exec "$c" -- python3 -c "import socket; socket.create_connection(('127.0.0.1',$other),1)" 2>/dev/null \
		&& fail "a host loopback port not asked for is reachable in the cell"
	# and the cell may use that port itself
	$NC exec "$c" -- python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',$other)); s.listen()" \
		|| fail "the cell cannot bind 127.0.0.1:$other, which the host uses"
	# another cell port, listed as such
	expect_rc 0 $NC port add "$c" "host:$hp:$cp"
	out=$($NC exec "$c" -- python3 "$TOP/tests/hostsink.py" send 127.0.0.1 "$cp" 1000) || fail "host:$hp:$cp: $out"
	$NC port list "$c" --json | python3 -c "
import json,sys; p=json.load(sys.stdin)
assert sorted((x['host_port'],x['cell_port'],x['to_host']) for x in p)==sorted([($hp,$hp,True),($hp,$cp,True)]), p" \
		|| fail "port list: $($NC port list "$c" --json)"
	expect_rc 4 $NC port add "$c" "host:$other:$cp"
	# back after a keeper crash
	kp=$(keeper_pid); kill -9 "$kp"
	for _ in $(seq 1 50); do alive "$kp" || break; sleep 0.02; done
	$NC list >/dev/null 2>&1
	out=$($NC exec "$c" -- python3 "$TOP/tests/hostsink.py" send 127.0.0.1 "$hp" 1000) || fail "after a keeper crash: $out"
	expect_rc 0 $NC port rm "$c" "host:$hp"
	$NC exec "$c" -- python3 -c "import socket; socket.create_connection(('127.0.0.1',$hp),1)" 2>/dev/null \
		&& fail "port rm host:$hp left it reachable"
	expect_rc 2 $NC create "${c}x" --host-port "$hp/udp"
	expect_err_match 'host loopback services are TCP'
	expect_rc 0 $NC delete --force "$c"
	return 0
}

# modes t_uplink_keeper_crash_and_missing_tools: root
t_uplink_keeper_crash_and_missing_tools() {
	local c=${PFX}uk old new
	prep_dirs
	world_up 32 || fail "world did not start"
	trap 'world_down; kill_keepers' EXIT RETURN
	local m x
	for m in user root; do
		x=${m:0:1}
		asu $m $NC create "$c" || fail "$m: create"
		old=$(cat "$T/$x-state/net/:hub.pid")
		kill -9 "$(cat "$T/$x-run/keeper.pid")"; sleep 0.2
		asu $m $NC list >/dev/null 2>&1
		new=$(cat "$T/$x-state/net/:hub.pid")
		[ "$new" != "$old" ] || fail "$m: no new uplink after the rebuild"
		gone "$old" || fail "$m: the old uplink process outlived its keeper"
		asu $m $NC exec "$c" -- python3 -c "import socket; socket.create_connection(('$W4',8000),3)" || fail "$m: no uplink after a keeper crash"
		asu $m $NC delete --force "$c"
	done
	# no pasta on PATH: --uplink pasta says which package; the default falls back
	# a PATH without pasta: links to every other program (files only, and
	# -n so a link to a directory such as /usr/bin/X11 is never followed)
	mkdir -p "$T/bin"; for t in /usr/bin/* /usr/sbin/* /bin/* /sbin/*; do
		[ -f "$t" ] && [ ! -d "$t" ] || continue
		case ${t##*/} in pasta|passt*) ;; *) [ -e "$T/bin/${t##*/}" ] || ln -sn "$t" "$T/bin/${t##*/}" 2>/dev/null ;; esac; done
	PATH="$T/bin" asu user $NC create "${c}2" --uplink pasta 2>"$T/err"; [ $? = 5 ] || fail "missing pasta: not exit 5"
	grep -q 'apt-get install passt' "$T/err" || fail "missing pasta: package not named: $(cat "$T/err")"
	PATH="$T/bin" asu user $NC list 2>/dev/null | grep -q "${c}2" && fail "failed create left a cell"
	PATH="$T/bin" asu user $NC create "${c}3" 2>"$T/err" || fail "fallback to slirp4netns failed: $(cat "$T/err")"
	grep -q 'slirp4netns' "$T/err" || fail "the fallback was not said"
	PATH="$T/bin" asu user $NC exec "${c}3" -- python3 -c "import socket; socket.create_connection(('$W4',8000),3)" || fail "no uplink through slirp4netns"
	PATH="$T/bin" asu user $NC delete --force "${c}3"
}

# modes t_uplink_veth_nat: root
# stand_in_host H WNS NET: namespace H stands in for the host (the real
# host's forwarding and nftables are not touched); the "world" WNS hangs off
# it at NET.2/24 (H is NET.1) with a server on port 8000 that answers each
# client with the address it came from; sets WPID
stand_in_host() {
	ip netns add "$1"; ip -n "$1" link set lo up
	ip netns add "$2"
	ip -n "$1" link add hw type veth peer name wv netns "$2"
	ip -n "$1" addr add "$3.1/24" dev hw; ip -n "$1" link set hw up
	ip -n "$2" addr add "$3.2/24" dev wv; ip -n "$2" link set wv up; ip -n "$2" link set lo up
	ip netns exec "$2" python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$3.2',8000)); s.listen(8); s.settimeout(30)
end=time.time()+30
while time.time()<end:
    try: c,p=s.accept(); c.sendall(p[0].encode()); c.close()
    except Exception: break" &
	WPID=$!
}

t_uplink_veth_nat() {
	# root's veth + NAT uplink, inside a namespace standing in for the host:
	# the real host's forwarding and nftables are not touched
	local H=${PFX}h c=${PFX}vc d=${PFX}vd out port srv
	WNS=${PFX}w WPID=
	trap 'kill $srv $WPID 2>/dev/null; ip netns exec "$H" env NETCELL_RUNTIME_DIR="$T/h-run" NETCELL_STATE_DIR="$T/h-state" $NC delete --force "$c" "$d" 2>/dev/null; kill -9 $(cat "$T/h-run/keeper.pid" 2>/dev/null) 2>/dev/null; ip netns del "$WNS" 2>/dev/null; ip netns del "$H" 2>/dev/null' EXIT RETURN
	stand_in_host "$H" "$WNS" 10.250.41
	hx() { ip netns exec "$H" env NETCELL_RUNTIME_DIR="$T/h-run" NETCELL_STATE_DIR="$T/h-state" "$@"; }
	hx nft add table inet othertool
	hx nft add chain inet othertool c '{ type filter hook forward priority 10; }'
	hx nft add rule inet othertool c counter
	expect_rc 0 hx $NC create "$c" --uplink veth
	sleep 0.3
	out=$(hx $NC exec "$c" -- python3 -c "import socket; c=socket.create_connection(('10.250.41.2',8000),3); print(c.recv(64).decode())") \
		|| fail "no route to the world through veth + NAT"
	[ "$out" = 10.250.41.1 ] || fail "the world saw $out, not the (NATed) host address"
	hx ip -o link show 2>/dev/null | grep -q "nc-$c" || fail "host end not named after the cell"
	# a prefix that overlaps another cell's is refused, naming that cell
	local held; held=$(sed -n 's/^addr=//p' "$T/h-state/net/$c.conf")
	[ -n "$held" ] || fail "no saved prefix for $c"
	expect_rc 4 hx $NC create "${PFX}ov" --uplink veth --addr "${held%.0/*}.128/25"
	expect_err_match "overlaps $held, the prefix of cell \"$c\""
	hx $NC list | grep -q "^${PFX}ov " && fail "a refused --addr left a cell"
	# host loopback: closed by default, open with --host-loopback
	port=$(free_port)
	ip netns exec "$H" python3 -c "
import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(8); s.settimeout(20); end=time.time()+20
while time.time()<end:
    try: c,_=s.accept(); c.sendall(b'lo'); c.close()
    except Exception: break" &
	srv=$!
	# the closed-by-default check means something only with the server up
	for _ in $(seq 1 100); do ip netns exec "$H" ss -Htln "sport = :$port" | grep -q . && break; sleep 0.05; done
	ip netns exec "$H" ss -Htln "sport = :$port" | grep -q . || fail "host loopback server did not start"
	local gw; gw=$(hx $NC exec "$c" -- ip route | awk '/default/{print $3}')
	hx $NC exec "$c" -- python3 -c "import socket; socket.create_connection(('$gw',$port),1)" 2>/dev/null \
		&& fail "host loopback reachable without --host-loopback"
	expect_rc 0 hx $NC create "$d" --uplink veth --host-loopback
	gw=$(hx $NC exec "$d" -- ip route | awk '/default/{print $3}')
	hx $NC exec "$d" -- python3 -c "import socket; c=socket.create_connection(('$gw',$port),2); assert c.recv(2)==b'lo'" \
		|| fail "host loopback not reachable with --host-loopback"
	# delete leaves no veth, no route, no rule; the other tool's table stays
	expect_rc 0 hx $NC delete --force "$c" "$d"
	hx ip -o link show | grep -q 'nc-' && fail "veth left after delete"
	hx ip route | grep -q '10.213.' && fail "route left after delete"
	hx nft list tables | grep -q 'inet netcell' && fail "netcell's table left after its last cell went"
	hx nft list table inet othertool | grep -q counter || fail "another tool's table was changed"
	local ud; ud=$(setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups mktemp -d)
	expect_rc 5 setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups env NETCELL_RUNTIME_DIR="$ud/run" \
		NETCELL_STATE_DIR="$ud/state" $NC create "${PFX}u" --uplink veth
	expect_err_match 'needs root'
	setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups env NETCELL_RUNTIME_DIR="$ud/run" \
		NETCELL_STATE_DIR="$ud/state" $NC list | grep -q "${PFX}u" && fail "failed create left a cell"
	kill -9 "$(cat "$ud/run/keeper.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$ud"
	return 0
}

# inspect tells a cell's network as it is: live addresses and routes, the
# uplink, DNS, links, firewall generation, ports; text and JSON agree
t_inspect_network() {
	local a=${PFX}ia b=${PFX}ib hp out
	hp=$(free_port)
	expect_rc 0 $NC create "$a"
	expect_rc 0 $NC create "$b" --uplink none
	expect_rc 0 $NC link "$a" "$b" --subnet 10.214.91.0/30
	expect_rc 0 $NC port add "$a" "$hp:80"
	printf 'table inet t {\n chain input { type filter hook input priority 0; }\n}\n' >"$T/r.nft"
	expect_rc 0 $NC fw apply "$b" "$T/r.nft"
	out=$($NC inspect "$a") || fail "inspect failed"
	for want in "uplink:    pasta, shared by the user's cells (host loopback closed)" "10.214.91.1/30" \
		"routes:    default via" "10.214.91.0/30 dev nc-$b" "links:     $b 10.214.91.1/30" \
		"firewall:  none" "127.0.0.1:$hp:80/tcp"; do
		grep -qF -- "$want" <<<"$out" || fail "inspect $a lacks '$want': $out"
	done
	grep -q '^dns:       [0-9a-f]' <<<"$out" || fail "no resolver shown: $out"
	# the addresses are live: one added by hand shows up
	$NC exec "$b" -- ip addr add 10.214.92.5/32 dev lo || fail "ip addr add in the cell"
	$NC inspect "$b" --json >"$T/b.json" || fail "inspect --json failed"
	python3 - "$T/b.json" "$a" <<'PY' || fail "inspect --json of $b: $(cat "$T/b.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["uplink"] == "none" and j["dns"] == [] and j["host_loopback"] is False, j
assert j["uplink_shared"] is False, j
addrs = {(x["dev"], x["address"]) for x in j["addresses"]}
assert ("lo", "10.214.92.5/32") in addrs and ("nc-" + sys.argv[2], "10.214.91.2/30") in addrs, addrs
assert not any(r.get("dst") == "default" for r in j["routes"]), j["routes"]
assert {"dst": "10.214.91.0/30", "dev": "nc-" + sys.argv[2]} in j["routes"], j["routes"]
assert j["links"] == [{"peer": sys.argv[2], "address": "10.214.91.2/30"}], j["links"]
assert j["firewall"] == {"generation": 1, "pending": False, "locked": False, "drifted": False}, j["firewall"]
assert j["ports"] == [], j["ports"]
PY
	expect_rc 3 $NC inspect "${PFX}nope"
	$NC delete --force "$a" "$b"
}

# a root keeper that starts after a restart finds the saved cells but not
# their /run/netns bindings: each cell gets a new namespace, and with it its
# firewall, its veth + NAT uplink and its links, as before the restart
# modes t_root_rebuild_after_restart: root
t_root_rebuild_after_restart() {
	local H=${PFX}h a=${PFX}ra b=${PFX}rb srv=
	WNS=${PFX}w WPID=
	trap 'kill $srv $WPID 2>/dev/null; ip netns exec "$H" env NETCELL_RUNTIME_DIR="$T/h-run" NETCELL_STATE_DIR="$T/h-state" $NC delete --force "$a" "$b" 2>/dev/null; kill -9 $(cat "$T/h-run/keeper.pid" 2>/dev/null) 2>/dev/null; ip netns del "$WNS" 2>/dev/null; ip netns del "$H" 2>/dev/null' EXIT RETURN
	stand_in_host "$H" "$WNS" 10.250.42
	hx() { ip netns exec "$H" env NETCELL_RUNTIME_DIR="$T/h-run" NETCELL_STATE_DIR="$T/h-state" "$@"; }
	world() { hx $NC exec "$1" -- python3 -c "import socket; c=socket.create_connection(('10.250.42.2',8000),3); print(c.recv(64).decode())" 2>/dev/null; }
	# conn CELL ADDR PORT: a client in CELL reaches ADDR:PORT
	conn() { hx $NC exec "$1" -- python3 -c "import socket; socket.create_connection(('$2',$3),1.0)" 2>/dev/null; }
	expect_rc 0 hx $NC create "$a" --uplink veth
	expect_rc 0 hx $NC create "$b" --uplink none
	expect_rc 0 hx $NC link "$a" "$b" --subnet 10.214.93.0/30
	printf 'table inet filter {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 8080 drop\n }\n}\n' >"$T/r.nft"
	expect_rc 0 hx $NC fw apply "$a" "$T/r.nft"
	[ "$(world "$a")" = 10.250.42.1 ] || fail "no uplink before the restart"
	# the restart: the keeper and the namespaces go, the saved state stays
	kill -9 "$(cat "$T/h-run/keeper.pid")"; ip netns del "$a"; ip netns del "$b"
	expect_rc 0 hx $NC list
	grep -q "^$a " "$T/out" && grep -q "^$b " "$T/out" || fail "the cells did not come back: $(cat "$T/out")"
	grep -q . "$T/err" && grep -qv 'rebuilt 2 cells' "$T/err" && fail "the rebuild reported problems: $(cat "$T/err")"
	hx $NC fw show "$a" | grep -q 'tcp dport 8080 drop' || fail "the firewall did not come back"
	[ "$(world "$a")" = 10.250.42.1 ] || fail "the veth + NAT uplink did not come back"
	hx $NC exec "$a" -- python3 -c "
import socket,time
ss=[]
for p in (8080,9090):
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0',p)); s.listen(8); ss.append(s)
time.sleep(20)" &
	srv=$!
	for _ in $(seq 1 100); do hx $NC exec "$a" -- ss -Htln 'sport = :9090' | grep -q . && break; sleep 0.05; done
	hx $NC exec "$a" -- ss -Htln 'sport = :9090' | grep -q . || fail "test server never listened"
	conn "$b" 10.214.93.1 9090 || fail "the link did not come back"
	conn "$b" 10.214.93.1 8080 && fail "the link passes what the firewall drops"
	return 0
}

# a PID file older than a restart may name a process that is not the
# cell's engine any more, such as another cell's new engine: stopping the
# cell must spare it
t_uplink_stale_pid_spares_others() {
	local a=${PFX}sa b=${PFX}sb pa pb
	expect_rc 0 $NC create "$a" --host-loopback
	expect_rc 0 $NC create "$b" --host-loopback
	pa=$(cat "$NETCELL_STATE_DIR/net/$a.pid" 2>/dev/null); pb=$(cat "$NETCELL_STATE_DIR/net/$b.pid" 2>/dev/null)
	[ -n "$pa" ] && [ -n "$pb" ] && alive "$pa" && alive "$pb" || fail "no engine of its own per cell ($pa, $pb)"
	# the engine of $a, whose PID file is replaced next: ended by the test,
	# also when it fails
	trap 'kill "$pa" 2>/dev/null' EXIT RETURN
	echo "$pb" >"$NETCELL_STATE_DIR/net/$a.pid"
	expect_rc 0 $NC delete --force "$a"
	# a SIGTERM'd engine takes a moment to go: wait as long as for one
	gone "$pb" && fail "deleting $a stopped the engine of $b"
	expect_rc 0 $NC delete --force "$b"
	gone "$pb" || fail "deleting $b left its engine"
}

# a cell linked to 100 others: inspect lists every link (the list once
# went through a 4 KiB text, which held about 90)
t_inspect_many_links() {
	local h=${PFX}lh i n=100
	expect_rc 0 $NC create "$h" --uplink none
	for i in $(seq 1 $n); do
		expect_rc 0 $NC create "${PFX}l$i" --uplink none
		expect_rc 0 $NC link "$h" "${PFX}l$i"
	done
	$NC inspect "$h" --json >"$T/h.json" || fail "inspect --json failed"
	python3 - "$T/h.json" "$PFX" "$n" <<'PY' || fail "inspect --json of $h does not list the $n links"
import json, sys
j = json.load(open(sys.argv[1]))
want = {sys.argv[2] + "l%d" % i for i in range(1, int(sys.argv[3]) + 1)}
got = {x["peer"] for x in j["links"]}
assert got == want, (len(got), sorted(want - got)[:5])
assert len({x["address"] for x in j["links"]}) == len(want), "addresses repeat"
PY
	[ "$($NC inspect "$h" | grep -cE "^(links:)? +${PFX}l[0-9]+ [0-9]")" = $n ] ||
		fail "inspect text does not list the $n links"
	for i in $(seq 1 $n); do $NC delete --force "${PFX}l$i"; done
	$NC delete --force "$h"
}

# ICMP echo through the uplink, "where the host allows it": pasta answers a
# cell's echo requests with the host's ping sockets, which the host's
# net.ipv4.ping_group_range must allow (these machines ship "1 0": nobody);
# the test widens it and puts it back
# modes t_uplink_icmp_echo: root
t_uplink_icmp_echo() {
	local m c
	prep_dirs
	world_up 33 || fail "world did not start"
	# global: the EXIT trap runs after this function's locals are gone
	PING_RANGE_OLD=$(sysctl -n net.ipv4.ping_group_range)
	trap '[ -n "$PING_RANGE_OLD" ] && printf "%s\n" "$PING_RANGE_OLD" >/proc/sys/net/ipv4/ping_group_range; world_down; kill_keepers' EXIT RETURN
	printf "0 2147483647\n" >/proc/sys/net/ipv4/ping_group_range || fail "cannot set net.ipv4.ping_group_range"
	for m in root user; do
		c=${PFX}ic$m
		asu $m $NC create "$c" || fail "$m: create"
		asu $m $NC exec "$c" -- python3 - "$W4" <<'PY' || fail "$m: no ICMP echo reply from the world"
import socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
body = struct.pack('!HH', 0x4e43, 1) + b'netcell-echo'
hdr = struct.pack('!BBH', 8, 0, 0) + body
pkt = struct.pack('!BBH', 8, 0, csum(hdr)) + body
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1)
# up to 10 s: a busy machine (ASan build, other tests) may answer late
for attempt in range(10):
    s.sendto(pkt, (sys.argv[1], 0))
    end = time.time() + 1
    while time.time() < end:
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        icmp = data[(data[0] & 15) * 4:]
        if peer[0] == sys.argv[1] and icmp[0] == 0 and icmp[8:] == b'netcell-echo':
            sys.exit(0)
sys.exit(1)
PY
		asu $m $NC delete --force "$c"
	done
	return 0
}
