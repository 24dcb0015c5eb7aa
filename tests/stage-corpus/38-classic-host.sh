#!/bin/sh
# a classic hand-written host firewall (rc.firewall style)
IPT=iptables
$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
$IPT -A INPUT -m state --state INVALID -j DROP
$IPT -A INPUT -p tcp ! --syn -m state --state NEW -j DROP
$IPT -A INPUT -f -j DROP
$IPT -A INPUT -p tcp --tcp-flags ALL ALL -j DROP
$IPT -A INPUT -p tcp --tcp-flags SYN,FIN SYN,FIN -j DROP
$IPT -A INPUT -p tcp --tcp-flags SYN,RST SYN,RST -j DROP
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s --limit-burst 4 -j ACCEPT
$IPT -A INPUT -p icmp --icmp-type 3/4 -j ACCEPT
$IPT -A INPUT -p icmp --icmp-type time-exceeded -j ACCEPT
for port in 22 80 443; do
	$IPT -A INPUT -p tcp --dport $port -m conntrack --ctstate NEW -j ACCEPT
done
$IPT -A INPUT -p udp -m multiport --dports 53,123 -j ACCEPT
$IPT -A INPUT -p tcp --sport 1024:65535 -m multiport --dports 6000:6010 -j REJECT --reject-with tcp-reset
$IPT -A INPUT -s 10.0.0.0/8 -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
$IPT -A INPUT -m limit --limit 3/min -j LOG --log-prefix "IPT INPUT drop: " --log-level 7 --log-tcp-options --log-ip-options
$IPT -A OUTPUT -m owner --uid-owner 0 -j ACCEPT
$IPT -A OUTPUT -m owner --gid-owner 0 -j ACCEPT
$IPT -A OUTPUT -p tcp -m tcp --dport 25 -m owner ! --uid-owner 0 -j REJECT
$IPT -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
$IPT -t mangle -A PREROUTING -p tcp --dport 22 -j TOS --set-tos Minimize-Delay
$IPT -t mangle -A PREROUTING -p tcp --dport 80 -j DSCP --set-dscp-class AF21
$IPT -t mangle -A PREROUTING -m dscp --dscp 0x0a -j MARK --set-mark 3
$IPT -t mangle -A PREROUTING -j CONNMARK --restore-mark
$IPT -t mangle -A POSTROUTING -m mark --mark 3 -j CONNMARK --save-mark
$IPT -t raw -A PREROUTING -p udp --dport 123 -j CT --notrack
$IPT -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
$IPT -t nat -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 3128
$IPT -t nat -A POSTROUTING -o eth9 -j SNAT --to-source 192.0.2.1-192.0.2.4
$IPT -A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
$IPT -A FORWARD -m pkttype --pkt-type multicast -j DROP
$IPT -A FORWARD -m string --algo bm --string "GET /admin" -j DROP
$IPT -A FORWARD -m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue -j ACCEPT
$IPT -A FORWARD -m connbytes --connbytes 1000000: --connbytes-dir both --connbytes-mode bytes -j DROP
$IPT -A FORWARD -j NFLOG --nflog-group 5 --nflog-prefix "fwd"
$IPT -A FORWARD -p udp --dport 5000 -j NFQUEUE --queue-num 3 --queue-bypass
$IPT -A FORWARD -m u32 --u32 "6&0xFF=1" -j DROP
$IPT -A FORWARD -m quota --quota 50000 -j ACCEPT
$IPT -A FORWARD -m helper --helper ftp -j ACCEPT
$IPT -A FORWARD -m policy --dir in --pol ipsec -j ACCEPT
$IPT -t raw -A PREROUTING -m rpfilter --invert -j DROP
$IPT -A FORWARD -p tcp -m ecn --ecn-tcp-cwr -j ACCEPT
$IPT -A FORWARD -p tcp -m tcpmss --mss 1:500 -j DROP
$IPT -A FORWARD -m cpu --cpu 0 -j ACCEPT
$IPT -A FORWARD -m devgroup --src-group 2 -j ACCEPT
$IPT -t mangle -A PREROUTING -m socket --transparent -j MARK --set-mark 1
