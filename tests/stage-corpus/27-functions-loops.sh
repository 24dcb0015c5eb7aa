#!/bin/bash
allow() { local proto=$1; shift; for p in "$@"; do iptables -A INPUT -p "$proto" --dport "$p" -j ACCEPT; done; }
allow tcp 22 80 443
allow udp 53 123
for net in 192.0.2.0/24 198.51.100.0/24; do
	iptables -A INPUT -s "$net" -j ACCEPT
	ip6tables -A INPUT -s "2001:db8:${#net}::/48" -j ACCEPT
done
declare -a bad=(203.0.113.1 203.0.113.2)
for h in "${bad[@]}"; do iptables -I INPUT 1 -s "$h" -j DROP; done
