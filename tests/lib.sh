# tests/lib.sh - helpers for integration tests, sourced by each test script.
#
# A test script defines functions named t_*; tests/run calls each one in a
# fresh bash, as root and as the unprivileged test user.  Inside a test:
#   $NC      the netcell binary under test
#   $MODE    "root" or "user"
#   $T       a private scratch directory, owned by the running user
#   $PFX     a prefix for cell names unique to this test run
# Each test gets its own keeper through NETCELL_RUNTIME_DIR/NETCELL_STATE_DIR,
# so a test that kills its keeper disturbs no other test.

fail() { echo "    FAIL: $*" >&2; exit 1; }
note() { echo "    $*" >&2; }

# expect_rc WANT CMD...: run CMD, fail unless it exits WANT; keep its stderr
expect_rc() {
	local want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, wanted $want; stderr: $(head -c 400 "$T/err")"
}

# expect_err_match REGEX: the last expect_rc's stderr matches REGEX
expect_err_match() {
	grep -Eq -- "$1" "$T/err" || fail "stderr does not match /$1/: $(head -c 400 "$T/err")"
}

# free_port: a port no TCP or UDP socket uses, below the kernel's ephemeral
# range (net.ipv4.ip_local_port_range starts at 32768), so no client
# connection of another test can take it meanwhile
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 12000))
		ss -Htuan "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# wait_port HOSTPORT [CELL]: wait up to 5 s for a TCP listener (in CELL)
wait_port() {
	local port=$1 cell=${2:-}
	for _ in $(seq 1 100); do
		if [ -n "$cell" ]; then
			$NC exec "$cell" -- ss -Htln "sport = :$port" 2>/dev/null | grep -q . && return 0
		else
			ss -Htln "sport = :$port" | grep -q . && return 0
		fi
		sleep 0.05
	done
	return 1
}

# keeper_pid: PID of this test's keeper, empty when none runs
keeper_pid() { cat "$NETCELL_RUNTIME_DIR/keeper.pid" 2>/dev/null; }

# alive PID: is PID a live (not zombie) process
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# gone PID: wait up to 3 s for PID to end; fails if it is still alive
gone() {
	for _ in $(seq 1 60); do alive "$1" || return 0; sleep 0.05; done
	return 1
}

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

# The machine's fs.protected_{symlinks,hardlinks,regular,fifos} are turned
# off by tests that show netcell does not rely on them.  They are machine
# wide and several test runs may go on at once, so they are handed out by
# holder: the first holder (no other live one) notes the values as they
# are, each holder is a file named by its PID, and when no live holder is
# left the values noted are put back (by the last holder, or by tests/run
# after any test, for a holder its timeout killed).  A run that starts
# while another run's test holds them off never takes 0 for normal.
PROT_DIR=/run/lock/netcell-test-protections
PROT_KEYS="symlinks hardlinks regular fifos"

# prot_settle_locked: with the lock held, drop dead holders; when none is
# left, put the noted values back and forget them
prot_settle_locked() {
	local h s live=0
	for h in "$PROT_DIR"/holder-*; do
		[ -e "$h" ] || continue
		if kill -0 "${h##*-}" 2>/dev/null; then live=1; else rm -f "$h"; fi
	done
	[ "$live" = 1 ] && return 0
	for s in $PROT_KEYS; do
		[ -f "$PROT_DIR/base-$s" ] || continue
		sysctl -qw "fs.protected_$s=$(cat "$PROT_DIR/base-$s")" && rm -f "$PROT_DIR/base-$s"
	done
}

# protections_off: this test process holds the protections off
protections_off() {
	local s fd
	mkdir -p "$PROT_DIR" || fail "cannot make $PROT_DIR"
	exec {fd}>"$PROT_DIR/lock"; flock "$fd"
	prot_settle_locked
	for s in $PROT_KEYS; do
		[ -f "$PROT_DIR/base-$s" ] || sysctl -n "fs.protected_$s" >"$PROT_DIR/base-$s"
	done
	: >"$PROT_DIR/holder-$BASHPID"
	PROT_HOLDER=$BASHPID
	for s in $PROT_KEYS; do sysctl -qw "fs.protected_$s=0" || { exec {fd}>&-; fail "cannot set fs.protected_$s=0"; }; done
	exec {fd}>&-
}

# protections_release: this process no longer holds them (if it did);
# with nobody else holding them, they are back as noted
protections_release() {
	local fd
	[ -d "$PROT_DIR" ] || return 0
	exec {fd}>"$PROT_DIR/lock"; flock "$fd"
	[ -n "${PROT_HOLDER:-}" ] && rm -f "$PROT_DIR/holder-$PROT_HOLDER"
	PROT_HOLDER=
	prot_settle_locked
	exec {fd}>&-
}
