#!/bin/sh
iptables -A INPUT -m iprange --src-range 192.0.2.10-192.0.2.20 -j ACCEPT
iptables -A INPUT -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "in: "
iptables -A INPUT -p tcp -m tcp --tcp-flags ALL NONE -j DROP
iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP
iptables -A INPUT -m length --length 0:64 -j ACCEPT
iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
iptables -A INPUT -m ttl --ttl-lt 5 -j DROP
