#!/bin/sh
iptables -A INPUT -p tcp --dport 1 -j ACCEPT
iptables -A INPUT -p tcp --dport 2 -j ACCEPT
iptables -A INPUT -p tcp --dport 3 -j ACCEPT
iptables -A INPUT -p tcp --dport 4 -j ACCEPT
iptables -D INPUT 2
iptables -D INPUT -p tcp --dport 4 -j ACCEPT
iptables -A INPUT -p udp --dport 5 -j DROP
