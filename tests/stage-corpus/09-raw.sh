#!/bin/sh
iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
iptables -t raw -A OUTPUT -p udp --sport 53 -j NOTRACK
iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
iptables -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
