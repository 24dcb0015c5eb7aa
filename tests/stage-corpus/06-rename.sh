#!/bin/sh
iptables -N OLD
iptables -A OLD -j ACCEPT
iptables -A INPUT -j OLD
iptables -E OLD NEW
iptables -A NEW -p udp -j DROP
