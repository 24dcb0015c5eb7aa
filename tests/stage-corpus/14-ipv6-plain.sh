#!/bin/sh
# IPv6 rules without any IPv6 address or ICMPv6
ip6tables -A INPUT -p tcp --dport 80 -j ACCEPT
ip6tables -A INPUT -p udp --dport 53 -j ACCEPT
ip6tables -P FORWARD DROP
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
