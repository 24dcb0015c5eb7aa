#!/bin/bash
env iptables -A INPUT -p tcp --dport 10 -j ACCEPT
iptables -A INPUT -p tcp --dport 11 -j ACCEPT
(exec iptables -A INPUT -p tcp --dport 12 -j ACCEPT)
printf '%s\n' 13 14 15 | xargs -I{} iptables -A INPUT -p tcp --dport {} -j ACCEPT
iptables -A INPUT -p tcp --dport 16 -j ACCEPT
command iptables -A INPUT -p tcp --dport 17 -j ACCEPT
IPT=$(command -v iptables); $IPT -A INPUT -p tcp --dport 18 -j ACCEPT
