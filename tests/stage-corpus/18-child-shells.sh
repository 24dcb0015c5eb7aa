#!/bin/sh
iptables -A INPUT -j FOO 2>/dev/null || iptables -N FOO
iptables -A INPUT -j FOO
sh -c 'iptables -F INPUT'
iptables -A INPUT -p tcp --dport 1 -j ACCEPT
bash -c 'iptables -A INPUT -p tcp --dport 2 -j ACCEPT'
iptables -A INPUT -p tcp --dport 3 -j ACCEPT
cat > "${TMPDIR:-/tmp}/nc-child-$$.sh" <<'EOS'
iptables -A FOO -p udp --dport 4 -j DROP
iptables -I INPUT 1 -p udp --dport 5 -j DROP
EOS
sh "${TMPDIR:-/tmp}/nc-child-$$.sh"
rm -f "${TMPDIR:-/tmp}/nc-child-$$.sh"
iptables -A FOO -p udp --dport 6 -j DROP
