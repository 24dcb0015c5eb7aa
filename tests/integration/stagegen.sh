# tests/integration/stagegen.sh - fw stage against generated scripts
# (tests/stagegen/, docs/stage-campaign.md) and the reproductions of what
# the campaign found.  Each t_* runs as root and as the unprivileged user.

# a fixed-seed slice of the campaign: scripts drawn from the shapes real
# firewall scripts use, each run directly and staged, applied to a cell
# and compared (the views of t_stage_differential); a script that fails
# directly must fail staged with its line named
t_stage_generated() {
	local seed=${STAGEGEN_SEED:-7} n=${STAGEGEN_N:-80} out rc ran
	out=$(CELL="${PFX}g" OUT="$T/gen" SEED=$seed N=$n STOP_AFTER=85 NC="$NC" \
		"$TOP/tests/stagegen/campaign.sh" 2>&1); rc=$?
	ran=$(echo "$out" | sed -n 's/^scripts \([0-9]*\).*/\1/p' | tail -1)
	[ -n "$ran" ] || fail "the campaign did not finish: $(echo "$out" | tail -5)"
	note "$(echo "$out" | tail -1)"
	# on a busy machine fewer scripts run within the bound; never none
	[ "$ran" -ge 15 ] || fail "only $ran generated scripts ran within 85 s"
	[ $rc = 0 ] || fail "generated scripts went wrong: $(echo "$out" | grep -v '^scripts' | head -c 1500)"
}

# what the campaign found, each as the smallest script that showed it
t_stage_gen_found() {
	# '#!/usr/bin/env bash': netcell ran a bare "bash" with execv()
	printf '#!/usr/bin/env bash\nset -e\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n' >"$T/env.sh"
	chmod +x "$T/env.sh"
	expect_rc 0 $NC fw stage -o "$T/env.out" -- "$T/env.sh"
	grep -q -- '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT' "$T/env.out" || fail "the rule did not stage: $(cat "$T/env.out")"
	# a failing nft command in a bash script is named by its own line
	# (it was named by a line of netcell's preamble)
	printf '#!/bin/bash\nnft add table inet t\n\nnft add rule inet nosuch c accept\niptables -A INPUT -j ACCEPT\n' >"$T/nft.sh"
	chmod +x "$T/nft.sh"
	expect_rc 6 $NC fw stage -- "$T/nft.sh"
	expect_err_match 'nft.sh:4: `nft add rule inet nosuch c accept` failed'
	grep -q preamble "$T/err" 2>/dev/null && fail "the preamble is named: $(cat "$T/err")"
	# sh has no line numbers: a failing command is found by its words, and
	# where the same words stand on an earlier line that succeeded (a rule
	# deleted twice), the count of their runs names the right one
	printf '#!/bin/sh\nset -e\niptables -A INPUT -s 192.0.2.9 -j DROP\niptables -A INPUT -p tcp --dport 1 -j ACCEPT\niptables -D INPUT -s 192.0.2.9 -j DROP\niptables -A INPUT -p tcp --dport 2 -j ACCEPT\niptables -D INPUT -s 192.0.2.9 -j DROP\niptables -A INPUT -p tcp --dport 3 -j ACCEPT\n' >"$T/twice.sh"
	chmod +x "$T/twice.sh"
	expect_rc 6 $NC fw stage -- "$T/twice.sh"
	expect_err_match 'twice.sh:7: `iptables -D INPUT -s 192.0.2.9 -j DROP` failed'
	# nft adds to a table iptables made a rule iptables-save cannot write,
	# and the table holds an iptables extension nft cannot write: no exact
	# output exists (it once staged as "-A INPUT -j ACCEPT", exit 0)
	printf '#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -m recent --name x --set -j ACCEPT\nnft add rule ip filter INPUT ip saddr { 192.0.2.1, 192.0.2.2 } accept\niptables -A INPUT -p tcp --dport 23 -j ACCEPT\n' >"$T/mix.sh"
	chmod +x "$T/mix.sh"
	expect_rc 6 $NC fw stage -- "$T/mix.sh"
	expect_err_match 'mix.sh:3: the script cannot be staged exactly: table ip filter .*"set": \["192.0.2.1", "192.0.2.2"\].*put nft.s rules in a table of nft.s own'
	[ -s "$T/out" ] && fail "output printed: $(head -3 "$T/out")"
	expect_rc 6 $NC fw stage --format iptables -- "$T/mix.sh"
	# the same rule without the extension: that table is written in nft
	# syntax, and said so
	sed -i 's/ -m recent --name x --set//' "$T/mix.sh"
	expect_rc 0 $NC fw stage -o "$T/mix.out" -- "$T/mix.sh"
	grep -q 'ip saddr { 192.0.2.1, 192.0.2.2 } accept' "$T/mix.out" || fail "the set lookup is lost: $(cat "$T/mix.out")"
	expect_err_match 'table\(s\) ip filter written in nft syntax'
	# a staging leaves no directory in /tmp (its real/ and verify/
	# subdirectories kept every stage directory there, without the
	# owner.pid by which gc knows a dead one); the script names its own
	printf '#!/bin/sh\necho "$NETCELL_STAGE_DIR" >>"%s"\niptables -A INPUT -j ACCEPT\n' "$T/dirs" >"$T/dir.sh"
	chmod +x "$T/dir.sh"
	expect_rc 0 $NC fw stage -- "$T/dir.sh"
	local d
	d=$(head -1 "$T/dirs")
	case "$d" in /tmp/netcell-stage-*) ;; *) fail "the stage directory is not known: '$d'" ;; esac
	[ -e "$d" ] && fail "the stage directory is left: $(find "$d" | head -5 | tr '\n' ' ')"
	# the script's $$ differs from one staging to the next, as from one
	# direct run to the next (in the stage's PID namespace it was always 2,
	# so "/tmp/rules.$$" was one file for every staging of every user)
	printf '#!/bin/sh
echo $$ >>"%s"
iptables -A INPUT -j ACCEPT
' "$T/pids" >"$T/pid.sh"
	chmod +x "$T/pid.sh"
	expect_rc 0 $NC fw stage -- "$T/pid.sh"
	expect_rc 0 $NC fw stage -- "$T/pid.sh"
	[ "$(sort -u "$T/pids" | wc -l)" = 2 ] || fail "the same PID in two stagings: $(tr '\n' ' ' <"$T/pids")"
	[ "$(sort -n "$T/pids" | head -1)" -gt 100 ] || fail "a small, predictable PID: $(tr '\n' ' ' <"$T/pids")"
	return 0
}
