#!/bin/sh
iptables -A INPUT -j ACCEPT -c 23 42
iptables -A INPUT -p tcp -j DROP
iptables -Z INPUT
iptables -A OUTPUT -j ACCEPT
iptables -Z
