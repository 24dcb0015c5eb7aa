# tests/fwcampaign/gen_ipt.py - iptables-save / ip6tables-save dumps and
# iptables-persistent files in the shapes real hosts have (docker,
# libvirt, kube-proxy, ufw, firewalld's direct rules), and netcell's
# mixed files, from a seeded random generator.  No text is copied.
import os

BUILTIN = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "raw": ("PREROUTING", "OUTPUT"),
    "security": ("INPUT", "FORWARD", "OUTPUT"),
}


def cnt(r):
    return "[%d:%d]" % (r.randrange(0, 5000), r.randrange(0, 900000)) if r.random() < 0.5 else "[0:0]"


def filter_rules(r, v, chains, user):
    a4 = v == 4
    lo = "127.0.0.0/8" if a4 else "::1/128"
    net = "10.0.0.0/8" if a4 else "2001:db8::/32"
    icmp = "-p icmp -m icmp --icmp-type 8" if a4 else "-p ipv6-icmp -m icmp6 --icmpv6-type 128"
    rej = "icmp-port-unreachable" if a4 else "icmp6-port-unreachable"
    p = {
        "INPUT": ["-i lo -j ACCEPT", "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                  "-m state --state INVALID -j DROP", "-p tcp -m tcp --dport 22 -j ACCEPT",
                  '-p tcp -m multiport --dports 80,443 -m comment --comment "web traffic" -j ACCEPT',
                  icmp + " -m limit --limit 5/sec -j ACCEPT",
                  '-m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[ufw-block] " --log-level 4',
                  "-p udp -j REJECT --reject-with " + rej, "-s %s -j DROP" % net, "! -s %s -d %s -j DROP" % (lo, lo),
                  "-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP",
                  "-m mac --mac-source 02:00:00:00:00:01 -j DROP",
                  "-p tcp -m recent --set --name ssh --mask %s --rsource" % ("255.255.255.255" if a4 else "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                  "-p tcp -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name h1 -j ACCEPT",
                  "-m pkttype --pkt-type broadcast -j DROP", "-m length --length 0:100 -j ACCEPT",
                  "-p tcp -m tcp --dport 25 -m connlimit --connlimit-above 10 --connlimit-mask %d -j REJECT --reject-with tcp-reset" % (32 if a4 else 128),
                  "-m addrtype --dst-type LOCAL -j ACCEPT"],
        "FORWARD": ["-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-i docker0 ! -o docker0 -j ACCEPT",
                    "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
                    '-d %s -o virbr0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "libvirt" -j ACCEPT' % net],
        "OUTPUT": ["-o lo -j ACCEPT", "-m owner --uid-owner 0 -j ACCEPT", "-p udp -m udp --dport 53 -j ACCEPT",
                   "-m conntrack --ctstate NEW -j ACCEPT"],
    }
    # extensions found in real hosts' dumps (ufw, firewalld's iptables
    # backend, fail2ban, libvirt, kube-proxy); a kernel without one refuses
    # it on both sides
    p["INPUT"] += ['-m recent --update --seconds 30 --hitcount 6 --name DEFAULT --mask %s --rsource -j DROP'
                   % ("255.255.255.255" if a4 else "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                   "-m addrtype --dst-type BROADCAST -j DROP", "-j NFLOG --nflog-group 5 --nflog-prefix \"nflog\"",
                   "-m statistic --mode nth --every 3 --packet 0 -j ACCEPT", "-m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue -j ACCEPT",
                   "-m helper --helper ftp -j ACCEPT", "-p sctp -m sctp --dport 2905 -j ACCEPT", "-m dscp --dscp 0x0a -j ACCEPT",
                   "-m pkttype --pkt-type multicast -j ACCEPT", "-p tcp -m tcp --dport 443 -j NFQUEUE --queue-num 3 --queue-bypass",
                   "-p esp -m esp --espspi 100:200 -j ACCEPT", "-m policy --dir in --pol ipsec -j ACCEPT",
                   "-m string --string \"GET /x\" --algo kmp --to 65535 -j DROP", "-m devgroup --src-group 0x2 -j ACCEPT",
                   "-m socket --transparent -j ACCEPT" if False else "-m cpu --cpu 0 -j ACCEPT",
                   '-m comment --comment "ns/svc:port cluster IP \\"quoted\\"" -j ACCEPT']
    p["OUTPUT"] += ["-m cgroup --cgroup 0x100001 -j ACCEPT", "-j LOG --log-prefix \"out \" --log-uid"]
    p["FORWARD"] += ["-m physdev --physdev-is-bridged -j ACCEPT", "-o docker0 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT"]
    if a4:
        p["INPUT"] += ["-m iprange --src-range 10.0.0.1-10.0.0.9 -j DROP", "-m ttl --ttl-gt 5 -j ACCEPT",
                       "-p icmp -m icmp --icmp-type 3/4 -j ACCEPT"]
    else:
        p["INPUT"] += ["-m rt --rt-type 0 -j DROP", "-p ipv6-icmp -m icmp6 --icmpv6-type 135 -m hl --hl-eq 255 -j ACCEPT",
                       "-s fe80::/10 -p udp -m udp --dport 546 -j ACCEPT", "-m frag --fragid 0 --fragmore -j DROP",
                       "-m ipv6header --header ipv6-route --soft -j DROP", "-m hbh --hbh-len 0 -j ACCEPT",
                       "-p ipv6-icmp -j REJECT --reject-with icmp6-adm-prohibited"]
    return p


def user_rules(v):
    """rules a user chain may hold whichever chain jumps to it"""
    net = "192.0.2.0/24" if v == 4 else "2001:db8:1::/48"
    return ["-s %s -j RETURN" % net, "-p tcp -m tcp --dport 8080 -j ACCEPT",
            '-m comment --comment "user chain" -j RETURN', "-m conntrack --ctstate NEW -j ACCEPT",
            "-d %s -p udp -m udp --dport 514 -j DROP" % net]


def gen_table(r, v, table):
    out = ["*" + table]
    chains = list(BUILTIN[table])
    user = []
    if table == "filter":
        user = r.sample(["DOCKER", "DOCKER-USER", "DOCKER-ISOLATION-STAGE-1", "ufw-before-input", "ufw-user-input",
                         "LIBVIRT_INP", "f2b-sshd", "KUBE-FIREWALL"], r.randrange(0, 4))
    elif table == "nat":
        user = r.sample(["DOCKER", "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", "KUBE-SVC-ABCDEF1234567890",
                         "KUBE-SEP-0123456789ABCDEF", "LIBVIRT_PRT"], r.randrange(0, 5))
    elif table == "mangle":
        user = r.sample(["LIBVIRT_PRT", "FW-MARK"], r.randrange(0, 2))
    for c in chains:
        out.append(":%s %s %s" % (c, "ACCEPT" if table != "filter" or r.random() < 0.6 else r.choice(["DROP", "ACCEPT"]), cnt(r)))
    for c in user:
        out.append(":%s - %s" % (c, cnt(r)))
    rules = []
    a4 = v == 4
    if table == "filter":
        pool = filter_rules(r, v, chains, user)
        for c in chains:
            for _ in range(r.randrange(0, 6)):
                rules.append((c, r.choice(pool[c])))
        for u in user:
            rules.append((r.choice(chains), "-j " + u))
            rules.append((u, r.choice(user_rules(v))))
            if r.random() < 0.5:
                rules.append((u, "-j RETURN"))
    elif table == "nat":
        dst = "10.244.1.5" if a4 else "[2001:db8::5]"
        net = "172.17.0.0/16" if a4 else "fd00:17::/64"
        pool = {"PREROUTING": ["-m addrtype --dst-type LOCAL -j RETURN", "-p tcp -m tcp --dport 80 -j DNAT --to-destination %s:8080" % dst,
                               "-p tcp -m tcp --dport 8081 -j REDIRECT --to-ports 80"],
                "INPUT": ["-j ACCEPT"],
                "OUTPUT": ["! -d %s -m addrtype --dst-type LOCAL -j RETURN" % ("127.0.0.0/8" if a4 else "::1/128")],
                "POSTROUTING": ["-s %s ! -o docker0 -j MASQUERADE" % net, "-o veth0 -j MASQUERADE --random-fully",
                                "-s %s -j SNAT --to-source %s" % (net, "192.0.2.7" if a4 else "2001:db8::7")]}
        for c in chains:
            for _ in range(r.randrange(0, 4)):
                rules.append((c, r.choice(pool[c])))
        for u in user:
            rules.append((r.choice(["PREROUTING", "OUTPUT"]), '-m comment --comment "kubernetes service portals" -j ' + u))
            if u.startswith("KUBE-SVC"):
                rules.append((u, '-m comment --comment "default/web:http" -m statistic --mode random --probability 0.50000000000 -j RETURN'))
            elif u == "KUBE-MARK-MASQ":
                rules.append((u, "-j MARK --set-xmark 0x4000/0x4000"))
            elif u == "KUBE-POSTROUTING":
                rules.append((u, "-m mark ! --mark 0x4000/0x4000 -j RETURN"))
                rules.append((u, "-j MARK --set-xmark 0x4000/0x0"))
            else:
                rules.append((u, "-p tcp -m tcp --dport 443 -j DNAT --to-destination %s:8443" % dst))
    elif table == "mangle":
        pool = ["-j MARK --set-mark 0x1", "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff",
                "-j CLASSIFY --set-class 0001:0010", "-j %s" % ("TTL --ttl-set 64" if v == 4 else "HL --hl-set 64"),
                "-j TOS --set-tos 0x10/0x3f" if v == 4 else "-j DSCP --set-dscp-class AF11", "-m u32 --u32 \"0x0>>0x16&0x3c@0xc>>0x1a=0x5\" -j ACCEPT" if v == 4 else "-j ACCEPT",
                "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400", "-m mark --mark 0x2 -j ACCEPT",
                "-p udp -m udp --dport 68 -j CHECKSUM --checksum-fill", "-j DSCP --set-dscp 0x0a"]
        for c in chains:
            for _ in range(r.randrange(0, 3)):
                rules.append((c, r.choice(pool)))
        for u in user:
            rules.append(("POSTROUTING", "-j " + u))
            rules.append((u, r.choice(pool)))
    elif table == "raw":
        pool = ["-p udp -m udp --dport 5060 -j CT --notrack", "-p tcp -m tcp --dport 21 -j CT --helper ftp",
                "-j NOTRACK", "-p udp -m udp --dport 123 -j ACCEPT"]
        for c in chains:
            for _ in range(r.randrange(0, 3)):
                rules.append((c, r.choice(pool)))
    else:
        pool = ["-m state --state NEW -j ACCEPT", "-p tcp -j ACCEPT"]
        for c in chains:
            for _ in range(r.randrange(0, 2)):
                rules.append((c, r.choice(pool)))
    for c, rule in rules:
        pre = (cnt(r) + " ") if r.random() < 0.2 else ""
        out.append("%s-A %s %s" % (pre, c, rule))
    out.append("COMMIT")
    return out


def gen_ipt(r, d, name, v):
    """an iptables-save (v4) or ip6tables-save (v6) file"""
    tables = r.sample(["filter", "nat", "mangle", "raw", "security"], r.randrange(1, 5))
    if r.random() < 0.7 and "filter" not in tables:
        tables.insert(0, "filter")
    style = r.choice(["header", "persistent", "suffix"])
    tool = "iptables-save" if v == 4 else "ip6tables-save"
    lines = []
    if style == "header":
        fn = name + ".rules"
        lines.append("# Generated by %s v1.8.9 (nf_tables) on Tue Dec  1 12:00:00 2026" % tool)
    elif style == "persistent":
        os.makedirs(os.path.join(d, name), exist_ok=True)
        fn = os.path.join(name, "rules.v%d" % v)
    else:
        fn = name + ".v%d" % v
    for t in tables:
        lines += gen_table(r, v, t)
        if style == "header" and r.random() < 0.5:
            lines.append("# Completed on Tue Dec  1 12:00:00 2026")
    if r.random() < 0.15:
        # a --noflush-style part: rules appended to built-in chains that
        # the file does not declare
        lines += ["*filter", "-A INPUT -p tcp -m tcp --dport 9999 -j DROP", "COMMIT"]
    main = os.path.join(d, fn)
    with open(main, "w") as f:
        f.write("\n".join(lines) + ("" if r.random() < 0.15 else "\n"))
    return {"files": [main], "main": main, "lines": lines, "v": v, "fn": fn, "d": d}


def bad_ipt(r, d, c, suffix=None):
    """a copy refused by iptables-restore; its path and the line named"""
    lines = list(c["lines"])
    kind = r.choice(["nocommit", "nochain", "badopt"])
    base, ext = os.path.splitext(os.path.basename(c["main"]))
    ext = suffix or (".v%d" % c["v"])
    p = os.path.join(d, "bad" + ext)
    if kind == "nocommit":
        # the last COMMIT gone: iptables-restore refuses at the end
        i = max(i for i, l in enumerate(lines) if l == "COMMIT")
        lines = lines[:i] + [l for l in lines[i + 1:] if not l.startswith("#")]
        line = len(lines) + 1
    else:
        i = max(i for i, l in enumerate(lines) if l == "COMMIT")
        rule = "-A INPUT -j NO_SUCH_CHAIN" if kind == "nochain" else "-A INPUT -p tcp --no-such-option 1 -j DROP"
        # into the last table, which may lack INPUT: then declare it first
        tb = max(j for j, l in enumerate(lines[:i]) if l.startswith("*"))
        if lines[tb] not in ("*filter", "*mangle", "*nat", "*security"):
            lines = lines[:i] + ["COMMIT", "*filter"] + lines[i:]
            i += 2
        lines = lines[:i] + [rule] + lines[i:]
        line = i + 1
    if c.get("offset"):
        line += c["offset"]
        lines = c["prefix"] + lines
    with open(p, "w") as f:
        f.write("\n".join(lines) + "\n")
    return p, line


def gen_mixed(r, d, name):
    """nft part with iptables sections (what fw stage writes)"""
    from gen_nft import gen_table as nft_table
    fam = r.choice(["inet", "ip", "ip6"])
    tt, _ = nft_table(r, fam, "mixed_nft", False, {})
    nft = ["flush ruleset"] if r.random() < 0.5 else []
    nft += tt
    v4 = gen_table(r, 4, r.choice(["filter", "mangle", "nat"]))
    v6 = gen_table(r, 6, "filter") if r.random() < 0.5 else []
    text = nft + ["# netcell: iptables-restore"] + v4
    if v6:
        text += ["# netcell: ip6tables-restore"] + v6
    main = os.path.join(d, name + ".rules")
    with open(main, "w") as f:
        f.write("\n".join(text) + "\n")
    parts = {}
    for k, body in (("nft", nft), ("v4", v4), ("v6", v6)):
        if k == "nft" or body:
            parts[k] = os.path.join(d, name + ".part." + k)
            with open(parts[k], "w") as f:
                f.write("\n".join(body) + "\n")
    pre = nft + ["# netcell: iptables-restore"]
    ipt = {"lines": v4 + (["# netcell: ip6tables-restore"] + v6 if v6 else []), "v": 4, "main": main,
           "offset": "\n".join(pre).count("\n") + 1, "prefix": pre}
    return {"files": [main], "main": main, "parts": parts, "ipt": ipt}
