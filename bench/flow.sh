# bench/flow.sh - measuring traffic through a forwarder: throughput and CPU
# per GB (iperf3), sequential connections (connrate), interleaved rounds.
# Sourced after bench/lib.sh; uses D (work dir holding connrate), SECS,
# and the maps OWNER[PORT] (the process whose tree forwards PORT) and
# ALL[PORT] (that tree and the servers behind it), which the caller fills.
# tree_ticks PID: CPU time (user+system, clock ticks, all threads) of PID and
# its descendants, less the benchmark's own servers and shells (iperf3,
# connrate, sh): what the forwarder itself spends
tree_ticks() {
	local c t
	t=$(awk '{ sub(/^.*\) /, ""); if ($1 != "") print $12 + $13 }' "/proc/$1/stat" 2>/dev/null) || t=0
	case $(cat "/proc/$1/comm" 2>/dev/null) in iperf3|connrate|sh) t=0 ;; esac
	for c in $(pgrep -P "$1" 2>/dev/null); do t=$((t + $(tree_ticks "$c"))); done
	echo "${t:-0}"
}
# all_ticks PID...: CPU time (clock ticks) of the PIDs and all their
# descendants, nothing left out
all_ticks() {
	local p c t=0 x
	for p in "$@"; do
		x=$(awk '{ sub(/^.*\) /, ""); if ($1 != "") print $12 + $13 }' "/proc/$p/stat" 2>/dev/null)
		t=$((t + ${x:-0}))
		for c in $(pgrep -P "$p" 2>/dev/null); do t=$((t + $(all_ticks "$c"))); done
	done
	echo "$t"
}
# port_free PORT: no TCP socket uses PORT; pick: such a port below the
# kernel's ephemeral range, so no client connection takes it meanwhile
port_free() { ! ss -Htan "sport = :$1" | grep -q .; }
pick() { local p; for _ in $(seq 1 50); do p=$((20000 + RANDOM % 12000)); port_free "$p" && { echo "$p"; return; }; done; return 1; }
HZ=$(getconf CLK_TCK)
# iperf PORT STREAMS: Gbit/s received, the forwarder's CPU seconds per GB
# moved (OWNER[PORT] is the process whose tree forwards PORT), and all
# processes' (the client's, and the trees of ALL[PORT]: forwarder and servers)
iperf() {
	local t0 t1 a0 a1 c
	t0=$(tree_ticks "${OWNER[$1]}"); a0=$(all_ticks ${ALL[$1]})
	c=$(python3 -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w")).returncode
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime)); sys.exit(rc)' "$D/iperf.json" iperf3 -c 127.0.0.1 -p "$1" -t "$SECS" -P "$2" -J)
	t1=$(tree_ticks "${OWNER[$1]}"); a1=$(all_ticks ${ALL[$1]})
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]["sum_received"]
gb = e["bytes"] / 1e9; hz = int(sys.argv[3])
print("%.2f %.3f %.3f" % (e["bits_per_second"] / 1e9, int(sys.argv[2]) / hz / gb, (int(sys.argv[4]) / hz + float(sys.argv[5])) / gb))' "$D/iperf.json" "$((t1 - t0))" "$HZ" "$((a1 - a0))" "$c"
}
# rate PORT: connections/s, and the forwarder's CPU ms per 1,000 connections
rate() {
	local t0 t1 r
	t0=$(tree_ticks "${OWNER[$1]}")
	r=$("$D/connrate" client "$1" "$SECS" | awk '{print $1}')
	t1=$(tree_ticks "${OWNER[$1]}")
	awk -v r="$r" -v t=$((t1 - t0)) -v hz="$HZ" -v s="$SECS" 'BEGIN { printf "%s %.1f", r, (t / hz * 1000) / (r * s / 1000) }'
}
wait_listen() { for _ in $(seq 1 50); do ss -Htln "sport = :$1" | grep -q . && return 0; sleep 0.1; done; echo "nothing listens on $1" >&2; return 1; }

# measure FN ARG PORTS...: FN ARG on each port, ROUNDS times interleaved
# (noise on a shared VM hits every tool alike); prints, per port, the
# median of each of FN's figures ("-" for each of a missing tool)
measure() {
	local fn=$1 arg=$2 i p k nf=0 v; shift 2
	declare -A g
	for ((i = 0; i < ROUNDS; i++)); do
		for p in "$@"; do
			[ "$p" = - ] && continue
			read -ra v <<<"$($fn "$p" $arg)"
			nf=${#v[@]}
			for k in "${!v[@]}"; do g[$p,$k]+="${v[$k]} "; done
		done
	done
	for p in "$@"; do
		for ((k = 0; k < nf; k++)); do
			if [ "$p" = - ]; then printf -- '- '; else printf '%s ' "$(med ${g[$p,$k]})"; fi
		done
	done
}
