#!/bin/sh
nft add table inet fw
nft add set inet fw allowed '{ type ipv4_addr; flags interval; }'
nft add element inet fw allowed '{ 192.0.2.0/24, 198.51.100.1 }'
nft add map inet fw ports '{ type inet_service : verdict; }'
nft add chain inet fw input '{ type filter hook input priority 0; policy drop; }'
nft add chain inet fw web
nft add rule inet fw input iif lo accept
nft add rule inet fw input ct state established,related accept
nft add rule inet fw input ip saddr @allowed tcp dport 22 accept
nft add rule inet fw input tcp dport vmap @ports
nft add element inet fw ports '{ 80 : jump web, 443 : jump web }'
nft add rule inet fw web counter accept comment '"web traffic"'
nft add counter inet fw named_cnt
