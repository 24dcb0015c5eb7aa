#!/bin/sh
iptables -A INPUT -p tcp --dport 22 -m comment --comment ssh -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -m comment --comment "web server" -j ACCEPT
iptables -A INPUT -m comment --comment 'quote "inside"' -j DROP
ip6tables -A INPUT -p tcp --dport 22 -m comment --comment "ssh v6" -j ACCEPT
