# tests/fwcampaign/gen_nft.py - nft rulesets in the shapes of public ones
# (distribution defaults, firewalld's and fw4's generated rulesets, nft's
# own test files), written from a seeded random generator.  No text is
# copied from those projects: only their shapes (families, hooks, named
# priorities, sets, maps, objects, includes, imperative and block syntax).
import os
import shutil

IPFAM = ("ip", "ip6", "inet")
HOOKS = {
    "ip": ("prerouting", "input", "forward", "output", "postrouting"),
    "ip6": ("prerouting", "input", "forward", "output", "postrouting"),
    "inet": ("prerouting", "input", "forward", "output", "postrouting"),
    "arp": ("input", "output"),
    "bridge": ("prerouting", "input", "forward", "output", "postrouting"),
    "netdev": ("ingress",),
}


def prio(r, fam, hook, ctype):
    if ctype == "nat":
        return r.choice({"prerouting": ["dstnat", "dstnat + 5", "-100"],
                         "output": ["-100", "0"],
                         "postrouting": ["srcnat", "srcnat - 1", "100"],
                         "input": ["100", "200"]}[hook])
    if ctype == "route":
        return r.choice(["mangle", "-150", "mangle + 2"])
    if fam in IPFAM:
        c = ["filter", "filter + 10", "filter - 5", "raw", "mangle", "security", "0", "-300", "100"]
        if hook == "prerouting":
            c.append("dstnat")
        if hook == "postrouting":
            c.append("srcnat")
        return r.choice(c)
    if fam == "bridge":
        c = ["filter", "filter + 10", "-200", "0"]
        if hook == "prerouting":
            c.append("dstnat")
        if hook == "postrouting":
            c.append("srcnat")
        if hook == "output":
            c.append("out")
        return r.choice(c)
    return r.choice(["filter", "filter + 10", "0", "-10"])


def q(s):
    return '"%s"' % s


def addrs4(r, n):
    return ", ".join("192.0.2.%d" % (r.randrange(1, 250)) for _ in range(n))


def rule_pool(r, fam, hook, ctype, t):
    """rules for a chain of FAM/HOOK/TYPE, given the table's objects T"""
    p = []
    if fam in IPFAM:
        p += ["ct state established,related accept", "ct state invalid drop",
              'iif "lo" accept', 'iifname "veth*" counter drop',
              "tcp dport { 22, 80, 443 } accept", "udp dport 53 counter accept",
              "meta l4proto { tcp, udp } th dport 5000-5100 drop",
              "tcp flags & (fin|syn) == (fin|syn) drop",
              "meta mark set 0x10", "ct mark set meta mark", "meta mark 0x2 counter",
              'log prefix "nc-camp: " level info', "meta nftrace set 1",
              "tcp dport 8080 meta priority set 1:2", "meta skuid 0 counter",
              "ip dscp cs1 counter" if fam != "ip6" else "ip6 dscp cs1 counter",
              "tcp option maxseg size set rt mtu" if hook in ("forward", "output", "postrouting") else "counter",
              "ct count over 100 drop" if fam != "inet" else "ct state new counter"]
        # expressions of distribution defaults and of nft's own test files
        p += ["tcp dport ssh accept", "udp dport { domain, ntp } counter accept",
              "fib daddr type local counter" if hook in ("prerouting", "input", "output") else "counter",
              "meta mark set numgen inc mod 2 offset 0x10", "meta mark set jhash ip saddr mod 4" if fam != "ip6" else "counter",
              "ct status dnat counter accept", "ct zone 3 counter", "meta cgroup 1234 counter" if hook in ("input", "output") else "counter",
              "pkttype host limit rate 5/second burst 10 packets counter", "meta iifkind \"veth\" counter",
              "ct helper \"ftp\" counter", "meta l4proto udp queue num 1 bypass" if ctype == "filter" else "counter",
              "ct event set new,related" if hook in ("prerouting", "output") else "counter",
              "meta time \"2026-01-01 00:00\" - \"2027-01-01 00:00\" counter", "meta day \"Saturday\" counter",
              "meta hour \"09:00\" - \"17:30\" accept", "ip6 nexthdr tcp counter" if fam != "ip" else "ip protocol tcp counter",
              "socket transparent 1 counter" if hook == "prerouting" else "counter",
              "tcp flags syn tcp option maxseg size 1-500 drop", "th dport 4789 counter", "meta length > 1400 counter"]
        if fam in ("ip", "inet") and hook == "prerouting" and ctype == "filter":
            p += ["meta nfproto ipv4 fib saddr . iif oif missing drop" if fam == "inet" else "fib saddr . iif oif missing drop",
                  "meta l4proto tcp tproxy ip to 127.0.0.1:50080" if fam == "inet" else "meta l4proto tcp tproxy to :50080",
                  "notrack" if r.random() < 0.5 else "udp dport 5060 notrack"]
        if fam in ("ip", "inet"):
            p += ["ip saddr 10.0.0.0/8 drop", "icmp type echo-request limit rate 5/second accept",
                  "ip daddr { %s } counter drop" % addrs4(r, r.choice([3, 40, 200])),
                  "ip protocol icmp ip length > 1000 drop", "ip ttl 1 drop"]
        if fam in ("ip6", "inet"):
            p += ["ip6 saddr fe80::/10 accept",
                  "icmpv6 type { nd-neighbor-solicit, nd-router-advert, nd-neighbor-advert } accept",
                  "ip6 nexthdr ipv6-icmp counter", "ip6 daddr 2001:db8::/32 counter drop"]
        if fam == "inet" and ctype == "filter" and hook in ("input", "forward", "output"):
            p += ["reject with icmpx type port-unreachable", "meta l4proto tcp reject with tcp reset",
                  "meta nfproto ipv4 counter"]
        if fam == "ip" and ctype == "filter" and hook in ("input", "forward", "output"):
            p += ["reject with icmp type host-unreachable"]
        if fam == "ip6" and ctype == "filter" and hook in ("input", "forward", "output"):
            p += ["reject with icmpv6 type admin-prohibited"]
        for s in t["sets"]:
            if s[1] == "ipv4_addr" and fam in ("ip", "inet"):
                p.append("ip saddr @%s drop" % s[0])
            if s[1] == "ipv6_addr" and fam in ("ip6", "inet"):
                p.append("ip6 saddr @%s counter accept" % s[0])
            if s[1] == "inet_service":
                p.append("tcp dport @%s accept" % s[0])
            if s[1] == "concat" and fam in ("ip", "inet"):
                p.append("ip daddr . tcp dport @%s accept" % s[0])
            if s[1] == "dyn4" and fam in ("ip", "inet") and ctype == "filter":
                p.append("update @%s { ip saddr limit rate over 10/second } drop" % s[0])
                p.append("add @%s { ip saddr } counter" % s[0])
        for m in t["maps"]:
            if m[1] == "vmap":
                p.append("tcp dport vmap @%s" % m[0])
            if m[1] == "mark":
                p.append("meta mark set tcp dport map @%s" % m[0])
        p.append("tcp dport vmap { 22 : accept, 23 : drop, 24-30 : drop }")
        for o in t["objs"]:
            kind, name = o
            if kind == "counter":
                p.append('counter name "%s"' % name)
            elif kind == "quota":
                p.append('quota name "%s" drop' % name)
            elif kind == "limit":
                p.append('limit name "%s" accept' % name)
            elif kind == "ct helper" and hook in ("prerouting", "output") and ctype == "filter":
                p.append('tcp dport 21 ct helper set "%s"' % name)
            elif kind == "ct timeout" and hook in ("prerouting", "output") and ctype == "filter":
                p.append('ct timeout set "%s"' % name)
            elif kind == "ct expectation" and hook in ("prerouting", "output", "input", "forward") and ctype == "filter":
                p.append('ct expectation set "%s"' % name)
            elif kind == "synproxy" and hook in ("input", "forward") and ctype == "filter":
                p.append('tcp dport 8443 ct state invalid,untracked synproxy name "%s"' % name)
            elif kind == "secmark":
                p.append('meta secmark set "%s"' % name)
        if t["flowtables"] and hook == "forward" and ctype == "filter":
            p.append("meta l4proto { tcp, udp } flow add @%s" % t["flowtables"][0])
        if ctype == "filter" and fam in ("ip", "inet"):
            p.append("meter m%d { ip saddr limit rate 20/second } accept" % r.randrange(1000))
        if ctype == "nat":
            if hook in ("prerouting", "output"):
                p = ["tcp dport 8080 redirect to :80", "meta l4proto tcp counter"]
                if fam == "ip":
                    p += ["tcp dport 80 dnat to 10.10.0.2:8080", "ip daddr 192.0.2.1 dnat to 10.10.0.3"]
                if fam == "inet":
                    p += ["tcp dport 81 dnat ip to 10.10.0.2", "tcp dport 82 dnat ip6 to [2001:db8::2]:80"]
                if fam == "ip6":
                    p += ["tcp dport 80 dnat to [2001:db8::5]:8080"]
            else:
                p = ["oifname \"veth*\" masquerade", "counter"]
                if fam == "ip":
                    p += ["ip saddr 10.10.0.0/24 snat to 192.0.2.7", "masquerade random,persistent"]
                if fam == "inet":
                    p += ["ip saddr 10.10.0.0/24 snat ip to 192.0.2.9", "meta nfproto ipv6 masquerade"]
    elif fam == "arp":
        p = ["arp operation request accept", "arp htype 1 counter", "arp operation reply limit rate 10/second accept",
             "arp saddr ip 192.0.2.1 drop", "meta mark 0x1 counter"]
    elif fam == "bridge":
        p = ["ether type ip counter accept", "vlan id 10 drop", "meta protocol ip6 counter",
             "ether saddr 02:00:00:00:00:01 drop", "ip saddr 192.0.2.1 counter", "meta pkttype broadcast counter",
             "ether type arp accept", 'iifname "d0" counter']
    else:  # netdev
        p = ["ether type arp accept", "ip saddr 192.0.2.44 drop", "meta protocol ip counter",
             "ip6 saddr fe80::1 counter", "meta pkttype multicast counter", "udp dport 4789 counter"]
    return p


def comment(r):
    return r.choice(["", "", ' comment "rule %d"' % r.randrange(100), ' comment "spaces and: punct."'])


def gen_table(r, fam, tname, dev, opts):
    t = {"sets": [], "maps": [], "objs": [], "flowtables": [], "chains": []}
    out = []
    block = []
    if r.random() < 0.15:
        block.append("\tflags dormant")
    if r.random() < 0.2:
        block.append('\tcomment "table %s"' % tname)
    # sets and maps
    if fam in IPFAM:
        for i in range(r.randrange(0, 4)):
            k = r.choice(["ipv4_addr", "ipv6_addr", "inet_service", "concat", "dyn4", "typeof4", "interval4"])
            if k in ("ipv4_addr", "concat", "dyn4", "typeof4", "interval4") and fam == "ip6":
                k = "ipv6_addr"
            if k == "ipv6_addr" and fam == "ip":
                k = "inet_service"
            name = "s%d_%s" % (i, k[:4])
            if k == "ipv4_addr":
                el = "192.0.2.1, 192.0.2.2 comment \"two\", 198.51.100.7"
                extra = r.choice(["", "\t\tcounter\n", "\t\tflags timeout\n\t\ttimeout 1h\n", "\t\tsize 1024\n"])
                if "timeout" in extra:
                    el = "192.0.2.1 timeout 30m, 192.0.2.2"
                block.append("\tset %s {\n\t\ttype ipv4_addr\n%s\t\telements = { %s }\n\t}" % (name, extra, el))
                t["sets"].append((name, "ipv4_addr"))
            elif k == "typeof4":
                block.append("\tset %s {\n\t\ttypeof ip saddr\n\t\telements = { 203.0.113.5 }\n\t}" % name)
                t["sets"].append((name, "ipv4_addr"))
            elif k == "interval4":
                block.append("\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n%s\t\telements = { 10.0.0.0/8, 10.1.0.0/16, 172.16.0.0-172.16.0.255, 192.168.1.1 }\n\t}"
                             % (name, "\t\tauto-merge\n" if r.random() < 0.6 else "\t\t\n"))
                t["sets"].append((name, "ipv4_addr"))
                if r.random() < 0.5 and "auto-merge" not in block[-1]:
                    block[-1] = block[-1].replace("10.1.0.0/16, ", "")
            elif k == "ipv6_addr":
                block.append("\tset %s {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\telements = { 2001:db8::/48, fe80::1 }\n\t}" % name)
                t["sets"].append((name, "ipv6_addr"))
            elif k == "inet_service":
                block.append("\tset %s {\n\t\ttype inet_service\n\t\telements = { 22, 80 comment \"http\", 443 }\n\t}" % name)
                t["sets"].append((name, "inet_service"))
            elif k == "concat":
                block.append("\tset %s {\n\t\ttype ipv4_addr . inet_service\n\t\telements = { 192.0.2.1 . 80, 192.0.2.2 . 443 }\n\t}" % name)
                t["sets"].append((name, "concat"))
            elif k == "dyn4":
                block.append("\tset %s {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 1m\n\t\tsize 65535\n\t}" % name)
                t["sets"].append((name, "dyn4"))
        if r.random() < 0.5:
            block.append("\tmap vm%s {\n\t\ttype inet_service : verdict\n\t\telements = { 25 : drop, 110 : accept }\n\t}" % tname)
            t["maps"].append(("vm" + tname, "vmap"))
        if r.random() < 0.3:
            block.append("\tmap mk%s {\n\t\ttypeof tcp dport : meta mark\n\t\telements = { 22 : 0x1, 80 : 0x2 }\n\t}" % tname)
            t["maps"].append(("mk" + tname, "mark"))
        # stateful objects
        # secmark objects need an LSM with secmark support, flowtables the
        # flow table module: kernels without them refuse, so both are rare
        # (a refusal both sides share is checked too)
        kinds = ["counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy"]
        if r.random() < 0.05:
            kinds.append("secmark")
        for kind in r.sample(kinds, r.randrange(0, 5)):
            name = kind.replace("ct ", "ct") + "1"
            if kind == "counter":
                body = "\t\tpackets 0 bytes 0\n" if r.random() < 0.5 else ""
            elif kind == "quota":
                body = "\t\tover 100 mbytes\n"
            elif kind == "limit":
                body = "\t\trate 400/minute\n"
            elif kind == "ct helper":
                if fam == "inet" and r.random() < 0.5:
                    body = "\t\ttype \"ftp\" protocol tcp\n\t\tl3proto ip\n"
                else:
                    body = "\t\ttype \"ftp\" protocol tcp\n"
            elif kind == "ct timeout":
                body = "\t\tprotocol tcp\n\t\tl3proto %s\n\t\tpolicy = { established : 120, close : 10 }\n" % ("ip6" if fam == "ip6" else "ip")
            elif kind == "ct expectation":
                body = "\t\tprotocol tcp\n\t\tdport 2121\n\t\ttimeout 1m\n\t\tsize 12\n\t\tl3proto %s\n" % ("ip6" if fam == "ip6" else "ip")
            elif kind == "synproxy":
                body = "\t\tmss 1460\n\t\twscale 7\n\t\ttimestamp sack-perm\n"
            else:
                body = "\t\t\"system_u:object_r:netcell_t:s0\"\n"
            sep = "" if kind != "secmark" else ""
            block.append("\t%s %s {\n%s%s\t}" % (kind, name, body, sep))
            t["objs"].append((kind, name))
        if dev and r.random() < 0.05:
            block.append("\tflowtable ft {\n\t\thook ingress priority filter\n\t\tdevices = { d0 }\n\t}")
            t["flowtables"].append("ft")
    elif fam == "bridge" and r.random() < 0.4:
        block.append("\tset macs {\n\t\ttype ether_addr\n\t\telements = { 02:00:00:00:00:01, 02:00:00:00:00:02 }\n\t}")
    # chains
    hooks = list(HOOKS[fam])
    nbase = r.randrange(1, min(4, len(hooks)) + 1)
    used = []
    regular = ["chain_%d" % i for i in range(r.randrange(0, 3))]
    if regular and r.random() < 0.3:
        regular[0] = "user-%d.x/y" % r.randrange(10)
    for i in range(nbase):
        hook = r.choice(hooks)
        ctype = "filter"
        if fam in IPFAM and r.random() < 0.25 and hook in ("prerouting", "postrouting", "output", "input"):
            ctype = "nat"
        if fam in ("ip", "ip6") and hook == "output" and r.random() < 0.2:
            ctype = "route"
        cname = "%s_%s_%d" % (ctype, hook, i)
        if fam == "netdev" and not dev:
            break
        devpart = ' device "d0"' if fam == "netdev" else ""
        if fam == "inet" and dev and r.random() < 0.1:
            hook, devpart, ctype, cname = "ingress", ' device "d0"', "filter", "ingress_%d" % i
        pr = prio(r, fam, hook, ctype) if hook != "ingress" else r.choice(["filter", "0", "-500"])
        pol = "" if ctype == "nat" or r.random() < 0.3 else " policy %s;" % r.choice(["accept", "accept", "drop"])
        rules = []
        pool = rule_pool(r, fam, hook, ctype, t)
        for _ in range(r.randrange(0, 7)):
            rules.append("\t\t" + r.choice(pool) + comment(r))
        for rc in regular:
            if r.random() < 0.5:
                rules.append("\t\t%s %s" % (r.choice(["jump", "goto"]), rc))
        hdr = "\t\ttype %s hook %s%s priority %s;%s" % (ctype, hook, devpart, pr, pol)
        if r.random() < 0.15:
            hdr += '\n\t\tcomment "base chain"'
        block.append("\tchain %s {\n%s\n%s\n\t}" % (cname, hdr, "\n".join(rules)) if rules else
                     "\tchain %s {\n%s\n\t}" % (cname, hdr))
        used.append(cname)
    for rc in regular:
        pool = rule_pool(r, fam, "input", "filter", t) if fam in IPFAM else rule_pool(r, fam, HOOKS[fam][0], "filter", t)
        rules = ["\t\t" + r.choice(pool) + comment(r) for _ in range(r.randrange(0, 4))]
        rules.append("\t\treturn" if r.random() < 0.3 else "\t\tcounter")
        block.append("\tchain %s {\n%s\n\t}" % (rc, "\n".join(rules)))
    t["chains"] = used + regular
    out.append("table %s %s {\n%s\n}" % (fam, tname, "\n".join(block)))
    return out, t


def imperative(r, fam, tname):
    """add/create syntax, as scripts and firewalld write"""
    hook = HOOKS[fam][0] if fam != "netdev" else None
    verb = r.choice(["add", "create"])
    lines = ["%s table %s %s" % (verb, fam, tname)]
    if hook and fam != "netdev":
        lines.append("add chain %s %s base { type filter hook %s priority %s; policy accept; }"
                     % (fam, tname, hook, prio(r, fam, hook, "filter")))
        lines.append("add chain %s %s aux" % (fam, tname))
        lines.append("add rule %s %s base counter jump aux" % (fam, tname))
        lines.append("insert rule %s %s base meta mark 0x5 counter" % (fam, tname))
        if fam in IPFAM:
            lines.append("add set %s %s blk { type inet_service; }" % (fam, tname))
            lines.append("add element %s %s blk { 23, 2323 }" % (fam, tname))
            lines.append("add rule %s %s aux tcp dport @blk drop" % (fam, tname))
            if r.random() < 0.5:
                lines.append("delete element %s %s blk { 2323 }" % (fam, tname))
        if r.random() < 0.3:
            lines.append("flush chain %s %s aux" % (fam, tname))
    return lines


def gen_nft(r, d, name):
    """write one nft ruleset (with includes sometimes); return its files"""
    fams = ["ip", "ip6", "inet", "inet", "arp", "bridge", "netdev"]
    dev = r.random() < 0.35
    main = os.path.join(d, name + ".nft")
    text = []
    files = [main]
    if r.random() < 0.6:
        text.append("#!/usr/sbin/nft -f\n# generated for netcell's campaign")
    if r.random() < 0.6:
        text.append("flush ruleset")
    if r.random() < 0.4:
        text.append("define lan_ports = { 22, 80 }\ndefine adm = 192.0.2.10")
        uses_define = True
    else:
        uses_define = False
    ntab = r.randrange(1, 4)
    names = []
    for i in range(ntab):
        fam = r.choice(fams)
        if fam == "netdev" and not dev:
            fam = "inet"
        tname = r.choice(["filter", "nat", "fw_%d" % i, "firewalld", "fw4", "t%d" % i])
        if (fam, tname) in names:
            tname += "_%d" % i
        names.append((fam, tname))
        if r.random() < 0.15:
            text += imperative(r, fam, tname)
            continue
        tt, _ = gen_table(r, fam, tname, dev, {})
        if uses_define and fam in ("ip", "inet"):
            tt[0] = tt[0].replace("\tchain ", "\tchain defs_%d {\n\t\ttcp dport $lan_ports ip saddr $adm accept\n\t}\n\tchain " % i, 1)
        if r.random() < 0.2:
            # put it in an include: relative (nft looks in /etc only, so
            # absolute), a glob of a directory, or a plain absolute path
            sub = os.path.join(d, "inc%d" % i)
            os.makedirs(sub, exist_ok=True)
            p = os.path.join(sub, "part.nft")
            with open(p, "w") as f:
                f.write("\n".join(tt) + "\n")
            files.append(p)
            how = r.random()
            if how < 0.1:
                # a relative name: nft looks for it in its include
                # directory (/etc), not beside the file: refused by both
                shutil.copy(p, os.path.join(d, "rel%d.nft" % i))
                text.append('include "rel%d.nft"' % i)
            else:
                text.append('include "%s"' % (p if how < 0.55 else sub + "/*.nft"))
        else:
            text += tt
        if r.random() < 0.15 and fam in IPFAM:
            # a second declaration of the same table, merged by nft
            text.append("table %s %s {\n\tchain merged_late {\n\t\tcounter\n\t}\n}" % (fam, tname))
    if r.random() < 0.15:
        # a table made and deleted again in the same file
        text.append("table ip scratch {\n\tchain c {\n\t\tcounter\n\t}\n}\ndelete table ip scratch")
    if r.random() < 0.1:
        text.append("# a long comment line " + "x" * 3000)
    # editors leave files without a final newline now and then
    with open(main, "w") as f:
        f.write("\n".join(text) + ("" if r.random() < 0.15 else "\n"))
    return {"files": files, "main": main, "dev": dev, "text": text}


def bad_nft(r, d, c):
    """a copy of the ruleset with one line the parser or the kernel
    refuses; return its path and that line's number"""
    lines = open(c["main"]).read().splitlines()
    kind = r.choice(["syntax", "kernel", "missing-chain", "destroy", "unbalanced", "crlf"])
    if kind in ("unbalanced", "crlf"):
        # the last brace missing (the parser runs off the end), or a file
        # with Windows line ends (nft refuses the carriage returns)
        if kind == "unbalanced":
            last = [i for i, l in enumerate(lines) if l == "}"]
            if last:
                del lines[last[-1]]
            else:
                lines.append("table ip unclosed {")
            body = "\n".join(lines) + "\n"
        else:
            body = "\r\n".join(lines) + "\r\n"
        p = os.path.join(d, "bad.nft")
        with open(p, "w", newline="") as f:
            f.write(body)
        return p, 0
    bad = {"syntax": "table ip badt {\n\tchain c {\n\t\ttcp dport 22 acept\n\t}\n}",
           "kernel": "table ip badt {\n\tchain c {\n\t\tcounter name \"nosuch\"\n\t}\n}",
           "missing-chain": "table ip badt {\n\tchain c {\n\t\tjump nowhere\n\t}\n}",
           "destroy": "destroy table ip nothere"}[kind]
    tops = [0] + [i + 1 for i, l in enumerate(lines)
                  if l == "}" or not (l.startswith(("\t", " ")) or l.rstrip().endswith("{") or not l.strip())]
    at = r.choice(tops)
    b = bad.split("\n")
    off = {"syntax": 3, "kernel": 3, "missing-chain": 3, "destroy": 1}[kind]
    new = lines[:at] + b + lines[at:]
    p = os.path.join(d, "bad.nft")
    with open(p, "w") as f:
        f.write("\n".join(new) + "\n")
    return p, at + off
