# tests/integration/cni.sh - the CNI plugin (build/cni/netcell), executed
# directly with the CNI environment as a runtime does, and driven by podman.
#
# As root the plugin works on the machine's own network: its bridge, its
# veth pairs and table inet netcell_cni, all named after the test and
# removed by it.  As the unprivileged user the same tests run inside a user
# + network + mount namespace of the user's (unshare -Urnm), which is where
# a rootless runtime runs its CNI plugins: that namespace is the "host".
# Traffic goes only to namespaces the tests make: the containers, a
# "world" behind the host (NAT) and a "client" in front of it (ports).

CNIBIN="$TOP/$BUILD/cni/netcell"

# cni_init: names and addresses of this test's network; sets BR NET SUB W K
cni_init() {
	local n=$(( $$ % 200 + 20 ))
	BR="${PFX}b"; NET="${PFX}n"; SUB="10.231.$n"; W="10.232.$n"; K="10.233.$n"
	export NETCELL_CNI_STATE_DIR="$T/cnistate"
	mkdir -p "$T/ipam" "$T/fw"
	ip -4 route | grep -qE "^(10\.231|10\.232|10\.233)\.$n\." && fail "a route of the host uses $SUB, $W or $K already"
	FWD=$(cat /proc/sys/net/ipv4/ip_forward)
}

# cni_conf FILE [MEMBERS]: a network configuration, extra JSON members after
# the standard ones (e.g. '"mtu": 1400, "runtimeConfig": {...}')
cni_conf() {
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "netcell", "bridge": "%s", "firewallDir": "%s",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "dataDir": "%s/ipam"}%s%s}\n' \
		"$NET" "$BR" "$T/fw" "$SUB" "$T" "${2:+, }" "${2:-}" >"$1"
}

# cni CMD ID NETNS CONF [VAR=VALUE...]: run the plugin as a runtime does;
# stdout in $T/cni.out, the exit status returned; a sanitizer's report
# (the build-asan run) fails the test whatever the status
cni() {
	local cmd=$1 id=$2 ns=$3 conf=$4 rc; shift 4
	env CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS="$ns" CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni "$@" "$CNIBIN" <"$conf" >"$T/cni.out" 2>"$T/cni.err"
	rc=$?
	grep -q 'Sanitizer\|runtime error:' "$T/cni.err" && fail "$cmd: sanitizer report: $(head -30 "$T/cni.err")"
	return $rc
}

# cni_ok CMD ID NETNS CONF: cni, and fail unless it succeeded
cni_ok() {
	cni "$@" || fail "$1 $2 exited $?: $(cat "$T/cni.out" "$T/cni.err")"
}

# cni_code WANT CMD ID NETNS CONF [VAR=VALUE...]: cni fails with CNI error code WANT
cni_code() {
	local want=$1; shift
	cni "$@" && fail "$1 succeeded, wanted error $want: $(cat "$T/cni.out")"
	code_is "$want" "$1"
}

# code_is WANT WHAT: the last output is an error object with a message and
# the code WANT
code_is() {
	local got
	got=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["msg"]; print(e["code"])' "$T/cni.out" 2>/dev/null)
	[ "$got" = "$1" ] || fail "$2 gave error code '$got', wanted $1: $(cat "$T/cni.out" "$T/cni.err")"
}

# cni_net CMD CONF [VAR=VALUE...]: a verb of a whole network (STATUS, GC)
# as a runtime runs it, with CNI_COMMAND and CNI_PATH only ($CNIPRE, if
# set, is a command that runs the plugin); stdout in $T/cni.out
cni_net() {
	local cmd=$1 conf=$2 rc; shift 2
	env -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME -u CNI_ARGS CNI_COMMAND="$cmd" \
		CNI_PATH=/usr/lib/cni "$@" ${CNIPRE:-} "$CNIBIN" <"$conf" >"$T/cni.out" 2>"$T/cni.err"
	rc=$?
	grep -q 'Sanitizer\|runtime error:' "$T/cni.err" && fail "$cmd: sanitizer report: $(head -30 "$T/cni.err")"
	return $rc
}

# cni_net_ok CMD CONF [VAR=VALUE...]: cni_net succeeds, printing nothing
# (STATUS and GC have no result)
cni_net_ok() {
	cni_net "$@" || fail "$1 exited $?: $(cat "$T/cni.out" "$T/cni.err")"
	[ -s "$T/cni.out" ] && fail "$1 succeeded and printed something, which it must not: $(cat "$T/cni.out")"
	return 0
}

# cni_net_code WANT CMD CONF [VAR=VALUE...]: cni_net fails with code WANT
cni_net_code() {
	local want=$1; shift
	cni_net "$@" && fail "$1 succeeded, wanted error $want"
	code_is "$want" "$1"
}

# jq_py EXPR: evaluate a python expression on the last result as r
jq_py() { python3 -c "import json; r=json.load(open('$T/cni.out')); print($1)"; }

# serve NS PORT: in namespace NS ("-": the host), a TCP server on PORT
# answering the client's address (bounded: 40 s); its PID in SRV
serve() {
	local pre=(nsenter --net="/run/netns/$1")
	[ "$1" = - ] && pre=()
	"${pre[@]}" python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0',$2)); s.listen(64); s.settimeout(40); end=time.time()+40
while time.time()<end:
    try: c,p=s.accept(); c.sendall(p[0].encode()); c.close()
    except Exception: break" >/dev/null 2>&1 &
	SRV="$SRV $!"
	for _ in $(seq 1 50); do "${pre[@]}" ss -Htln "sport = :$2" | grep -q . && return 0; sleep 0.05; done
	fail "no server on $2 in $1"
}

# peer [NS] ADDR PORT: connect (from NS, else from the host) and print what
# the server says
peer() {
	local pre=()
	[ $# = 3 ] && { pre=(nsenter --net="/run/netns/$1"); shift; }
	"${pre[@]}" python3 -c "
import socket; c=socket.create_connection(('$1',$2),2); print(c.recv(64).decode())" 2>/dev/null
}

# side NAME ADDR3: a namespace NAME joined to the host by a veth, host
# ADDR3.1/24, namespace ADDR3.2/24, default route via the host
side() {
	ip netns add "$1" && ip -n "$1" link set lo up
	ip link add "$1h" type veth peer name eth0 netns "$1"
	ip addr add "$2.1/24" dev "$1h" && ip link set "$1h" up
	ip -n "$1" addr add "$2.2/24" dev eth0 && ip -n "$1" link set eth0 up
	ip -n "$1" route add default via "$2.1"
}

# cni_cleanup: what the test made, whatever state it stopped in
cni_cleanup() {
	local id ns
	for id in $IDS; do cni DEL "$id" "" "$T/conf.json" >/dev/null 2>&1; done
	for p in $SRV; do kill "$p" 2>/dev/null; done
	for ns in $NSS; do ip netns del "$ns" 2>/dev/null; ip link del "${ns}h" 2>/dev/null; done
	ip link del "$BR" 2>/dev/null
	[ -n "${MADE_TABLE:-}" ] && nft delete table inet netcell_cni 2>/dev/null
	[ -n "${FWD:-}" ] && echo "$FWD" >/proc/sys/net/ipv4/ip_forward
	return 0
}

# cni_begin: common start: names, no table of another user, cleanup trap
cni_begin() {
	cni_init
	nft list table inet netcell_cni >/dev/null 2>&1 &&
		fail "table inet netcell_cni exists already (a live netcell CNI network?); not touching it"
	MADE_TABLE=1; IDS=""; NSS=""; SRV=""
	trap cni_cleanup EXIT
}

# cni_nothing_left: no veth, bridge, table entries, state or lease remain
cni_nothing_left() {
	ip -o link 2>/dev/null | grep -q ' ncv' && fail "a veth is left: $(ip -o link 2>/dev/null | grep ' ncv')"
	ip link show "$BR" >/dev/null 2>&1 && fail "bridge $BR is left"
	nft list table inet netcell_cni >/dev/null 2>&1 && fail "table inet netcell_cni is left: $(nft list table inet netcell_cni)"
	[ -z "$(ls -A "$T/cnistate" 2>/dev/null | grep -v '^lock$')" ] || fail "state left: $(ls -R "$T/cnistate")"
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -E '^[0-9]')" ] || fail "IPAM leases left: $(ls "$T/ipam/$NET")"
}

# in_mode FN: run FN as the host's root, or as root of a user + network +
# mount namespace of the test user (where a rootless runtime's plugins run)
in_mode() {
	if [ "$MODE" = root ]; then "$1"; return; fi
	unshare -Urnm --propagation private bash -c "
mount -t tmpfs tmpfs /run && mkdir /run/netns && ip link set lo up || exit 9
source '$TOP/tests/lib.sh'; source '$TOP/tests/integration/cni.sh'; cd '$T'; $1"
	local rc=$?
	[ $rc = 9 ] && fail "cannot make a user + network + mount namespace with its own /run (unshare -Urnm)"
	return $rc
}

cni_errors_body() {
	cni_begin
	local c1=${PFX}c1
	ip netns add "$c1"; NSS="$c1"
	cni_conf "$T/conf.json"
	cni_ok VERSION "" "" "$T/conf.json"
	[ "$(jq_py 'r["cniVersion"], "1.1.0" in r["supportedVersions"], "1.0.0" in r["supportedVersions"], "0.4.0" in r["supportedVersions"]')" = "1.1.0 True True True" ] ||
		fail "VERSION: $(cat "$T/cni.out")"
	echo '{"cniVersion": "1.0.0", "name": ' >"$T/bad.json"
	cni_code 6 ADD id1 "/run/netns/$c1" "$T/bad.json"
	sed 's/"1.0.0"/"0.2.0"/' "$T/conf.json" >"$T/old.json"
	cni_code 1 ADD id1 "/run/netns/$c1" "$T/old.json"
	cni_conf "$T/pm.json" '"runtimeConfig": {"portMappings": [{"hostPort": 70000, "containerPort": 80}]}'
	cni_code 7 ADD id1 "/run/netns/$c1" "$T/pm.json"
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "netcell", "bridge": "%s"}\n' "$NET" "$BR" >"$T/noipam.json"
	cni_code 7 ADD id1 "/run/netns/$c1" "$T/noipam.json"
	sed 's/host-local/no-such-ipam/' "$T/conf.json" >"$T/ipam.json"
	cni_code 7 ADD id1 "/run/netns/$c1" "$T/ipam.json"
	cni_code 4 ADD id1 "/run/netns/$c1" "$T/conf.json" CNI_IFNAME=bad/name
	cni_code 4 ADD "" "/run/netns/$c1" "$T/conf.json"
	cni_code 4 ADD id1 "" "$T/conf.json"
	cni_code 3 ADD id1 "$T/not-a-netns" "$T/conf.json"
	cni_code 7 ADD id1 "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=../../etc/passwd"
	cni_code 4 ADD id1 "/run/netns/$c1" "$T/conf.json" CNI_COMMAND=STATUSX
	cni_code 3 CHECK id1 "/run/netns/$c1" "$T/conf.json"
	# what the plugin may have made meanwhile: nothing
	cni_nothing_left
	ip -n "$c1" -o link | grep -q eth0 && fail "a failed ADD left eth0 in the container"
	return 0
}
t_cni_errors() { in_mode cni_errors_body; }

cni_add_check_del_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 wn=${PFX}w kn=${PFX}k addr out hp
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2 $wn $kn"
	side "$wn" "$W"; side "$kn" "$K"
	hp=$(free_port) || fail "no free port"
	cni_conf "$T/conf.json" '"mtu": 1400, "runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80, "protocol": "tcp"}]}'
	IDS="cid-one"
	cni_ok ADD cid-one "/run/netns/$c1" "$T/conf.json"
	addr=$(jq_py 'r["ips"][0]["address"]')
	case "$addr" in "$SUB".*/24) ;; *) fail "address $addr is not host-local's from $SUB.0/24" ;; esac
	[ "$(jq_py 'r["interfaces"][r["ips"][0]["interface"]]["sandbox"]')" = "/run/netns/$c1" ] ||
		fail "the address's interface is not the container's: $(cat "$T/cni.out")"
	ip -n "$c1" -o addr show dev eth0 | grep -q "inet $addr" || fail "eth0 has no $addr"
	ip -n "$c1" route | grep -q "^default via $SUB.1 dev eth0" || fail "no default route: $(ip -n "$c1" route)"
	ip -n "$c1" -o link show eth0 | grep -q 'mtu 1400' || fail "MTU not 1400"
	[ "$(ip -n "$c1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" = \
	  "$(jq_py 'r["interfaces"][2]["mac"]')" ] || fail "the result's MAC is not eth0's"
	ip -n "$c1" link set lo up
	# out through the NAT: the world sees the host's address
	serve "$wn" 8000
	out=$(peer "$c1" "$W.2" 8000) || fail "the container cannot reach the world"
	[ "$out" = "$W.1" ] || fail "the world saw $out, not the host's address (no NAT)"
	# the published port: from the host's loopback, and from a client
	# namespace with the client's address kept
	serve "$c1" 80
	out=$(peer 127.0.0.1 "$hp") || fail "127.0.0.1:$hp does not reach the container"
	[ "$out" = "$SUB.1" ] || fail "a loopback client arrives as $out, not as the bridge's address"
	out=$(peer "$kn" "$K.1" "$hp") || fail "the client cannot reach $K.1:$hp"
	[ "$out" = "$K.2" ] || fail "the container saw $out, not the client's address $K.2"
	# hairpin: the container through its own published port, at the
	# bridge's address (masqueraded, or its answer would bypass the NAT)
	out=$(peer "$c1" "$SUB.1" "$hp") || fail "the container cannot reach its own published port"
	[ "$out" = "$SUB.1" ] || fail "a hairpin connection arrives as $out, not as the bridge's address"
	cni_ok CHECK cid-one "/run/netns/$c1" "$T/conf.json"
	# drift: a rule entry, an address
	nft delete element inet netcell_cni pm4 "{ tcp . $hp }"
	cni_code 104 CHECK cid-one "/run/netns/$c1" "$T/conf.json"
	grep -q "pm4 { tcp . $hp }" "$T/cni.out" || fail "CHECK does not name the missing port: $(cat "$T/cni.out")"
	ip -n "$c1" addr del "$addr" dev eth0
	cni_code 104 CHECK cid-one "/run/netns/$c1" "$T/conf.json"
	grep -q "address $addr is missing" "$T/cni.out" || fail "CHECK does not name the address: $(cat "$T/cni.out")"
	# DEL leaves nothing, twice, and with the namespace gone
	cni_ok DEL cid-one "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL cid-one "/run/netns/$c1" "$T/conf.json"
	ip -n "$c1" -o link | grep -q eth0 && fail "eth0 left in the container"
	peer 127.0.0.1 "$hp" >/dev/null && fail "the port still answers after DEL"
	IDS="cid-two"
	cni_ok ADD cid-two "/run/netns/$c2" "$T/conf.json"
	ip netns del "$c2"
	cni_ok DEL cid-two "/run/netns/$c2" "$T/conf.json"
	cni_ok DEL cid-two "" "$T/conf.json"
	# the kernel removes a dead namespace's veth in the background
	for _ in $(seq 1 40); do ip -o link 2>/dev/null | grep -q ' ncv' || break; sleep 0.05; done
	cni_nothing_left
	return 0
}
t_cni_add_check_del() { in_mode cni_add_check_del_body; }

# cni_all CMD N: CMD for containers par1..parN, all at once (60 s at most
# each); fails with the first error
cni_all() {
	local i p pids=""
	for i in $(seq 1 "$2"); do
		env CNI_COMMAND="$1" CNI_CONTAINERID="par$i" CNI_NETNS="/run/netns/${PFX}p$i" CNI_IFNAME=eth0 \
			CNI_PATH=/usr/lib/cni timeout 60 "$CNIBIN" <"$T/conf.json" >"$T/$1$i.out" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a concurrent $1 failed: $(cat "$T"/"$1"*.out | grep -m1 msg)"; done
}

cni_concurrent_body() {
	cni_begin
	local i n=20 addrs
	cni_conf "$T/conf.json"
	for i in $(seq 1 $n); do ip netns add "${PFX}p$i"; NSS="$NSS ${PFX}p$i"; IDS="$IDS par$i"; done
	cni_all ADD $n
	addrs=$(for i in $(seq 1 $n); do ip -n "${PFX}p$i" -4 -o addr show dev eth0 | awk '{print $4}'; done | sort -u | wc -l)
	[ "$addrs" = $n ] || fail "$n containers have $addrs distinct addresses"
	[ "$(ip -o link show master "$BR" | wc -l)" = $n ] || fail "the bridge has not $n ports"
	serve - 7999
	for i in $(seq 1 $n); do
		[ "$(peer "${PFX}p$i" "$SUB.1" 7999)" = "$(ip -n "${PFX}p$i" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)" ] ||
			fail "container $i cannot reach the host at the gateway"
	done
	cni_all DEL $n
	cni_nothing_left
	return 0
}
t_cni_concurrent_adds() { in_mode cni_concurrent_body; }

cni_port_taken_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 hp
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2"; IDS="pt1 pt2"
	hp=$(free_port) || fail "no free port"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok ADD pt1 "/run/netns/$c1" "$T/conf.json"
	cni_code 101 ADD pt2 "/run/netns/$c2" "$T/conf.json"
	grep -q 'choose another host port' "$T/cni.out" || fail "the error does not say what to do: $(cat "$T/cni.out")"
	ip -n "$c2" -o link | grep -q eth0 && fail "the refused ADD left eth0"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 1 ] || fail "the refused ADD kept its lease: $(ls "$T/ipam/$NET")"
	[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "the refused ADD left a port on the bridge"
	cni_ok DEL pt1 "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_port_taken() { in_mode cni_port_taken_body; }

cni_firewall_body() {
	cni_begin
	local c1=${PFX}c1 out ca
	ip netns add "$c1"; NSS="$c1"; IDS="fwcontainer12345"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/web.nft"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy nonsense; }\n}\n' >"$T/fw/bad.nft"
	cni_conf "$T/conf.json"
	cni_code 102 ADD fwcontainer12345 "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=bad.nft"
	grep -q 'bad.nft' "$T/cni.out" || fail "the error does not name the file: $(cat "$T/cni.out")"
	$NC list | grep -q cni-fwcontainer1 && fail "a refused firewall left its cell"
	cni_nothing_left
	cni_ok ADD fwcontainer12345 "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	out=$($NC fw history cni-fwcontainer1) || fail "fw history of the container's cell: $out"
	echo "$out" | grep -qE '^1 +\* +nft .*web.nft' || fail "generation 1 from web.nft not in force: $out"
	ip -n "$c1" link set lo up
	serve "$c1" 80; serve "$c1" 81
	ca=$(ip -n "$c1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
	peer "$ca" 80 >/dev/null || fail "port 80 of the container is not reachable"
	peer "$ca" 81 >/dev/null && fail "the firewall did not drop port 81"
	cni_ok CHECK fwcontainer12345 "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL fwcontainer12345 "/run/netns/$c1" "$T/conf.json"
	$NC list | grep -q cni-fwcontainer1 && fail "DEL left the container's cell"
	ip netns list | grep -q "^$c1" || fail "DEL destroyed the runtime's namespace"
	cni_nothing_left
	# the network's own "firewall", in iptables-save syntax
	ip netns del "$c1"; ip netns add "$c1"
	printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 81 -j DROP\nCOMMIT\n' >"$T/fw/rules.v4"
	cni_conf "$T/conf.json" '"firewall": "'"$T/fw/rules.v4"'"'
	cni_ok ADD fwcontainer12345 "/run/netns/$c1" "$T/conf.json"
	out=$($NC fw history cni-fwcontainer1) || fail "fw history: $out"
	echo "$out" | grep -qE '^1 +\* +iptables .*rules.v4' || fail "generation 1 from rules.v4 not in force: $out"
	ip -n "$c1" link set lo up
	serve "$c1" 80; serve "$c1" 81
	ca=$(ip -n "$c1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
	peer "$ca" 80 >/dev/null || fail "port 80 is not reachable under the iptables file"
	peer "$ca" 81 >/dev/null && fail "the iptables file did not drop port 81"
	cni_ok DEL fwcontainer12345 "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_firewall() { in_mode cni_firewall_body; }

# --- podman ------------------------------------------------------------
# Debian's podman 4.3 with its CNI backend, configured for the test alone:
# CONTAINERS_CONF names a containers.conf in $T (plugin and network
# directories, the state directories the plugin and netcell use, passed to
# podman's cleanup processes too through [engine] env), --root/--runroot in
# $T, and --rootfs with a busybox-static root filesystem (no registry is
# reachable).  runc: crun refuses a hybrid cgroup hierarchy.  The ulimits
# are what the runtime may set without CAP_SYS_RESOURCE.

# pm_init: podman's files; sets PM (the podman command) and RFS
pm_init() {
	local d=$T/pm
	command -v podman >/dev/null && command -v runc >/dev/null && [ -x /bin/busybox ] ||
		fail "podman, runc or busybox-static missing: run scripts/install-deps"
	mkdir -p "$d/plugins" "$d/net.d" "$d/rootfs/bin" "$d/rootfs/www/cgi-bin"
	ln -s "$CNIBIN" "$d/plugins/netcell"
	cp /bin/busybox "$d/rootfs/bin/"
	for c in sh httpd nc wget ip sleep cat; do ln -s busybox "$d/rootfs/bin/$c"; done
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s" "$REMOTE_ADDR"\n' >"$d/rootfs/www/cgi-bin/peer"
	chmod 755 "$d/rootfs/www/cgi-bin/peer"
	cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$d/plugins", "/usr/lib/cni"]
network_config_dir = "$d/net.d"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
env = ["NETCELL_CNI_STATE_DIR=$T/cnistate", "NETCELL_STATE_DIR=$NETCELL_STATE_DIR", "NETCELL_RUNTIME_DIR=$NETCELL_RUNTIME_DIR"]
CONF
	printf '{"cniVersion": "0.4.0", "name": "%s", "plugins": [{"type": "netcell", "bridge": "%s", "firewallDir": "%s",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s/ipam"},
 "capabilities": {"portMappings": true, "ips": true, "mac": true}}]}\n' \
		"$NET" "$BR" "$T/fw" "$SUB" "$T" >"$d/net.d/$NET.conflist"
	export CONTAINERS_CONF=$d/containers.conf
	PM=(podman --root "$d/root" --runroot "$d/runroot" --storage-driver vfs)
	RFS=$d/rootfs
}

# pm_cleanup: every container of the test's podman, then cni_cleanup (as
# root), or rootless podman's pause process (as the user)
pm_cleanup() {
	timeout 60 "${PM[@]}" rm -af -t 0 >/dev/null 2>&1
	if [ "$MODE" = user ]; then
		local p; p=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null)
		[ -n "$p" ] && grep -q '^podman' "/proc/$p/comm" 2>/dev/null && kill -9 "$p"
		return 0
	fi
	cni_cleanup
}

# in_rootless CMD...: run CMD in rootless podman's network namespace (the
# plugin's "host"), with the test's netcell directories
in_rootless() {
	timeout 20 "${PM[@]}" unshare --rootless-netns env NETCELL_STATE_DIR="$NETCELL_STATE_DIR" \
		NETCELL_RUNTIME_DIR="$NETCELL_RUNTIME_DIR" "$@"
}

# pm_user: t_cni_podman with rootless podman
pm_user() {
	local web=${PFX}web hp id ca out i
	cni_init
	export XDG_RUNTIME_DIR=$T/xdg
	mkdir -p -m 700 "$XDG_RUNTIME_DIR"
	pm_init
	trap pm_cleanup EXIT
	pm_web "$web"; hp=$HP; id=$ID; ca=$CA
	in_rootless ip -o link show "$BR" >/dev/null || fail "no bridge $BR in the rootless netns"
	# the published port from the host's loopback (through rootlessport)
	for _ in $(seq 1 50); do http 127.0.0.1 "$hp" >/dev/null && break; sleep 0.1; done
	http 127.0.0.1 "$hp" >/dev/null || fail "127.0.0.1:$hp does not reach the container"
	# the firewall: a generation of the keeper in the rootless netns
	out=$(in_rootless "$NC" fw history "cni-${id:0:12}") || fail "fw history of the container's cell: $out"
	echo "$out" | grep -qE "^1 +\* +nft .*$web.nft" || fail "generation 1 from $web.nft not in force: $out"
	in_rootless python3 -c "import socket; socket.create_connection(('$ca', 80), 2)" ||
		fail "port 80 of the container is not reachable in the rootless netns"
	in_rootless python3 -c "import socket; socket.create_connection(('$ca', 81), 2)" 2>/dev/null &&
		fail "the firewall did not drop port 81"
	"${PM[@]}" rm -f -t 0 "$web" >/dev/null || fail "podman rm -f"
	[ -z "$(ls "$T/cnistate/$NET" 2>/dev/null)" ] || fail "state left: $(ls "$T/cnistate/$NET")"
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -E '^[0-9]')" ] || fail "IPAM lease left"
	[ -e "$NETCELL_STATE_DIR/cells/cni-${id:0:12}.conf" ] && fail "the container's cell outlived it"
	# two networks, one published port (rootlessport reaches the container
	# in the rootless netns, where the two networks' ADDs shared the port)
	local hp2 n=$(( $$ % 200 + 20 ))
	hp2=$(free_port) || fail "no free port"
	printf '{"cniVersion": "1.0.0", "name": "%sm", "plugins": [{"type": "netcell", "bridge": "%sc",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.234.%s.0/24"}]], "dataDir": "%s/ipam"},
 "capabilities": {"portMappings": true}}]}\n' "$PFX" "$PFX" "$n" "$T" >"$T/pm/net.d/${PFX}m.conflist"
	"${PM[@]}" run -d --name "${PFX}two" --network "$NET,${PFX}m" -p "$hp2:80" --rootfs "$RFS" httpd -f -p 80 -h /www \
		>"$T/pm.out" 2>&1 || fail "podman run on two networks: $(cat "$T/pm.out")"
	for _ in $(seq 1 50); do http 127.0.0.1 "$hp2" >/dev/null && break; sleep 0.1; done
	http 127.0.0.1 "$hp2" >/dev/null || fail "two networks: 127.0.0.1:$hp2 does not reach the container"
	"${PM[@]}" rm -f -t 0 "${PFX}two" >/dev/null || fail "podman rm -f of the two-network container"
	[ -z "$(ls "$T/cnistate/$NET" "$T/cnistate/${PFX}m" 2>/dev/null)" ] || fail "state left: $(ls -R "$T/cnistate")"
	[ -z "$(ls "$T/ipam/$NET" "$T/ipam/${PFX}m" 2>/dev/null | grep -E '^[0-9]')" ] || fail "IPAM leases left"
	pm_ten
	[ "$(for i in $(seq 1 10); do pm_addr "${PFX}p$i"; done | sort -u | grep -c "^$SUB\.")" = 10 ] ||
		fail "10 containers have not 10 addresses of $SUB.0/24"
	timeout 60 "${PM[@]}" rm -f -t 0 $(for i in $(seq 1 10); do echo "${PFX}p$i"; done) >/dev/null ||
		fail "podman rm -f of the 10"
	[ -z "$(ls "$T/cnistate/$NET" 2>/dev/null)" ] || fail "state left: $(ls "$T/cnistate/$NET")"
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -E '^[0-9]')" ] || fail "IPAM leases left"
	return 0
}

# http [NS] ADDR PORT: GET /cgi-bin/peer, print the client address it
# reports (busybox httpd says [::ffff:A.B.C.D] for IPv4), 2 s at most
http() {
	local pre=()
	[ $# = 3 ] && { pre=(nsenter --net="/run/netns/$1"); shift; }
	"${pre[@]}" python3 -c "
import urllib.request
b=urllib.request.urlopen('http://$1:$2/cgi-bin/peer', timeout=2).read().decode()
print(b.strip('[]').replace('::ffff:', ''))" 2>/dev/null
}

# pm_addr NAME: the container's IPv4 address on eth0
pm_addr() {
	"${PM[@]}" exec "$1" ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1
}

# pm_web NAME: a container with busybox httpd on 80 and 81, port 80
# published on a free host port, the firewall file NAME.nft dropping 81;
# sets HP, ID (container id) and CA (its address)
pm_web() {
	HP=$(free_port) || fail "no free port"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/$1.nft"
	"${PM[@]}" run -d --name "$1" --network "$NET" -p "$HP:80" --rootfs "$RFS" \
		sh -c 'httpd -p 81 -h /www; exec httpd -f -p 80 -h /www' >"$T/pm.out" 2>&1 ||
		fail "podman run ($MODE): $(cat "$T/pm.out")"
	ID=$("${PM[@]}" inspect -f '{{.Id}}' "$1")
	CA=$(pm_addr "$1")
	case "$CA" in "$SUB".*) ;; *) fail "the container's address '$CA' is not from $SUB.0/24" ;; esac
}

# pm_ten: containers PFXp1..PFXp10 with busybox httpd, started at once
pm_ten() {
	local i p pids=""
	for i in $(seq 1 10); do
		"${PM[@]}" run -d --name "${PFX}p$i" --network "$NET" --rootfs "$RFS" httpd -f -p 80 -h /www \
			>"$T/pm$i.out" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a parallel podman run failed: $(cat "$T"/pm*.out | grep -m1 -i error)"; done
}

# pm_wait_http ADDR PORT: wait up to 5 s for the container's server
pm_wait_http() {
	for _ in $(seq 1 50); do http "$1" "$2" >/dev/null && return 0; sleep 0.1; done
	return 1
}

# As root: podman on the host's network.  As the user: rootless podman,
# which runs the CNI plugins inside a network namespace of its own (the
# "rootless netns", slirp4netns its uplink, reached with podman unshare
# --rootless-netns); published ports come in through podman's rootlessport.
t_cni_podman() {
	if [ "$MODE" = user ]; then pm_user; return; fi
	cni_begin
	pm_init
	trap pm_cleanup EXIT
	local wn=${PFX}w kn=${PFX}k web=${PFX}web hp id ca out
	NSS="$wn $kn"
	side "$wn" "$W"; side "$kn" "$K"
	serve "$wn" 8000
	pm_web "$web"; hp=$HP; id=$ID; ca=$CA
	pm_wait_http "$ca" 80 || fail "the container's server does not answer at $ca:80"
	# out through the NAT
	out=$("${PM[@]}" exec "$web" nc "$W.2" 8000 </dev/null) || fail "the container cannot reach the world"
	[ "$out" = "$W.1" ] || fail "the world saw '$out', not the host's address"
	# -p HOSTPORT:80 from the host's loopback and from a client namespace
	out=$(http 127.0.0.1 "$hp") || fail "127.0.0.1:$hp does not reach the container"
	[ "$out" = "$SUB.1" ] || fail "a loopback client arrives as '$out', not as the bridge's address"
	out=$(http "$kn" "$K.1" "$hp") || fail "the client namespace cannot reach $K.1:$hp"
	[ "$out" = "$K.2" ] || fail "the container saw '$out', not the client's address $K.2"
	# the container's firewall (firewallDir/NAME.nft), a netcell generation
	http "$ca" 81 >/dev/null && fail "the firewall did not drop port 81"
	out=$($NC fw history "cni-${id:0:12}") || fail "fw history of the container's cell: $out"
	echo "$out" | grep -qE "^1 +\* +nft .*$web.nft" || fail "generation 1 from $web.nft not in force: $out"
	# podman rm -f leaves nothing
	"${PM[@]}" rm -f -t 0 "$web" >/dev/null || fail "podman rm -f"
	$NC list | grep -q "cni-${id:0:12}" && fail "the container's cell outlived it"
	http 127.0.0.1 "$hp" >/dev/null && fail "the published port outlived the container"
	cni_nothing_left
	# 10 containers started at once
	local i
	pm_ten
	for i in $(seq 1 10); do
		ca=$(pm_addr "${PFX}p$i")
		pm_wait_http "$ca" 80 || fail "container $i ($ca) does not answer"
	done
	[ "$(for i in $(seq 1 10); do pm_addr "${PFX}p$i"; done | sort -u | wc -l)" = 10 ] ||
		fail "10 containers have not 10 addresses"
	timeout 60 "${PM[@]}" rm -f -t 0 $(for i in $(seq 1 10); do echo "${PFX}p$i"; done) >/dev/null ||
		fail "podman rm -f of the 10"
	cni_nothing_left
	return 0
}

# The Kubernetes manifest, as files (no cluster here): the YAML parses into
# the objects named, the install script is valid sh, and its conflist with a
# pod CIDR put in is one the plugin accepts (a CHECK that gets past the
# configuration to "no such container", code 3, not 7).
t_cni_k8s_manifest() {
	local y=$TOP/deploy/kubernetes/netcell-cni.yaml
	export NETCELL_CNI_STATE_DIR="$T/cnistate"
	python3 - "$y" "$T" <<'PY' || fail "manifest: see above"
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet", "ServiceAccount"], kinds
cm = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
open(sys.argv[2] + "/install.sh", "w").write(cm["install.sh"])
c = json.loads(cm["10-netcell.conflist"].replace("__POD_CIDR__", "10.244.7.0/24"))
p = c["plugins"][0]
assert p["type"] == "netcell" and p["capabilities"]["portMappings"]
p["cniVersion"], p["name"] = c["cniVersion"], c["name"]
json.dump(p, open(sys.argv[2] + "/k8s.json", "w"))
ds = next(d for d in docs if d["kind"] == "DaemonSet")
mounts = {m["mountPath"] for m in ds["spec"]["template"]["spec"]["initContainers"][0]["volumeMounts"]}
assert {"/host/opt/cni/bin", "/host/etc/cni/net.d"} <= mounts, mounts
PY
	sh -n "$T/install.sh" || fail "install.sh is not valid sh"
	cni_code 3 CHECK k8spod /proc/self/ns/net "$T/k8s.json"
}

# The container's cell across keeper crashes: a new keeper takes the
# adopted namespace back by its /run/netns binding (the firewall stays as
# it was); once the binding is gone (as after a reboot) the cell is
# forgotten, never made anew, and the runtime's namespace is left alone.
cni_keeper_crash_body() {
	cni_begin
	local c1=${PFX}c1 cell=cni-crashcontain out kp
	ip netns add "$c1"; NSS="$c1"; IDS="crashcontainer1"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/web.nft"
	cni_conf "$T/conf.json"
	cni_ok ADD crashcontainer1 "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	kp=$(keeper_pid); [ -n "$kp" ] || fail "no keeper holds the container's cell"
	kill -9 "$kp"; gone "$kp" || fail "the keeper did not die"
	out=$($NC fw history "$cell" 2>/dev/null) || fail "the container's cell is gone after a keeper crash"
	echo "$out" | grep -qE '^1 +\* +nft .*web.nft' || fail "generation 1 not in force after the crash: $out"
	ip netns exec "$c1" nft list ruleset | grep -q 'dport 81 drop' || fail "the container lost its firewall"
	cni_ok CHECK crashcontainer1 "/run/netns/$c1" "$T/conf.json"
	kp=$(keeper_pid); kill -9 "$kp"; gone "$kp" || fail "the keeper did not die"
	umount "/run/netns/$cell" && rm "/run/netns/$cell" || fail "cannot remove the binding"
	$NC list >"$T/list" 2>&1 || fail "list after the binding went: $(cat "$T/list")"
	grep -q "$cell" "$T/list" && fail "a cell whose namespace binding is gone was made anew: $(cat "$T/list")"
	ip netns exec "$c1" nft list ruleset | grep -q 'dport 81 drop' || fail "the runtime's namespace was touched"
	cni_ok DEL crashcontainer1 "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_keeper_crash() { in_mode cni_keeper_crash_body; }

# Both families from host-local, and the runtime's "ips" and "mac"
# capabilities: the address asked for, the MAC asked for, a default route
# per family, a port published over IPv6 (the host's own connection to
# the bridge's IPv6 address, DNATed by pm6).  IPv6 forwarding is the
# host's to switch on (docs/cni.md), so no IPv6 traffic crosses the host.
cni_dual_stack_body() {
	cni_begin
	local c1=${PFX}c1 hp v6=fd00:231:$(( $$ % 200 + 20 )) out
	ip netns add "$c1"; NSS="$c1"; IDS="dual"
	hp=$(free_port) || fail "no free port"
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "netcell", "bridge": "%s",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}], [{"subnet": "%s::/64"}]], "dataDir": "%s/ipam"},
 "runtimeConfig": {"ips": ["%s.77/24"], "mac": "02:aa:bb:cc:dd:ee",
  "portMappings": [{"hostPort": %s, "containerPort": 80, "protocol": "tcp"}]}}\n' \
		"$NET" "$BR" "$SUB" "$v6" "$T" "$SUB" "$hp" >"$T/conf.json"
	cni_ok ADD dual "/run/netns/$c1" "$T/conf.json"
	ip -n "$c1" -o addr show dev eth0 | grep -q "inet $SUB.77/24" || fail "not the address asked for (ips): $(ip -n "$c1" -o addr)"
	ip -n "$c1" -o -6 addr show dev eth0 | grep -q "inet6 $v6::" || fail "no IPv6 address from $v6::/64"
	ip -n "$c1" -o link show eth0 | grep -q 'link/ether 02:aa:bb:cc:dd:ee' || fail "not the MAC asked for (mac)"
	ip -n "$c1" -6 route | grep -q "^default via $v6::1 dev eth0" || fail "no IPv6 default route: $(ip -n "$c1" -6 route)"
	[ "$(jq_py 'len(r["ips"])')" = 2 ] || fail "the result has not two addresses: $(cat "$T/cni.out")"
	ip -n "$c1" link set lo up
	nsenter --net="/run/netns/$c1" python3 -c "
import socket,time
s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::',80)); s.listen(4); s.settimeout(20)
c,p=s.accept(); c.sendall(p[0].encode()); c.close()" >/dev/null 2>&1 &
	SRV="$SRV $!"
	for _ in $(seq 1 50); do nsenter --net="/run/netns/$c1" ss -Htln 'sport = :80' | grep -q . && break; sleep 0.05; done
	out=$(python3 -c "
import socket; c=socket.create_connection(('$v6::1',$hp),2); print(c.recv(64).decode())" 2>&1) ||
		fail "[$v6::1]:$hp does not reach the container: $out"
	[ "$out" = "$v6::1" ] || fail "the container saw '$out', not the host's address $v6::1"
	cni_ok CHECK dual "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL dual "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_dual_stack() { in_mode cni_dual_stack_body; }

# --- conformance --------------------------------------------------------

# cni_result_ok VERSION NETNS: the last ADD's result, field by field, as
# the spec of VERSION shapes it (after PREV interfaces of an earlier plugin)
# and as the kernel has it: prints "HOSTIF HOSTMAC CMAC ADDRESS"
cni_result_ok() {
	python3 - "$T/cni.out" "$1" "$2" "$BR" "$SUB" "${3:-0}" <<'PY' || fail "the $1 result is not as the spec says: $(cat "$T/cni.out")"
import json, sys
r = json.load(open(sys.argv[1])); v, ns, br, sub, prev = sys.argv[2:]; prev = int(prev)
assert r["cniVersion"] == v, "cniVersion"
i = r["interfaces"]
assert len(i) == prev + 3, "interfaces"
assert i[prev]["name"] == br and "sandbox" not in i[prev], "the bridge"
assert i[prev + 1]["name"].startswith("ncv") and "sandbox" not in i[prev + 1], "the host end"
assert len(i[prev + 1]["mac"]) == 17, "the host end's mac"
assert i[prev + 2]["name"] == "eth0" and i[prev + 2]["sandbox"] == ns, "the container's end"
assert len(i[prev + 2]["mac"]) == 17, "the container's mac"
ip = r["ips"][-1]
assert ip["address"].startswith(sub + ".") and ip["address"].endswith("/24"), "address"
assert ip["gateway"] == sub + ".1", "gateway"
assert ip["interface"] == prev + 2, "interface index"
assert ("version" in ip) == v.startswith("0."), "version key (0.3.x/0.4.0 only)"
for f in i[prev:]:
    assert ("mtu" in f) == (v == "1.1.0"), "mtu key (1.1.0 only)"
    assert not set(f) - {"name", "mac", "mtu", "sandbox"}, "an interface key the spec has not"
assert ip.get("version", "4") == "4", "version value"
assert {"dst": "0.0.0.0/0", "gw": sub + ".1"} in r["routes"], "default route"
assert isinstance(r.get("dns", {}), dict), "dns"
print(i[prev + 1]["name"], i[prev + 1]["mac"], i[prev + 2]["mac"], ip["address"], i[prev + 2].get("mtu", "-"), i[prev + 1].get("mtu", "-"), i[prev].get("mtu", "-"))
PY
}

# Each version the plugin announces: ADD's result field by field and as the
# kernel has it (1.1.0: each interface's mtu, the kernel's), CHECK (0.4.0
# and later; code 1 before), DEL leaving nothing.  A version the plugin
# does not announce (1.2.0) is refused with code 1 by every verb and makes
# nothing, and so are STATUS and GC of a 1.0.0 configuration; an error
# object carries the configuration's version (1.1.0).
# host-local here speaks up to 1.0.0: a 1.1.0 configuration reaches it as
# 1.0.0 (its lease is taken and released).  Not first in a chain: an earlier
# plugin's prevResult comes first, ours follow with shifted indexes, its
# dns is kept; a prevResult with a list that is not a list fails ADD (7),
# and one that is not even an object does not stop DEL.
cni_versions_body() {
	cni_begin
	local c1=${PFX}c1 v out hif hmac cmac addr cmtu hmtu bmtu
	ip netns add "$c1"; NSS="$c1"
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		cni_conf "$T/conf.json"; sed -i "s/\"1.0.0\"/\"$v\"/" "$T/conf.json"
		IDS="ver-$v"
		cni_ok ADD "ver-$v" "/run/netns/$c1" "$T/conf.json"
		read -r hif hmac cmac addr cmtu hmtu bmtu <<<"$(cni_result_ok "$v" "/run/netns/$c1")"
		if [ "$v" = 1.1.0 ]; then
			ip -n "$c1" -o link show eth0 | grep -q " mtu $cmtu " || fail "1.1.0: eth0's mtu is not $cmtu: $(ip -n "$c1" -o link show eth0)"
			ip -o link show "$hif" | grep -q " mtu $hmtu " || fail "1.1.0: $hif's mtu is not $hmtu"
			ip -o link show "$BR" | grep -q " mtu $bmtu " || fail "1.1.0: $BR's mtu is not $bmtu"
			ls "$T/ipam/$NET" | grep -qx "${addr%/*}" || fail "1.1.0: host-local holds no lease of $addr: $(ls "$T/ipam/$NET")"
		fi
		ip -o link show "$hif" | grep -q "link/ether $hmac .*master $BR\|master $BR .*link/ether $hmac" ||
			fail "$v: the host end $hif ($hmac) is not on $BR: $(ip -o link show "$hif")"
		ip -n "$c1" -o link show eth0 | grep -q "link/ether $cmac" || fail "$v: eth0 has not the MAC $cmac"
		ip -n "$c1" -o addr show dev eth0 | grep -q "inet $addr" || fail "$v: eth0 has not $addr"
		[ "$(jq_py 'r["interfaces"][0]["mac"]')" = "$(ip -o link show "$BR" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" ] ||
			fail "$v: the bridge's mac in the result is not the bridge's"
		case $v in
		0.3.*) cni_code 1 CHECK "ver-$v" "/run/netns/$c1" "$T/conf.json" ;;
		*) cni_ok CHECK "ver-$v" "/run/netns/$c1" "$T/conf.json" ;;
		esac
		cni_ok DEL "ver-$v" "/run/netns/$c1" "$T/conf.json"
		cni_nothing_left
	done
	# the network's own "dns" is the result's (as with the bridge plugin)
	IDS="dns"
	cni_conf "$T/conf.json" '"dns": {"nameservers": ["10.99.0.53"], "search": ["example.test"]}'
	cni_ok ADD dns "/run/netns/$c1" "$T/conf.json"
	[ "$(jq_py 'r["dns"]')" = "{'nameservers': ['10.99.0.53'], 'search': ['example.test']}" ] ||
		fail "the network's dns is not in the result: $(cat "$T/cni.out")"
	cni_ok DEL dns "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	# a version not announced (1.2.0): refused by each verb, nothing made
	cni_conf "$T/conf.json"; sed -i 's/"1.0.0"/"1.2.0"/' "$T/conf.json"
	for v in ADD CHECK DEL STATUS GC; do cni_code 1 "$v" v12 "/run/netns/$c1" "$T/conf.json"; done
	ip -n "$c1" -o link | grep -q eth0 && fail "a 1.2.0 ADD made eth0"
	cni_nothing_left
	# STATUS and GC are 1.1.0's: with a 1.0.0 configuration, 1
	cni_conf "$T/conf.json"
	cni_code 1 STATUS v10 "/run/netns/$c1" "$T/conf.json"
	cni_conf "$T/conf.json" "$(valid)"
	cni_code 1 GC v10 "/run/netns/$c1" "$T/conf.json"
	grep -q 'GC needs cniVersion 1.1.0, not 1.0.0' "$T/cni.out" || fail "GC of 1.0.0 does not say it needs 1.1.0: $(cat "$T/cni.out")"
	# an error object carries the configuration's version, 1.1.0 included
	cni_conf "$T/conf.json" '"mtu": 5'; sed -i 's/"1.0.0"/"1.1.0"/' "$T/conf.json"
	cni_code 7 ADD v11 "/run/netns/$c1" "$T/conf.json"
	[ "$(jq_py 'r["cniVersion"], sorted(r)')" = "1.1.0 ['cniVersion', 'code', 'msg']" ] ||
		fail "a 1.1.0 error object is not {cniVersion, code, msg}: $(cat "$T/cni.out")"
	cni_nothing_left
	# after another plugin of the chain
	IDS="chained"
	cni_conf "$T/conf.json" '"prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "lo", "sandbox": "/run/netns/'"$c1"'"}],
 "ips": [{"address": "10.99.0.9/32", "interface": 0}], "dns": {"nameservers": ["10.99.0.53"]}}'
	cni_ok ADD chained "/run/netns/$c1" "$T/conf.json"
	cni_result_ok 1.0.0 "/run/netns/$c1" 1 >/dev/null
	[ "$(jq_py 'r["interfaces"][0]["name"], r["ips"][0]["address"], r["ips"][0]["interface"], r["dns"]["nameservers"]')" = \
	  "lo 10.99.0.9/32 0 ['10.99.0.53']" ] || fail "the earlier plugin's result is not kept: $(cat "$T/cni.out")"
	cni_ok CHECK chained "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL chained "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	# broken prevResults
	cni_conf "$T/bad.json" '"prevResult": {"cniVersion": "1.0.0", "interfaces": {"name": "lo"}}'
	cni_code 7 ADD chained "/run/netns/$c1" "$T/bad.json"
	grep -q 'prevResult: \\"interfaces\\" must be a list' "$T/cni.out" || fail "the error does not name the broken list: $(cat "$T/cni.out")"
	cni_nothing_left
	cni_conf "$T/conf.json"
	cni_conf "$T/bad.json" '"prevResult": "garbage"'
	cni_ok ADD chained "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL chained "/run/netns/$c1" "$T/bad.json"
	ip -n "$c1" -o link | grep -q eth0 && fail "DEL with a broken prevResult left eth0"
	cni_nothing_left
	return 0
}
t_cni_versions() { in_mode cni_versions_body; }

# cni_drift WHAT TEXT: CHECK fails with 104 and a message naming TEXT
cni_drift() {
	local msg
	cni_code 104 CHECK drift "/run/netns/${PFX}c1" "$T/conf.json"
	msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["msg"])' "$T/cni.out")
	case "$msg" in *"$2"*) ;; *) fail "CHECK after $1 does not say '$2': $msg" ;; esac
}

# CHECK against each piece of an attachment removed or changed behind the
# plugin's back, each put back after (and CHECK passing again shows the
# putting back is complete): the container's interface down, its route,
# the host end down and off the bridge, the bridge down, its gateway
# address, a DNAT entry, the bridge's entry in the table, the table's
# rules (the next container's ADD puts them back), the host end, the
# bridge.  Then DEL still leaves nothing.
cni_check_drift_body() {
	cni_begin
	local c1=${PFX}c1 hp hif addr
	ip netns add "$c1"; NSS="$c1"; IDS="drift"
	hp=$(free_port) || fail "no free port"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok ADD drift "/run/netns/$c1" "$T/conf.json"
	hif=$(jq_py 'r["interfaces"][1]["name"]'); addr=$(jq_py 'r["ips"][0]["address"]')
	cni_ok CHECK drift "/run/netns/$c1" "$T/conf.json"
	ip -n "$c1" link set eth0 down
	cni_drift "eth0 set down" "interface eth0 is down in the container"
	ip -n "$c1" link set eth0 up; ip -n "$c1" route replace default via "$SUB.1" dev eth0
	ip -n "$c1" route del default
	cni_drift "the default route removed" "route default via $SUB.1 is missing"
	ip -n "$c1" route add default via "$SUB.1" dev eth0
	ip link set "$hif" down
	cni_drift "the host end set down" "host interface $hif is down"
	ip link set "$hif" up; ip link set "$hif" nomaster
	cni_drift "the host end taken off the bridge" "host interface $hif is not on bridge"
	ip link set "$hif" master "$BR"; ip link set "$BR" down
	cni_drift "the bridge set down" "bridge \"$BR\" is down"
	ip link set "$BR" up; ip addr del "$SUB.1/24" dev "$BR"
	cni_drift "the gateway address removed" "gateway address $SUB.1/24 is missing on bridge"
	ip addr add "$SUB.1/24" dev "$BR"
	nft delete element inet netcell_cni pm4 "{ tcp . $hp }"
	cni_drift "the DNAT entry removed" "pm4 { tcp . $hp }"
	nft add element inet netcell_cni pm4 "{ tcp . $hp : ${addr%/*} . 80 }"
	nft delete element inet netcell_cni brs "{ \"$BR\" }"
	cni_drift "the bridge's entry removed" "brs { \"$BR\" }"
	nft add element inet netcell_cni brs "{ \"$BR\" }"
	cni_ok CHECK drift "/run/netns/$c1" "$T/conf.json"
	nft flush chain inet netcell_cni ports
	cni_drift "the DNAT rules flushed" "chain inet netcell_cni ports changed"
	# the next container's ADD puts the table's rules back
	ip netns add "${PFX}c2"; NSS="$NSS ${PFX}c2"; IDS="$IDS drift2"
	cni_conf "$T/conf2.json"
	cni_ok ADD drift2 "/run/netns/${PFX}c2" "$T/conf2.json"
	cni_ok CHECK drift "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL drift2 "/run/netns/${PFX}c2" "$T/conf2.json"
	ip link del "$hif"
	cni_drift "the host end deleted" "host interface $hif is missing"
	ip link del "$BR"
	cni_drift "the bridge deleted" "bridge \"$BR\" is missing"
	cni_ok DEL drift "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_check_drift() { in_mode cni_check_drift_body; }

# DEL in every state a runtime may call it in: never added (with and
# without CNI_NETNS); after a "reboot" (the state directory kept, links,
# table and namespaces gone); with CNI_ARGS that are not KEY=VALUE (the
# lease is released all the same: host-local refuses such arguments);
# after an ADD that failed because CNI_IFNAME was another's interface.
cni_del_cases_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 hp
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2"; IDS="reb1 reb2 args"
	hp=$(free_port) || fail "no free port"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok DEL never "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL never "" "$T/conf.json"
	cni_nothing_left
	cni_ok ADD reb1 "/run/netns/$c1" "$T/conf.json"
	cni_conf "$T/conf2.json"
	cni_ok ADD reb2 "/run/netns/$c2" "$T/conf2.json"
	# the "reboot": everything the kernel held goes, the files stay
	ip netns del "$c1"; ip netns del "$c2"
	for _ in $(seq 1 40); do ip -o link | grep -q ' ncv' || break; sleep 0.05; done
	ip link del "$BR"; nft delete table inet netcell_cni
	[ "$(ls "$T/cnistate/$NET" | wc -l)" = 2 ] || fail "the state of two containers is not there"
	cni_ok DEL reb1 "/run/netns/$c1" "$T/conf.json"
	cni_ok DEL reb2 "" "$T/conf2.json"
	cni_nothing_left
	ip netns add "$c1"
	cni_ok ADD args "/run/netns/$c1" "$T/conf2.json"
	cni_ok DEL args "/run/netns/$c1" "$T/conf2.json" CNI_ARGS="garbage"
	cni_nothing_left
	# CNI_IFNAME taken in the container by an interface that is not ours:
	# ADD fails, and neither its undoing nor the runtime's DEL touch it
	local mac
	ip -n "$c1" link add eth0 type veth peer name "${PFX}x" || fail "cannot make the container's own eth0"
	mac=$(ip -n "$c1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*')
	cni_code 100 ADD taken "/run/netns/$c1" "$T/conf2.json"
	cni_ok DEL taken "/run/netns/$c1" "$T/conf2.json"
	[ "$(ip -n "$c1" -o link show eth0 2>/dev/null | grep -o 'link/ether [0-9a-f:]*')" = "$mac" ] ||
		fail "the container's own eth0 was deleted by the failed ADD or the DEL"
	cni_nothing_left
	return 0
}
t_cni_del_cases() { in_mode cni_del_cases_body; }

# Input a runtime or a user may get wrong: each is one error object with
# the code for it, and leaves nothing (no link, entry, state or lease).
cni_bad_input_body() {
	cni_begin
	local c1=${PFX}c1 hp a
	ip netns add "$c1"; NSS="$c1"; IDS="bad"
	hp=$(free_port) || fail "no free port"
	cni_conf "$T/conf.json"
	for a in "garbage" "IgnoreUnknown=1;;K8S_POD_NAME=x" "=x" "FOO=1" "IgnoreUnknown=1;MAC=$(printf 'a%.0s' $(seq 1 40))" \
		 "IgnoreUnknown=1;NETCELL_FIREWALL=$(printf 'a%.0s' $(seq 1 300))"; do
		cni_code 4 ADD bad "/run/netns/$c1" "$T/conf.json" CNI_ARGS="$a"
		grep -q 'CNI_ARGS' "$T/cni.out" || fail "the error does not name CNI_ARGS: $(cat "$T/cni.out")"
	done
	for a in '{"hostPort": '"$hp"'}' '[{"hostPort": "80", "containerPort": 80}]' \
		 '[{"hostPort": '"$hp"', "containerPort": 80, "protocol": "sctp"}]' \
		 '[{"hostPort": '"$hp"', "containerPort": 0}]' \
		 '[{"hostPort": '"$hp"', "containerPort": 80}, {"hostPort": '"$hp"', "containerPort": 81, "hostIP": "0.0.0.0"}]' \
		 '[{"hostPort": '"$hp"', "containerPort": 80, "hostIP": "::1"}]' \
		 '[{"hostPort": '"$hp"', "containerPort": 80, "hostIP": "localhost"}]'; do
		cni_conf "$T/pm.json" '"runtimeConfig": {"portMappings": '"$a"'}'
		cni_code 7 ADD bad "/run/netns/$c1" "$T/pm.json"
		grep -q 'portMappings' "$T/cni.out" || fail "the error does not name portMappings: $(cat "$T/cni.out")"
	done
	for a in '"mtu": 10' '"bridge": 5' '"isGateway": "yes"' '"ipam": "host-local"'; do
		cni_conf "$T/k.json" "$a"
		cni_code 7 ADD bad "/run/netns/$c1" "$T/k.json"
	done
	sed 's/"name": "[^"]*"/"name": "bad\/name"/' "$T/conf.json" >"$T/k.json"
	cni_code 7 ADD bad "/run/netns/$c1" "$T/k.json"
	ip -n "$c1" -o link | grep -q eth0 && fail "a refused ADD made eth0"
	cni_nothing_left
	# unknown keys pass with IgnoreUnknown, as podman and the kubelet send them
	cni_ok ADD bad "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x;FOO=bar"
	cni_ok DEL bad "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x;FOO=bar"
	cni_nothing_left
	# "UDP" as Kubernetes spells it
	cni_conf "$T/pm.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80, "protocol": "UDP"}]}'
	cni_ok ADD bad "/run/netns/$c1" "$T/pm.json"
	nft list map inet netcell_cni pm4 | grep -q "udp . $hp :" || fail "the UDP mapping is not in pm4: $(nft list map inet netcell_cni pm4)"
	cni_ok DEL bad "/run/netns/$c1" "$T/pm.json"
	cni_nothing_left
	return 0
}
t_cni_bad_input() { in_mode cni_bad_input_body; }

# --- several networks ---------------------------------------------------

# cni_net2: a second network (bridge BR2, SUB2) in $T/conf2n.json, with the
# same port mapping as $T/conf.json when $1 is given; its cleanup
cni_net2() {
	local n=$(( $$ % 200 + 20 )) pm=""
	BR2="${PFX}c"; NET2="${PFX}m"; SUB2="10.234.$n"
	ip -4 route | grep -qE "^10\.234\.$n\." && fail "a route of the host uses $SUB2 already"
	[ -n "${1:-}" ] && pm=', "runtimeConfig": {"portMappings": [{"hostPort": '"$1"', "containerPort": 80}]}'
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "netcell", "bridge": "%s",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "dataDir": "%s/ipam"}%s}\n' \
		"$NET2" "$BR2" "$SUB2" "$T" "$pm" >"$T/conf2n.json"
	trap 'cni_net2_cleanup; cni_cleanup' EXIT
}
cni_net2_cleanup() {
	local id
	for id in $IDS2; do cni DEL "$id" "" "$T/conf2n.json" CNI_IFNAME=eth1 >/dev/null 2>&1; done
	ip link del "$BR2" 2>/dev/null
	return 0
}

# cni_net2_left: nothing of the second network is left
cni_net2_left() {
	ip link show "$BR2" >/dev/null 2>&1 && fail "bridge $BR2 is left"
	[ -z "$(ls "$T/ipam/$NET2" 2>/dev/null | grep -E '^[0-9]')" ] || fail "IPAM leases of $NET2 left: $(ls "$T/ipam/$NET2")"
	return 0
}

# One container on two networks (podman --network a,b): both give it a
# default route (the second after the first, by metric) and the same port
# mapping (published through the first; the second takes it over when the
# first is deleted, as podman network disconnect does); CHECK passes on
# both.  Then 10 containers on both networks at once, ADDs and DELs: every
# lease, bridge port and table entry consistent, nothing left.
cni_two_networks_body() {
	cni_begin
	local c1=${PFX}c1 hp i out
	hp=$(free_port) || fail "no free port"
	cni_net2 "$hp"
	ip netns add "$c1"; NSS="$c1"; IDS="two"; IDS2="two"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok ADD two "/run/netns/$c1" "$T/conf.json"
	cni_ok ADD two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	[ "$(jq_py 'r["interfaces"][2]["name"], r["ips"][0]["interface"]')" = "eth1 2" ] || fail "the second result: $(cat "$T/cni.out")"
	ip -n "$c1" route show default | grep -q "^default via $SUB.1 dev eth0 *$" ||
		fail "the first network's default route is not first: $(ip -n "$c1" route show default)"
	ip -n "$c1" route show default | grep -q "^default via $SUB2.1 dev eth1 .*metric 1" ||
		fail "the second network's default route is missing: $(ip -n "$c1" route show default)"
	cni_ok CHECK two "/run/netns/$c1" "$T/conf.json"
	cni_ok CHECK two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	ip -n "$c1" link set lo up
	serve "$c1" 80
	out=$(peer 127.0.0.1 "$hp") || fail "127.0.0.1:$hp does not reach the container"
	[ "$out" = "$SUB.1" ] || fail "the port is not published through the first network: the container saw $out"
	cni_ok DEL two "/run/netns/$c1" "$T/conf.json"
	out=$(peer 127.0.0.1 "$hp") || fail "127.0.0.1:$hp no longer reaches the container after the first network went"
	[ "$out" = "$SUB2.1" ] || fail "the port did not move to the second network: the container saw $out"
	ip -n "$c1" route show default | grep -q "via $SUB2.1 dev eth1" || fail "no default route left: $(ip -n "$c1" route)"
	cni_ok CHECK two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	peer 127.0.0.1 "$hp" >/dev/null && fail "the port still answers after both DELs"
	cni_nothing_left; cni_net2_left
	# 10 containers x 2 networks, all at once
	cni_net2
	cni_conf "$T/conf.json"
	local pids="" p n=10
	for i in $(seq 1 $n); do ip netns add "${PFX}p$i"; NSS="$NSS ${PFX}p$i"; IDS="$IDS par$i"; IDS2="$IDS2 par$i"; done
	for cmd in ADD DEL; do
		pids=""
		for i in $(seq 1 $n); do
			env CNI_COMMAND=$cmd CNI_CONTAINERID="par$i" CNI_NETNS="/run/netns/${PFX}p$i" CNI_IFNAME=eth0 \
				CNI_PATH=/usr/lib/cni timeout 60 "$CNIBIN" <"$T/conf.json" >"$T/a$i.out" 2>&1 &
			pids="$pids $!"
			env CNI_COMMAND=$cmd CNI_CONTAINERID="par$i" CNI_NETNS="/run/netns/${PFX}p$i" CNI_IFNAME=eth1 \
				CNI_PATH=/usr/lib/cni timeout 60 "$CNIBIN" <"$T/conf2n.json" >"$T/b$i.out" 2>&1 &
			pids="$pids $!"
		done
		for p in $pids; do wait "$p" || fail "a concurrent $cmd failed: $(cat "$T"/[ab]*.out | grep -m1 msg)"; done
		[ $cmd = DEL ] && break
		[ "$(ip -o link show master "$BR" | wc -l) $(ip -o link show master "$BR2" | wc -l)" = "$n $n" ] ||
			fail "the bridges have not $n ports each"
		[ "$(for i in $(seq 1 $n); do ip -n "${PFX}p$i" -4 -o addr | awk '/eth[01]/ {print $4}'; done | sort -u | wc -l)" = $((2 * n)) ] ||
			fail "$n containers have not $((2 * n)) distinct addresses"
		[ "$(nft -j list set inet netcell_cni masq4 | python3 -c 'import json,sys; print(len([e for o in json.load(sys.stdin)["nftables"] if "set" in o for e in o["set"].get("elem", [])]))')" = $((2 * n)) ] ||
			fail "the masquerade set has not $((2 * n)) addresses: $(nft list set inet netcell_cni masq4)"
		for i in $(seq 1 $n); do
			cni_ok CHECK "par$i" "/run/netns/${PFX}p$i" "$T/conf.json"
			cni_ok CHECK "par$i" "/run/netns/${PFX}p$i" "$T/conf2n.json" CNI_IFNAME=eth1
		done
	done
	cni_nothing_left; cni_net2_left
	return 0
}
t_cni_two_networks() { in_mode cni_two_networks_body; }

# --- podman with a chain of the standard plugins -------------------------

# pm_chain_cleanup: the test's containers and links, and the standard
# plugins' own iptables chains when the test made them (firewall, portmap
# leave their skeleton behind after the last container)
pm_chain_cleanup() {
	pm_cleanup
	ip link del "$BR2" 2>/dev/null
	local ipt c
	for ipt in iptables ip6tables; do
		if [ "$IPT_HAD" = 0 ]; then
			$ipt -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null
			for c in CNI-FORWARD CNI-ADMIN; do $ipt -F $c 2>/dev/null; $ipt -X $c 2>/dev/null; done
		fi
		if [ "$NAT_HAD" = 0 ]; then
			$ipt -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
			$ipt -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
			$ipt -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ 2>/dev/null
			for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do $ipt -t nat -F $c 2>/dev/null; $ipt -t nat -X $c 2>/dev/null; done
		fi
	done
	return 0
}

# pm_chain_left ADDR: nothing of a container at ADDR is left: netcell's
# links, table, state and leases, and the chain plugins' rules for it
pm_chain_left() {
	cni_nothing_left
	iptables -S 2>/dev/null | grep -q -- "-d $1/32" && fail "the firewall plugin's rule for $1 is left"
	iptables -t nat -S 2>/dev/null | grep -q -- "CNI-DN-" && fail "portmap's DNAT chain is left: $(iptables -t nat -S | grep CNI-DN-)"
	return 0
}

# pm_udp_echo NETNS: in the container's namespace, a UDP server on 81
# answering each datagram with the sender's address (bounded: 40 s)
pm_udp_echo() {
	nsenter --net="$1" python3 -c "
import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('0.0.0.0',81)); s.settimeout(40)
end=time.time()+40
while time.time()<end:
    try: d,p=s.recvfrom(100); s.sendto(p[0].encode(),p)
    except Exception: break" >/dev/null 2>&1 &
	SRV="$SRV $!"
	for _ in $(seq 1 50); do nsenter --net="$1" ss -Hluan 'sport = :81' | grep -q . && return 0; sleep 0.05; done
	fail "no UDP server in the container"
}

# udp_peer ADDR PORT: one datagram, print the answer (2 s)
udp_peer() {
	python3 -c "
import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b'x',('$1',$2)); print(s.recvfrom(100)[0].decode())" 2>/dev/null
}

# podman 4.3 with netcell first in a chain of Debian's standard plugins:
# tuning (the MTU; not a sysctl: Debian's tuning 1.1 once failed to open
# /proc/sys/net/ipv4/conf/eth0 of the container, a flake of its own), bandwidth (a qdisc on the host end), firewall
# (iptables), portmap (given the port mappings too: both DNATs lead to the
# same address); netcell's own firewall file for the container (its cell,
# generation 1, the rules in the container).  -p tcp, udp and one on hostIP 127.0.0.1, reached from the
# host's loopback and a client namespace (the hostIP one only from
# loopback); restart, network reload after the table was deleted, stop,
# start, rm: after each, what should be there is, and nothing more.  Then
# a container on two networks with a published port, one network
# disconnected: the port still answers.
# modes t_cni_podman_chain: root
# (rootless podman carries published ports through its rootlessport, not
# the plugins' DNAT, and the firewall and portmap plugins' rules live in its
# rootless namespace: neither what is checked here exists there; rootless
# podman itself is t_cni_podman's user mode)
t_cni_podman_chain() {
	cni_begin
	pm_init
	local kn=${PFX}k web=${PFX}web hp hu hl ns ca out hif id n
	IPT_HAD=$(iptables -S 2>/dev/null | grep -c 'CNI-FORWARD')
	NAT_HAD=$(iptables -t nat -S 2>/dev/null | grep -c 'CNI-HOSTPORT')
	cni_net2
	trap pm_chain_cleanup EXIT
	NSS="$kn"; side "$kn" "$K"
	hp=$(free_port) && hu=$(free_port) && hl=$(free_port) || fail "no free port"
	cat >"$T/pm/net.d/$NET.conflist" <<CONF
{"cniVersion": "0.4.0", "name": "$NET", "plugins": [
 {"type": "netcell", "bridge": "$BR", "firewallDir": "$T/fw",
  "ipam": {"type": "host-local", "ranges": [[{"subnet": "$SUB.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$T/ipam"},
  "capabilities": {"portMappings": true, "ips": true, "mac": true}},
 {"type": "tuning", "mtu": 1400},
 {"type": "bandwidth", "ingressRate": 1000000000, "ingressBurst": 10000000, "egressRate": 1000000000, "egressBurst": 10000000},
 {"type": "firewall", "backend": "iptables"},
 {"type": "portmap", "capabilities": {"portMappings": true}}]}
CONF
	printf '{"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "netcell", "bridge": "%s",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "dataDir": "%s/ipam"},
 "capabilities": {"portMappings": true}}]}\n' "$NET2" "$BR2" "$SUB2" "$T" >"$T/pm/net.d/$NET2.conflist"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/$web.nft"
	"${PM[@]}" run -d --name "$web" --network "$NET" -p "$hp:80" -p "$hu:81/udp" -p "127.0.0.1:$hl:80" \
		--rootfs "$RFS" httpd -f -p 80 -h /www >"$T/pm.out" 2>&1 || fail "podman run: $(cat "$T/pm.out")"
	# pm_up: the container as the chain made it, its ports answering
	pm_up() {
		ns=$("${PM[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' "$web")
		ca=$(pm_addr "$web")
		case "$ca" in "$SUB".*) ;; *) fail "$1: the container's address '$ca' is not from $SUB.0/24" ;; esac
		pm_wait_http "$ca" 80 || fail "$1: the container's server does not answer"
		[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "$1: the bridge has not one port: $(ip -o link show master "$BR")"
		hif=$(ip -o link show master "$BR" | awk -F'[ :@]+' '{print $2}')
		nsenter --net="$ns" ip -o link show eth0 | grep -q 'mtu 1400' || fail "$1: tuning's MTU is not on eth0"
		tc qdisc show dev "$hif" | grep -q tbf || fail "$1: bandwidth's qdisc is not on $hif: $(tc qdisc show dev "$hif")"
		out=$($NC fw history "cni-${id:0:12}") || fail "$1: fw history of the container's cell: $out"
		echo "$out" | grep -qE "^1 +\* +nft .*$web.nft" || fail "$1: generation 1 from $web.nft not in force: $out"
		nsenter --net="$ns" nft list ruleset | grep -q 'tcp dport 81 drop' || fail "$1: the container's firewall is not loaded"
		iptables -S CNI-FORWARD | grep -q -- "-d $ca/32" || fail "$1: the firewall plugin has no rule for $ca"
		[ "$(ls "$T/cnistate/$NET" | wc -l) $(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = "1 1" ] ||
			fail "$1: not one state file and one lease: $(ls "$T/cnistate/$NET" "$T/ipam/$NET")"
		out=$(http 127.0.0.1 "$hp") || fail "$1: 127.0.0.1:$hp does not answer"
		[ "$out" = "$SUB.1" ] || fail "$1: a loopback client arrives as '$out'"
		out=$(http "$kn" "$K.1" "$hp") || fail "$1: the client namespace cannot reach $K.1:$hp"
		[ "$out" = "$K.2" ] || fail "$1: the container saw '$out', not the client's $K.2"
		out=$(http 127.0.0.1 "$hl") || fail "$1: 127.0.0.1:$hl (hostIP 127.0.0.1) does not answer"
		http "$kn" "$K.1" "$hl" >/dev/null && fail "$1: the port published on 127.0.0.1 answers on $K.1"
		pm_udp_echo "$ns"
		out=$(udp_peer 127.0.0.1 "$hu") || fail "$1: udp 127.0.0.1:$hu does not answer"
		[ "$out" = "$SUB.1" ] || fail "$1: a loopback udp client arrives as '$out'"
		return 0
	}
	id=$("${PM[@]}" inspect -f '{{.Id}}' "$web")
	pm_up "run"
	local old=$ca
	"${PM[@]}" restart -t 0 "$web" >/dev/null || fail "podman restart"
	pm_up "restart"
	if [ "$old" != "$ca" ] && iptables -S | grep -q -- "-d $old/32"; then
		fail "restart: the firewall plugin's rule for the old address $old is left"
	fi
	nft delete table inet netcell_cni
	"${PM[@]}" network reload "$web" >/dev/null || fail "podman network reload"
	pm_up "network reload"
	"${PM[@]}" stop -t 0 "$web" >/dev/null || fail "podman stop"
	pm_chain_left "$ca"
	$NC list | grep -q "cni-${id:0:12}" && fail "stop: the container's cell is left"
	"${PM[@]}" start "$web" >/dev/null || fail "podman start"
	pm_up "start"
	"${PM[@]}" rm -f -t 0 "$web" >/dev/null || fail "podman rm -f"
	pm_chain_left "$ca"
	$NC list | grep -q "cni-${id:0:12}" && fail "rm: the container's cell is left"
	# two networks, one port; the network that published it disconnected
	"${PM[@]}" run -d --name "$web" --network "$NET,$NET2" -p "$hp:80" --rootfs "$RFS" httpd -f -p 80 -h /www \
		>"$T/pm.out" 2>&1 || fail "podman run on two networks: $(cat "$T/pm.out")"
	ca=$(pm_addr "$web")
	for _ in $(seq 1 50); do http 127.0.0.1 "$hp" >/dev/null && break; sleep 0.1; done
	http 127.0.0.1 "$hp" >/dev/null || fail "two networks: 127.0.0.1:$hp does not answer"
	n=$(grep -l '^port=' "$T"/cnistate/*/* | xargs -n1 dirname | xargs -n1 basename)
	case "$n" in "$NET"|"$NET2") ;; *) fail "two networks: not one network publishes the port: '$n'" ;; esac
	"${PM[@]}" network disconnect "$n" "$web" >/dev/null || fail "podman network disconnect $n"
	out=$(http 127.0.0.1 "$hp") || fail "two networks: the port went with network $n"
	"${PM[@]}" rm -f -t 0 "$web" >/dev/null || fail "podman rm -f"
	pm_chain_left "$ca"; cni_net2_left
	return 0
}

# A second container must not take the first one's traffic: the same
# static address (a conflist copied), the gateway's address, a gateway
# that is the first one's address (the bridge would take it), the same MAC
# (the runtime's "mac" asked twice) are refused (100, nothing left of the
# second), and the first still answers and passes CHECK.
cni_second_container_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 mac a
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2"; IDS="first second"
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "netcell", "bridge": "%s",
 "ipam": {"type": "static", "addresses": [{"address": "%s.50/24", "gateway": "%s.1"}]}}\n' \
		"$NET" "$BR" "$SUB" "$SUB" >"$T/static.json"
	sed "s/$SUB\\.50/$SUB.1/" "$T/static.json" >"$T/gw.json"
	sed "s/$SUB\\.50/$SUB.60/; s/$SUB\\.1\"/$SUB.50\"/" "$T/static.json" >"$T/gwfirst.json"
	cni_conf "$T/conf.json"
	cni_ok ADD first "/run/netns/$c1" "$T/static.json"
	# CHECK as a runtime sends it: with ADD's result (static IPAM needs it)
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["prevResult"]=json.load(open(sys.argv[2]))
json.dump(c, open(sys.argv[3], "w"))' "$T/static.json" "$T/cni.out" "$T/check.json"
	mac=$(ip -n "$c1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	cni_code 100 ADD second "/run/netns/$c2" "$T/static.json"
	grep -q "address $SUB.50/24 is that of container first" "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	cni_code 100 ADD second "/run/netns/$c2" "$T/gw.json"
	grep -q "is the gateway's" "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	# the other way round: the second one's gateway is the first one's address
	cni_code 100 ADD second "/run/netns/$c2" "$T/gwfirst.json"
	grep -q "gateway $SUB.50 is the address of container first" "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	cni_code 100 ADD second "/run/netns/$c2" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;MAC=$mac"
	grep -q "MAC $mac is that of container first" "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	ip -n "$c2" -o link | grep -q eth0 && fail "a refused second container got eth0"
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -E '^[0-9]')" ] || fail "a refused container kept its lease: $(ls "$T/ipam/$NET")"
	[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "a refused container left a port on the bridge"
	cni_ok CHECK first "/run/netns/$c1" "$T/check.json"
	serve - 7998
	[ "$(peer "$c1" "$SUB.1" 7998)" = "$SUB.50" ] || fail "the first container no longer reaches the host"
	cni_ok DEL first "/run/netns/$c1" "$T/static.json"
	cni_nothing_left
	return 0
}
t_cni_second_container() { in_mode cni_second_container_body; }

# An ADD killed half-way (a runtime's timeout: here the keeper is stopped
# while the plugin waits for it to adopt the container's namespace), then
# the runtime's DEL: nothing of that container is left, its host port
# above all, and the first container is untouched.
cni_killed_add_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 hp1 hp2 kp pid
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2"; IDS="alive killed"
	hp1=$(free_port) && hp2=$(free_port) || fail "no free port"
	[ "$hp1" = "$hp2" ] && fail "free_port gave one port twice"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; }\n}\n' >"$T/fw/open.nft"
	cni_conf "$T/conf1.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp1"', "containerPort": 80}]}'
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp2"', "containerPort": 80}]}'
	cni_ok ADD alive "/run/netns/$c1" "$T/conf1.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=open.nft"
	kp=$(keeper_pid); [ -n "$kp" ] || fail "no keeper holds the first container's cell"
	kill -STOP "$kp"
	env CNI_COMMAND=ADD CNI_CONTAINERID=killed CNI_NETNS="/run/netns/$c2" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=open.nft" "$CNIBIN" <"$T/conf.json" >"$T/killed.out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do nft list map inet netcell_cni pm4 2>/dev/null | grep -q "tcp . $hp2 :" && break; sleep 0.05; done
	nft list map inet netcell_cni pm4 | grep -q "tcp . $hp2 :" || { kill -CONT "$kp"; fail "the second ADD did not get as far as its port: $(cat "$T/killed.out")"; }
	sleep 0.3
	kill -9 "$pid"; wait "$pid" 2>/dev/null
	kill -CONT "$kp"
	cni_ok DEL killed "/run/netns/$c2" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=open.nft"
	nft list map inet netcell_cni pm4 | grep -q "tcp . $hp2 :" && fail "the killed ADD's host port $hp2 is left taken"
	ip -n "$c2" -o link | grep -q eth0 && fail "the killed ADD's eth0 is left"
	[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "the killed ADD's host end is left"
	[ "$(ls "$T/cnistate/$NET")" = "alive-eth0" ] || fail "state left: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 1 ] || fail "the killed ADD's lease is left: $(ls "$T/ipam/$NET")"
	$NC list | grep -q cni-killed && fail "the killed ADD's cell is left"
	cni_ok CHECK alive "/run/netns/$c1" "$T/conf1.json"
	cni_ok DEL alive "/run/netns/$c1" "$T/conf1.json"
	cni_nothing_left
	return 0
}
t_cni_killed_add() { in_mode cni_killed_add_body; }

# A container on two networks that both name a firewall: one namespace has
# one ruleset, so the two attachments share one cell (the second ADD used
# to fail adopting a cell that existed); the cell goes with the last of
# them; two different files are refused (7) and leave nothing.
cni_two_networks_firewall_body() {
	cni_begin
	local c1=${PFX}c1 out
	cni_net2
	ip netns add "$c1"; NSS="$c1"; IDS="fwtwo"; IDS2="fwtwo"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/web.nft"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 82 drop; }\n}\n' >"$T/fw/other.nft"
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["firewallDir"]=sys.argv[2]; json.dump(c, open(sys.argv[1], "w"))' \
		"$T/conf2n.json" "$T/fw"
	cni_conf "$T/conf.json"
	cni_ok ADD fwtwo "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	cni_code 7 ADD fwtwo "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1 CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=other.nft"
	grep -q 'one ruleset' "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	ip -n "$c1" -o link | grep -q eth1 && fail "the refused ADD made eth1"
	cni_ok ADD fwtwo "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1 CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	out=$($NC fw history cni-fwtwo) || fail "fw history of the container's cell: $out"
	echo "$out" | grep -qE '^1 +\* +nft .*web.nft' || fail "generation 1 from web.nft not in force: $out"
	cni_ok CHECK fwtwo "/run/netns/$c1" "$T/conf.json"
	cni_ok CHECK fwtwo "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL fwtwo "/run/netns/$c1" "$T/conf.json"
	$NC list | grep -q cni-fwtwo || fail "the cell went with the first network, the second still names it"
	cni_ok CHECK fwtwo "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL fwtwo "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	$NC list | grep -q cni-fwtwo && fail "the cell outlived the container's last network"
	cni_nothing_left; cni_net2_left
	return 0
}
t_cni_two_networks_firewall() { in_mode cni_two_networks_firewall_body; }

# ho_pm4 PORT: is host port PORT in the table's map of published ports
ho_pm4() { nft list map inet netcell_cni pm4 2>/dev/null | grep -q "tcp \. $1 :"; }

# A port handed over when a container's first network goes, and the
# hand-over fails: the port is left unpublished, the waiting network's
# record still says "waiting" (its CHECK says the port is missing), and its
# DEL leaves no entry behind.  (1) The record cannot be written (its
# directory made writable by others, which netcell refuses): the port used
# to be published all the same and then stay taken for good.  Another
# container keeps the table alive, so a left entry shows.
cni_handover_fail_body() {
	cni_begin
	local c1=${PFX}c1 c2=${PFX}c2 hp hp2
	hp=$(free_port) && hp2=$(free_port) || fail "no free port"
	[ "$hp" = "$hp2" ] && fail "free_port gave one port twice"
	cni_net2 "$hp"
	ip netns add "$c1"; ip netns add "$c2"; NSS="$c1 $c2"; IDS="ho keep"; IDS2="ho"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_conf "$T/keep.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp2"', "containerPort": 80}]}'
	cni_ok ADD keep "/run/netns/$c2" "$T/keep.json"
	cni_ok ADD ho "/run/netns/$c1" "$T/conf.json"
	cni_ok ADD ho "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	chmod 0777 "$T/cnistate/$NET2"
	cni DEL ho "/run/netns/$c1" "$T/conf.json"; local rc=$?
	chmod 0700 "$T/cnistate/$NET2"
	[ $rc = 0 ] || fail "DEL of the first network failed: $(cat "$T/cni.out" "$T/cni.err")"
	ho_pm4 "$hp" && fail "host port $hp is published though the waiting network's record could not take it"
	grep -q "host port tcp/$hp stays unpublished" "$T/cni.err" || fail "the failed hand-over is not said: $(cat "$T/cni.err")"
	cni_code 104 CHECK ho "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	grep -q "host port tcp/$hp is published by none" "$T/cni.out" || fail "CHECK does not say the port is missing: $(cat "$T/cni.out")"
	cni_ok DEL ho "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	ho_pm4 "$hp" && fail "host port $hp is left taken after the container's last DEL"
	ho_pm4 "$hp2" || fail "the other container's port $hp2 went too"
	cni_ok CHECK keep "/run/netns/$c2" "$T/keep.json"
	# (2) publishing fails (the map of ports replaced by one of another
	# type): nothing changed, route_localnet of the waiting network's
	# bridge included (nc_cni_ports_add() set it before failing), and the
	# record says "waiting" again
	cni_ok ADD ho "/run/netns/$c1" "$T/conf.json"
	cni_ok ADD ho "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR2/route_localnet")" = 0 ] || fail "route_localnet of $BR2 is set before any port leads there"
	nft flush chain inet netcell_cni ports && nft delete map inet netcell_cni pm4 &&
		nft add map inet netcell_cni pm4 '{ type ipv4_addr : ipv4_addr; }' || fail "cannot replace map pm4"
	cni_ok DEL ho "/run/netns/$c1" "$T/conf.json"
	grep -q "host port tcp/$hp stays unpublished" "$T/cni.err" || fail "the failed hand-over is not said: $(cat "$T/cni.err")"
	[ "$(cat "/proc/sys/net/ipv4/conf/$BR2/route_localnet")" = 0 ] || fail "a failed hand-over left route_localnet of $BR2 set"
	grep -qx "portw=tcp $hp 80 -" "$T/cnistate/$NET2/ho-eth1" || fail "the record does not say waiting again: $(cat "$T/cnistate/$NET2/ho-eth1")"
	grep -q "^port=" "$T/cnistate/$NET2/ho-eth1" && fail "the record says published: $(cat "$T/cnistate/$NET2/ho-eth1")"
	cni_ok DEL ho "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL keep "/run/netns/$c2" "$T/keep.json"
	cni_nothing_left; cni_net2_left
	return 0
}
t_cni_handover_fail() { in_mode cni_handover_fail_body; }

# A second network of a container mapping the same host port to another
# container port: refused (7) naming both mappings, nothing of it made
# (before, ADD succeeded, the mapping was never installed and CHECK passed).
cni_port_remap_body() {
	cni_begin
	local c1=${PFX}c1 hp
	hp=$(free_port) || fail "no free port"
	cni_net2 "$hp"
	ip netns add "$c1"; NSS="$c1"; IDS="remap"; IDS2="remap"
	sed 's/"containerPort": 80/"containerPort": 81/' "$T/conf2n.json" >"$T/remap.json"
	cni_conf "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok ADD remap "/run/netns/$c1" "$T/conf.json"
	cni_code 7 ADD remap "/run/netns/$c1" "$T/remap.json" CNI_IFNAME=eth1
	grep -q "host port tcp/$hp leads to container port 80 .* maps it to 81" "$T/cni.out" ||
		fail "the refusal does not name both mappings: $(cat "$T/cni.out")"
	ip -n "$c1" -o link | grep -q eth1 && fail "the refused ADD made eth1"
	[ -z "$(ls "$T/ipam/$NET2" 2>/dev/null | grep -E '^[0-9]')" ] || fail "the refused ADD kept its lease: $(ls "$T/ipam/$NET2")"
	[ -e "$T/cnistate/$NET2/remap-eth1" ] && fail "the refused ADD left its state file"
	# the same container port is fine: it waits
	cni_ok ADD remap "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok CHECK remap "/run/netns/$c1" "$T/conf.json"
	cni_ok CHECK remap "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL remap "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL remap "/run/netns/$c1" "$T/conf.json"
	cni_nothing_left; cni_net2_left
	return 0
}
t_cni_port_remap() { in_mode cni_port_remap_body; }

# A long pod name: firewallDir/POD_NAME.nft of a 250-character name is the
# pod's firewall (it used to be cut in a 256-byte buffer, and the pod ran
# without it); a 253-character name (Kubernetes allows it) cannot have
# such a file and is error 4, as is an annotation naming a file too long
# (7): never a pod silently left without its firewall.
cni_long_pod_name_body() {
	cni_begin
	local c1=${PFX}c1 pod long out
	ip netns add "$c1"; NSS="$c1"; IDS="longpod"
	pod=$(printf 'p%.0s' $(seq 1 250)); long=$(printf 'q%.0s' $(seq 1 253))
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/$pod.nft"
	cni_conf "$T/conf.json"
	cni_ok ADD longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$pod"
	out=$($NC fw history cni-longpod 2>&1) || fail "the pod's firewall file was not applied: $out"
	# (fw history shows the start of a source this long)
	echo "$out" | grep -qE "^1 +\* +nft .*/fw/pppppppppp" || fail "generation 1 from $pod.nft not in force: $out"
	cni_ok CHECK longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$pod"
	cni_ok DEL longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$pod"
	$NC list | grep -q cni-longpod && fail "DEL left the pod's cell"
	cni_nothing_left
	cni_code 4 ADD longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$long"
	grep -q 'K8S_POD_NAME .* is too long for its firewall file' "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	cni_ok DEL longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=$long"
	ip -n "$c1" -o link | grep -q eth0 && fail "the refused ADD made eth0"
	cni_nothing_left
	cni_conf "$T/ann.json" '"runtimeConfig": {"io.kubernetes.cri.pod-annotations": {"netcell.io/firewall": "'"$long$long"'"}}'
	cni_code 7 ADD longpod "/run/netns/$c1" "$T/ann.json"
	grep -q 'netcell.io/firewall is longer than' "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	cni_ok DEL longpod "/run/netns/$c1" "$T/ann.json"
	cni_nothing_left
	# a firewallDir of 600 characters on two networks of the container:
	# records are read back whole (lines were read in 512 bytes, and the
	# second network's same file was refused as another one)
	local d="$T/$(printf 'n%.0s' $(seq 1 200))/$(printf 'm%.0s' $(seq 1 200))/$(printf 'o%.0s' $(seq 1 200))"
	mkdir -p "$d" && cp "$T/fw/$pod.nft" "$d/web.nft" || fail "cannot make $d"
	cni_net2
	IDS2="longpod"
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["firewallDir"]=sys.argv[2]; json.dump(c, open(sys.argv[1], "w"))' "$T/conf2n.json" "$d"
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["firewallDir"]=sys.argv[2]; json.dump(c, open(sys.argv[1], "w"))' "$T/conf.json" "$d"
	cni_ok ADD longpod "/run/netns/$c1" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	cni_ok ADD longpod "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1 CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	cni_ok CHECK longpod "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL longpod "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	cni_ok DEL longpod "/run/netns/$c1" "$T/conf.json"
	$NC list | grep -q cni-longpod && fail "DEL left the pod's cell"
	cni_nothing_left; cni_net2_left
	cni_code 4 ADD longpod "/run/netns/$c1" "$T/conf.json" NETCELL_CNI_STATE_DIR="$d/$(printf 's%.0s' $(seq 1 500))"
	grep -q 'NETCELL_CNI_STATE_DIR is longer than' "$T/cni.out" || fail "the refusal does not say why: $(cat "$T/cni.out")"
	return 0
}
t_cni_long_pod_name() { in_mode cni_long_pod_name_body; }

# --- CNI 1.1.0: STATUS and GC ------------------------------------------

# cni_conf11 FILE [MEMBERS]: cni_conf with cniVersion 1.1.0
cni_conf11() {
	cni_conf "$@"
	sed -i 's/"cniVersion": "1.0.0"/"cniVersion": "1.1.0"/' "$1"
}

# valid ID[/IFNAME]...: a cni.dev/valid-attachments member keeping each
# (IFNAME eth0 when not given)
valid() {
	local a id ifn sep="" out='"cni.dev/valid-attachments": ['
	for a in "$@"; do
		id=${a%%/*}; ifn=eth0; [ "$a" != "$id" ] && ifn=${a#*/}
		out="$out$sep{\"containerID\": \"$id\", \"ifname\": \"$ifn\"}"; sep=", "
	done
	echo "$out]"
}

# host_view: what GC must bring back as it was before the first ADD:
# links, addresses (an IPv6 address's "tentative" while DAD runs aside),
# nftables, records, leases.  As the user (a namespace
# of the test's own) all of it; as root (the host is shared with other
# tests) the lines of this test's names and table inet netcell_cni
host_view() {
	if [ "$MODE" = root ]; then
		ip -o link | grep -E " (ncv|$PFX)" | cut -d' ' -f2-3
		ip -o addr | grep -E " (ncv|$PFX)" | cut -d' ' -f2- | sed 's/ tentative//'
		nft list table inet netcell_cni 2>&1
	else
		ip -o link | cut -d' ' -f2-3
		ip -o addr | cut -d' ' -f2- | sed 's/ tentative//'
		nft list ruleset
	fi
	find "$T/cnistate" -mindepth 1 ! -name lock 2>/dev/null | sort
	find "$T/ipam" -type f 2>/dev/null | grep -E '/[0-9a-f.:]+$' | sort
}

# c7ipam_install: $T/cnibin/c7ipam, an IPAM plugin that speaks 1.1.0 for
# the delegation paths (Debian 12's host-local 1.1.1 speaks up to 1.0.0):
# host-local underneath for ADD, DEL and CHECK; STATUS and GC logged in
# $T/cnibin/log, GC releasing host-local's leases of attachments not in
# the list as host-local 1.5 does; a file $T/cnibin/fail-CMD makes CMD
# fail, with the code the file holds.  As c7ipam10 it speaks up to 1.0.0
# only.  Sets IPAMPATH, the CNI_PATH that finds it.
c7ipam_install() {
	mkdir -p "$T/cnibin"
	cat >"$T/cnibin/c7ipam" <<'PY'
#!/usr/bin/env python3
import json, os, subprocess, sys
me = os.path.dirname(os.path.abspath(__file__)); name = os.path.basename(sys.argv[0])
cmd = os.environ.get("CNI_COMMAND", ""); text = sys.stdin.read()
vers = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"] + ([] if name == "c7ipam10" else ["1.1.0"])
def fail(code, msg):
    print(json.dumps({"cniVersion": "1.0.0", "code": code, "msg": msg})); sys.exit(1)
if cmd == "VERSION":
    print(json.dumps({"cniVersion": vers[-1], "supportedVersions": vers})); sys.exit(0)
conf = json.loads(text)
if conf["cniVersion"] not in vers:
    fail(1, name + ": cniVersion " + conf["cniVersion"] + " not supported")
if os.path.exists(os.path.join(me, "fail-" + cmd)):
    fail(int(open(os.path.join(me, "fail-" + cmd)).read() or 11), name + ": " + cmd + " refused on purpose")
if cmd in ("STATUS", "GC"):
    if "1.1.0" not in vers:
        fail(4, name + ": unknown CNI_COMMAND " + cmd)
    with open(os.path.join(me, "log"), "a") as f:
        f.write(cmd + " " + json.dumps(conf.get("cni.dev/valid-attachments")) + "\n")
    if cmd == "GC":
        keep = {(a["containerID"], a["ifname"]) for a in conf["cni.dev/valid-attachments"]}
        d = os.path.join(conf["ipam"]["dataDir"], conf["name"])
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f[0].isdigit():
                owner = open(os.path.join(d, f)).read().split()
                if (owner[0], owner[1] if len(owner) > 1 else os.environ.get("CNI_IFNAME", "")) not in keep:
                    os.remove(os.path.join(d, f))
    sys.exit(0)
conf["cniVersion"] = "1.0.0"
conf["ipam"]["type"] = "host-local"
r = subprocess.run(["/usr/lib/cni/host-local"], input=json.dumps(conf), text=True, capture_output=True)
sys.stdout.write(r.stdout); sys.exit(r.returncode)
PY
	chmod 755 "$T/cnibin/c7ipam"
	ln -sf c7ipam "$T/cnibin/c7ipam10"
	IPAMPATH="$T/cnibin:/usr/lib/cni"
}

# STATUS: ready (exit 0, no output, nothing made: no state directory, no
# link, no table), then each thing ADD needs missing in turn: code 50 with
# what is wrong, and 51 when nftables is what is missing and a container
# is recorded on the network; an IPAM plugin that speaks 1.1.0 is asked
# for its own STATUS and its 50 or 51 passed on; a keeper that holds its
# socket and does not answer (stopped) is 50 for a network with firewalls.
cni_status_body() {
	cni_begin
	local c1=${PFX}c1 before kp
	ip netns add "$c1"; NSS="$c1"
	cni_conf11 "$T/conf.json"
	before=$(host_view)
	cni_net_ok STATUS "$T/conf.json"
	[ -e "$T/cnistate" ] && fail "STATUS made the state directory"
	[ "$(host_view)" = "$before" ] || fail "STATUS changed the host: $(diff <(echo "$before") <(host_view))"
	# each not-ready case: 50, and a message saying what and what to do
	printf '{"cniVersion": "1.1.0", "name": "%s", "type": "netcell", "bridge": "%s"}\n' "$NET" "$BR" >"$T/noipam.json"
	cni_net_code 50 STATUS "$T/noipam.json"
	grep -q 'has no \\"ipam\\"' "$T/cni.out" || fail "STATUS does not say ipam is missing: $(cat "$T/cni.out")"
	cni_conf11 "$T/conf.json"; sed -i 's/"host-local"/"c7nosuch"/' "$T/conf.json"
	cni_net_code 50 STATUS "$T/conf.json"
	grep -q 'c7nosuch.*not found in CNI_PATH' "$T/cni.out" || fail "STATUS does not name the missing IPAM plugin: $(cat "$T/cni.out")"
	cni_conf11 "$T/conf.json" '"firewall": "'"$T/fw/missing.nft"'"'
	cni_net_code 50 STATUS "$T/conf.json"
	grep -q 'missing.nft.*No such file' "$T/cni.out" || fail "STATUS does not name the missing firewall file: $(cat "$T/cni.out")"
	: >"$T/notadir"
	cni_conf11 "$T/conf.json"; sed -i "s|\"firewallDir\": \"$T/fw\"|\"firewallDir\": \"$T/notadir\"|" "$T/conf.json"
	cni_net_code 50 STATUS "$T/conf.json"
	grep -q 'firewallDir.*not a directory' "$T/cni.out" || fail "STATUS does not say firewallDir is no directory: $(cat "$T/cni.out")"
	cni_conf11 "$T/conf.json"
	cni_net_code 50 STATUS "$T/conf.json" NETCELL_CNI_STATE_DIR="$T/notadir"
	grep -q 'state directory .* is not a directory' "$T/cni.out" || fail "STATUS does not name the state directory: $(cat "$T/cni.out")"
	cni_net_code 50 STATUS "$T/conf.json" NETCELL_CNI_STATE_DIR="$T/notadir/sub"
	# nftables refused (no CAP_NET_ADMIN): 50, and 51 once a container is
	# recorded on the network (its NAT and ports live there)
	CNIPRE="setpriv --bounding-set=-net_admin" cni_net_code 50 STATUS "$T/conf.json"
	grep -q 'cannot read the tables of nftables' "$T/cni.out" || fail "STATUS does not say nftables is unusable: $(cat "$T/cni.out")"
	IDS="c7st1"
	cni_ok ADD c7st1 "/run/netns/$c1" "$T/conf.json"
	cni_net_ok STATUS "$T/conf.json"
	CNIPRE="setpriv --bounding-set=-net_admin" cni_net_code 51 STATUS "$T/conf.json"
	cni_ok DEL c7st1 "/run/netns/$c1" "$T/conf.json"
	# an IPAM plugin that speaks 1.1.0: its STATUS is asked, its 50/51 passed on
	c7ipam_install
	cni_conf11 "$T/conf.json"; sed -i 's/"host-local"/"c7ipam"/' "$T/conf.json"
	cni_net_ok STATUS "$T/conf.json" CNI_PATH="$IPAMPATH"
	grep -qx 'STATUS null' "$T/cnibin/log" || fail "the IPAM plugin was not asked for its STATUS: $(cat "$T/cnibin/log")"
	for code in 50 51; do
		echo "$code" >"$T/cnibin/fail-STATUS"
		cni_net_code "$code" STATUS "$T/conf.json" CNI_PATH="$IPAMPATH"
		grep -q 'c7ipam: STATUS refused on purpose' "$T/cni.out" || fail "STATUS does not pass on the IPAM plugin's words: $(cat "$T/cni.out")"
	done
	# one that speaks 1.0.0 has no STATUS: not asked, ready
	rm -f "$T/cnibin/log"
	sed -i 's/"c7ipam"/"c7ipam10"/' "$T/conf.json"
	cni_net_ok STATUS "$T/conf.json" CNI_PATH="$IPAMPATH"
	[ -e "$T/cnibin/log" ] && fail "an IPAM plugin without STATUS was asked for it"
	# the network gives firewalls (firewallDir): a keeper that runs must
	# answer; this test's own keeper, stopped (SIGSTOP), then let go
	cni_conf11 "$T/conf.json"
	$NC list >/dev/null || fail "this test's keeper does not start"
	kp=$(keeper_pid); [ -n "$kp" ] || fail "no keeper pid"
	cni_net_ok STATUS "$T/conf.json"
	kill -STOP "$kp"
	cni_net_code 50 STATUS "$T/conf.json"
	kill -CONT "$kp"
	grep -q 'keeper at .* does not answer within 2000 ms' "$T/cni.out" || fail "STATUS does not say the keeper does not answer: $(cat "$T/cni.out")"
	cni_net_ok STATUS "$T/conf.json"
	cni_nothing_left
	return 0
}
t_cni_status() { in_mode cni_status_body; }

# gc_cleanup: cni_cleanup, and the second network of the GC tests
gc_cleanup() {
	local id
	for id in ${IDS2:-}; do cni DEL "$id" "" "$T/conf2.json" >/dev/null 2>&1; done
	[ -n "${BR2:-}" ] && ip link del "$BR2" 2>/dev/null
	cni_cleanup
}

# gc_addr NS: the container's IPv4 address
gc_addr() { ip -n "$1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }

# GC, as containerd 2 and CRI-O run it: network A with three containers
# (one publishing a port, one with its firewall cell), network B with one.
# GC of A keeping the second (and naming B's and a container never
# added): the other two go wholly (no eth0, veth, record, lease, masquerade
# or port entry, cell; the host port free), the kept one and B's answer
# before and after and their records are byte for byte as they were; GC
# again and GC of B's name keeping B's change nothing; GC of A with the
# empty list takes the last of A and A's bridge, B untouched; GC of B with
# the empty list leaves the host as before the first ADD.  A list that is
# missing or malformed is error 7 and removes nothing.
cni_gc_body() {
	cni_begin
	trap gc_cleanup EXIT
	local a1=${PFX}a1 a2=${PFX}a2 a3=${PFX}a3 b1=${PFX}b1 before hp ca1 ca2 ca3 cb1 ra2 rb1 snap i
	local n=$(( $$ % 200 + 20 )) NET2=${PFX}m SUB2
	BR2=${PFX}d; SUB2=10.234.$n
	ip -4 route | grep -qE "^10\.234\.$n\." && fail "a route of the host uses $SUB2 already"
	for i in $a1 $a2 $a3 $b1; do ip netns add "$i"; ip -n "$i" link set lo up; done
	NSS="$a1 $a2 $a3 $b1"
	before=$(host_view)
	hp=$(free_port) || fail "no free port"
	printf 'table inet filter {\n  chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }\n}\n' >"$T/fw/web.nft"
	cni_conf11 "$T/conf.json"
	cni_conf11 "$T/conf-pm.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	NET=$NET2 BR=$BR2 SUB=$SUB2 cni_conf11 "$T/conf2.json"
	IDS="c7gc-a1-00000 c7gc-a2-00000 c7gc-a3-00000"; IDS2="c7gc-b1-00000"
	cni_ok ADD c7gc-a1-00000 "/run/netns/$a1" "$T/conf-pm.json"
	cni_ok ADD c7gc-a2-00000 "/run/netns/$a2" "$T/conf.json"
	cni_ok ADD c7gc-a3-00000 "/run/netns/$a3" "$T/conf.json" CNI_ARGS="IgnoreUnknown=1;NETCELL_FIREWALL=web.nft"
	cni_ok ADD c7gc-b1-00000 "/run/netns/$b1" "$T/conf2.json"
	ca1=$(gc_addr "$a1"); ca2=$(gc_addr "$a2"); ca3=$(gc_addr "$a3"); cb1=$(gc_addr "$b1")
	for i in $a1 $a2 $b1; do serve "$i" 80; done
	peer 127.0.0.1 "$hp" >/dev/null || fail "the published port does not reach the first container"
	peer "$ca2" 80 >/dev/null || fail "the second container does not answer before GC"
	peer "$cb1" 80 >/dev/null || fail "network B's container does not answer before GC"
	$NC fw history cni-c7gc-a3-0000 >/dev/null || fail "the third container has no firewall cell"
	ra2=$(cat "$T/cnistate/$NET/c7gc-a2-00000-eth0"); rb1=$(cat "$T/cnistate/$NET2/c7gc-b1-00000-eth0")
	# a list missing or malformed: 7, nothing removed
	snap=$(host_view)
	cni_conf11 "$T/gc.json"
	cni_net_code 7 GC "$T/gc.json"
	cni_conf11 "$T/gc.json" '"cni.dev/valid-attachments": [{"containerID": "c7gc-a2-00000"}]'
	cni_net_code 7 GC "$T/gc.json"
	[ "$(host_view)" = "$snap" ] || fail "a refused GC changed the host: $(diff <(echo "$snap") <(host_view))"
	# keep a2 (and B's container, and one never added)
	cni_conf11 "$T/gc.json" "$(valid c7gc-a2-00000 c7gc-b1-00000 c7never)"
	cni_net_ok GC "$T/gc.json"
	for i in $a1 $a3; do ip -n "$i" -o link | grep -q eth0 && fail "GC left eth0 in $i"; done
	[ "$(ls "$T/cnistate/$NET")" = "c7gc-a2-00000-eth0" ] || fail "GC left records: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -E '^[0-9]')" = "$ca2" ] || fail "GC left leases: $(ls "$T/ipam/$NET")"
	[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "GC left ports on $BR: $(ip -o link show master "$BR")"
	nft list set inet netcell_cni masq4 | grep -qwE "$ca1|$ca3" && fail "GC left masquerade entries: $(nft list set inet netcell_cni masq4)"
	nft list map inet netcell_cni pm4 | grep -q "$hp" && fail "GC left the port entry: $(nft list map inet netcell_cni pm4)"
	peer 127.0.0.1 "$hp" >/dev/null && fail "the host port still answers after GC"
	$NC list | grep -q cni-c7gc-a3 && fail "GC left the firewall cell"
	[ "$(cat "$T/cnistate/$NET/c7gc-a2-00000-eth0")" = "$ra2" ] || fail "GC changed the kept container's record"
	[ "$(cat "$T/cnistate/$NET2/c7gc-b1-00000-eth0")" = "$rb1" ] || fail "GC of network A changed network B's record"
	peer "$ca2" 80 >/dev/null || fail "the kept container does not answer after GC"
	peer "$cb1" 80 >/dev/null || fail "network B's container does not answer after GC of A"
	cni_ok CHECK c7gc-a2-00000 "/run/netns/$a2" "$T/conf.json"
	# again: nothing changes; nor does GC of B's name keeping B's container
	snap=$(host_view)
	cni_net_ok GC "$T/gc.json"
	NET=$NET2 BR=$BR2 SUB=$SUB2 cni_conf11 "$T/gc2.json" "$(valid c7gc-b1-00000)"
	cni_net_ok GC "$T/gc2.json"
	[ "$(host_view)" = "$snap" ] || fail "a second GC changed the host: $(diff <(echo "$snap") <(host_view))"
	# the empty list: the last of A goes, A's bridge with it; B stays
	cni_conf11 "$T/gc0.json" "$(valid)"
	cni_net_ok GC "$T/gc0.json"
	ip link show "$BR" >/dev/null 2>&1 && fail "GC left network A's bridge"
	[ -e "$T/cnistate/$NET" ] && fail "GC left network A's records: $(ls "$T/cnistate/$NET")"
	[ "$(cat "$T/cnistate/$NET2/c7gc-b1-00000-eth0")" = "$rb1" ] || fail "GC of A changed B's record"
	peer "$cb1" 80 >/dev/null || fail "network B's container does not answer after A is emptied"
	NET=$NET2 BR=$BR2 SUB=$SUB2 cni_conf11 "$T/gc20.json" "$(valid)"
	cni_net_ok GC "$T/gc20.json"
	[ "$(host_view)" = "$before" ] || fail "the host is not as before the first ADD: $(diff <(echo "$before") <(host_view))"
	ip link show "$BR2" >/dev/null 2>&1 && fail "GC left network B's bridge"
	cni_nothing_left
	return 0
}
t_cni_gc() { in_mode cni_gc_body; }

# GC racing DELs: six containers, then at once a DEL of five and a GC
# keeping the sixth, three rounds; each DEL and the GC succeed, the sixth
# answers and is all that is left (record, lease, bridge port, masquerade
# entry); a DEL of it leaves nothing.
cni_gc_race_body() {
	cni_begin
	local i r p pids c6 n=6
	cni_conf11 "$T/conf.json"
	cni_conf11 "$T/gc.json" "$(valid par6)"
	for i in $(seq 1 $n); do ip netns add "${PFX}p$i"; NSS="$NSS ${PFX}p$i"; IDS="$IDS par$i"; done
	ip -n "${PFX}p6" link set lo up
	for r in 1 2 3; do
		cni_all ADD $n
		pids=""
		for i in $(seq 1 5); do
			env CNI_COMMAND=DEL CNI_CONTAINERID="par$i" CNI_NETNS="/run/netns/${PFX}p$i" CNI_IFNAME=eth0 \
				CNI_PATH=/usr/lib/cni timeout 60 "$CNIBIN" <"$T/conf.json" >"$T/del$i.out" 2>&1 &
			pids="$pids $!"
		done
		env -u CNI_CONTAINERID -u CNI_NETNS -u CNI_IFNAME CNI_COMMAND=GC CNI_PATH=/usr/lib/cni \
			timeout 60 "$CNIBIN" <"$T/gc.json" >"$T/gcr.out" 2>&1 &
		pids="$pids $!"
		for p in $pids; do wait "$p" || fail "round $r: a DEL or the GC failed: $(cat "$T"/del*.out "$T/gcr.out")"; done
		[ -s "$T/gcr.out" ] && fail "round $r: GC printed something: $(cat "$T/gcr.out")"
		[ "$(ls "$T/cnistate/$NET")" = par6-eth0 ] || fail "round $r: records left: $(ls "$T/cnistate/$NET")"
		c6=$(gc_addr "${PFX}p6")
		[ "$(ls "$T/ipam/$NET" | grep -E '^[0-9]')" = "$c6" ] || fail "round $r: leases: $(ls "$T/ipam/$NET")"
		[ "$(ip -o link show master "$BR" | wc -l)" = 1 ] || fail "round $r: bridge ports: $(ip -o link show master "$BR")"
		[ "$(nft list set inet netcell_cni masq4 | grep -oE '10\.231\.[0-9.]+' | sort -u)" = "$c6" ] ||
			fail "round $r: masquerade entries: $(nft list set inet netcell_cni masq4)"
		serve "${PFX}p6" 80
		peer "$c6" 80 >/dev/null || fail "round $r: the kept container does not answer"
		cni_ok DEL par6 "/run/netns/${PFX}p6" "$T/conf.json"
		cni_nothing_left
	done
	return 0
}
t_cni_gc_race() { in_mode cni_gc_race_body; }

# GC's IPAM part: an IPAM plugin that speaks 1.1.0 gets the GC with the
# list (and releases the others' leases); one that does not (as Debian's
# host-local) gets a DEL for each attachment removed.  A DEL that IPAM
# refuses: GC fails with IPAM's code (11 passed on), says the leases are
# kept and the next GC finishes; the records stay; the next GC does finish.
# The IPAM plugin missing: the same, with 7; nothing left in the end.
cni_gc_ipam_body() {
	cni_begin
	local i
	c7ipam_install
	for i in 1 2 3; do ip netns add "${PFX}g$i"; NSS="$NSS ${PFX}g$i"; done
	IDS="c7g1 c7g2 c7g3"
	cni_conf11 "$T/conf.json"; sed -i 's/"host-local"/"c7ipam"/' "$T/conf.json"
	for i in 1 2 3; do cni_ok ADD "c7g$i" "/run/netns/${PFX}g$i" "$T/conf.json" CNI_PATH="$IPAMPATH"; done
	cni_conf11 "$T/gc.json" "$(valid c7g2)"; sed -i 's/"host-local"/"c7ipam"/' "$T/gc.json"
	cni_net_ok GC "$T/gc.json" CNI_PATH="$IPAMPATH"
	grep -qxF 'GC [{"containerID": "c7g2", "ifname": "eth0"}]' "$T/cnibin/log" ||
		fail "the IPAM plugin did not get the GC with the list: $(cat "$T/cnibin/log")"
	[ "$(ls "$T/cnistate/$NET")" = c7g2-eth0 ] || fail "records left: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 1 ] || fail "leases left: $(ls "$T/ipam/$NET")"
	cni_ok DEL c7g2 "/run/netns/${PFX}g2" "$T/conf.json" CNI_PATH="$IPAMPATH"
	cni_nothing_left
	# an IPAM plugin of 1.0.0: a DEL per attachment; refused, then not
	cni_conf11 "$T/conf.json"; sed -i 's/"host-local"/"c7ipam10"/' "$T/conf.json"
	for i in 1 2 3; do cni_ok ADD "c7g$i" "/run/netns/${PFX}g$i" "$T/conf.json" CNI_PATH="$IPAMPATH"; done
	sed -i 's/"c7ipam"/"c7ipam10"/' "$T/gc.json"
	echo 11 >"$T/cnibin/fail-DEL"
	cni_net_code 11 GC "$T/gc.json" CNI_PATH="$IPAMPATH"
	grep -q 'IPAM kept 2 leases.*next GC finishes it' "$T/cni.out" || fail "GC does not say what is left: $(cat "$T/cni.out")"
	for i in 1 3; do ip -n "${PFX}g$i" -o link | grep -q eth0 && fail "the failed GC left eth0 in g$i"; done
	[ "$(ls "$T/cnistate/$NET" | sort | tr '\n' ' ')" = "c7g1-eth0 c7g2-eth0 c7g3-eth0 " ] ||
		fail "the failed GC did not keep the records of the leases it kept: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 3 ] || fail "leases: $(ls "$T/ipam/$NET")"
	rm "$T/cnibin/fail-DEL"
	cni_net_ok GC "$T/gc.json" CNI_PATH="$IPAMPATH"
	[ "$(ls "$T/cnistate/$NET")" = c7g2-eth0 ] || fail "the next GC did not finish: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 1 ] || fail "the next GC left leases: $(ls "$T/ipam/$NET")"
	# the IPAM plugin gone: the links go, lease and record stay; back: done
	cni_ok ADD c7g1 "/run/netns/${PFX}g1" "$T/conf.json" CNI_PATH="$IPAMPATH"
	sed 's/"c7ipam10"/"c7gone"/' "$T/gc.json" >"$T/gcx.json"
	cni_net_code 7 GC "$T/gcx.json" CNI_PATH="$IPAMPATH"
	grep -q 'IPAM kept 1 lease; IPAM plugin .*c7gone.* not found' "$T/cni.out" || fail "GC does not say the IPAM plugin is missing: $(cat "$T/cni.out")"
	ip -n "${PFX}g1" -o link | grep -q eth0 && fail "GC without its IPAM plugin left eth0"
	[ -e "$T/cnistate/$NET/c7g1-eth0" ] || fail "GC without its IPAM plugin dropped the record of the lease it kept"
	cni_net_ok GC "$T/gc.json" CNI_PATH="$IPAMPATH"
	[ "$(ls "$T/cnistate/$NET")" = c7g2-eth0 ] || fail "the next GC did not finish: $(ls "$T/cnistate/$NET")"
	[ "$(ls "$T/ipam/$NET" | grep -cE '^[0-9]')" = 1 ] || fail "the next GC left leases: $(ls "$T/ipam/$NET")"
	cni_ok DEL c7g2 "/run/netns/${PFX}g2" "$T/conf.json" CNI_PATH="$IPAMPATH"
	cni_nothing_left
	return 0
}
t_cni_gc_ipam() { in_mode cni_gc_ipam_body; }

# GC and a container on two networks (podman --network a,b): GC of the
# first network keeping nothing of it hands the published port to the
# second network's attachment, which waited for it, as DEL does: the port
# answers through the second network, its record publishes it, CHECK
# passes; GC of the second network keeping the container changes nothing;
# its DEL leaves nothing.
cni_gc_two_networks_body() {
	cni_begin
	local c1=${PFX}c1 hp out snap
	hp=$(free_port) || fail "no free port"
	cni_net2 "$hp"; sed -i 's/"1.0.0"/"1.1.0"/' "$T/conf2n.json"
	ip netns add "$c1"; NSS="$c1"; IDS="c7two"; IDS2="c7two"
	cni_conf11 "$T/conf.json" '"runtimeConfig": {"portMappings": [{"hostPort": '"$hp"', "containerPort": 80}]}'
	cni_ok ADD c7two "/run/netns/$c1" "$T/conf.json"
	cni_ok ADD c7two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	ip -n "$c1" link set lo up
	serve "$c1" 80
	out=$(peer 127.0.0.1 "$hp") || fail "127.0.0.1:$hp does not reach the container"
	[ "$out" = "$SUB.1" ] || fail "the port is not published through the first network: the container saw $out"
	cni_conf11 "$T/gc.json" "$(valid)"
	cni_net_ok GC "$T/gc.json"
	ip -n "$c1" -o link | grep -q ' eth0' && fail "GC left eth0"
	out=$(peer 127.0.0.1 "$hp") || fail "the port does not answer after GC of the first network"
	[ "$out" = "$SUB2.1" ] || fail "the port did not move to the second network: the container saw $out"
	grep -qx "port=tcp $hp 80 -" "$T/cnistate/$NET2/c7two-eth1" || fail "the second record does not publish the port: $(cat "$T/cnistate/$NET2/c7two-eth1")"
	cni_ok CHECK c7two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cni.dev/valid-attachments"]=[{"containerID": "c7two", "ifname": "eth1"}]; json.dump(c, open(sys.argv[2], "w"))' \
		"$T/conf2n.json" "$T/gc2.json"
	snap=$(host_view)
	cni_net_ok GC "$T/gc2.json"
	[ "$(host_view)" = "$snap" ] || fail "GC of the second network keeping the container changed the host: $(diff <(echo "$snap") <(host_view))"
	cni_ok DEL c7two "/run/netns/$c1" "$T/conf2n.json" CNI_IFNAME=eth1
	peer 127.0.0.1 "$hp" >/dev/null && fail "the port still answers after the last DEL"
	cni_nothing_left; cni_net2_left
	return 0
}
t_cni_gc_two_networks() { in_mode cni_gc_two_networks_body; }
