#!/bin/sh
# the check-before-add style: -C reads the ruleset
add() { iptables -C "$@" 2>/dev/null || iptables -A "$@"; }
add INPUT -p tcp --dport 22 -j ACCEPT
add INPUT -p tcp --dport 80 -j ACCEPT
add INPUT -p tcp --dport 22 -j ACCEPT
add INPUT -p tcp --dport 443 -j ACCEPT
add INPUT -p tcp --dport 80 -j ACCEPT
iptables -S INPUT >/dev/null
