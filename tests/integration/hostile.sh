# tests/integration/hostile.sh - a hostile second local user against a
# victim's netcell (root, and the test user): planted links, hard links,
# FIFOs and files, directories on the way that another user can change,
# another user's keeper connections.  docs/security.md lists every path
# and which test attacks it.
#
# Each test runs as root only: it creates the hostile user (useradd) and
# plays both victims itself, root and $TUSER, with
# fs.protected_{symlinks,hardlinks,regular,fifos} at 0 (protections_off in
# tests/lib.sh: put back when no test of any run holds them off).

H=${TUSER}x

# hostile_setup: the hostile user and the protections off; the EXIT trap
# (hostile_cleanup) puts everything back
hostile_setup() {
	trap hostile_cleanup EXIT
	id "$H" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin "$H" ||
		fail "cannot create the hostile user $H"
	HUID=$(id -u "$H")
	protections_off
}

# hostile_cleanup: keepers the victims started here, the planted files,
# the hostile user, the sysctls
hostile_cleanup() {
	local kp d
	for d in "$T"/v-*; do
		[ -d "$d" ] || continue
		kp=$(cat "$d/run/keeper.pid" 2>/dev/null)
		[ -n "$kp" ] && kill -9 "$kp" 2>/dev/null
	done
	[ -n "${HEXTRA:-}" ] && rm -rf $HEXTRA
	rm -rf "/tmp/$PFX-"* "/tmp/.$PFX-"*
	[ -n "${HPIDS:-}" ] && kill -9 $HPIDS 2>/dev/null
	# userdel refuses while a process of the user is still ending
	for _ in $(seq 1 50); do
		id "$H" >/dev/null 2>&1 || break
		userdel "$H" 2>/dev/null || sleep 0.1
	done
	id "$H" >/dev/null 2>&1 && echo "    hostile user $H could not be removed" >&2
	protections_release
}

# hostile CMD...: run CMD as the hostile user
hostile() { setpriv --reuid="$H" --regid="$H" --init-groups "$@"; }

# victim_dir V: a directory of victim V (root or $TUSER), 0711, with a
# precious file in it; prints its path
victim_dir() {
	local d="$T/v-$1"
	mkdir -p "$d"; chown "$1:" "$d"; chmod 711 "$d"
	echo "precious of $1" >"$d/precious"; chown "$1:" "$d/precious"; chmod 600 "$d/precious"
	echo "$d"
}

# as_victim V D CMD...: run CMD as V with its netcell directories in D
# (the caller may override them with env after as_victim)
as_victim() {
	local v=$1 d=$2; shift 2
	if [ "$v" = root ]; then
		env NETCELL_RUNTIME_DIR="$d/run" NETCELL_STATE_DIR="$d/state" HOME="$d" "$@"
	else	# not root's keeper log (tests/run's): a log of the victim's own
		setpriv --reuid="$v" --regid="$v" --init-groups env -u NETCELL_KEEPER_LOG \
			NETCELL_RUNTIME_DIR="$d/run" NETCELL_STATE_DIR="$d/state" HOME="$d" "$@"
	fi
}

# precious_intact D V: the victim's precious file is as it was
precious_intact() {
	[ "$(cat "$1/precious")" = "precious of $2" ] || fail "$2's precious file was changed: $(head -c 100 "$1/precious")"
	[ "$(stat -c %h "$1/precious")" = 1 ] || [ -n "${HLINKED:-}" ] || fail "$2's precious file has extra links"
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_dirs_on_the_way: root
t_hostile_dirs_on_the_way() {
	# the state and runtime directories are refused when a directory on
	# their way is another user's, writable by everyone, or reached
	# through another user's symbolic link: that user could swap the
	# victim's directory for their own (their socket, their cells)
	local v d h w l
	hostile_setup
	for v in root "$TUSER"; do
		d=$(victim_dir "$v")
		h="/tmp/$PFX-h-$v"; w="/tmp/$PFX-w-$v"; l="/tmp/$PFX-l-$v"
		hostile mkdir -m 0777 "$h" || fail "cannot make $h"
		mkdir -m 0777 "$w"; chmod 0777 "$w"	# root's, writable by all, not sticky
		hostile ln -s "$d" "$l" || fail "cannot plant $l"
		# another user's directory (the victim may write in it)
		expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$h/state" $NC list
		expect_err_match "refusing \"$h/state\": the directory \"$h\" on its way belongs to another user \\(uid $HUID.*; set NETCELL_STATE_DIR to a directory"
		[ -z "$(ls -A "$h")" ] || fail "$v made $(ls -A "$h") in $H's directory"
		expect_rc 5 as_victim "$v" "$d" env NETCELL_RUNTIME_DIR="$h/a/run" $NC list
		expect_err_match "the directory \"$h\" on its way belongs to another user.*; set NETCELL_RUNTIME_DIR to"
		[ -z "$(ls -A "$h")" ] || fail "$v made $(ls -A "$h") in $H's directory"
		# a directory every user may write (not sticky)
		expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$w/state" $NC list
		expect_err_match "the directory \"$w\" on its way can be written by every user"
		[ -z "$(ls -A "$w")" ] || fail "$v made $(ls -A "$w") in the world-writable $w"
		# the victim's own directory, reached through the hostile user's link
		expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$l/state" $NC list
		expect_err_match "\"$l\" on its way is a symbolic link of uid $HUID"
		[ -e "$d/state" ] && fail "$v made its state through $H's link"
		if [ "$v" = root ]; then
			# sudo -E: root given the user's NETCELL_STATE_DIR, in a
			# directory of theirs that only they can write (0755)
			hostile mkdir -m 0755 "$h-home"
			expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$h-home/state" $NC list
			expect_err_match "refusing \"$h-home/state\": the directory \"$h-home\" on its way belongs to another user \(uid $HUID, mode 0755\)"
			[ -z "$(ls -A "$h-home")" ] || fail "root made $(ls -A "$h-home") in $H's directory"
		else
			# XDG_STATE_HOME in another user's directory
			expect_rc 5 as_victim "$v" "$d" env -u NETCELL_STATE_DIR XDG_STATE_HOME="$h" $NC list
			expect_err_match "refusing \"$h/netcell\".*; set XDG_STATE_HOME \\(or NETCELL_STATE_DIR\\) to"
			# ~/.local/state/netcell with a HOME every user may write (CI)
			expect_rc 5 as_victim "$v" "$d" env -u NETCELL_STATE_DIR -u XDG_STATE_HOME HOME="$w" $NC list
			expect_err_match "refusing \"$w/.local/state/netcell\": the directory \"$w\" on its way can be written by every user.*; set XDG_STATE_HOME \\(or NETCELL_STATE_DIR\\) to"
			[ -z "$(ls -A "$w")" ] || fail "$v made $(ls -A "$w") in the world-writable $w"
			# /tmp/netcell-UID when /tmp is not sticky (a private tmpfs
			# /tmp of mode 0777 in a mount namespace of this test's own)
			expect_rc 5 unshare -m --propagation private sh -c "mount -t tmpfs -o mode=0777 ${PFX}tmp /tmp &&
				exec setpriv --reuid='$v' --regid='$v' --init-groups env -u NETCELL_KEEPER_LOG -u NETCELL_RUNTIME_DIR \
				-u XDG_RUNTIME_DIR NETCELL_STATE_DIR=/nonexistent-$PFX HOME=/nonexistent-$PFX $NC list"
			expect_err_match "refusing \"/tmp/netcell-$(id -u "$v")\": the directory \"/tmp\" on its way can be written by every user.*; set XDG_RUNTIME_DIR \\(to a 0700 directory of yours\\) or NETCELL_RUNTIME_DIR to"
			# /tmp/netcell-UID (no XDG_RUNTIME_DIR) squatted: a directory, a link
			local sq; sq="/tmp/netcell-$(id -u "$v")"
			rm -rf "$sq"; HEXTRA="$sq"
			hostile mkdir -m 0777 "$sq"
			expect_rc 5 as_victim "$v" "$d" env -u NETCELL_RUNTIME_DIR -u XDG_RUNTIME_DIR $NC list
			expect_err_match "directory \"$sq\" is not a directory owned by uid [0-9]+ \(it is a directory of uid $HUID\); remove it \(only root can"
			rmdir "$sq"; hostile ln -s "$d" "$sq"
			expect_rc 5 as_victim "$v" "$d" env -u NETCELL_RUNTIME_DIR -u XDG_RUNTIME_DIR $NC list
			expect_err_match "directory \"$sq\" is not a directory owned by uid [0-9]+ \(it is a symbolic link of uid $HUID\)"
			# ($d/run is the runtime directory of the cases above)
			ls -A "$d" | grep -vqx 'precious\|run' && fail "$v wrote $(ls -A "$d") through $H's link"
			rm -f "$sq"
		fi
		# the control: the victim's own directory in sticky /tmp works
		mkdir "/tmp/$PFX-own-$v"; chown "$v:" "/tmp/$PFX-own-$v"; chmod 700 "/tmp/$PFX-own-$v"
		expect_rc 0 as_victim "$v" "$d" env NETCELL_STATE_DIR="/tmp/$PFX-own-$v/state" \
			NETCELL_RUNTIME_DIR="/tmp/$PFX-own-$v/run" $NC list
		kp=$(cat "/tmp/$PFX-own-$v/run/keeper.pid" 2>/dev/null); [ -n "$kp" ] && kill -9 "$kp"
		precious_intact "$d" "$v"
	done
	return 0
}

# root only: creates the hostile user and changes group memberships; the
# victim is $TUSER (a user private group is a user's case; root's own
# group is checked by the same code)
# modes t_hostile_group_dirs: root
t_hostile_group_dirs() {
	# a group-writable directory on the way is trusted only when its
	# group is the caller's (or root's) and private: no members, no other
	# user's primary group (Debian OpenSSH's user-group-modes); a shared
	# primary group (users, 100) let every member swap the victim's state
	local v=$TUSER d g hgid vg kp
	hostile_setup
	d=$(victim_dir "$v"); hgid=$(id -g "$H"); vg=$(id -gn "$v")
	g="/tmp/$PFX-g"
	mkdir "$g"; chown "root:$hgid" "$g"; chmod 2775 "$g"
	hostile mkdir "$g/hx" || fail "$H cannot write its group's directory $g (test broken)"
	rmdir "$g/hx"
	# the victim acting with $H's primary group as its own (as uid 1000
	# with the shared gid 100)
	expect_rc 5 setpriv --reuid="$v" --regid="$hgid" --clear-groups env -u NETCELL_KEEPER_LOG \
		NETCELL_RUNTIME_DIR="$d/run" NETCELL_STATE_DIR="$g/state" HOME="$d" $NC list
	expect_err_match "refusing \"$g/state\": the directory \"$g\" on its way can be written by its group, which is not private"
	[ -z "$(ls -A "$g")" ] || fail "$v made $(ls -A "$g") in the group-writable $g"
	# the control: the victim's own private group
	chown "root:$vg" "$g"; chmod 2775 "$g"
	expect_rc 0 as_victim "$v" "$d" env NETCELL_STATE_DIR="$g/state" $NC list
	kp=$(cat "$d/run/keeper.pid" 2>/dev/null); [ -n "$kp" ] && kill -9 "$kp"
	rm -rf "$g/state" "$d/run"
	# the same group with a member ($H; removed with $H at exit)
	usermod -aG "$vg" "$H" || fail "cannot add $H to $vg"
	hostile mkdir "$g/hx" || fail "$H, member of $vg, cannot write $g (test broken)"
	rmdir "$g/hx"
	expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$g/state" $NC list
	expect_err_match "the directory \"$g\" on its way can be written by its group"
	[ -z "$(ls -A "$g")" ] || fail "$v made $(ls -A "$g") in $g, which $H may write"
	precious_intact "$d" "$v"
	return 0
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_acl_dirs: root
t_hostile_acl_dirs() {
	# a directory on the way whose POSIX ACL lets another user or a
	# shared group write it (the mode shows 0755 or the mask) is refused;
	# the mask taking the write away, or an entry naming the victim, is
	# fine
	local v d a kp
	command -v setfacl >/dev/null || fail "setfacl missing (package acl, scripts/install-deps)"
	hostile_setup
	for v in root "$TUSER"; do
		d=$(victim_dir "$v"); a="$d/acl"
		mkdir -m 0755 "$a"; chown "$v:" "$a"
		setfacl -m "u:$H:rwx" "$a" || fail "setfacl failed (file system without ACLs?)"
		hostile mkdir "$a/hx" || fail "$H cannot write $a through the ACL (test broken)"
		rmdir "$a/hx"
		expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$a/state" $NC list
		expect_err_match "refusing \"$a/state\": the directory \"$a\" on its way has an ACL entry letting uid $HUID write it"
		[ -z "$(ls -A "$a")" ] || fail "$v made $(ls -A "$a") in $a, which $H may write"
		setfacl -b "$a"; setfacl -m "g:$H:rwx" "$a"
		expect_rc 5 as_victim "$v" "$d" env NETCELL_STATE_DIR="$a/state" $NC list
		expect_err_match "the directory \"$a\" on its way has an ACL entry letting group $(id -g "$H") write it"
		# the controls: the mask removes the write; an entry for the victim
		setfacl -b "$a"; setfacl -m "u:$H:rwx,m::r-x" "$a"
		hostile mkdir "$a/hx" 2>/dev/null && fail "$H can still write $a (mask r-x)"
		expect_rc 0 as_victim "$v" "$d" env NETCELL_STATE_DIR="$a/state" $NC list
		setfacl -b "$a"; setfacl -m "u:$v:rwx" "$a"
		expect_rc 0 as_victim "$v" "$d" env NETCELL_STATE_DIR="$a/state" $NC list
		kp=$(cat "$d/run/keeper.pid" 2>/dev/null); [ -n "$kp" ] && kill -9 "$kp"
		precious_intact "$d" "$v"
	done
	return 0
}

# keeper_not_started D: no keeper was left by a refused command
keeper_not_started() {
	[ -e "$1/run/keeper.pid" ] && fail "a keeper was started: $(cat "$1/run/keeper.pid")"
	return 0
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_keeper_log: root
t_hostile_keeper_log() {
	# NETCELL_KEEPER_LOG in /tmp: another user's symbolic link, FIFO,
	# file, or a hard link to the victim's own file planted at its name is
	# refused before a keeper starts: never followed, written into or
	# waited on
	local v d log m
	hostile_setup
	for v in root "$TUSER"; do
		d=$(victim_dir "$v"); log="/tmp/$PFX-log-$v"
		hostile ln -s "$d/precious" "$log"
		expect_rc 5 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		expect_err_match "cannot open the keeper log \"$log\" \\(NETCELL_KEEPER_LOG\\): it is a symbolic link"
		precious_intact "$d" "$v"; keeper_not_started "$d"; rm -f "$log"
		hostile mkfifo -m 0666 "$log"
		expect_rc 5 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		expect_err_match "keeper log \"$log\" .*it is a FIFO"
		keeper_not_started "$d"
		# a FIFO with a reader: opened, then refused
		# (setpriv started directly, so $! is the reader itself)
		setpriv --reuid="$H" --regid="$H" --init-groups sh -c "exec 3<>'$log'; exec sleep 20" &
		local rdr=$!
		HPIDS="$HPIDS $rdr"
		sleep 0.3
		expect_rc 5 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		expect_err_match "refusing the keeper log \"$log\" .*it is not a regular file"
		kill "$rdr" 2>/dev/null; wait "$rdr" 2>/dev/null
		keeper_not_started "$d"; rm -f "$log"
		hostile sh -c "umask 0; : >'$log'"
		expect_rc 5 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		expect_err_match "keeper log \"$log\" .*it belongs to another user"
		[ -s "$log" ] && fail "the keeper wrote into $H's file"
		keeper_not_started "$d"; rm -f "$log"
		hostile ln "$d/precious" "$log" || fail "cannot hard-link $v's file (protected_hardlinks=0)"
		HLINKED=1 precious_intact "$d" "$v"
		expect_rc 5 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		expect_err_match "refusing the keeper log \"$log\" .*more than one hard link"
		rm -f "$log"; precious_intact "$d" "$v"; keeper_not_started "$d"
		# the control: a fresh name is the victim's own, private
		expect_rc 0 as_victim "$v" "$d" timeout 20 env NETCELL_KEEPER_LOG="$log" $NC list
		[ -f "$log" ] && [ ! -L "$log" ] || fail "no keeper log at $log"
		m=$(stat -c '%U %a' "$log")
		[ "$m" = "$v 600" ] || fail "keeper log $log is '$m', wanted '$v 600'"
		kill -9 "$(cat "$d/run/keeper.pid")"
	done
	return 0
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_stage_out_links: root
t_hostile_stage_out_links() {
	# fw stage -o into /tmp where the hostile user hard-linked the
	# victim's own file (protected_hardlinks=0: the name's file is the
	# victim's) or made a FIFO: the victim's file is never written in
	# place, the FIFO never opened
	local v d out
	hostile_setup
	printf '#!/bin/sh\nnft add table inet planted\n' >"$T/fw.sh"; chmod 755 "$T/fw.sh"
	for v in root "$TUSER"; do
		d=$(victim_dir "$v"); out="/tmp/$PFX-out-$v.nft"
		hostile ln "$d/precious" "$out" || fail "cannot hard-link $v's file"
		expect_rc 0 as_victim "$v" "$d" $NC fw stage -o "$out" -- "$T/fw.sh"
		precious_intact "$d" "$v"
		grep -q 'table inet planted' "$out" || fail "$out lacks the staged table"
		[ "$(stat -c %U "$out")" = "$v" ] || fail "$out is not $v's"
		rm -f "$out"
		hostile mkfifo -m 0666 "$out"
		expect_rc 5 as_victim "$v" "$d" timeout 60 $NC fw stage -o "$out" -- "$T/fw.sh"
		expect_err_match "refusing to write \"$out\": .*owned by uid $HUID in the sticky directory"
		[ -p "$out" ] || fail "the planted FIFO was replaced"
		rm -f "$out"
	done
	return 0
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_keeper_socket: root
t_hostile_keeper_socket() {
	# the victim's keeper socket made reachable (its directories opened
	# by mistake): another user's connection is refused by the keeper
	# itself, and can neither list nor delete the victim's cell
	local v d c kp
	hostile_setup
	for v in root "$TUSER"; do
		d=$(victim_dir "$v"); c="${PFX}s"
		expect_rc 0 as_victim "$v" "$d" $NC create --uplink none "$c"
		chmod 0711 "$d/state"; chmod 0777 "$d/state/keeper.sock"
		hostile python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect('$d/state/keeper.sock')
r = s.recv(4096).decode()
print(r)
try:
    s.send(b'DELETE\t$c'); print(s.recv(4096).decode())
except OSError as e: print('closed', e)
" >"$T/peer" 2>&1 || fail "the hostile user could not even connect (test broken?): $(cat "$T/peer")"
		grep -q "^ERR	-[0-9]*	5	" "$T/peer" || fail "the keeper did not refuse $H: $(cat "$T/peer")"
		grep -q "$c" "$T/peer" && fail "the keeper told $H about $c: $(cat "$T/peer")"
		expect_rc 0 as_victim "$v" "$d" $NC inspect "$c"
		# and the next command of the victim makes the state private again
		[ "$(stat -c %a "$d/state")" = 700 ] || fail "state directory left at $(stat -c %a "$d/state")"
		expect_rc 0 as_victim "$v" "$d" $NC delete --force "$c"
		kp=$(cat "$d/run/keeper.pid"); kill -9 "$kp"
	done
	return 0
}

# root only: creates the hostile user; the victim is $TUSER: root's cell files are /etc/netns
# modes t_hostile_cell_etc: root
t_hostile_cell_etc() {
	# a rootless cell's etc files (bound over /etc by exec) from
	# XDG_CONFIG_HOME: in another user's directory they are refused, not
	# bound (whoever writes them picks the cell's hosts and resolver)
	local v=$TUSER d h c="${PFX}e"
	hostile_setup
	d=$(victim_dir "$v"); h="/tmp/$PFX-cfg"
	hostile mkdir -p -m 0777 "$h/netcell/$c/etc"
	hostile sh -c "echo '192.0.2.66 bank.example' >'$h/netcell/$c/etc/hosts'"
	chmod -R 0777 "$h"
	expect_rc 0 as_victim "$v" "$d" $NC create --uplink none "$c"
	expect_rc 5 as_victim "$v" "$d" env XDG_CONFIG_HOME="$h" $NC exec "$c" -- cat /etc/hosts
	expect_err_match "refusing \"$h/netcell/$c/etc\": the directory \"$h\" on its way belongs to another user"
	grep -q bank.example "$T/out" && fail "$H's hosts file was bound into $v's cell"
	# the control: the victim's own etc directory is bound
	mkdir -p "$d/cfg/netcell/$c/etc"; echo '192.0.2.7 mine.example' >"$d/cfg/netcell/$c/etc/hosts"
	chown -R "$v:" "$d/cfg"; chmod -R go-w "$d/cfg"
	expect_rc 0 as_victim "$v" "$d" env XDG_CONFIG_HOME="$d/cfg" $NC exec "$c" -- cat /etc/hosts
	grep -q mine.example "$T/out" || fail "$v's own etc file was not bound: $(cat "$T/out")"
	expect_rc 0 as_victim "$v" "$d" $NC delete --force "$c"
	return 0
}

# root only: creates the hostile user; the victim is $TUSER (a rootless
# cell: in a root cell owners show as they are)
# modes t_hostile_cell_stage_link: root
t_hostile_cell_stage_link() {
	# inside a rootless cell another user's directory and link show as
	# the overflow uid, as root's do: the hostile user's link out.nft (in
	# their own 0755 directory) pointing at the victim's file was
	# followed by fw stage -o run in the cell, and the file overwritten;
	# now refused, naming where the link leads
	local v=$TUSER d p c="${PFX}k"
	hostile_setup
	printf '#!/bin/sh\nnft add table inet planted\n' >"$T/fw.sh"; chmod 755 "$T/fw.sh"
	d=$(victim_dir "$v"); p="/tmp/$PFX-cp"
	hostile mkdir -m 0755 "$p"
	hostile ln -s "$d/precious" "$p/out.nft"
	expect_rc 0 as_victim "$v" "$d" $NC create --uplink none "$c"
	expect_rc 5 as_victim "$v" "$d" $NC exec "$c" -- $NC fw stage -o "$p/out.nft" -- "$T/fw.sh"
	expect_err_match "refusing \"$p/out.nft\": .*inside a cell a link not owned by you cannot be told apart from another user's; give the path it leads to, \"$d/precious\""
	precious_intact "$d" "$v"
	# a link of $H's on the way (in sticky /tmp, to the victim's own
	# directory): another user's link, even where it leads is the victim's
	hostile ln -s "$d" "$p-l"
	expect_rc 5 as_victim "$v" "$d" $NC exec "$c" -- $NC fw stage -o "$p-l/x.nft" -- "$T/fw.sh"
	expect_err_match "refusing \"$p-l/x.nft\": \"$p-l\" on its way is a symbolic link not owned by you .*give the path it leads to, \"$d\""
	[ -e "$d/x.nft" ] && fail "$v wrote through $H's link in the cell"
	# outside the cell: refused as before (the directory is $H's)
	expect_rc 5 as_victim "$v" "$d" $NC fw stage -o "$p/out.nft" -- "$T/fw.sh"
	precious_intact "$d" "$v"
	# the control: the victim's own link in the cell is written through
	ln -s "$d/mine.nft" "$d/own.nft"; chown -h "$v:" "$d/own.nft"
	expect_rc 0 as_victim "$v" "$d" $NC exec "$c" -- $NC fw stage -o "$d/own.nft" -- "$T/fw.sh"
	grep -q 'table inet planted' "$d/mine.nft" || fail "the victim's own link was not written through in the cell"
	[ -L "$d/own.nft" ] || fail "the victim's own link was replaced"
	expect_rc 0 as_victim "$v" "$d" $NC delete --force "$c"
	return 0
}

# root only: creates the hostile user; the victim is $TUSER (rootless
# cells are the ones with an etc directory under XDG_CONFIG_HOME)
# modes t_hostile_cell_etc_absent: root
t_hostile_cell_etc_absent() {
	# a user with no cell etc directory binds nothing, whatever the
	# directories on its would-be way: a CI-style HOME of mode 0777 and
	# the HOME of another user (su without -) made every exec and run
	# exit 5 while create succeeded; once another user makes the
	# directory there it is refused, naming XDG_CONFIG_HOME
	local v=$TUSER d ci="/tmp/$PFX-ci" c="${PFX}a"
	hostile_setup
	d=$(victim_dir "$v")
	mkdir "$ci"; chmod 0777 "$ci"
	expect_rc 0 as_victim "$v" "$d" $NC create --uplink none "$c"
	expect_rc 0 as_victim "$v" "$d" env -u XDG_CONFIG_HOME HOME="$ci" $NC exec "$c" -- cat /etc/hosts
	expect_rc 0 as_victim "$v" "$d" env -u XDG_CONFIG_HOME HOME="$ci" $NC run --uplink none -- true
	expect_rc 0 as_victim "$v" "$d" env -u XDG_CONFIG_HOME HOME=/root $NC exec "$c" -- true
	[ -z "$(ls -A "$ci")" ] || fail "exec made $(ls -A "$ci") in $ci"
	# the hostile user makes it there
	hostile mkdir -p "$ci/.config/netcell/$c/etc"
	hostile sh -c "echo '192.0.2.66 bank.example' >'$ci/.config/netcell/$c/etc/hosts'"
	expect_rc 5 as_victim "$v" "$d" env -u XDG_CONFIG_HOME HOME="$ci" $NC exec "$c" -- cat /etc/hosts
	expect_err_match "refusing \"$ci/.config/netcell/$c/etc\": the directory \"$ci\" on its way can be written by every user .*; set XDG_CONFIG_HOME to a directory"
	grep -q bank.example "$T/out" && fail "$H's hosts file was bound into $v's cell"
	expect_rc 0 as_victim "$v" "$d" $NC delete --force "$c"
	return 0
}

# root only: /run/netns is root's: the name's other owner is another root program
# modes t_hostile_netns_name_taken: root
t_hostile_netns_name_taken() {
	# a name already bound in /run/netns by another program (ip netns
	# add) is not taken over: create says it exists, delete that there is
	# no such cell, and the namespace with its interface stays
	local c="${PFX}n"
	trap "ip netns del $c 2>/dev/null" EXIT
	ip netns add "$c" || fail "ip netns add failed"
	ip -n "$c" link add "${PFX:0:6}d0" type veth peer name "${PFX:0:6}d1" || fail "cannot add a veth pair in $c"
	expect_rc 4 $NC create "$c"
	expect_rc 3 $NC delete "$c"
	expect_rc 3 $NC exec "$c" -- true
	ip -n "$c" link show "${PFX:0:6}d0" >/dev/null 2>&1 || fail "the other program's namespace $c was replaced or emptied"
	ip netns list | grep -q "^$c\b" || fail "the other program's binding of $c was removed"
	return 0
}

# root only: creates the hostile user; plays both victims
# modes t_hostile_stage_out_foreign_dir: root
t_hostile_stage_out_foreign_dir() {
	# fw stage -o into a directory of the hostile user (the victim's
	# working directory, say): their link there, pointing at the victim's
	# file, is followed by the kernel whatever the sysctls (the link and
	# the directory have one owner); the write is refused, the victim's
	# file stays
	local v d p
	hostile_setup
	printf '#!/bin/sh\nnft add table inet planted\n' >"$T/fw.sh"; chmod 755 "$T/fw.sh"
	for v in root "$TUSER"; do
		d=$(victim_dir "$v"); p="/tmp/$PFX-proj-$v"
		hostile mkdir -m 0777 "$p"
		hostile ln -s "$d/precious" "$p/out.nft"
		expect_rc 5 as_victim "$v" "$d" sh -c "cd '$p' && exec $NC fw stage -o out.nft -- '$T/fw.sh'"
		expect_err_match "refusing \"out.nft\": the directory \"$p\" on its way belongs to another user"
		precious_intact "$d" "$v"
		[ -L "$p/out.nft" ] || fail "the hostile link was replaced"
		[ "$(ls -A "$p")" = out.nft ] || fail "$v left files in $H's directory: $(ls -A "$p")"
		# the victim's own link leading into that directory: refused too
		ln -s "$p/mine.nft" "$d/out.nft"; chown -h "$v:" "$d/out.nft"
		expect_rc 5 as_victim "$v" "$d" $NC fw stage -o "$d/out.nft" -- "$T/fw.sh"
		expect_err_match "refusing \"$d/out.nft\": the directory \"$p\" on its way belongs to another user"
		[ -e "$p/mine.nft" ] && fail "$v wrote into $H's directory through its own link"
		rm -f "$d/out.nft"
	done
	return 0
}

# root only: root's cells are bound in /run/netns, which every user can read
# modes t_hostile_root_cell_entry: root
t_hostile_root_cell_entry() {
	# another user can open root's /run/netns/CELL but neither enter it
	# (nsenter, ip netns exec) nor reach root's keeper from anywhere
	local c="${PFX}r" np
	hostile_setup
	expect_rc 0 $NC create --uplink none "$c"
	np=$($NC path "$c") || fail "no path for $c"
	hostile nsenter --net="$np" true 2>/dev/null && fail "$H entered root's cell through $np"
	hostile ip netns exec "$c" true 2>/dev/null && fail "$H ran a command in root's cell with ip netns exec"
	hostile $NC exec "$c" -- true 2>"$T/err" && fail "$H ran a command in root's cell with netcell exec"
	# $H's netcell is $H's own: it has no such cell
	hostile env -u NETCELL_RUNTIME_DIR -u NETCELL_STATE_DIR -u NETCELL_KEEPER_LOG HOME=/nonexistent \
		XDG_RUNTIME_DIR= $NC list >"$T/out" 2>"$T/err"
	grep -q "$c" "$T/out" && fail "$H's list shows root's cell"
	hostile test -r "$NETCELL_STATE_DIR/keeper.sock" && fail "$H can reach root's keeper socket"
	expect_rc 0 $NC inspect "$c"
	expect_rc 0 $NC delete --force "$c"
	# the hostile user's own keeper, if its list started one
	local kp; kp=$(cat "/tmp/netcell-$HUID/keeper.pid" 2>/dev/null)
	[ -n "$kp" ] && kill -9 "$kp" 2>/dev/null
	rm -rf "/tmp/netcell-$HUID"
	return 0
}
