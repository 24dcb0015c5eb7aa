#!/bin/sh
iptables -A INPUT -p tcp --dport 1 -j ACCEPT
iptables-restore --noflush <<'EOR'
*filter
-A INPUT -p tcp --dport 2 -j ACCEPT
COMMIT
*nat
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
EOR
iptables -A INPUT -p tcp --dport 3 -j ACCEPT
ip6tables-restore <<'EOR'
*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
COMMIT
EOR
ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT
