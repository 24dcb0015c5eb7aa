# bench/cnilib.sh - what the CNI benchmarks share: the configurations of
# netcell's network and of the standard chain (bridge + host-local +
# portmap + firewall), the chain run as libcni runs a conflist, and the
# iptables chains the chain's plugins leave.  Sourced after D (the work
# directory), P (the names' prefix), A and B (the two /24s, "10.234.N"),
# NCCNI and HAD_CNI_CHAINS are set; NCVER is netcell's cniVersion (1.0.0;
# Debian's chain speaks up to 1.0.0).

# chain_leftovers: the iptables chains the chain's plugins leave after DEL
# (CNI-FORWARD, CNI-HOSTPORT-*), removed when this script brought them
chain_leftovers() {
	[ "$HAD_CNI_CHAINS" = 0 ] || return 0
	local ipt t c
	for ipt in iptables ip6tables; do
		for t in nat filter; do
			$ipt-save -t $t | grep -oE '^-A [A-Z]+ .* -j CNI-[A-Za-z0-9-]+$' | sed 's/^-A/-D/' |
				while read -r r; do eval $ipt -t $t "$r"; done
			for c in $($ipt-save -t $t | grep -oE '^:CNI-[^ ]+' | cut -c2-); do $ipt -t $t -F "$c"; done
			for c in $($ipt-save -t $t | grep -oE '^:CNI-[^ ]+' | cut -c2-); do $ipt -t $t -X "$c"; done
		done
	done
}

# configurations: HOSTNUM and HOSTPORT vary per container
ncconf() { # FILE HOSTNUM HOSTPORT
	printf '{"cniVersion": "%s", "name": "%snc", "type": "netcell", "bridge": "%snb",
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "dataDir": "%s/ipam"},
 "runtimeConfig": {"ips": ["%s.%s/24"], "portMappings": [{"hostPort": %s, "containerPort": 5201, "protocol": "tcp"}]}}\n' \
		"${NCVER:-1.0.0}" "$P" "$P" "$A" "$D" "$A" "$2" "$3" >"$1"
}
brconf() { # FILE HOSTNUM
	printf '{"cniVersion": "1.0.0", "name": "%sbr", "type": "bridge", "bridge": "%sbb", "isGateway": true, "ipMasq": true,
 "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s/ipam"},
 "runtimeConfig": {"ips": ["%s.%s/24"]}}\n' "$P" "$P" "$B" "$D" "$B" "$2" >"$1"
}
# withprev FILE TYPE PREVRESULT HOSTPORT: a chained plugin's stdin
withprev() {
	python3 - "$@" <<'PY'
import json, sys
f, typ, prev, hp = sys.argv[1:5]
c = {"cniVersion": "1.0.0", "name": json.load(open(f.rsplit("/", 1)[0] + "/br.json"))["name"], "type": typ}
if typ == "portmap":
    c["snat"] = True
    c["capabilities"] = {"portMappings": True}
    c["runtimeConfig"] = {"portMappings": [{"hostPort": int(hp), "containerPort": 5201, "protocol": "tcp"}]}
c["prevResult"] = json.loads(open(prev).read())
json.dump(c, open(f, "w"))
PY
}

# chain CMD ID NETNS [SUFFIX]: bridge, portmap, firewall (DEL: reversed),
# as libcni runs a conflist
chain() {
	local s=${4:-}
	if [ "$1" = ADD ]; then
		CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/bridge <"$D/br$s.json" >/dev/null &&
		CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/portmap <"$D/pm$s.json" >/dev/null &&
		CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/firewall <"$D/fw$s.json" >/dev/null
	else
		CNI_COMMAND=DEL CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/firewall <"$D/fw$s.json" >/dev/null &&
		CNI_COMMAND=DEL CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/portmap <"$D/pm$s.json" >/dev/null &&
		CNI_COMMAND=DEL CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/bridge <"$D/br$s.json" >/dev/null
	fi
}
# prepare_chain SUFFIX ID NETNS HOSTNUM HOSTPORT: the chain's stdin files,
# prevResult from one real ADD (the address is pinned, so it is the same
# every time), then DEL
prepare_chain() {
	brconf "$D/br$1.json" "$4"
	[ -f "$D/br.json" ] || cp "$D/br$1.json" "$D/br.json"
	CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/bridge <"$D/br$1.json" >"$D/res$1.json"
	withprev "$D/pm$1.json" portmap "$D/res$1.json" "$5"
	withprev "$D/fw$1.json" firewall "$D/res$1.json" "$5"
	CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/portmap <"$D/pm$1.json" >/dev/null
	CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=$3 /usr/lib/cni/firewall <"$D/fw$1.json" >/dev/null
}
