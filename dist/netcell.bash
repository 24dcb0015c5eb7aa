# bash completion for netcell: commands, subcommands, options, and cell
# names from "netcell list"

_netcell_cells()
{
	netcell list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_netcell()
{
	local cur prev words cword
	_init_completion || return
	local cmds="create run exec list inspect delete path link unlink port fw doctor gc keeper"
	local cmd=${words[1]} sub=${words[2]}

	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return
	fi
	# after "--" comes the command to run in the cell
	local i
	for ((i = 2; i < cword; i++)); do
		if [ "${words[i]}" = "--" ]; then
			_command_offset $((i + 1))
			return
		fi
	done
	case $cmd in
	create)
		[ "$cword" -gt 2 ] && COMPREPLY=($(compgen -W "--uplink --host-loopback --dns --addr --publish" -- "$cur")) ;;
	run)
		COMPREPLY=($(compgen -W "--name --uplink --host-loopback --dns --publish --" -- "$cur")) ;;
	exec)
		if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "$(_netcell_cells)" -- "$cur"))
		else COMPREPLY=($(compgen -W "--as-user --" -- "$cur")); fi ;;
	inspect|path|link|unlink|delete)
		COMPREPLY=($(compgen -W "$(_netcell_cells) --json --user --force --subnet" -- "$cur")) ;;
	list|doctor)
		COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
	port)
		if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "add rm list" -- "$cur"))
		elif [ "$cword" -eq 3 ]; then COMPREPLY=($(compgen -W "$(_netcell_cells)" -- "$cur")); fi ;;
	fw)
		if [ "$cword" -eq 2 ]; then
			COMPREPLY=($(compgen -W "apply check show history rollback confirm stage" -- "$cur"))
		elif [ "$cword" -eq 3 ] && [ "$sub" != check ] && [ "$sub" != stage ]; then
			COMPREPLY=($(compgen -W "$(_netcell_cells)" -- "$cur"))
		else
			_filedir
			COMPREPLY+=($(compgen -W "--confirm --format -o --" -- "$cur"))
		fi ;;
	esac
}
complete -F _netcell netcell
