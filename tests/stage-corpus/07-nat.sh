#!/bin/sh
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.0.2.10:80
iptables -t nat -A POSTROUTING -s 10.1.0.0/16 -o eth1 -j SNAT --to-source 198.51.100.1
iptables -t nat -A PREROUTING -p tcp --dport 25 -j REDIRECT --to-ports 2525
iptables -A FORWARD -d 192.0.2.10 -p tcp --dport 80 -j ACCEPT
