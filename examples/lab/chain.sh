#!/bin/sh
# examples/lab/chain.sh [N [NAME]] - print a lab NAME (default chain) of N
# cells (default 10) in a chain, routed end to end: c0 ... cN-1, link i on
# 10.77.i.0/24 (.1 the left cell, .2 the right), forwarding in the middle.
#   sh examples/lab/chain.sh 30 >chain.yaml && netcell up -f chain.yaml
# (tests/integration/lab.sh and bench/lab.sh use it too)
n=${1:-10}
echo "name: ${2:-chain}"; echo "cells:"
i=0
while [ "$i" -lt "$n" ]; do
	echo "  c$i:"; echo "    interfaces:"
	[ "$i" -gt 0 ] && echo "      l: [10.77.$((i - 1)).2/24]"
	[ "$i" -lt $((n - 1)) ] && echo "      r: [10.77.$i.1/24]"
	if [ "$i" = 0 ]; then echo '    routes: ["default via 10.77.0.2"]'
	elif [ "$i" = $((n - 1)) ]; then echo "    routes: [\"default via 10.77.$((i - 1)).1\"]"
	else
		echo "    routes: [\"default via 10.77.$i.2\", \"10.77.0.0/24 via 10.77.$((i - 1)).1\"]"
		echo '    sysctl: { net.ipv4.ip_forward: "1" }'
	fi
	i=$((i + 1))
done
echo "links:"
i=0
while [ "$i" -lt $((n - 1)) ]; do echo "  - [c$i:r, c$((i + 1)):l]"; i=$((i + 1)); done
