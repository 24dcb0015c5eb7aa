# bash completion for netcell: global options, commands, subcommands,
# options, and cell names from "netcell list"

_netcell_cells()
{
	netcell list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_netcell()
{
	local cur prev words cword
	_init_completion || return
	local cmds="create run exec list inspect delete path pids identify link unlink up down status port fw doctor gc keeper help version"
	local net="--uplink --host-loopback --host-port --dns --addr -p --publish --firewall"
	# global options (-q, -v) come before the command: skip them
	local c=1
	while [ "$c" -lt "$cword" ] && [[ ${words[c]} == -* ]]; do c=$((c + 1)); done
	local cmd=${words[c]} sub=${words[c + 1]} n=$((cword - c))

	if [ "$n" -le 0 ]; then
		COMPREPLY=($(compgen -W "$cmds -q --quiet -v --verbose --help -V --version" -- "$cur"))
		return
	fi
	# after "--" comes the command to run in the cell
	local i
	for ((i = c + 1; i < cword; i++)); do
		if [ "${words[i]}" = "--" ]; then
			_command_offset $((i + 1))
			return
		fi
	done
	case $cmd in
	create)
		[ "$n" -gt 1 ] && COMPREPLY=($(compgen -W "-j --json $net" -- "$cur")) ;;
	run)
		COMPREPLY=($(compgen -W "--name --keep-children $net --" -- "$cur")) ;;
	exec)
		if [ "$n" -eq 1 ]; then COMPREPLY=($(compgen -W "$(_netcell_cells)" -- "$cur"))
		else COMPREPLY=($(compgen -W "--as-user --" -- "$cur")); fi ;;
	inspect|pids)
		COMPREPLY=($(compgen -W "$(_netcell_cells) -j --json" -- "$cur")) ;;
	path)
		COMPREPLY=($(compgen -W "$(_netcell_cells) --user -j --json" -- "$cur")) ;;
	delete)
		COMPREPLY=($(compgen -W "$(_netcell_cells) -f --force" -- "$cur")) ;;
	link|unlink)
		COMPREPLY=($(compgen -W "$(_netcell_cells) --subnet" -- "$cur")) ;;
	identify)
		COMPREPLY=($(compgen -W "-j --json" -- "$cur")) ;;
	up|down|status)
		if [ "$prev" = -f ] || [ "$prev" = --file ]; then _filedir 'y?(a)ml'
		else COMPREPLY=($(compgen -W "-f --file $( [ "$cmd" = up ] && echo --dry-run) $( [ "$cmd" != down ] && echo -j --json)" -- "$cur")); fi ;;
	list|doctor|version)
		COMPREPLY=($(compgen -W "-j --json" -- "$cur")) ;;
	keeper)
		COMPREPLY=($(compgen -W "--no-wait" -- "$cur")) ;;
	help)
		[ "$n" -eq 1 ] && COMPREPLY=($(compgen -W "$cmds" -- "$cur")) ;;
	port)
		if [ "$n" -eq 1 ]; then COMPREPLY=($(compgen -W "add rm list" -- "$cur"))
		elif [ "$n" -eq 2 ]; then COMPREPLY=($(compgen -W "$(_netcell_cells) -j --json" -- "$cur")); fi ;;
	fw)
		if [ "$n" -eq 1 ]; then
			COMPREPLY=($(compgen -W "apply check show history rollback confirm stage" -- "$cur"))
		elif [ "$n" -eq 2 ] && [ "$sub" != check ] && [ "$sub" != stage ]; then
			COMPREPLY=($(compgen -W "$(_netcell_cells) --host" -- "$cur"))
		elif [ "$sub" = show ] || [ "$sub" = history ]; then
			COMPREPLY=($(compgen -W "-j --json" -- "$cur"))
		else
			_filedir
			COMPREPLY+=($(compgen -W "--confirm --format --timeout -o --" -- "$cur"))
		fi ;;
	esac
}
complete -F _netcell netcell
