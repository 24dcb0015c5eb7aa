#!/bin/bash
set -e
iptables -N WEB
iptables -N SSH_IN
iptables -A INPUT -p tcp --dport 80 -j WEB
iptables -A INPUT -p tcp --dport 22 -j SSH_IN
iptables -A WEB -s 192.0.2.0/24 -j ACCEPT
iptables -A WEB -j DROP
iptables -I INPUT 1 -i lo -j ACCEPT
iptables -I INPUT 2 -m state --state INVALID -j DROP
iptables -A SSH_IN -s 198.51.100.7 -j ACCEPT
iptables -I SSH_IN 1 -s 198.51.100.8 -j REJECT --reject-with tcp-reset -p tcp
iptables -A SSH_IN -j RETURN
