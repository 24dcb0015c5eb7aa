#!/bin/sh
ip6tables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
ip6tables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination [2001:db8::10]:80
ip6tables -t mangle -A PREROUTING -j MARK --set-mark 7
ip6tables -A FORWARD -p tcp -d 2001:db8::10 --dport 80 -j ACCEPT
