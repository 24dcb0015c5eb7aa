# tests/integration/files.sh - the files netcell writes: no planted link or
# file at a guessable name is ever followed or written into, and gc removes
# only netcell's own leftovers.

# as_user USER DIR CMD...: run CMD as USER with netcell directories in DIR
as_user() {
	local u=$1 d=$2; shift 2
	if [ "$u" = root ]; then
		env NETCELL_RUNTIME_DIR="$d/run" NETCELL_STATE_DIR="$d/state" HOME="$d" "$@"
	else
		setpriv --reuid="$u" --regid="$u" --init-groups \
			env NETCELL_RUNTIME_DIR="$d/run" NETCELL_STATE_DIR="$d/state" HOME="$d" "$@"
	fi
}

# plant_round VICTIM DIR OUT KIND: $TUSER2 plants KIND ("link" to the
# victim's precious file, or an empty "file" of mode 0666) at the old
# predictable temporary name of OUT and at guessable ones, then VICTIM runs
# fw stage -o OUT; the planted entries and the precious file must be
# untouched, OUT the victim's own with the umask's mode
plant_round() {
	local v=$1 d=$2 out=$3 kind=$4 base next i n names=() m want
	base=$(basename "$out")
	next=$(cat /proc/sys/kernel/ns_last_pid)
	names=("$out.netcell-tmp" "$out.tmp" "$out.tmp.$((next + 1))" "$out~")
	for i in $(seq 1 40); do names+=("/tmp/.$base.nctmp-$((next + i))-AAAAAA"); done
	for n in "${names[@]}"; do
		if [ "$kind" = link ]; then
			setpriv --reuid="$TUSER2" --regid="$TUSER2" --init-groups ln -s "$d/precious" "$n" || fail "cannot plant $n"
		else
			setpriv --reuid="$TUSER2" --regid="$TUSER2" --init-groups sh -c "umask 0; : >'$n'" || fail "cannot plant $n"
		fi
	done
	expect_rc 0 as_user "$v" "$d" sh -c "umask ${UM:-022}; exec $NC fw stage -o '$out' -- '$T/fw.sh'"
	[ "$(cat "$d/precious")" = "precious of $v" ] || fail "$kind round: $v's precious file was overwritten"
	for n in "${names[@]}"; do
		if [ "$kind" = link ]; then
			[ -L "$n" ] || fail "$kind round: planted link $n was replaced"
		else
			[ -f "$n" ] && [ ! -s "$n" ] || fail "$kind round: planted file $n received data"
			[ "$(stat -c %U "$n")" = "$TUSER2" ] || fail "$kind round: $n changed owner"
		fi
		rm -f "$n"
	done
	[ -f "$out" ] && [ ! -L "$out" ] || fail "$kind round: $out is not a regular file"
	[ "$(stat -c %U "$out")" = "$v" ] || fail "$kind round: $out belongs to $(stat -c %U "$out"), not $v"
	m=$(stat -c %a "$out"); want=$(printf '%o' $((0666 & ~0${UM:-022})))
	[ "$m" = "$want" ] || fail "$kind round: $out has mode $m, wanted $want (umask ${UM:-022})"
	grep -q 'table inet planted' "$out" || fail "$kind round: $out lacks the staged table"
	ls -a /tmp | grep -F ".$base.nctmp-" && fail "$kind round: a temporary file was left in /tmp"
	rm -f "$out"
}

# modes t_stage_output_no_planted_files: root
t_stage_output_no_planted_files() {
	# fs.protected_symlinks/protected_regular off, as on these machines:
	# another user's links and 0666 files at the old and at guessable temp
	# names are neither followed nor written into, for root and a user
	local v d out
	trap "protections_release; rm -rf /tmp/$PFX-* /tmp/.$PFX-*" EXIT
	protections_off
	printf '#!/bin/sh\nnft add table inet planted\n' >"$T/fw.sh"; chmod 755 "$T/fw.sh"
	for v in root "$TUSER"; do
		d="$T/$v"; mkdir -p "$d"; chown "$v" "$d"; chmod 711 "$d"
		as_user "$v" "$d" sh -c "echo 'precious of $v' >'$d/precious'"
		out="/tmp/$PFX-$v.nft"
		plant_round "$v" "$d" "$out" link
		plant_round "$v" "$d" "$out" file
		UM=077 plant_round "$v" "$d" "$out" link
		# the output path itself: another user's link in sticky /tmp
		setpriv --reuid="$TUSER2" --regid="$TUSER2" --init-groups ln -s "$d/precious" "$out"
		expect_rc 5 as_user "$v" "$d" $NC fw stage -o "$out" -- "$T/fw.sh"
		expect_err_match "refusing to write \"$out\": it is a symbolic link owned by uid [0-9]+ in the sticky directory \"/tmp\""
		[ "$(cat "$d/precious")" = "precious of $v" ] || fail "$v's precious file was written through $TUSER2's link"
		rm -f "$out"
		# the victim's own link is written through, as an editor would
		as_user "$v" "$d" ln -s "$d/own.nft" "$out"
		expect_rc 0 as_user "$v" "$d" $NC fw stage -o "$out" -- "$T/fw.sh"
		[ -L "$out" ] && grep -q 'table inet planted' "$d/own.nft" || fail "$v's own link was not written through"
		rm -f "$out"
	done
	return 0
}

# dead_pid: the PID of a process that has ended
dead_pid() { local p; sh -c 'echo $$' >"$T/dead"; p=$(cat "$T/dead"); gone "$p"; echo "$p"; }

t_gc_own_leftovers_only() {
	# cells named like temporary files stay; the temporary files of dead
	# writers go from every directory of the state, those of a live writer
	# stay, and so do stage directories still in use or not the caller's
	local S=$NETCELL_STATE_DIR R=$NETCELL_RUNTIME_DIR dead c n
	local cells=("${PFX}x.conf.tmp.1" ".${PFX}y.nctmp-1-abcdef" "${PFX}z.tmp.1")
	trap 'for c in "${cells[@]}"; do $NC delete --force "$c" >/dev/null 2>&1; done; rm -rf /tmp/netcell-stage-$PFX*' EXIT
	for c in "${cells[@]}"; do expect_rc 0 $NC create --uplink none "$c"; done
	printf 'table inet t {\n}\n' >"$T/r.nft"
	expect_rc 0 $NC fw apply "${cells[0]}" "$T/r.nft"
	dead=$(dead_pid)
	mkdir -p "$S/net"
	local leftovers=("$S/cells/${PFX}w.conf.tmp.$dead" "$S/cells/.${PFX}w.conf.nctmp-$dead-Ab12Cd"
		"$S/links.conf.tmp.$dead" "$S/fw/${cells[0]}/.current.nctmp-$dead-zzzzzz"
		"$S/fw/${cells[0]}/1.nft.tmp.$dead" "$S/net/.${PFX}w.conf.nctmp-$dead-qqqqqq"
		"$R/.keeper.pid.nctmp-$dead-abcdef")
	local kept=("$S/cells/.${PFX}v.conf.nctmp-$$-Ab12Cd" "$S/fw/${cells[0]}/2.nft.tmp.$$"
		"$S/cells/${PFX}x.conf.tmp.1.bak")
	for n in "${leftovers[@]}" "${kept[@]}"; do echo partial >"$n" || fail "cannot plant $n"; done
	mkdir -p "/tmp/netcell-stage-${PFX}a/sub" "/tmp/netcell-stage-${PFX}b" "/tmp/netcell-stage-${PFX}c" \
		"/tmp/netcell-stage-${PFX}e/sub"
	# without owner.pid: a stage just starting (c) stays, one untouched
	# for an hour (an older build's leftover) goes
	echo x >"/tmp/netcell-stage-${PFX}e/sub/log"
	touch -d '-1 hour' "/tmp/netcell-stage-${PFX}e"
	echo "$dead" >"/tmp/netcell-stage-${PFX}a/owner.pid"; echo x >"/tmp/netcell-stage-${PFX}a/sub/log"
	echo "$$" >"/tmp/netcell-stage-${PFX}b/owner.pid"
	if [ "$MODE" = root ]; then	# another user's, its stage dead: not root's to remove
		mkdir "/tmp/netcell-stage-${PFX}d"; echo "$dead" >"/tmp/netcell-stage-${PFX}d/owner.pid"
		chown -R "$TUSER2" "/tmp/netcell-stage-${PFX}d"
	fi
	expect_rc 0 $NC gc
	n=$(sed -nE 's/^removed ([0-9]+) leftovers?$/\1/p' "$T/out")
	[ -n "$n" ] && [ "$n" -ge $((${#leftovers[@]} + 2)) ] || fail "gc said '$(cat "$T/out")', wanted at least $((${#leftovers[@]} + 2)) removed"
	for n in "${leftovers[@]}"; do [ -e "$n" ] && fail "gc left $n"; done
	for n in "${kept[@]}"; do [ -e "$n" ] || fail "gc removed $n (not a dead writer's temporary file)"; done
	[ -e "/tmp/netcell-stage-${PFX}a" ] && fail "gc left the stage directory of a dead fw stage"
	[ -e "/tmp/netcell-stage-${PFX}b/owner.pid" ] || fail "gc removed the stage directory of a running fw stage"
	[ -d "/tmp/netcell-stage-${PFX}c" ] || fail "gc removed a new stage directory without owner.pid"
	[ -e "/tmp/netcell-stage-${PFX}e" ] && fail "gc left an hour-old stage directory without owner.pid"
	[ "$MODE" = user ] || [ -e "/tmp/netcell-stage-${PFX}d/owner.pid" ] || fail "gc removed another user's stage directory"
	for c in "${cells[@]}"; do
		expect_rc 0 $NC inspect "$c"
		[ -f "$S/cells/$c.conf" ] || fail "gc removed the configuration of cell $c"
	done
	expect_rc 0 $NC fw history "${cells[0]}"
	# the cells come back after a keeper crash: their files are whole
	kill -9 "$(keeper_pid)"
	expect_rc 0 $NC list
	for c in "${cells[@]}"; do grep -qF -- "$c" "$T/out" || fail "cell $c did not come back after gc and a crash"; done
	for c in "${cells[@]}"; do expect_rc 0 $NC delete --force "$c"; done
	rm -f "${kept[@]}"
	return 0
}
