#!/bin/sh
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -A INPUT -s 10.0.0.3 -j ACCEPT
iptables -R INPUT 1 -s 10.0.0.2 -j ACCEPT
iptables -A FORWARD -j ACCEPT
iptables -R FORWARD 1 -j DROP
