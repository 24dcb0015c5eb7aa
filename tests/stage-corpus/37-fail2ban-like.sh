#!/bin/sh
# fail2ban's iptables-multiport action: a chain, a jump inserted at the
# top, bans inserted and removed at runtime
iptables -N f2b-sshd
iptables -A f2b-sshd -j RETURN
iptables -I INPUT -p tcp -m multiport --dports 22,2222 -j f2b-sshd
iptables -I f2b-sshd 1 -s 192.0.2.7 -j REJECT --reject-with icmp-port-unreachable
iptables -I f2b-sshd 1 -s 198.51.100.9 -j REJECT --reject-with icmp-port-unreachable
iptables -I f2b-sshd 1 -s 203.0.113.5 -j DROP
iptables -D f2b-sshd -s 198.51.100.9 -j REJECT --reject-with icmp-port-unreachable
ip6tables -N f2b-sshd
ip6tables -A f2b-sshd -j RETURN
ip6tables -I INPUT -p tcp -m multiport --dports 22 -j f2b-sshd
ip6tables -I f2b-sshd 1 -s 2001:db8::7 -j REJECT --reject-with icmp6-port-unreachable
# a check before adding, as the action does
iptables -C f2b-sshd -s 192.0.2.7 -j REJECT --reject-with icmp-port-unreachable || iptables -I f2b-sshd 1 -s 192.0.2.7 -j REJECT
