#!/bin/sh
for c in INPUT FORWARD OUTPUT; do iptables -P $c DROP; done
for c in INPUT FORWARD OUTPUT; do ip6tables -P $c DROP; done
iptables -A INPUT -i lo -j ACCEPT
iptables -A OUTPUT -o lo -j ACCEPT
ip6tables -A INPUT -i lo -j ACCEPT
ip6tables -A OUTPUT -o lo -j ACCEPT
