#!/bin/sh
iptables -A INPUT -p tcp --dport 1 -j ACCEPT
f=${TMPDIR:-/tmp}/nc-rules-$$.nft
cat > "$f" <<'EON'
table inet filt {
	chain input {
		type filter hook input priority 5; policy accept;
		tcp dport 2 accept
	}
}
EON
nft -f "$f"
rm -f "$f"
nft add rule inet filt input tcp dport 3 accept
iptables -A INPUT -p tcp --dport 4 -j ACCEPT
