#!/bin/sh
nft add table ip filter
nft add chain ip filter INPUT '{ type filter hook input priority 0; policy accept; }'
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
n=$(iptables -S INPUT | wc -l)
iptables -A INPUT -p tcp --dport "$((8000 + n))" -j ACCEPT
nft list table ip filter >/dev/null
