#!/bin/sh
# dash, not bash: "echo -e" prints -e, [ = ] only
x=$(echo -e a)
[ "$x" = "-e a" ] && iptables -A INPUT -p tcp --dport 1 -j ACCEPT
[ "$x" = "a" ] && iptables -A INPUT -p tcp --dport 2 -j ACCEPT
iptables -A INPUT -p tcp --dport 3 -j ACCEPT
