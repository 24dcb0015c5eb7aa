# tests/fwcampaign/others.py - "other tools' tables" for the host campaign
# (hostcamp.py): what a real host holds beside the ruleset netcell applies,
# in the shapes those tools write (firewalld's inet table with its zone
# chains and sets; docker's, ufw's, fail2ban's, libvirt's and kube-proxy's
# chains through iptables-nft; libvirt's nft table; netcell's own
# "ip netcell_ports_CELL" of a root cell with published ports).  No text
# of those projects is copied: only their shapes (names, hooks, priorities).
import os


def firewalld(r):
    zones = ["public", "trusted", "block", "dmz", "work", "home", "internal", "external", "drop"]
    out = ["table inet firewalld {", "\tct helper helper-tftp-udp {\n\t\ttype \"tftp\" protocol udp\n\t\tl3proto inet\n\t}"]
    out.append("\tset allowlist-v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 10.20.0.0/16, 192.0.2.0/24 }\n\t}")
    out.append("\tset trusted-ports {\n\t\ttype inet_proto . inet_service\n\t\telements = { tcp . 22, tcp . 9090, udp . 53 }\n\t}")
    out.append("\tset blocked-v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\telements = { 2001:db8:bad::/48 }\n\t}")
    for hook, ctype, pr in (("prerouting", "filter", "mangle + 10"), ("input", "filter", "filter + 10"),
                            ("forward", "filter", "filter + 10"), ("output", "filter", "filter + 10")):
        name = "filter_%s" % hook.upper() if ctype == "filter" and hook != "prerouting" else "mangle_PREROUTING"
        out.append("\tchain %s {\n\t\ttype %s hook %s priority %s; policy accept;" % (name, ctype, hook, pr))
        if hook == "input":
            out.append("\t\tct state { established, related } accept\n\t\tct status dnat accept\n\t\tiifname \"lo\" accept")
            out.append("\t\tip saddr @allowlist-v4 accept\n\t\tjump filter_INPUT_ZONES")
            out.append("\t\tct state { invalid } drop\n\t\treject with icmpx admin-prohibited")
        elif hook == "forward":
            out.append("\t\tct state { established, related } accept\n\t\tjump filter_FORWARD_ZONES")
        out.append("\t}")
    for hook in ("prerouting", "postrouting"):
        pr = "dstnat + 10" if hook == "prerouting" else "srcnat + 10"
        out.append("\tchain nat_%s {\n\t\ttype nat hook %s priority %s; policy accept;\n\t\tjump nat_%s_ZONES\n\t}" % (
            hook.upper(), hook, pr, hook.upper()))
        out.append("\tchain nat_%s_ZONES {\n\t}" % hook.upper())
    out.append("\tchain filter_INPUT_ZONES {")
    for z in zones[:4]:
        out.append('\t\tiifname "eth%d" goto filter_IN_%s' % (zones.index(z), z))
    out.append("\t\tgoto filter_IN_public\n\t}")
    out.append("\tchain filter_FORWARD_ZONES {\n\t\tgoto filter_FWD_public\n\t}")
    for z in zones:
        for part in ("pre", "log", "deny", "allow", "post"):
            out.append("\tchain filter_IN_%s_%s {" % (z, part))
            if part == "allow" and r.random() < 0.7:
                out.append("\t\ttcp dport 22 accept\n\t\tmeta l4proto . th dport @trusted-ports accept")
                out.append("\t\tip6 daddr fe80::/64 udp dport 546 accept")
            if part == "deny" and z == "block":
                out.append("\t\tip6 saddr @blocked-v6 drop")
            out.append("\t}")
        out.append("\tchain filter_IN_%s {" % z)
        for part in ("pre", "log", "deny", "allow", "post"):
            out.append("\t\tjump filter_IN_%s_%s" % (z, part))
        out.append("\t\tmeta l4proto { icmp, ipv6-icmp } accept")
        out.append("\t}")
        out.append("\tchain filter_FWD_%s {\n\t\tjump filter_FWD_%s_allow\n\t}" % (z, z))
        out.append("\tchain filter_FWD_%s_allow {\n\t\toifname \"eth0\" accept\n\t}" % z)
    out.append("}")
    return "\n".join(out) + "\n"


def libvirt_nft():
    return ("table ip libvirt_network {\n"
            "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
            "\t\tcounter jump guest_cross\n\t\tcounter jump guest_input\n\t\tcounter jump guest_output\n\t}\n"
            "\tchain guest_output {\n\t\tip saddr 192.168.122.0/24 iifname \"virbr0\" counter accept\n"
            "\t\tiifname \"virbr0\" counter reject\n\t}\n"
            "\tchain guest_input {\n\t\toifname \"virbr0\" ip daddr 192.168.122.0/24 ct state established,related counter accept\n"
            "\t\toifname \"virbr0\" counter reject\n\t}\n"
            "\tchain guest_cross {\n\t\tiifname \"virbr0\" oifname \"virbr0\" counter accept\n\t}\n"
            "\tchain guest_nat {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
            "\t\tip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 counter return\n"
            "\t\tmeta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535\n"
            "\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade\n\t}\n}\n")


def docker(v):
    a = "172.17.0.0/16" if v == 4 else "fd00:d0c::/64"
    n = "172.18.0.0/16" if v == 4 else "fd00:d0d::/64"
    lines = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
             ":POSTROUTING ACCEPT [0:0]", ":DOCKER - [0:0]",
             "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
             "-A OUTPUT ! -d %s -m addrtype --dst-type LOCAL -j DOCKER" % ("127.0.0.0/8" if v == 4 else "::1/128"),
             "-A POSTROUTING -s %s ! -o docker0 -j MASQUERADE" % a,
             "-A POSTROUTING -s %s ! -o br-5e1c -j MASQUERADE" % n,
             "-A DOCKER -i docker0 -j RETURN", "-A DOCKER -i br-5e1c -j RETURN"]
    if v == 4:
        lines.append("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80")
    lines += ["COMMIT", "*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
              ":DOCKER - [0:0]", ":DOCKER-ISOLATION-STAGE-1 - [0:0]", ":DOCKER-ISOLATION-STAGE-2 - [0:0]",
              ":DOCKER-USER - [0:0]",
              "-A FORWARD -j DOCKER-USER", "-A FORWARD -j DOCKER-ISOLATION-STAGE-1",
              "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
              "-A FORWARD -o docker0 -j DOCKER", "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT",
              "-A FORWARD -i docker0 -o docker0 -j ACCEPT",
              "-A FORWARD -o br-5e1c -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
              "-A FORWARD -o br-5e1c -j DOCKER", "-A FORWARD -i br-5e1c ! -o br-5e1c -j ACCEPT",
              "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2",
              "-A DOCKER-ISOLATION-STAGE-1 -i br-5e1c ! -o br-5e1c -j DOCKER-ISOLATION-STAGE-2",
              "-A DOCKER-ISOLATION-STAGE-1 -j RETURN",
              "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP", "-A DOCKER-ISOLATION-STAGE-2 -o br-5e1c -j DROP",
              "-A DOCKER-ISOLATION-STAGE-2 -j RETURN", "-A DOCKER-USER -j RETURN"]
    if v == 4:
        lines.append("-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT")
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def ufw():
    chains = ["ufw-before-logging-input", "ufw-before-logging-output", "ufw-before-logging-forward",
              "ufw-before-input", "ufw-before-output", "ufw-before-forward", "ufw-after-input",
              "ufw-after-output", "ufw-after-forward", "ufw-after-logging-input", "ufw-after-logging-output",
              "ufw-after-logging-forward", "ufw-reject-input", "ufw-reject-output", "ufw-reject-forward",
              "ufw-track-input", "ufw-track-output", "ufw-track-forward", "ufw-user-input", "ufw-user-output",
              "ufw-user-forward", "ufw-user-logging-input", "ufw-user-limit", "ufw-user-limit-accept",
              "ufw-logging-deny", "ufw-logging-allow", "ufw-skip-to-policy-input"]
    lines = ["*filter"] + [":%s - [0:0]" % c for c in chains]
    for hook in ("input", "output", "forward"):
        H = hook.upper()
        for part in ("before-logging", "before", "after", "after-logging", "reject", "track"):
            lines.append("-A %s -j ufw-%s-%s" % (H, part, hook))
    lines += ["-A ufw-before-input -i lo -j ACCEPT",
              "-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
              "-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny",
              "-A ufw-before-input -j ufw-user-input",
              "-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT",
              "-A ufw-user-input -p tcp -m tcp --dport 2222 -m conntrack --ctstate NEW -m recent --set --name DEFAULT --mask 255.255.255.255 --rsource",
              "-A ufw-user-limit -m limit --limit 3/min -j LOG --log-prefix \"[UFW LIMIT BLOCK] \"",
              "-A ufw-user-limit -j REJECT --reject-with icmp-port-unreachable",
              "-A ufw-user-limit-accept -j ACCEPT",
              "-A ufw-logging-deny -m conntrack --ctstate INVALID -m limit --limit 3/min --limit-burst 10 -j RETURN",
              "-A ufw-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT",
              "-A ufw-skip-to-policy-input -j DROP", "COMMIT"]
    return "\n".join(lines) + "\n"


def fail2ban():
    lines = ["*filter", ":f2b-sshd - [0:0]", ":f2b-nginx-http-auth - [0:0]",
             "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd",
             "-A INPUT -p tcp -m multiport --dports 80,443 -j f2b-nginx-http-auth"]
    for i in range(12):
        lines.append("-A f2b-sshd -s 198.51.100.%d/32 -j REJECT --reject-with icmp-port-unreachable" % (i + 1))
    lines += ["-A f2b-sshd -j RETURN", "-A f2b-nginx-http-auth -s 203.0.113.7/32 -j REJECT --reject-with icmp-port-unreachable",
              "-A f2b-nginx-http-auth -j RETURN", "COMMIT"]
    return "\n".join(lines) + "\n"


def libvirt_ipt():
    lines = ["*filter", ":LIBVIRT_INP - [0:0]", ":LIBVIRT_OUT - [0:0]", ":LIBVIRT_FWO - [0:0]",
             ":LIBVIRT_FWI - [0:0]", ":LIBVIRT_FWX - [0:0]",
             "-A INPUT -j LIBVIRT_INP", "-A FORWARD -j LIBVIRT_FWX", "-A FORWARD -j LIBVIRT_FWI",
             "-A FORWARD -j LIBVIRT_FWO", "-A OUTPUT -j LIBVIRT_OUT",
             "-A LIBVIRT_INP -i virbr1 -p udp -m udp --dport 53 -j ACCEPT",
             "-A LIBVIRT_INP -i virbr1 -p udp -m udp --dport 67 -j ACCEPT",
             "-A LIBVIRT_OUT -o virbr1 -p udp -m udp --dport 68 -j ACCEPT",
             "-A LIBVIRT_FWO -s 192.168.123.0/24 -i virbr1 -j ACCEPT", "-A LIBVIRT_FWO -i virbr1 -j REJECT --reject-with icmp-port-unreachable",
             "-A LIBVIRT_FWI -d 192.168.123.0/24 -o virbr1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
             "-A LIBVIRT_FWX -i virbr1 -o virbr1 -j ACCEPT", "COMMIT",
             "*mangle", ":LIBVIRT_PRT - [0:0]", "-A POSTROUTING -j LIBVIRT_PRT",
             "-A LIBVIRT_PRT -o virbr1 -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill", "COMMIT"]
    return "\n".join(lines) + "\n"


def kube(r, nsvc):
    """kube-proxy's iptables mode: KUBE-SERVICES with a KUBE-SVC-* chain
    per service and a KUBE-SEP-* chain per endpoint (a few hundred chains)"""
    hx = lambda: "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    nat = ["*nat", ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]",
           ":KUBE-MARK-MASQ - [0:0]", ":KUBE-KUBELET-CANARY - [0:0]", ":KUBE-PROXY-CANARY - [0:0]"]
    rules = ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
             '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
             "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
             "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
             "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
             '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    for s in range(nsvc):
        svc = "KUBE-SVC-" + hx()
        nat.append(":%s - [0:0]" % svc)
        ip = "10.96.%d.%d" % (s // 250, s % 250 + 1)
        rules.append('-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment "ns%d/svc%d:http cluster IP" -m tcp --dport 80 -j %s'
                     % (ip, s % 7, s, svc))
        neps = 1 + s % 3
        for e in range(neps):
            sep = "KUBE-SEP-" + hx()
            nat.append(":%s - [0:0]" % sep)
            pod = "10.244.%d.%d" % (s % 250, e + 2)
            if e < neps - 1:
                rules.append('-A %s -m comment --comment "ns%d/svc%d:http -> %s:8080" -m statistic --mode random --probability %.11f -j %s'
                             % (svc, s % 7, s, pod, 1.0 / (neps - e), sep))
            else:
                rules.append('-A %s -m comment --comment "ns%d/svc%d:http -> %s:8080" -j %s' % (svc, s % 7, s, pod, sep))
            rules.append('-A %s -s %s/32 -m comment --comment "ns%d/svc%d:http" -j KUBE-MARK-MASQ' % (sep, pod, s % 7, s))
            rules.append('-A %s -p tcp -m comment --comment "ns%d/svc%d:http" -m tcp -j DNAT --to-destination %s:8080'
                         % (sep, s % 7, s, pod))
    rules.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    filt = ["*filter", ":KUBE-FORWARD - [0:0]", ":KUBE-FIREWALL - [0:0]", ":KUBE-EXTERNAL-SERVICES - [0:0]",
            "-A INPUT -j KUBE-FIREWALL", "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            "-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP",
            "COMMIT"]
    return "\n".join(nat + rules + ["COMMIT"] + filt) + "\n"


PORTS_CELL = "h7web"


def ports_table():
    """netcell's own table of a root cell with two published ports, as
    kdhost_body() writes it"""
    return ("table ip netcell_ports_%s {\n"
            " chain postrouting {\n  type nat hook postrouting priority mangle; policy accept;\n"
            "  oifname \"np-%s\" snat to ip saddr\n }\n"
            " chain output {\n  type nat hook output priority -100; policy accept;\n"
            "  ip daddr 127.0.0.1 tcp dport 8080 counter dnat to 10.216.0.1:8080\n"
            "  fib daddr type local udp dport 5353 counter dnat to 10.216.0.1:5353\n }\n}\n") % (PORTS_CELL, PORTS_CELL)


# changes another tool makes to its own tables while netcell's generation
# is in force: (table it changes, shell command)
CHANGES = [
    (("inet", "firewalld"), "nft add rule inet firewalld filter_IN_public_allow tcp dport 9443 accept"),
    (("inet", "firewalld"), "nft add element inet firewalld allowlist-v4 '{ 198.51.100.0/24 }'"),
    (("ip", "libvirt_network"), "nft add rule ip libvirt_network guest_cross iifname \\\"virbr9\\\" counter accept"),
    (("ip", "filter"), "iptables -I DOCKER-USER -s 203.0.113.9 -j DROP"),
    (("ip", "nat"), "iptables -t nat -N KUBE-SVC-NEWSERVICE7 && iptables -t nat -A KUBE-SERVICES -d 10.96.99.9/32 -p tcp --dport 80 -j KUBE-SVC-NEWSERVICE7"),
    (("ip6", "filter"), "ip6tables -A DOCKER-USER -s 2001:db8:9::/48 -j DROP"),
    (("ip", "mangle"), "iptables -t mangle -A LIBVIRT_PRT -o virbr2 -p udp --dport 68 -j CHECKSUM --checksum-fill"),
]

# every table the tools above make (family, name)
TABLES = [("inet", "firewalld"), ("ip", "libvirt_network"), ("ip", "nat"), ("ip", "filter"),
          ("ip", "mangle"), ("ip6", "nat"), ("ip6", "filter"), ("ip", "netcell_ports_" + PORTS_CELL)]


def write(r, d, nsvc=150):
    """write the tools' files into D; return the shell script that loads
    them into the current network namespace (exit 11 when one fails)"""
    files = {"firewalld.nft": firewalld(r), "libvirt.nft": libvirt_nft(),
             "docker.v4": docker(4), "docker.v6": docker(6), "ufw.v4": ufw(), "f2b.v4": fail2ban(),
             "libvirt.v4": libvirt_ipt(), "kube.v4": kube(r, nsvc), "ports.nft": ports_table()}
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    p = lambda n: "'%s'" % os.path.join(d, n)
    steps = ["nft -f %s" % p("firewalld.nft"),
             "iptables-restore --noflush %s" % p("docker.v4"),
             "ip6tables-restore --noflush %s" % p("docker.v6"),
             "iptables-restore --noflush %s" % p("libvirt.v4"),
             "nft -f %s" % p("libvirt.nft"),
             "iptables-restore --noflush %s" % p("ufw.v4"),
             "iptables-restore --noflush %s" % p("f2b.v4"),
             "iptables-restore --noflush %s" % p("kube.v4"),
             "nft -f %s" % p("ports.nft")]
    return "{ " + " && ".join(steps) + "; } || exit 11", os.path.join(d, "ports.nft")
