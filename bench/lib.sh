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
