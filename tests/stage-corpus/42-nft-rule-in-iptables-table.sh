#!/bin/sh
# nft adds a rule to a table iptables made, one iptables-save cannot parse
# and writes without its set lookup (found by tests/stagegen): fw stage
# once gave out "-A INPUT -j ACCEPT" for it, accepting everything; the
# table is now written in nft syntax, exactly
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
nft add rule ip filter INPUT ip saddr '{ 192.0.2.1, 192.0.2.2 }' accept
iptables -A INPUT -p tcp --dport 23 -j DROP
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
