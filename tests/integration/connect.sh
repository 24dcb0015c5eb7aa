# tests/integration/connect.sh - links between cells
# Each t_* runs as root and as the unprivileged test user.

# serve CELL ADDR PORT: a TCP server in CELL answering "hi" (bounded: 20 s)
serve() {
	$NC exec "$1" -- python3 -c "
import socket,time
s=socket.socket(socket.AF_INET6 if ':' in '$2' else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$2',$3)); s.listen(16); s.settimeout(20); end=time.time()+20
while time.time()<end:
    try: c,_=s.accept(); c.sendall(b'hi'); c.close()
    except Exception: break" >/dev/null 2>&1 &
	echo $!
}
# reach CELL ADDR PORT
reach() {
	$NC exec "$1" -- python3 -c "
import socket; c=socket.create_connection(('$2',$3),1.0); assert c.recv(2)==b'hi'" 2>/dev/null
}

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
	$NC delete "$a" "$b" "$c"
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
	$NC delete "$a" "$b"
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
	$NC delete "$a"
	expect_rc 0 $NC create "$a"
	$NC exec "$b" -- ip -o link show | grep -q 'nc-' && fail "B kept a link to a deleted cell"
	$NC delete "$a" "$b"
}
