#!/bin/sh
iptables -N X 2>/dev/null || true
iptables -N X 2>/dev/null || true
iptables -D INPUT -j NOPE 2>/dev/null || :
iptables -X NOPE 2>/dev/null || true
iptables -A INPUT -j X
if ! iptables -N X 2>/dev/null; then iptables -F X; fi
iptables -A X -p tcp --dport 99 -j ACCEPT
