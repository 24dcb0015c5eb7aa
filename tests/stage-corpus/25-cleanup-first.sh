#!/bin/bash
set -eu
iptables -F
iptables -X
iptables -t nat -F
iptables -t nat -X
iptables -P INPUT ACCEPT
iptables -N LOGDROP
iptables -A LOGDROP -j LOG --log-prefix "drop: " --log-level 4
iptables -A LOGDROP -j DROP
iptables -A INPUT -p tcp --dport 23 -j LOGDROP
