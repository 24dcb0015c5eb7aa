# bench/lib.sh - timing helpers shared by the benchmarks
# timeit N CMD...: run CMD N times, print the mean in milliseconds
timeit() {
	local n=$1 i s e; shift
	s=$(date +%s%N)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }; done
	e=$(date +%s%N)
	awk -v d=$((e - s)) -v n="$n" 'BEGIN { printf "%.3f", d / n / 1e6 }'
}
# ratio A B: A/B to two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
# row LABEL NETCELL PEER PEERNAME TARGET
row() {
	printf '%-34s netcell %8s ms   %-34s %8s ms   ratio %5sx (target <= %s)\n' "$1" "$2" "$4" "$3" "$(ratio "$2" "$3")" "$5"
}
# med A B C...: the median, "-" when there is no value (a failed tool keeps
# its column)
med() { [ $# -gt 0 ] || { echo -; return; }; printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# tcp_listens PORT: something listens on the host's TCP PORT
tcp_listens() { ss -Htln "sport = :$1" | grep -q .; }
# start_iperf3 LOG: an iperf3 server on a free port of 127.0.0.1, in the
# background and not as a daemon (`iperf3 -s -D` died on a fresh machine, and
# a daemon can be neither waited for nor stopped by its PID); waits until it
# listens, tries another port when it dies (a port taken meanwhile) and fails
# with its log after three tries.  Sets IPERF_PORT and IPERF_PID.
start_iperf3() {
	local log=$1 try
	for try in 1 2 3; do
		IPERF_PORT=$((30000 + RANDOM % 20000))
		tcp_listens "$IPERF_PORT" && continue
		iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" --forceflush --logfile "$log" </dev/null >/dev/null 2>&1 &
		IPERF_PID=$!
		for _ in $(seq 1 100); do
			tcp_listens "$IPERF_PORT" && kill -0 "$IPERF_PID" 2>/dev/null && return 0
			kill -0 "$IPERF_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$IPERF_PID" 2>/dev/null; wait "$IPERF_PID" 2>/dev/null
		echo "bench: iperf3 server try $try on 127.0.0.1:$IPERF_PORT failed: $(tail -2 "$log" 2>/dev/null)" >&2
	done
	IPERF_PID=; return 1
}
# serving KIND PORT: a request through the host's PORT gets its answer (the
# server behind a forwarder works, not only the forwarder's listener), within
# 5 s; KIND is iperf3 or connrate (CONNRATE names its binary)
serving() {
	local i
	for i in $(seq 1 50); do
		case $1 in
		iperf3) iperf3 -c 127.0.0.1 -p "$2" -n 1K >/dev/null 2>&1 && return 0 ;;
		connrate) "$CONNRATE" client "$2" 0.01 >/dev/null 2>&1 && return 0 ;;
		*) return 2 ;;
		esac
		sleep 0.1
	done
	echo "bench: no $1 server answers through port $2" >&2; return 1
}
