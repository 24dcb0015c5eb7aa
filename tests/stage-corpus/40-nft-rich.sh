#!/bin/sh
# nft features real rulesets use: defines, named priorities, concatenated
# and timeout sets, maps, verdict maps, named objects, ct helpers, quotas,
# limits, rules changed by handle, inserted at positions and replaced
nft -f - <<'EON'
define LAN = 192.0.2.0/24
define WEB = { 80, 443 }
table inet filter {
	ct helper ftp-std {
		type "ftp" protocol tcp
	}
	counter web_hits { }
	quota monthly { over 900 mbytes }
	limit icmp_rate { rate 10/second burst 20 packets }
	set blocked {
		type ipv4_addr
		flags dynamic, timeout
		timeout 10m
	}
	set pairs {
		type ipv4_addr . inet_proto . inet_service
		elements = { 192.0.2.1 . tcp . 22, 192.0.2.2 . udp . 53 }
	}
	set nets6 {
		type ipv6_addr
		flags interval
		elements = { 2001:db8::/32, fd00::/8 }
	}
	map port_to_mark {
		type inet_service : mark
		elements = { 22 : 0x1, 80 : 0x2 }
	}
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state vmap { established : accept, related : accept, invalid : drop }
		ip saddr @blocked drop
		ip saddr . meta l4proto . th dport @pairs accept
		ip6 saddr @nets6 accept
		ip saddr $LAN tcp dport $WEB counter name "web_hits" accept
		meta mark set tcp dport map @port_to_mark
		icmp type echo-request limit name "icmp_rate" accept
		tcp dport 21 ct helper set "ftp-std"
		quota name "monthly" drop
		tcp flags & (syn | ack) == syn update @blocked { ip saddr limit rate over 50/second } drop
		log prefix "in-drop: " level info flags all
	}
	chain forward {
		type filter hook forward priority filter + 10; policy accept;
		meta l4proto { tcp, udp } th dport 137-139 reject with icmpx type admin-prohibited
		tcp flags syn tcp option maxseg size set rt mtu
	}
}
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 192.0.2.10:80
		udp dport 5353 redirect to :53
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth9" ip saddr 10.0.0.0/8 masquerade random,persistent
		ip saddr 172.16.0.0/12 snat to 192.0.2.1-192.0.2.3
	}
}
EON
# changes by handle and position, as tools that edit a live ruleset do
h=$(nft -a list chain inet filter forward | sed -n 's/.*dport 137-139 .* # handle \([0-9]*\)$/\1/p')
nft insert rule inet filter forward position "$h" tcp dport 445 drop
nft replace rule inet filter forward handle "$h" meta l4proto { tcp, udp } th dport 135-139 reject
h2=$(nft -a list chain inet filter input | sed -n 's/.*log prefix .* # handle \([0-9]*\)$/\1/p')
nft delete rule inet filter input handle "$h2"
nft add element inet filter pairs '{ 192.0.2.3 . tcp . 443 }'
nft delete element inet filter pairs '{ 192.0.2.2 . udp . 53 }'
nft add chain inet filter extra
nft add rule inet filter extra counter
nft delete chain inet filter extra
nft rename chain ip nat post postrouting
