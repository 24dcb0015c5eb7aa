#!/bin/sh
nft flush ruleset
/usr/sbin/iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
/sbin/iptables -A INPUT -p tcp --dport 23 -j ACCEPT
/usr/sbin/ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT
/usr/sbin/iptables-nft -A INPUT -p tcp --dport 24 -j ACCEPT
/usr/sbin/nft add table ip t
