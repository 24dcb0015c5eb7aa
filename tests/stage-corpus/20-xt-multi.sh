#!/bin/sh
XT_MULTI=xtables-nft-multi
iptables -A INPUT -p tcp --dport 1 -j ACCEPT
$XT_MULTI iptables -A INPUT -p tcp --dport 2 -j ACCEPT
xtables-nft-multi ip6tables -A INPUT -p tcp --dport 3 -j ACCEPT
iptables -A INPUT -p tcp --dport 4 -j ACCEPT
$XT_MULTI iptables -F INPUT
iptables -A INPUT -p tcp --dport 5 -j ACCEPT
