#!/bin/sh
iptables -w -A INPUT -p tcp --dport 1 -j ACCEPT
iptables --wait 5 -A INPUT -p tcp --dport 2 -j ACCEPT
iptables -t filter --append INPUT --protocol tcp --destination-port 3 --jump ACCEPT
iptables -4 -A INPUT -p tcp --dport 4 -j ACCEPT
iptables -A INPUT ! -s 192.0.2.1 -p tcp --dport 5 -j ACCEPT
iptables -nvL INPUT >/dev/null
iptables -A INPUT -p tcp --dport 6 -j ACCEPT
