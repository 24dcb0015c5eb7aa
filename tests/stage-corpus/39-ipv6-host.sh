#!/bin/sh
# the IPv6 half of a host firewall (extension headers, ICMPv6 types)
IP6=ip6tables
$IP6 -P INPUT DROP
$IP6 -A INPUT -i lo -j ACCEPT
$IP6 -A INPUT -m rt --rt-type 0 -j DROP
$IP6 -A INPUT -m frag --fragmore -j DROP
$IP6 -A INPUT -m hbh --hbh-len 8 -j DROP
$IP6 -A INPUT -m ipv6header --header frag --soft -j DROP
$IP6 -A INPUT -p ipv6-icmp --icmpv6-type echo-request -m limit --limit 5/s -j ACCEPT
$IP6 -A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -m hl --hl-eq 255 -j ACCEPT
$IP6 -A INPUT -p ipv6-icmp --icmpv6-type router-advertisement -m hl --hl-eq 255 -j ACCEPT
$IP6 -A INPUT -p ipv6-icmp --icmpv6-type 1 -j ACCEPT
$IP6 -A INPUT -s fe80::/10 -p udp --dport 546 -j ACCEPT
$IP6 -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
$IP6 -A INPUT -p tcp --dport 22 -j ACCEPT
$IP6 -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
$IP6 -t mangle -A POSTROUTING -j HL --hl-set 64
$IP6 -t nat -A POSTROUTING -s fd00::/8 -j MASQUERADE
