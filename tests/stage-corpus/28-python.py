#!/usr/bin/env python3
# a firewall script in another language: every call reaches the recorder
import subprocess
for port in (22, 80):
    subprocess.run(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", str(port), "-j", "ACCEPT"], check=True)
subprocess.run(["/usr/sbin/ip6tables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"], check=True)
out = subprocess.run(["iptables", "-S", "INPUT"], check=True, capture_output=True, text=True).stdout
assert "--dport 80" in out, out
subprocess.run(["nft", "add", "table", "inet", "py"], check=True)
