#!/bin/sh
iptables -t security -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -t security -A OUTPUT -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
