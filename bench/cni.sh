#!/usr/bin/env bash
# bench/cni.sh - the CNI plugin beside Debian's standard chain, in one run:
#   ADD then DEL of one container, plugin binaries executed with the CNI
#   environment and stdin as a runtime does:
#     netcell (IPAM host-local)  vs  bridge (host-local) + portmap + firewall
#     (the chain's result passed on as prevResult, DEL in reverse order)
#                                                   (target <= 0.5x the chain)
#   throughput of one published port, iperf3 from a client namespace to the
#   host's address: netcell's DNAT vs portmap's     (target >= 1.0x portmap)
# Both networks have one /24 from host-local (10.234.N / 10.235.N: one
# address cannot be a gateway on two bridges at once), the container gets
# the same host number in each (runtimeConfig "ips"), one port mapping.
# A first container stays on each network while the measured one comes and
# goes, as on a host with other containers: the bridge, the table and the
# chain's iptables chains exist already, for both.
# Run as root.  N=runs per round (20), ROUNDS=interleaved rounds, medians
# reported (5), SECS=length of each iperf3 run (3), NCVER=netcell's
# cniVersion (1.0.0; 1.1.0 asks host-local its VERSION first).
# Only namespaces this script makes are reached.
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
NCCNI=${NCCNI:-$TOP/build/cni/netcell}
N=${N:-20}; ROUNDS=${ROUNDS:-5}; SECS=${SECS:-3}
[ "$(id -u)" = 0 ] || { echo "bench/cni.sh: run as root (it makes bridges and namespaces)" >&2; exit 5; }
[ -x "$NCCNI" ] || make -s -j2
for b in bridge host-local portmap firewall; do
	[ -x "/usr/lib/cni/$b" ] || { echo "bench/cni.sh: /usr/lib/cni/$b missing: apt-get install containernetworking-plugins" >&2; exit 5; }
done
. bench/lib.sh

D=$(mktemp -d /tmp/nccnibench.XXXXXX)
X=$(( $$ % 200 + 20 ))
P=ncb$$
A=10.234.$X; B=10.235.$X; K=10.236.$X
export NETCELL_CNI_STATE_DIR=$D/state CNI_PATH=/usr/lib/cni CNI_IFNAME=eth0
HAD_CNI_CHAINS=$( (iptables-save; ip6tables-save) 2>/dev/null | grep -c '^:CNI-' || true)
PIDS=()
. bench/cnilib.sh

cleanup() {
	local p
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for id in nc-anchor nc-bench; do
		CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS= "$NCCNI" <"$D/nc.json" >/dev/null 2>&1
	done
	for id in br-anchor br-bench; do chain DEL $id "" >/dev/null 2>&1; done
	for ns in ${P}n1 ${P}n2 ${P}b1 ${P}b2 ${P}k; do ip netns del "$ns" 2>/dev/null; done
	ip link del ${P}kh 2>/dev/null; ip link del ${P}nb 2>/dev/null; ip link del ${P}bb 2>/dev/null
	# the chain's plugins leave their iptables chains: removed when this
	# script brought them
	chain_leftovers
	rm -rf "$D"
}
trap 'cleanup 2>/dev/null' EXIT

ip -4 route | grep -qE "^(10\.234|10\.235|10\.236)\.$X\." && { echo "bench/cni.sh: a route uses $A, $B or $K" >&2; exit 1; }
nft list table inet netcell_cni >/dev/null 2>&1 && { echo "bench/cni.sh: table inet netcell_cni is in use" >&2; exit 1; }

nc_cycle() {
	CNI_COMMAND=ADD CNI_CONTAINERID=nc-bench CNI_NETNS=/run/netns/${P}n2 "$NCCNI" <"$D/nc2.json" >/dev/null &&
	CNI_COMMAND=DEL CNI_CONTAINERID=nc-bench CNI_NETNS=/run/netns/${P}n2 "$NCCNI" <"$D/nc2.json" >/dev/null
}
chain_cycle() { chain ADD br-bench /run/netns/${P}b2 2 && chain DEL br-bench /run/netns/${P}b2 2; }

for ns in ${P}n1 ${P}n2 ${P}b1 ${P}b2; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
pick() { local p; for _ in $(seq 1 50); do p=$((20000 + RANDOM % 12000)); ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }; done; return 1; }
NP1=$(pick); NP2=$(pick); BP1=$(pick); BP2=$(pick)
ncconf "$D/nc.json" 10 "$NP1"; ncconf "$D/nc2.json" 20 "$NP2"
# anchors: one container stays on each network
CNI_COMMAND=ADD CNI_CONTAINERID=nc-anchor CNI_NETNS=/run/netns/${P}n1 "$NCCNI" <"$D/nc.json" >/dev/null ||
	{ echo "bench/cni.sh: netcell ADD failed" >&2; exit 1; }
prepare_chain 1 br-anchor /run/netns/${P}b1 10 "$BP1" || { echo "bench/cni.sh: the chain's ADD failed" >&2; exit 1; }
prepare_chain 2 br-bench /run/netns/${P}b2 20 "$BP2"
chain DEL br-bench /run/netns/${P}b2 2 || { echo "bench/cni.sh: the chain's DEL failed" >&2; exit 1; }

echo "bench/cni.sh: ADD+DEL of one container, $N per round, $ROUNDS rounds, medians ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
ncs=(); chs=()
for r in $(seq 1 "$ROUNDS"); do
	ncs+=("$(timeit "$N" nc_cycle)") || exit 1
	chs+=("$(timeit "$N" chain_cycle)") || exit 1
done
row "ADD+DEL, one port mapping" "$(med "${ncs[@]}")" "$(med "${chs[@]}")" "bridge+host-local+portmap+firewall" 0.5

# throughput: iperf3 in the anchor container, a client namespace in front
# of the host reaching HOSTADDR:HOSTPORT.  Each is measured alone, as on a
# host that runs one of them: the other's rules are not on the hooks (the
# chain's leftover iptables chains are removed too, when this script made
# them), so each packet meets only the rules of the one measured.
ip netns add ${P}k; ip -n ${P}k link set lo up
ip link add ${P}kh type veth peer name eth0 netns ${P}k
ip addr add $K.1/24 dev ${P}kh; ip link set ${P}kh up
ip -n ${P}k addr add $K.2/24 dev eth0; ip -n ${P}k link set eth0 up
CNI_COMMAND=DEL CNI_CONTAINERID=nc-anchor CNI_NETNS=/run/netns/${P}n1 "$NCCNI" <"$D/nc.json" >/dev/null
chain DEL br-anchor /run/netns/${P}b1 1; ip link del ${P}bb; chain_leftovers
nc_up() { CNI_COMMAND=ADD CNI_CONTAINERID=nc-anchor CNI_NETNS=/run/netns/${P}n1 "$NCCNI" <"$D/nc.json" >/dev/null; }
nc_down() { CNI_COMMAND=DEL CNI_CONTAINERID=nc-anchor CNI_NETNS=/run/netns/${P}n1 "$NCCNI" <"$D/nc.json" >/dev/null; }
ch_up() { chain ADD br-anchor /run/netns/${P}b1 1; }
ch_down() { chain DEL br-anchor /run/netns/${P}b1 1; ip link del ${P}bb; chain_leftovers; }
# gbit NS PORT: start iperf3 in NS, wait for it through the port, measure
gbit() {
	local s
	ip netns exec "$1" iperf3 -s -1 -p 5201 </dev/null >/dev/null 2>&1 &
	s=$!
	for _ in $(seq 1 50); do ip netns exec "$1" ss -Htln 'sport = :5201' | grep -q . && break; sleep 0.05; done
	ip netns exec ${P}k iperf3 -c $K.1 -p "$2" -t "$SECS" -J |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
	wait "$s" 2>/dev/null
}
nc_round() {
	nc_up || { echo "bench/cni.sh: netcell ADD failed" >&2; exit 1; }
	nt+=("$(gbit ${P}n1 "$NP1")"); nc_down
}
ch_round() {
	ch_up || { echo "bench/cni.sh: the chain's ADD failed" >&2; exit 1; }
	bt+=("$(gbit ${P}b1 "$BP1")"); ch_down
}
# the order alternates: whichever goes second must not always meet a
# warmer (or busier) machine
nt=(); bt=()
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then nc_round; ch_round; else ch_round; nc_round; fi
done
n=$(med "${nt[@]}"); b=$(med "${bt[@]}")
printf '%-34s netcell %8s Gbit/s   %-34s %8s Gbit/s   ratio %5sx (target >= 1.0)\n' \
	"iperf3 through the published port" "$n" "portmap DNAT" "$b" "$(ratio "$n" "$b")"
echo "  each round: netcell ${ncs[*]} ms, chain ${chs[*]} ms; netcell ${nt[*]} Gbit/s, portmap ${bt[*]} Gbit/s"
