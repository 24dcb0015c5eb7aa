# tests/integration/doctor.sh - netcell doctor, and the diagnosis commands share
#
# Each condition is created for real where that is possible without
# touching anything outside the test: in a private user namespace (its own
# user.max_user_namespaces), mount namespace (a 0600 or missing
# /dev/net/tun, a fake /etc/subuid, a chroot in which the kernel refuses
# user namespaces with EPERM), network namespace (its own
# net.ipv4.ip_unprivileged_port_start), or just the environment (PATH,
# XDG_RUNTIME_DIR, NETCELL_RUNTIME_DIR).  The host's settings, devices and
# files are never changed, so tests running at the same time are not
# disturbed; each test checks afterwards that the host is as it was.
# What cannot be created here (AppArmor; net.core.wmem_max, which is
# global and read-only in other network namespaces) is faked with a copy of
# /proc/sys given in NETCELL_SYSROOT.
#
# Tests marked "modes ...: root" prepare the condition as root and run
# netcell as the test user themselves (setpriv), with directories it owns.

# doc_ids: every check, in the order doctor reports them
doc_ids="context userns apparmor netns nftables libnftables wmem_max tun pasta slirp4netns ports ping xdg rundir subuid"

# check_is FILE ID STATUS_RE [EVIDENCE_RE [FIX_RE]]: assert on one check of
# a "doctor --json" output
check_is() {
	python3 - "$@" 2>"$T/why" <<'PY' || fail "$1: check $2: $(cat "$T/why")"
import json, re, sys
f, cid, st = sys.argv[1:4]
ev = sys.argv[4] if len(sys.argv) > 4 else ""
fx = sys.argv[5] if len(sys.argv) > 5 else ""
d = json.load(open(f))
c = [x for x in d["checks"] if x["id"] == cid]
assert len(c) == 1, "no check %s in %s" % (cid, [x["id"] for x in d["checks"]])
c = c[0]
assert re.fullmatch(st, c["status"]), "status %s, wanted %s: %s" % (c["status"], st, c)
assert re.search(ev, c["evidence"]), "evidence %r does not match /%s/" % (c["evidence"], ev)
assert re.search(fx, c["fix"]), "fix %r does not match /%s/" % (c["fix"], fx)
assert (c["fix"] == "") == (c["status"] == "ok"), "fix must be empty exactly when ok: %s" % c
assert d["ok"] == all(x["status"] != "fail" for x in d["checks"]), "ok flag"
PY
}

# rc_is FILE WANT: the exit status a test recorded in FILE
rc_is() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ] || fail "$(basename "$1") exited $(cat "$1" 2>/dev/null), wanted $2"
}

# user_dirs: $U, a directory of the test user for its runtime and state
user_dirs() {
	U=$T/u
	mkdir -p "$U"
	chown "$TUSER:" "$U"
	chmod 0700 "$U"
}

# asu CMD...: run CMD as the test user, with its own netcell directories
asu() {
	setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups \
		env NETCELL_RUNTIME_DIR="$U/run" NETCELL_STATE_DIR="$U/state" HOME="$U" "$@"
}

# inner_script: write the script on stdin to $T/inner.sh, with asu() in
# front, for a bash run in a fresh namespace; it gets U TUSER NC T PFX
# from the environment
inner_script() {
	export U TUSER NC T PFX
	{ declare -f asu; cat; } >"$T/inner.sh"
}

# kill_user_keeper: stop a keeper the test user's commands may have started
kill_user_keeper() {
	local k
	k=$(cat "$U/run/keeper.pid" 2>/dev/null)
	[ -n "$k" ] && kill -9 "$k" 2>/dev/null
	return 0
}

# fake_sysroot DIR: a copy of the sysctls netcell reads, for NETCELL_SYSROOT
fake_sysroot() {
	local f
	for f in user/max_user_namespaces user/max_net_namespaces net/core/wmem_max \
		net/ipv4/ip_unprivileged_port_start kernel/cap_last_cap fs/pipe-max-size \
		kernel/unprivileged_userns_clone kernel/apparmor_restrict_unprivileged_userns; do
		[ -e "/proc/sys/$f" ] || continue
		mkdir -p "$1/$(dirname "$f")"
		cat "/proc/sys/$f" >"$1/$f"
	done
	chmod -R a+rX "$1"
}

# userns_run CMD...: run CMD as root of a new user namespace in which ids
# 0-65535 are themselves (the host's root writes the maps); the sysctls
# under /proc/sys/user it sees and sets are this namespace's own
userns_run() {
	local fifo=$T/userns.go pid me
	rm -f "$fifo"
	mkfifo "$fifo"
	unshare --user -- bash -c 'read -r _ <"$0"; exec "$@"' "$fifo" "$@" &
	pid=$!
	me=$(readlink /proc/$$/ns/user)
	for _ in $(seq 1 200); do
		[ "$(readlink /proc/$pid/ns/user)" != "$me" ] && break
		sleep 0.01
	done
	if ! { echo '0 0 65536' >/proc/$pid/uid_map && echo '0 0 65536' >/proc/$pid/gid_map; }; then
		kill $pid
		wait $pid
		return 1
	fi
	echo go >"$fifo"
	wait $pid
}

t_doctor_reports() {
	local me id
	me=$(id -u)
	expect_rc 0 $NC doctor --json
	cp "$T/out" "$T/doc.json"
	python3 - "$T/doc.json" "$doc_ids" 2>"$T/why" <<'PY' || fail "doctor --json: $(cat "$T/why")"
import json, sys
d = json.load(open(sys.argv[1]))
ids = [c["id"] for c in d["checks"]]
assert ids == sys.argv[2].split(), ids
for c in d["checks"]:
    assert set(c) == {"id", "title", "status", "evidence", "fix"}, c
    assert c["status"] in ("ok", "warn", "fail") and c["title"] and c["evidence"], c
    assert (c["fix"] == "") == (c["status"] == "ok"), c
    assert len(c["evidence"]) < 255 and len(c["fix"]) < 511, "truncated: %s" % c
assert d["ok"] is True, d
PY
	check_is "$T/doc.json" netns ok 'creating one worked'
	check_is "$T/doc.json" nftables ok 'nf_tables answered'
	check_is "$T/doc.json" tun ok "uid $me opened it"
	check_is "$T/doc.json" ports ok 'net.ipv4.ip_unprivileged_port_start is [0-9]+'
	if [ "$MODE" = root ]; then
		check_is "$T/doc.json" context ok '^root on the host'
		check_is "$T/doc.json" userns ok 'creating one as uid 65534 \(as an ordinary user\) worked'
		check_is "$T/doc.json" subuid ok 'not needed by root'
	else
		check_is "$T/doc.json" context ok "^uid $me \\(.*\\) on the host: rootless mode"
		check_is "$T/doc.json" userns ok "creating one as uid $me worked"
		check_is "$T/doc.json" xdg ok "not used: NETCELL_RUNTIME_DIR=$NETCELL_RUNTIME_DIR overrides it"
	fi
	check_is "$T/doc.json" rundir ok "^$NETCELL_RUNTIME_DIR \\(from NETCELL_RUNTIME_DIR\\) is yours, mode 0700"
	# the same checks for people: one line each, a fix line under each
	# WARN/FAIL, a summary
	expect_rc 0 $NC doctor
	for id in $doc_ids; do
		grep -Eq "^(OK|WARN|FAIL) +$id " "$T/out" || fail "no line for $id: $(cat "$T/out")"
	done
	[ "$(grep -c '^     fix: ' "$T/out")" = "$(grep -c '^\(WARN\|FAIL\) ' "$T/out")" ] || fail "a fix line per WARN/FAIL: $(cat "$T/out")"
	grep -Eq "^$(wc -w <<<"$doc_ids") checks: [0-9]+ ok, [0-9]+ warn, 0 fail\$" "$T/out" || fail "no summary: $(tail -1 "$T/out")"
	expect_rc 2 $NC doctor --bogus
	expect_err_match 'unknown option "--bogus"'
	expect_rc 2 $NC doctor extra
	expect_rc 0 $NC doctor --help
}

# modes t_doctor_max_user_namespaces: root
t_doctor_max_user_namespaces() {
	# user.max_user_namespaces = 0 in a user namespace of the test's own
	# (the kernel checks the limit of every ancestor, so it bites as the
	# host's would): doctor fails, and so does create, naming setting and fix
	local host
	host=$(cat /proc/sys/user/max_user_namespaces)
	user_dirs
	trap kill_user_keeper EXIT
	inner_script <<'SH'
echo 0 >/proc/sys/user/max_user_namespaces || exit 90
asu $NC doctor --json >$T/doc.json 2>$T/err.doctor; echo $? >$T/rc.doctor
asu $NC create ${PFX}mu --uplink none >/dev/null 2>$T/err.create; echo $? >$T/rc.create
asu $NC doctor >$T/doc.txt 2>&1
exit 0
SH
	userns_run bash "$T/inner.sh" || fail "could not set user.max_user_namespaces in a user namespace"
	[ "$(cat /proc/sys/user/max_user_namespaces)" = "$host" ] || fail "the host's user.max_user_namespaces changed"
	rc_is "$T/rc.doctor" 5
	check_is "$T/doc.json" userns fail 'creating one as uid [0-9]+ failed: No space left on device; user.max_user_namespaces is 0' \
		"^run 'sysctl -w user.max_user_namespaces=15000' as root"
	check_is "$T/doc.json" netns warn 'not tested'
	grep -q "^FAIL userns " "$T/doc.txt" || fail "no FAIL line: $(cat "$T/doc.txt")"
	grep -q "^     fix: run 'sysctl -w user.max_user_namespaces=15000' as root" "$T/doc.txt" || fail "no fix line: $(cat "$T/doc.txt")"
	rc_is "$T/rc.create" 5
	grep -q "cannot create a user namespace: user.max_user_namespaces is 0; run 'sysctl -w user.max_user_namespaces=15000' as root" "$T/err.create" \
		|| fail "create does not name the setting: $(cat "$T/err.create")"
	grep -q 'No space left' "$T/err.create" && fail "create shows the bare errno: $(cat "$T/err.create")"
	return 0
}

# modes t_doctor_max_net_namespaces: root
t_doctor_max_net_namespaces() {
	# user.max_net_namespaces = 0, the same way: the user namespace works,
	# the network namespace does not
	local host
	host=$(cat /proc/sys/user/max_net_namespaces)
	user_dirs
	trap kill_user_keeper EXIT
	inner_script <<'SH'
echo 0 >/proc/sys/user/max_net_namespaces || exit 90
asu $NC doctor --json >$T/doc.json 2>$T/err.doctor; echo $? >$T/rc.doctor
asu $NC create ${PFX}mn --uplink none >/dev/null 2>$T/err.create; echo $? >$T/rc.create
exit 0
SH
	userns_run bash "$T/inner.sh" || fail "could not set user.max_net_namespaces in a user namespace"
	[ "$(cat /proc/sys/user/max_net_namespaces)" = "$host" ] || fail "the host's user.max_net_namespaces changed"
	rc_is "$T/rc.doctor" 5
	check_is "$T/doc.json" userns ok 'creating one as uid [0-9]+ worked'
	check_is "$T/doc.json" netns fail '^user.max_net_namespaces is 0$' "^run 'sysctl -w user.max_net_namespaces=15000' as root"
	check_is "$T/doc.json" nftables warn 'not tested'
	[ "$(cat "$T/rc.create")" != 0 ] || fail "create worked without network namespaces"
	grep -q 'cannot create a network namespace' "$T/err.create" || fail "create: $(cat "$T/err.create")"
}

# modes t_doctor_apparmor: root
t_doctor_apparmor() {
	# AppArmor is not on these machines: the setting comes from a fake
	# /proc/sys; the kernel's refusal is real (in a chroot,
	# unshare(CLONE_NEWUSER) fails with EPERM, as under AppArmor's restriction)
	local ok=0
	user_dirs
	fake_sysroot "$T/sys"
	echo 1 >"$T/sys/kernel/apparmor_restrict_unprivileged_userns"
	# global, for the trap; never rm -r it: in its private mount namespace
	# it is a bind of /
	CROOT=$(mktemp -d /tmp/ncd-root.XXXXXX) || fail "mktemp"
	trap 'kill_user_keeper; mountpoint -q "$CROOT" && umount -R "$CROOT"; rmdir "$CROOT"' EXIT
	# restricted, but netcell may (as with a profile): OK, and it says so
	expect_rc 0 asu env NETCELL_SYSROOT="$T/sys" $NC doctor --json
	check_is "$T/out" apparmor ok 'AppArmor restricts unprivileged user namespaces \(kernel.apparmor_restrict_unprivileged_userns is 1\), but netcell.s own attempt worked'
	export CROOT
	inner_script <<'SH'
mount --rbind / "$CROOT" || exit 90
# as the test user, chrooted: chroot(1) first (root only), then setpriv
cu() { chroot "$CROOT" setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups \
	env NETCELL_RUNTIME_DIR="$U/run" NETCELL_STATE_DIR="$U/state" HOME="$U" "$@"; }
cu env NETCELL_SYSROOT=$T/sys $NC doctor --json >$T/doc.user 2>&1; echo $? >$T/rc.user
chroot "$CROOT" env NETCELL_SYSROOT=$T/sys $NC doctor --json >$T/doc.root 2>&1; echo $? >$T/rc.root
cu env NETCELL_SYSROOT=$T/sys $NC create ${PFX}aa --uplink none 2>$T/err.create; echo $? >$T/rc.create
cu $NC create ${PFX}ab --uplink none 2>$T/err.plain; echo $? >$T/rc.plain
exit 0
SH
	unshare --mount --propagation private bash "$T/inner.sh" || ok=$?
	[ "$ok" = 0 ] || fail "could not make the chroot ($ok)"
	mountpoint -q "$CROOT" && fail "the chroot's mount leaked out of its namespace"
	rc_is "$T/rc.user" 5
	check_is "$T/doc.user" apparmor fail 'restricts .* and netcell.s own attempt failed: Operation not permitted' \
		"printf 'abi <abi/4.0>,.*profile netcell $NC flags=\\(unconfined\\) \\{.*userns,.*apparmor_parser -r /etc/apparmor.d/netcell.*sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
	check_is "$T/doc.user" userns fail 'failed: Operation not permitted; AppArmor restricts' 'apparmor_parser'
	# root's own cells work: only a warning, for ordinary users
	rc_is "$T/rc.root" 0
	check_is "$T/doc.root" apparmor warn 'netcell.s own attempt failed' 'apparmor_parser'
	check_is "$T/doc.root" userns warn 'as uid 65534 \(as an ordinary user\) failed'
	check_is "$T/doc.root" netns ok 'creating one worked'
	# create says AppArmor and the fix, not just "Operation not permitted"
	rc_is "$T/rc.create" 5
	grep -q "cannot create a user namespace: AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns is 1); allow netcell with an AppArmor profile" "$T/err.create" \
		|| fail "create does not name AppArmor: $(cat "$T/err.create")"
	grep -q "apparmor_parser -r /etc/apparmor.d/netcell" "$T/err.create" || fail "create gives no fix: $(cat "$T/err.create")"
	# without the setting, the same refusal is not blamed on AppArmor
	rc_is "$T/rc.plain" 5
	grep -q "cannot create a user namespace: Operation not permitted; run 'netcell doctor'" "$T/err.plain" \
		|| fail "plain EPERM message: $(cat "$T/err.plain")"
	grep -q AppArmor "$T/err.plain" && fail "blamed AppArmor without the setting: $(cat "$T/err.plain")"
	return 0
}

# modes t_doctor_tun: root
t_doctor_tun() {
	# /dev/net/tun 0600, then 0666, then missing, in a private mount namespace
	local before tu
	before=$(stat -c '%a %t:%T' /dev/net/tun)
	tu=$(id -u "$TUSER")
	user_dirs
	inner_script <<'SH'
mount -t tmpfs -o mode=0755,size=16k nctun /dev/net || exit 90
mknod -m 0600 /dev/net/tun c 10 200 || exit 91
asu $NC doctor --json >$T/doc.user 2>&1; echo $? >$T/rc.user
asu $NC create ${PFX}tun >$T/out.create 2>$T/err.create; echo $? >$T/rc.create
asu $NC list >$T/list.create 2>&1
$NC doctor --json >$T/doc.root 2>&1; echo $? >$T/rc.root
chmod 0666 /dev/net/tun
asu $NC doctor --json >$T/doc.open 2>&1; echo $? >$T/rc.open
rm /dev/net/tun
asu $NC doctor --json >$T/doc.gone 2>&1; echo $? >$T/rc.gone
exit 0
SH
	unshare --mount --propagation private bash "$T/inner.sh" || fail "could not make a private /dev/net ($?)"
	[ "$(stat -c '%a %t:%T' /dev/net/tun)" = "$before" ] || fail "the host's /dev/net/tun changed"
	rc_is "$T/rc.user" 5
	# the keeper's view (the hub's user namespace) is told in host uids
	rc_is "$T/rc.create" 5
	grep -q "/dev/net/tun has mode 0600, owner uid 0; uid $tu cannot open it" "$T/err.create" \
		|| fail "create with a closed tun said: $(cat "$T/err.create")"
	grep -q "${PFX}tun" "$T/list.create" && fail "failed create left a cell: $(cat "$T/list.create")"
	kill_user_keeper
	check_is "$T/doc.user" tun fail "mode 0600, owner uid 0; uid $tu cannot open it: Permission denied; rootless cells get no uplink" \
		'^as root: chmod 0666 /dev/net/tun .*KERNEL=="tun", MODE="0666"'
	rc_is "$T/rc.root" 0
	check_is "$T/doc.root" tun warn 'uid 0 opened it; ordinary users cannot open it' 'chmod 0666 /dev/net/tun'
	rc_is "$T/rc.open" 0
	check_is "$T/doc.open" tun ok "mode 0666, owner uid 0; uid $tu opened it"
	rc_is "$T/rc.gone" 5
	check_is "$T/doc.gone" tun fail '/dev/net/tun: No such file or directory' '^as root: modprobe tun; .*mknod -m 0666 /dev/net/tun c 10 200'
}

t_doctor_uplink_tools() {
	# PATH without pasta and slirp4netns, then with only one of them
	local f n st rc
	mkdir -p "$T/bin" "$T/bin-slirp" "$T/bin-pasta"
	for f in /usr/local/bin/* /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
		n=${f##*/}
		case $n in pasta|pasta.avx2|passt|passt.avx2|slirp4netns) continue ;; esac
		# programs only (not /usr/bin/X11 and such); -n: never into a
		# directory a link points to
		[ -f "$f" ] && [ ! -e "$T/bin/$n" ] && [ ! -L "$T/bin/$n" ] && ln -sn "$f" "$T/bin/$n"
	done
	ln -s "$(command -v slirp4netns)" "$T/bin-slirp/slirp4netns" || fail "no slirp4netns on this machine"
	ln -s "$(command -v pasta)" "$T/bin-pasta/pasta" || fail "no pasta on this machine"
	st=fail
	[ "$MODE" = root ] && st=warn
	PATH=$T/bin $NC doctor --json >"$T/doc.none" 2>"$T/err"
	rc=$?
	[ "$rc" = "$([ $st = fail ] && echo 5 || echo 0)" ] || fail "doctor without pasta exited $rc"
	check_is "$T/doc.none" pasta $st 'neither pasta nor slirp4netns is in PATH' '^install it, as root: apt-get install passt$'
	check_is "$T/doc.none" slirp4netns $st 'neither slirp4netns nor pasta' 'apt-get install slirp4netns$'
	PATH=$T/bin-slirp:$T/bin expect_rc 0 $NC doctor --json
	check_is "$T/out" pasta warn "only $T/bin-slirp/slirp4netns is" 'apt-get install passt$'
	check_is "$T/out" slirp4netns ok "^$T/bin-slirp/slirp4netns$"
	PATH=$T/bin-pasta:$T/bin expect_rc 0 $NC doctor --json
	check_is "$T/out" pasta ok "^$T/bin-pasta/pasta$"
	check_is "$T/out" slirp4netns ok 'not needed while .*pasta is there'
	# the command this breaks names the same package
	PATH=$T/bin expect_rc 5 $NC create "${PFX}up" --uplink pasta
	expect_err_match "apt-get install passt"
	$NC delete --force "${PFX}up" 2>/dev/null
	return 0
}

# modes t_doctor_ports: root
t_doctor_ports() {
	# ip_unprivileged_port_start is per network namespace: a private one
	local host
	host=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	user_dirs
	trap kill_user_keeper EXIT
	inner_script <<'SH'
ip link set lo up || exit 90
echo 1024 >/proc/sys/net/ipv4/ip_unprivileged_port_start || exit 91
asu $NC doctor --json >$T/doc.1024 2>&1
asu $NC create ${PFX}p --uplink none 2>$T/err.create || exit 92
asu $NC port add ${PFX}p 80:80 2>$T/err.80; echo $? >$T/rc.80
echo 80 >/proc/sys/net/ipv4/ip_unprivileged_port_start || exit 93
asu $NC doctor --json >$T/doc.80 2>&1
$NC doctor --json >$T/doc.root 2>&1
asu $NC port add ${PFX}p 80:80 2>$T/err.80b; echo $? >$T/rc.80b
asu $NC delete --force ${PFX}p
exit 0
SH
	unshare --net bash "$T/inner.sh" || fail "could not prepare a network namespace ($?): $(cat "$T/err.create" 2>/dev/null)"
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$host" ] || fail "the host's ip_unprivileged_port_start changed"
	check_is "$T/doc.1024" ports ok 'is 1024: ordinary users can publish host ports 1024 and up; for lower ones: sysctl -w net.ipv4.ip_unprivileged_port_start=80 as root, or publish a high port such as 8080:80'
	rc_is "$T/rc.80" 5
	grep -q "cannot publish host port 80: ports below 1024 need the host's root (net.ipv4.ip_unprivileged_port_start is 1024); run 'sysctl -w net.ipv4.ip_unprivileged_port_start=80' as root, or publish a high port such as 8080:80" "$T/err.80" \
		|| fail "port add message: $(cat "$T/err.80")"
	check_is "$T/doc.80" ports ok 'is 80: ordinary users can publish host ports 80 and up'
	check_is "$T/doc.root" ports ok 'is 80: root can publish any port; ordinary users can publish host ports 80 and up'
	rc_is "$T/rc.80b" 0
}

t_doctor_wmem_max() {
	# net.core.wmem_max is global (read-only in other network namespaces)
	# and other tests need its value: a fake /proc/sys
	fake_sysroot "$T/sys"
	echo 212992 >"$T/sys/net/core/wmem_max"
	NETCELL_SYSROOT=$T/sys expect_rc 0 $NC doctor --json
	check_is "$T/out" wmem_max warn 'net.core.wmem_max is 212992: .*takes at most 416 KiB, so one nftables transaction up to that size goes in at once; netcell loads larger rulesets in steps' \
		"sysctl -w net.core.wmem_max=4194304"
	echo 4194304 >"$T/sys/net/core/wmem_max"
	NETCELL_SYSROOT=$T/sys expect_rc 0 $NC doctor --json
	check_is "$T/out" wmem_max ok 'net.core.wmem_max is 4194304: .*at most 8192 KiB'
	if [ "$MODE" = root ]; then
		check_is "$T/out" wmem_max ok 'root is not limited by it'
	fi
	rm "$T/sys/net/core/wmem_max"
	NETCELL_SYSROOT=$T/sys expect_rc 0 $NC doctor --json
	check_is "$T/out" wmem_max warn 'cannot be read \(No such file or directory\)' 'sysctl net.core.wmem_max'
}

# modes t_doctor_runtime_dir: root
t_doctor_runtime_dir() {
	local tu tu2 rc
	tu=$(id -u "$TUSER")
	tu2=$(id -u "$TUSER2")
	user_dirs
	trap kill_user_keeper EXIT
	mkdir -p "$U/xdg" "$T/rootdir" "$T/squat" "$T/rootonly"
	chown "$TUSER:" "$U/xdg"
	chmod 0755 "$U/xdg"
	chmod 0700 "$T/rootdir"
	chown "$TUSER2:" "$T/squat"
	chmod 0700 "$T/squat"
	asu touch "$U/file"
	# XDG_RUNTIME_DIR unset, open to others, someone else's, not a directory
	asu env -u NETCELL_RUNTIME_DIR -u XDG_RUNTIME_DIR $NC doctor --json >"$T/doc"
	check_is "$T/doc" xdg warn "XDG_RUNTIME_DIR is not set; netcell falls back to /tmp/netcell-$tu" "machinectl shell $TUSER@.*XDG_RUNTIME_DIR=/run/user/$tu"
	check_is "$T/doc" rundir '(ok|fail)' "^/tmp/netcell-$tu \\(the fallback\\)"
	asu env -u NETCELL_RUNTIME_DIR XDG_RUNTIME_DIR="$U/xdg" $NC doctor --json >"$T/doc"
	check_is "$T/doc" xdg warn "XDG_RUNTIME_DIR=$U/xdg has mode 0755, not 0700" "^chmod 0700 $U/xdg$"
	asu env -u NETCELL_RUNTIME_DIR XDG_RUNTIME_DIR="$T/rootdir" $NC doctor --json >"$T/doc"
	check_is "$T/doc" xdg warn "is owned by uid 0, not by uid $tu; netcell falls back" "XDG_RUNTIME_DIR=/run/user/$tu"
	asu env -u NETCELL_RUNTIME_DIR XDG_RUNTIME_DIR="$U/file" $NC doctor --json >"$T/doc"
	check_is "$T/doc" xdg warn "XDG_RUNTIME_DIR=$U/file is not a directory"
	chmod 0700 "$U/xdg"
	asu env -u NETCELL_RUNTIME_DIR XDG_RUNTIME_DIR="$U/xdg" $NC doctor --json >"$T/doc"
	check_is "$T/doc" xdg ok "XDG_RUNTIME_DIR=$U/xdg is yours, mode 0700"
	check_is "$T/doc" rundir ok "^$U/xdg/netcell \\(in XDG_RUNTIME_DIR\\) does not exist yet; netcell creates it"
	# a runtime directory squatted by another user: doctor and create fail
	asu env NETCELL_RUNTIME_DIR="$T/squat" $NC doctor --json >"$T/doc"
	rc=$?
	[ "$rc" = 5 ] || fail "doctor with a squatted runtime directory exited $rc"
	check_is "$T/doc" rundir fail "^$T/squat \\(from NETCELL_RUNTIME_DIR\\) is a directory owned by uid $tu2, not by uid $tu: netcell refuses it" \
		"remove $T/squat as its owner or root .*set NETCELL_RUNTIME_DIR"
	expect_rc 5 asu env NETCELL_RUNTIME_DIR="$T/squat" $NC create "${PFX}sq" --uplink none
	expect_err_match "directory \"$T/squat\" is not a directory owned by uid $tu"
	# one that cannot be created
	asu env NETCELL_RUNTIME_DIR="$T/rootonly/run" $NC doctor --json >"$T/doc"
	check_is "$T/doc" rundir fail "does not exist and uid $tu cannot create it: $T/rootonly is not writable" \
		"install -d -m 0700 -o $TUSER $T/rootonly/run"
	expect_rc 5 asu env NETCELL_RUNTIME_DIR="$T/rootonly/run" $NC create "${PFX}sq" --uplink none
	expect_err_match "cannot create directory \"$T/rootonly/run\""
	# root, with a runtime directory of the test user's
	NETCELL_RUNTIME_DIR=$U/xdg expect_rc 5 $NC doctor --json
	check_is "$T/out" rundir fail "owned by uid $tu, not by uid 0"
	check_is "$T/out" xdg ok 'not used'
}

# modes t_doctor_subuid: root
t_doctor_subuid() {
	# fake /etc/subuid and /etc/subgid, bound over the real ones in a
	# private mount namespace
	local want
	user_dirs
	grep -v "^$TUSER:" /etc/subuid >"$T/subuid"
	grep -v "^$TUSER:" /etc/subgid >"$T/subgid"
	cp /etc/subgid "$T/subgid.real"
	chmod 0644 "$T/subuid" "$T/subgid" "$T/subgid.real"
	inner_script <<'SH'
mount --bind $T/subuid /etc/subuid && mount --bind $T/subgid /etc/subgid || exit 90
asu $NC doctor --json >$T/doc.none; echo $? >$T/rc.none
$NC doctor --json >$T/doc.root
mount --bind $T/subgid.real /etc/subgid || exit 91
asu $NC doctor --json >$T/doc.gid
exit 0
SH
	unshare --mount --propagation private bash "$T/inner.sh" || fail "could not bind a fake /etc/subuid ($?)"
	rc_is "$T/rc.none" 0
	check_is "$T/doc.none" subuid warn "no entry for $TUSER in /etc/subuid and /etc/subgid: only features that map several uids" \
		"^as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $TUSER "
	check_is "$T/doc.root" subuid ok 'not needed by root'
	check_is "$T/doc.gid" subuid warn "no entry for $TUSER in /etc/subuid:" 'usermod'
	# the real files (useradd gave the test user ranges)
	want=$(grep "^$TUSER:" /etc/subuid) || fail "the test user has no /etc/subuid entry"
	asu $NC doctor --json >"$T/doc.real"
	check_is "$T/doc.real" subuid ok "^/etc/subuid: $want; /etc/subgid: $TUSER:"
}

t_doctor_in_cell() {
	# run inside a cell: a rootless cell's root is not the host's root
	local c=${PFX}in me
	me=$(id -u)
	expect_rc 0 $NC create "$c" --uplink none
	$NC exec "$c" -- $NC doctor --json >"$T/doc" 2>"$T/err"
	if [ "$MODE" = root ]; then
		check_is "$T/doc" context ok "^root on the host, in cell $c"
	else
		check_is "$T/doc" context warn "^uid 0 in a user namespace, in cell $c \\(uid $me on the host\\): root here is not the host's root" \
			"run 'netcell doctor' on the host as uid $me"
	fi
	$NC delete --force "$c"
}

# ping_group_range is per network namespace: set for real in a private one
# modes t_doctor_ping: root
t_doctor_ping() {
	local host
	host=$(cat /proc/sys/net/ipv4/ping_group_range)
	user_dirs
	trap kill_user_keeper EXIT
	inner_script <<'SH'
printf '1 0\n' >/proc/sys/net/ipv4/ping_group_range || exit 91
asu $NC doctor --json >$T/doc.closed 2>&1; echo $? >$T/rc.closed
printf '0 2147483647\n' >/proc/sys/net/ipv4/ping_group_range || exit 92
asu $NC doctor --json >$T/doc.open 2>&1
exit 0
SH
	unshare --net bash "$T/inner.sh" || fail "could not prepare a network namespace ($?)"
	[ "$(cat /proc/sys/net/ipv4/ping_group_range)" = "$host" ] || fail "the host's ping_group_range changed"
	rc_is "$T/rc.closed" 0
	check_is "$T/doc.closed" ping warn "is 1 0, which excludes your group $(id -g "$TUSER"): ping from cells gets no answer" \
		"sysctl -w net.ipv4.ping_group_range='0 2147483647'"
	check_is "$T/doc.open" ping ok "is 0 2147483647, which includes your group $(id -g "$TUSER")"
}

# inside a rootless cell, uid 0 is not the host's root: what needs the
# host's root says so, with what works instead
# modes t_not_host_root_messages: user
t_not_host_root_messages() {
	local c=${PFX}nr
	expect_rc 0 $NC create "$c" --uplink none
	printf 'table inet t {\n}\n' >"$T/t.nft"
	$NC exec "$c" -- $NC fw apply --host "$T/t.nft" 2>"$T/err"; [ $? = 5 ] || fail "fw apply --host in a cell: not exit 5: $(cat "$T/err")"
	grep -q "cannot change the host's firewall: Operation not permitted; the cell's root is not the host's root (uid 0 here is uid $(id -u) on the host)" "$T/err" \
		|| fail "fw --host message: $(cat "$T/err")"
	$NC delete --force "$c"
}
