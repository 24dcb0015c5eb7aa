#!/bin/sh
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
nft add table inet extra
nft add chain inet extra c '{ type filter hook input priority 10; }'
nft add rule inet extra c tcp dport 9999 drop
iptables -A INPUT -p tcp --dport 23 -j DROP
nft add rule inet extra c udp dport 9998 drop
ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT
