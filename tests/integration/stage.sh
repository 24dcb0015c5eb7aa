# tests/integration/stage.sh - fw stage: scripts in, one atomic ruleset out
# Each t_* runs as root and as the unprivileged test user.

# direct SCRIPT: run SCRIPT for real in a fresh namespace of our own, then
# print what it built (nft list ruleset), as a user would check by hand
direct() {
	if [ "$MODE" = root ]; then unshare -n sh -c "NETCELL_STAGE=1 '$1' >/dev/null 2>&1 && nft list ruleset"
	else unshare -Urn sh -c "NETCELL_STAGE=1 XTABLES_LOCKFILE='$T/xt.lock' '$1' >/dev/null 2>&1 && nft list ruleset"; fi
}
# load FILE: load a staged nft file into a fresh namespace, list it
load() {
	if [ "$MODE" = root ]; then unshare -n sh -c "nft -f '$1' && nft list ruleset"
	else unshare -Urn sh -c "nft -f '$1' && nft list ruleset"; fi
}

write_classic() {
	cat >"$1" <<'EOF2'
#!/bin/sh
# a classic firewall script, no set -e
iptables -P FORWARD DROP
iptables -P INPUT ACCEPT
iptables -N SSH
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -m state --state NEW -j SSH
iptables -A SSH -s 192.0.2.0/24 -j ACCEPT
iptables -A INPUT -i eth0 -p tcp -m multiport --dports 80,443 -j ACCEPT
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
ip6tables -A INPUT -p ipv6-icmp -j ACCEPT
ip6tables -A INPUT -s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT
nft add table inet extra
nft add chain inet extra c '{ type filter hook input priority 10; }'
nft add rule inet extra c tcp dport 9999 drop
iptables -S SSH >/dev/null
iptables -A INPUT -p udp --dport 53 -j ACCEPT
EOF2
	chmod +x "$1"
}

t_stage_classic_script() {
	write_classic "$T/fw.sh"
	expect_rc 0 $NC fw stage --format nft -o "$T/out.nft" -- "$T/fw.sh"
	[ -s "$T/out.nft" ] || fail "no output file"
	head -1 "$T/out.nft" | grep -qx 'flush ruleset' || fail "output does not start with flush ruleset"
	load "$T/out.nft" >"$T/staged" || fail "staged output does not load with nft -f"
	direct "$T/fw.sh" >"$T/direct.nft" || fail "the script does not run directly"
	# nft renders rules that iptables-nft made (multiport, conntrack)
	# differently from the same rules it parsed itself, so both sides go
	# through one nft -f before they are compared
	load "$T/direct.nft" >"$T/direct" || fail "the direct listing does not load"
	load "$T/staged" >"$T/staged2" || fail "the staged listing does not load"
	diff "$T/staged2" "$T/direct" >"$T/d" || fail "staged and direct rulesets differ: $(head -c 400 "$T/d")"
	grep -q 'masquerade' "$T/staged" && grep -q 'dport 9999 drop' "$T/staged" && grep -q 'policy drop' "$T/staged" \
		|| fail "staged ruleset lacks parts of the script"
}

t_stage_iptables_format() {
	write_classic "$T/fw.sh"
	sed -i '/^nft /d' "$T/fw.sh"
	cat >>"$T/fw.sh" <<'EOF2'
iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "return traffic" -j ACCEPT
EOF2
	expect_rc 0 $NC fw stage --format iptables -o "$T/out.rules" -- "$T/fw.sh"
	grep -q '^# netcell: ip6tables-restore$' "$T/out.rules" || fail "no IPv6 part marker"
	grep -q -- '--comment "return traffic"' "$T/out.rules" || fail "comment lost"
	grep -q '2001:db8::/32' "$T/out.rules" || fail "IPv6 rule lost"
	# and the one file applies to a cell, both families at once
	expect_rc 0 $NC create "${PFX}s"
	expect_rc 0 $NC fw apply "${PFX}s" "$T/out.rules"
	$NC exec "${PFX}s" -- ip6tables-save | grep -q '2001:db8::/32' || fail "IPv6 part not applied"
	$NC exec "${PFX}s" -- iptables-save | grep -q 'MASQUERADE' || fail "IPv4 part not applied"
	$NC delete --force "${PFX}s"
}

t_stage_ipset_named() {
	# a script whose rule matches an ipset set: no ruleset file can carry
	# the set, so nothing is output, and the error names ipset and the way
	# out (an nft set); inside a cell, ipset itself works
	local c=${PFX}is
	command -v ipset >/dev/null || fail "ipset is needed (scripts/install-deps installs it)"
	printf '#!/bin/sh\nipset create blk hash:ip\nipset add blk 192.0.2.1\niptables -A INPUT -m set --match-set blk src -j DROP\n' >"$T/ips.sh"
	chmod 755 "$T/ips.sh"
	expect_rc 6 $NC fw stage -o "$T/out.rules" -- "$T/ips.sh"
	[ -e "$T/out.rules" ] && fail "a file was output: $(cat "$T/out.rules")"
	expect_err_match 'Set blk doesn.t exist'
	expect_err_match 'ipset sets are kernel objects of their own.*use an nft set'
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	expect_rc 0 $NC exec "$c" -- "$T/ips.sh"
	$NC exec "$c" -- ipset list blk | grep -q '^192.0.2.1$' || fail "ipset in the cell: $($NC exec "$c" -- ipset list blk 2>&1)"
}

t_stage_failing_line() {
	{ echo '#!/bin/sh'; for i in $(seq 2 36); do echo "iptables -A INPUT -p tcp --dport $((1000 + i)) -j ACCEPT"; done
	  echo 'iptables -A INPUT -p tcp --dport 22 -j NO_SUCH_CHAIN'
	  for i in 38 39 40; do echo "iptables -A INPUT -p tcp --dport $((1000 + i)) -j ACCEPT"; done; } >"$T/bad.sh"
	chmod +x "$T/bad.sh"
	$NC fw stage -- "$T/bad.sh" >"$T/out" 2>"$T/err"; local rc=$?
	[ $rc -ne 0 ] || fail "a failing script staged"
	[ -s "$T/out" ] && fail "output printed although the script failed"
	grep -q 'bad.sh:37: `iptables -A INPUT -p tcp --dport 22 -j NO_SUCH_CHAIN`' "$T/err" || fail "line 37 not named: $(cat "$T/err")"
	# an unknown option is named with its line too, and the tool's own words
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\niptables -A INPUT --frobnicate -j DROP\n' >"$T/opt.sh"; chmod +x "$T/opt.sh"
	expect_rc 6 $NC fw stage -- "$T/opt.sh"
	expect_err_match 'opt.sh:3: .*frobnicate'
}

t_stage_guarded_host_commands() {
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\nif [ -z "$NETCELL_STAGE" ]; then ip addr add 192.0.2.1/24 dev eth0; sysctl -w net.ipv4.ip_forward=1; fi\niptables -A INPUT -i eth0 -j DROP\n' >"$T/g.sh"
	chmod +x "$T/g.sh"
	expect_rc 0 $NC fw stage -- "$T/g.sh"
	grep -q -- '-A INPUT -i eth0 -j DROP' "$T/out" || fail "rule naming a missing interface did not stage"
	printf '#!/bin/bash\niptables -A INPUT -j ACCEPT\nip addr add 192.0.2.1/24 dev eth0\niptables -A INPUT -j DROP\n' >"$T/u.sh"
	chmod +x "$T/u.sh"
	expect_rc 6 $NC fw stage -- "$T/u.sh"
	expect_err_match 'u.sh:3: `ip addr add 192.0.2.1/24 dev eth0` failed'
	[ -s "$T/out" ] && fail "output printed"
	return 0
}

t_stage_deterministic() {
	write_classic "$T/fw.sh"
	$NC fw stage -- "$T/fw.sh" >"$T/a" || fail "first run"
	$NC fw stage -- "$T/fw.sh" >"$T/b" || fail "second run"
	cmp -s "$T/a" "$T/b" || fail "two runs differ"
	$NC fw stage --format iptables -- "$T/fw.sh" >"$T/c" 2>/dev/null; sleep 1.1
	$NC fw stage --format iptables -- "$T/fw.sh" >"$T/d" 2>/dev/null
	cmp -s "$T/c" "$T/d" || fail "two iptables-format runs differ"
}

# --timeout takes fractions and counts from the script's own start (the
# namespace's mounts before it once ate half of a one-second timeout)
t_stage_timeout_fraction() {
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\nsleep 0.8\n' >"$T/slow.sh"; chmod +x "$T/slow.sh"
	expect_rc 0 $NC fw stage --timeout 1.6 -- "$T/slow.sh"
	grep -q ACCEPT "$T/out" || fail "no ruleset from a script within its timeout: $(cat "$T/out")"
	# the script notes its start without a fork (bash's $EPOCHREALTIME): on
	# a loaded machine a forked date ran a tenth of a second late
	printf '#!/bin/bash\necho "$EPOCHREALTIME" >"$1"\niptables -A INPUT -j ACCEPT\nsleep 30\n' >"$T/long.sh"; chmod +x "$T/long.sh"
	expect_rc 1 $NC fw stage --timeout 0.5 -- "$T/long.sh" "$T/start"
	local end; end=$(date +%s.%N)
	expect_err_match 'did not finish within 0.5 s of its start'
	[ -s "$T/start" ] || fail "the script never started"
	python3 -c "import sys; d=float(sys.argv[2])-float(sys.argv[1]); sys.exit(0 if 0.45 <= d < 3 else 1)" "$(cat "$T/start")" "$end" \
		|| fail "killed $(python3 -c "import sys; print(float(sys.argv[2])-float(sys.argv[1]))" "$(cat "$T/start")" "$end") s after its start, --timeout 0.5"
	for bad in 0 -1 abc 1e3 0x10 nan 86401; do
		expect_rc 2 $NC fw stage --timeout "$bad" -- "$T/slow.sh"
		expect_err_match '--timeout takes seconds'
	done
	return 0
}

t_stage_bad_inputs() {
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\n' >"$T/noexec.sh"
	expect_rc 2 $NC fw stage -- "$T/noexec.sh"; expect_err_match 'not executable'
	expect_rc 2 $NC fw stage -- "$T/missing.sh"; expect_err_match 'missing.sh'
	expect_rc 0 $NC fw stage -- sh "$T/noexec.sh"
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\nwhile :; do sleep 0.1; done\n' >"$T/loop.sh"; chmod +x "$T/loop.sh"
	expect_rc 1 $NC fw stage --timeout 2 -- "$T/loop.sh"; expect_err_match 'did not finish within 2 s'
	[ -s "$T/out" ] && fail "output printed after a timeout"
	printf '#!/bin/sh\nsleep 313 &\nsleep 314 &\niptables -A INPUT -j ACCEPT\n' >"$T/bg.sh"; chmod +x "$T/bg.sh"
	expect_rc 0 $NC fw stage -- "$T/bg.sh"
	for _ in $(seq 1 60); do pgrep -f 'sleep 31[34]' >/dev/null || break; sleep 0.05; done
	pgrep -f 'sleep 31[34]' >/dev/null && fail "background jobs of the script survived"
	expect_rc 2 $NC fw stage
	return 0
}

# ebtables and arptables make bridge and arp tables whose xtables matches
# nft cannot write back: staging refuses (nothing printed, exit 6) and
# says what to do instead; the same rules written with nft stage fine
t_stage_ebtables_named() {
	printf '#!/bin/sh\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\nebtables-nft -A INPUT -p ARP --arp-op Request -j ACCEPT\n' >"$T/eb.sh"
	chmod +x "$T/eb.sh"
	expect_rc 6 $NC fw stage -- "$T/eb.sh"
	expect_err_match 'ebtables and arptables rules .* write those rules with nft in the script'
	[ -s "$T/out" ] && fail "output printed: $(head -3 "$T/out")"
	printf '#!/bin/sh\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\nnft add table bridge filter\nnft add chain bridge filter input "{ type filter hook input priority 0; }"\nnft add rule bridge filter input ether type arp arp operation request accept\n' >"$T/nb.sh"
	chmod +x "$T/nb.sh"
	expect_rc 0 $NC fw stage -- "$T/nb.sh"
	grep -q 'arp operation request accept' "$T/out" || fail "the nft bridge rule is not staged: $(cat "$T/out")"
}

t_stage_errexit_always() {
	# no set -e in the script: the failing command still stops it
	printf '#!/bin/bash\niptables -A INPUT -j ACCEPT\nfalse\niptables -A INPUT -j DROP\n' >"$T/e.sh"; chmod +x "$T/e.sh"
	expect_rc 6 $NC fw stage -- "$T/e.sh"
	expect_err_match 'e.sh:3: `false` failed'
	# under sh (dash, which has no line numbers) it stops too, and says so
	printf '#!/bin/sh\niptables -A INPUT -j ACCEPT\nfalse\niptables -A INPUT -j DROP\n' >"$T/s.sh"; chmod +x "$T/s.sh"
	expect_rc 6 $NC fw stage -- "$T/s.sh"
	expect_err_match 's.sh exited with status 1'
}

t_stage_large_script() {
	# 2,000 commands: more than one iptables-restore batch may hold rootless
	python3 -c "
print('#!/bin/sh')
for i in range(2000): print('iptables -A INPUT -s 10.0.%d.%d -p tcp --dport %d -j ACCEPT' % (i >> 8, i & 255, 1000 + i))" >"$T/big.sh"
	chmod +x "$T/big.sh"
	expect_rc 0 $NC fw stage --format nft -o "$T/big.nft" -- "$T/big.sh"
	[ "$(grep -c 'accept$' "$T/big.nft")" = 2000 ] || fail "staged output has $(grep -c 'accept$' "$T/big.nft") rules, not 2000"
	# the default format keeps iptables syntax where it loads (root), else
	# says it chose nft syntax (rootless: iptables-restore cannot send it)
	expect_rc 0 $NC fw stage -o "$T/big.out" -- "$T/big.sh"
	n=$(grep -c -- '-j ACCEPT$\|accept$' "$T/big.out")
	[ "$n" = 2000 ] || fail "default output has $n rules, not 2000"
	if [ "$MODE" = user ]; then expect_err_match 'written in nft syntax'; fi
	expect_rc 0 $NC fw check "$T/big.out"
	# plain nft -f cannot load 2,000 rules rootless (EMSGSIZE); netcell can
	expect_rc 0 $NC fw check "$T/big.nft"
}

# direct_views SCRIPT: run SCRIPT for real in a fresh namespace of our own
# and print its views (tests/stage-corpus/views.sh)
direct_views() {
	local v="$TOP/tests/stage-corpus/views.sh"
	if [ "$MODE" = root ]; then unshare -n sh -c "NETCELL_STAGE=1 '$1' >'$T/direct.log' 2>&1 && sh '$v'"
	else unshare -Urn sh -c "NETCELL_STAGE=1 XTABLES_LOCKFILE='$T/xt.lock' '$1' >'$T/direct.log' 2>&1 && sh '$v'"; fi
}

t_stage_differential() {
	# every script of tests/stage-corpus (v4 and v6, nat, mangle, raw,
	# the shapes Docker, kube-proxy, fail2ban and classic host scripts write,
	# rich nft (defines, objects, concatenations, handles),
	# security, user chains, comments, -R, -I n, -D, -Z, -E, -P, nft and
	# iptables mixed, absolute paths, child shells, env, exec, xargs,
	# $XT_MULTI, restore and nft -f inside, reads, handled failures, sh
	# and bash and python): run directly, and staged then applied to one
	# cell, one generation after another; the views must be the same
	local c="${PFX}d" s n=0 nbad=0 bad=""
	expect_rc 0 $NC create "$c" --uplink none
	trap '$NC delete --force "$c" >/dev/null 2>&1' RETURN
	for s in "$TOP"/tests/stage-corpus/[0-9]*; do
		n=$((n + 1))
		nbad=$((nbad + 1))
		direct_views "$s" >"$T/direct" || { bad="$bad $(basename "$s")(direct run failed: $(tail -1 "$T/direct.log"))"; continue; }
		if ! $NC fw stage -o "$T/out" -- "$s" >/dev/null 2>"$T/err"; then
			bad="$bad $(basename "$s")(stage: $(head -c 300 "$T/err"))"; continue
		fi
		if ! $NC fw apply "$c" "$T/out" >/dev/null 2>"$T/err"; then
			bad="$bad $(basename "$s")(apply: $(head -c 300 "$T/err"))"; continue
		fi
		$NC exec "$c" -- sh "$TOP/tests/stage-corpus/views.sh" >"$T/cell" 2>/dev/null
		if ! diff "$T/direct" "$T/cell" >"$T/d"; then
			bad="$bad $(basename "$s")(differs: $(grep '^[<>]' "$T/d" | head -4 | tr '\n' '|'))"
			continue
		fi
		nbad=$((nbad - 1))
	done
	[ "$n" -ge 30 ] || fail "only $n corpus scripts"
	[ "$nbad" = 0 ] || fail "$nbad of $n scripts differ:$bad"
}

# modes t_stage_root_confined: root
t_stage_root_confined() {
	# as root too, a staged script changes neither the host's mounts nor
	# its network, and the recorder bound over iptables stays in the stage
	local m; m=$(mktemp -d /tmp/ncstage-mnt.XXXXXX)
	printf '#!/bin/sh\nmount -t tmpfs none %s\ntouch %s/inside\nip link add ncstg0 type veth peer name ncstg1\nip link set lo down\niptables -A INPUT -j ACCEPT\n' "$m" "$m" >"$T/c.sh"
	chmod +x "$T/c.sh"
	expect_rc 0 $NC fw stage -- "$T/c.sh"
	grep -q -- "-A INPUT -j ACCEPT" "$T/out" || fail "the rule did not stage"
	grep -q " $m " /proc/self/mountinfo && { umount "$m"; fail "the script's mount reached the host"; }
	[ -e "$m/inside" ] && fail "the script wrote through its mount onto the host's directory"
	ip link show ncstg0 >/dev/null 2>&1 && { ip link del ncstg0; fail "the script's link reached the host"; }
	grep -q 'xtables\|/nft ' /proc/self/mountinfo && fail "the recorder is still bound over a host tool: $(grep 'xtables\|/nft ' /proc/self/mountinfo)"
	iptables --version | grep -q nf_tables || fail "the host's iptables no longer works"
	rmdir "$m"
}

# the staged output keeps the comments the script gave its rules: counters,
# quota use and timeouts are taken out of the views, never out of a quoted
# string (a comment "used 5 mbytes" lost those words, and "packets  bytes "
# made the output overrun its line and fail to load); applied to a cell,
# that ruleset is in force, not drift
t_stage_comments_kept() {
	local c=${PFX}sc
	cat >"$T/fw.sh" <<'EOF2'
#!/bin/sh
nft add table inet t
nft add chain inet t c '{ type filter hook input priority 0; }'
nft add rule inet t c tcp dport 1 counter comment '"quota used 5 mbytes by backup"'
nft add rule inet t c tcp dport 2 counter comment '"seen packets 12 bytes 34 here"'
nft add rule inet t c tcp dport 3 comment '"x expires 5s y"'
nft add rule inet t c tcp dport 4 counter comment '"packets  bytes "'
EOF2
	chmod +x "$T/fw.sh"
	expect_rc 0 $NC fw stage -o "$T/out.nft" -- "$T/fw.sh"
	for s in "quota used 5 mbytes by backup" "seen packets 12 bytes 34 here" "x expires 5s y" "packets  bytes "; do
		grep -qF "comment \"$s\"" "$T/out.nft" || fail "the staged output lost the comment \"$s\": $(grep comment "$T/out.nft")"
	done
	[ "$(grep -c 'counter packets 0 bytes 0 comment' "$T/out.nft")" = 3 ] || fail "counters not as staged: $(grep counter "$T/out.nft")"
	trap '$NC delete $c >/dev/null 2>&1' EXIT
	expect_rc 0 $NC create "$c"
	expect_rc 0 $NC fw apply "$c" "$T/out.nft"
	$NC exec "$c" -- nft list ruleset | grep -qF 'comment "packets  bytes "' || fail "the cell does not hold the staged ruleset"
	expect_rc 0 $NC fw history "$c"
	grep -q '^1 *\*' "$T/out" || fail "generation 1 is not in force: $(cat "$T/out")"
	grep -q '^1 *\*~' "$T/out" && fail "the staged ruleset shows as drift: $(cat "$T/out")"
	expect_rc 0 $NC delete "$c"
	trap - EXIT
}
