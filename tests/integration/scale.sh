# tests/integration/scale.sh - listings of many cells and ports are whole.
# Each t_* runs as root and as the unprivileged test user.

t_list_never_truncated() {
	# more cells and ports than one keeper message holds (64 KiB): every
	# one is listed, text and JSON
	local i j base specs n
	trap 'for i in $(seq 1 600); do echo "${PFX}long-cell-name-for-listing-$i"; done | xargs -r -n 50 $NC delete --force >/dev/null 2>&1' RETURN
	for i in $(seq 1 600); do
		$NC create "${PFX}long-cell-name-for-listing-$i" --uplink none >/dev/null 2>"$T/err" || fail "create $i: $(cat "$T/err")"
	done
	n=$($NC list | grep -c "${PFX}long-cell-name-for-listing-")
	[ "$n" = 600 ] || fail "list shows $n of 600 cells"
	n=$($NC list --json | python3 -c 'import json,sys; print(len([c for c in json.load(sys.stdin) if "long-cell-name" in c["name"]]))')
	[ "$n" = 600 ] || fail "list --json shows $n of 600 cells"
	# 16 cells x 64 ports = 1,024 published ports
	base=$((21000 + (RANDOM % 8) * 1100))
	for i in $(seq 1 16); do
		specs=""
		for j in $(seq 0 63); do specs="$specs $((base + (i - 1) * 64 + j)):80"; done
		# shellcheck disable=SC2086
		$NC port add "${PFX}long-cell-name-for-listing-$i" $specs >/dev/null 2>"$T/err" || fail "port add to cell $i: $(cat "$T/err")"
	done
	n=$($NC port list | grep -c "${PFX}long-cell-name-for-listing-")
	[ "$n" = 1024 ] || fail "port list shows $n of 1024 ports"
}
