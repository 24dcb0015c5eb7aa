#!/bin/sh
iptables -t mangle -A PREROUTING -p tcp --dport 22 -j MARK --set-mark 0x1
iptables -t mangle -A OUTPUT -p udp --dport 53 -j DSCP --set-dscp 46
iptables -t mangle -A POSTROUTING -o eth0 -j TOS --set-tos 0x10
iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -A INPUT -m mark --mark 0x1 -j ACCEPT
