#!/bin/sh
# a -F or -X of the whole table after rules and chains made just before it
# (found by tests/stagegen): in one iptables-restore batch these act only
# on the chains the table had before the batch, so fw stage once kept
# rules and chains a direct run had flushed and deleted
iptables -A INPUT -m mark ! --mark 7/0xff -j NFQUEUE --queue-balance 0:3
iptables -N GONE
iptables -A GONE -j DROP
iptables -F
iptables -X
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -t nat -N KEEP
iptables -t nat -A KEEP -j RETURN
iptables -t nat -F
ip6tables -N X6
ip6tables -A X6 -j DROP
ip6tables --flush -t filter
ip6tables --delete-chain
iptables -A INPUT -p tcp --dport 2 -j ACCEPT
for ipt in iptables ip6tables; do
	$ipt -t mangle -A OUTPUT -j MARK --set-mark 1
	$ipt -t mangle -F
	$ipt -t mangle -X
done
