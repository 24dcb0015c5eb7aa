#!/usr/bin/env python3
"""tests/stagegen/gen.py - random firewall scripts for the fw stage campaign

    gen.py SEED INDEX OUTDIR

writes OUTDIR/gen-SEED-INDEX.{sh,py} (executable) and prints one line:
the script's path, then "ok" (the script succeeds when run directly) or
"fail LINE" (it stops, under set -e, at the command on LINE).

A script is a sequence of operations drawn with random.Random(SEED*100003
+ INDEX) from the shapes real firewall scripts use: every xtables table and
built-in chain, IPv4 and IPv6, user chains, jumps and gotos, -A/-I n/-R n/
-D by spec and by number/-Z/-E/-P/-F/-X/-N, -C with ||, -w, reads (-S,
-L -n -v --line-numbers, iptables-save, command substitutions),
iptables-restore --noflush with counters, options in odd places, long
options and abbreviations, negations, many matches and targets, nft
tables, chains, rules, sets, maps, insert/replace/delete by handle, nft -f
heredocs and files, nft flush ruleset, nft rules in iptables' tables,
shell functions, loops, subshells, sh -c, env, absolute paths, $XT_MULTI,
python.  A small model of the ruleset keeps every command valid, except
the one deliberate failure a script may carry (and failures the script
handles with || true).  The direct run checks the model: where it
disagrees, the campaign counts a generator error, not a netcell one.
"""
import os
import random
import shlex
import sys

TABLES = {
    "filter": ["INPUT", "FORWARD", "OUTPUT"],
    "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    "raw": ["PREROUTING", "OUTPUT"],
    "security": ["INPUT", "FORWARD", "OUTPUT"],
}
IN_HOOKS = {"PREROUTING", "INPUT", "FORWARD"}
OUT_HOOKS = {"OUTPUT", "POSTROUTING", "FORWARD"}

COMMENTS = ['allow ssh', 'it\'s "quoted"', 'grüße ✓ utf-8', 'a;b|c & d', 'tab\tin it',
            'kube-system/kube-dns:dns -> 10.244.0.2:53', '$HOME not expanded', "back\\slash"]
PREFIXES = ['FW drop: ', 'in "x" ', "it's ", 'IPT[1] ', 'ü-log ', 'DROP']


class Model:
    """what the ruleset holds: chains, their rules (as argument lists)"""

    def __init__(self):
        self.reset()

    def reset(self):
        self.ch = {}      # (fam, table) -> {chain: [rule argv]}
        self.user = {}    # (fam, table) -> [user chain names, creation order]
        self.nft = {}     # table key "fam name" -> {"chains": {name: [rule texts]}, "sets": [...]}
        self.touched = set()

    def table(self, fam, t):
        k = (fam, t)
        if k not in self.ch:
            self.ch[k] = {c: [] for c in TABLES[t]}
            self.user[k] = []
        return self.ch[k]


class Gen:
    def __init__(self, seed, index):
        self.r = random.Random(seed * 100003 + index)
        self.m = Model()
        self.lines = []
        self.fail_line = 0
        self.n_user = 0
        self.n_nft = 0
        self.names = 0
        self.lang = "sh"

    # ---------------------------------------------------------------- helpers
    def emit(self, text):
        for ln in text.split("\n"):
            self.lines.append(ln)
        return len(self.lines)

    def pick(self, seq):
        return self.r.choice(list(seq))

    def chance(self, p):
        return self.r.random() < p

    def tool(self, fam):
        """how the script reaches iptables or ip6tables"""
        base = "iptables" if fam == 4 else "ip6tables"
        w = self.r.random()
        if self.lang == "py":
            return [base] if w < 0.7 else ["/usr/sbin/" + base]
        if w < 0.55:
            return [base]
        if w < 0.62:
            return ["/usr/sbin/" + base]
        if w < 0.66:
            return ["/sbin/" + base + "-nft"]
        if w < 0.72:
            return ["command", base]
        if w < 0.78:
            return ['"$XT_MULTI"', base]
        if w < 0.84:
            return ["$IPT" if fam == 4 else "$IP6T"]
        if w < 0.88:
            return ["env", base]
        return [base, "-w"] if self.chance(0.5) else [base, "-w", "5"]

    def q(self, a):
        return shlex.quote(a)

    def render(self, pre, args):
        """a command line: the tool words as they are, the arguments quoted;
        sometimes run through sh -c"""
        words = pre + [self.q(a) for a in args]
        line = " ".join(words)
        if self.lang == "sh" and self.chance(0.05) and not pre[0].startswith(('"$', '$')):
            line = "sh -c " + self.q(line)
        return line

    # ----------------------------------------------------------------- rules
    def match(self, fam, t, c):
        """random match arguments valid in table t, chain c"""
        r = self.r
        out = []
        proto = None
        if self.chance(0.5):
            proto = self.pick(["tcp", "udp"] + (["icmp"] if fam == 4 else ["ipv6-icmp"]))
            out += [self.pick(["-p", "--protocol", "--proto"]) if self.chance(0.3) else "-p", proto]
            if proto in ("tcp", "udp"):
                k = r.random()
                if k < 0.4:
                    out += [self.pick(["--dport", "--destination-port"]), str(r.randint(1, 65535))]
                elif k < 0.55:
                    out += ["-m", proto, self.pick(["--sport", "--source-port"]),
                            "%d:%d" % (r.randint(1, 1000), r.randint(1001, 65535))]
                elif k < 0.7:
                    out += ["-m", "multiport", self.pick(["--dports", "--destination-ports"]),
                            "80,443,%d:%d" % (r.randint(1000, 2000), r.randint(2001, 3000))]
                elif k < 0.8 and proto == "tcp":
                    out += self.pick([["--syn"], ["!", "--syn"], ["--tcp-flags", "SYN,ACK,FIN,RST", "SYN"]])
                elif k < 0.85 and proto == "tcp":
                    out += ["!", "--dport", str(r.randint(1, 1024))]
            elif proto == "icmp":
                out += ["--icmp-type", self.pick(["echo-request", "8", "destination-unreachable", "3/4"])]
            else:
                out += [self.pick(["--icmpv6-type"]), self.pick(["echo-request", "128", "neighbour-solicitation", "135", "packet-too-big"])]
        if self.chance(0.35):
            if fam == 4:
                a = self.pick(["192.0.2.0/24", "198.51.100.7", "10.0.0.0/8", "203.0.113.0/25"])
            else:
                a = self.pick(["2001:db8::/32", "2001:db8:1::1", "fd00::/8", "fe80::/10"])
            opt = self.pick(["-s", "--source", "--src", "-d", "--destination", "--dst"])
            out += (["!"] if self.chance(0.2) else []) + [opt, a]
        if self.chance(0.25):
            if c in IN_HOOKS or (c not in TABLES[t] and self.chance(0.5)):
                out += (["!"] if self.chance(0.2) else []) + [self.pick(["-i", "--in-interface"]), self.pick(["lo", "eth0", "eth+", "br-1a2b", "wg0"])]
            elif c in OUT_HOOKS:
                out += [self.pick(["-o", "--out-interface"]), self.pick(["lo", "eth1", "veth+", "tun0"])]
        k = r.random()
        if k < 0.12:
            out += ["-m", "state"] + (["!"] if self.chance(0.3) else []) + ["--state", self.pick(["NEW", "ESTABLISHED,RELATED", "INVALID", "RELATED,ESTABLISHED"])]
        elif k < 0.24:
            out += ["-m", "conntrack"] + (["!"] if self.chance(0.2) else []) + ["--ctstate", self.pick(["NEW", "ESTABLISHED,RELATED", "INVALID", "DNAT", "NEW,UNTRACKED"])]
        elif k < 0.30:
            out += ["-m", "limit", "--limit", self.pick(["5/min", "10/second", "3/hour", "1/s"])] + (["--limit-burst", str(r.randint(1, 20))] if self.chance(0.5) else [])
        elif k < 0.34:
            self.names += 1
            out += ["-m", "hashlimit", "--hashlimit-name", "hl%d" % self.names, "--hashlimit-upto", self.pick(["10/sec", "100/min"]), "--hashlimit-mode", self.pick(["srcip", "srcip,dstport"])]
        elif k < 0.38:
            self.names += 1
            out += ["-m", "recent", "--name", "rc%d" % self.names] + self.pick([["--set"], ["--update", "--seconds", "60", "--hitcount", "4"], ["--rcheck", "--rsource"]])
        elif k < 0.43:
            out += ["-m", "mark"] + (["!"] if self.chance(0.3) else []) + ["--mark", self.pick(["0x1", "0x4000/0x4000", "7/0xff"])]
        elif k < 0.47:
            out += ["-m", "connmark", "--mark", self.pick(["0x2", "0x10/0xf0"])]
        elif k < 0.52 and fam == 4:
            out += ["-m", "iprange", self.pick(["--src-range", "--dst-range"]), "10.0.0.1-10.0.0.%d" % r.randint(2, 250)]
        elif k < 0.60:
            out += ["-m", "comment", "--comment", self.pick(COMMENTS)]
        elif k < 0.63:
            out += ["-m", "addrtype", "--dst-type", self.pick(["LOCAL", "BROADCAST", "MULTICAST"] if fam == 4 else ["LOCAL", "MULTICAST", "UNICAST"])]
        elif k < 0.66:
            out += ["-m", "pkttype", "--pkt-type", self.pick(["broadcast", "multicast", "unicast"])]
        elif k < 0.69:
            out += ["-m", "length", "--length", self.pick(["0:100", "1400:65535"])]
        elif k < 0.71 and fam == 6:
            out += ["-m", "hl", "--hl-eq", "255"]
        elif k < 0.73 and fam == 4:
            out += ["-m", "ttl", "--ttl-lt", "5"]
        elif k < 0.75 and c in ("OUTPUT", "POSTROUTING"):
            out += ["-m", "owner", "--uid-owner", "0"]   # mapped rootless too
        elif k < 0.77:
            out += ["-m", "string", "--algo", "bm", "--string", self.pick(["GET /", "x y"])]
        elif k < 0.92:
            out += self.rare_match(fam, c, proto)
        return out, proto

    def rare_match(self, fam, c, proto):
        """matches fewer scripts use, many of them xtables-only in nft"""
        pool = [["-m", "tos", "--tos", "0x10"] if fam == 4 else ["-m", "dscp", "--dscp", "0x0a"],
                ["-m", "dscp", "!", "--dscp-class", "EF"],
                ["-m", "quota", "--quota", "100000"],
                ["-m", "statistic", "--mode", "nth", "--every", "3", "--packet", "0"],
                ["-m", "statistic", "--mode", "random", "--probability", "0.25"],
                ["-m", "connlimit", "--connlimit-above", "10", "--connlimit-mask", "32" if fam == 4 else "64"],
                ["-m", "connbytes", "--connbytes", "10000:", "--connbytes-dir", "both", "--connbytes-mode", "bytes"],
                ["-m", "time", "--timestart", "09:00", "--timestop", "17:30", "--weekdays", "Mon,Tue"],
                ["-m", "helper", "--helper", "ftp"],
                ["-m", "u32", "--u32", "0>>22&0x3C@12>>26&0x3C@0=0x48545450"] if fam == 4 else ["-m", "hl", "--hl-gt", "3"],
                ["-m", "policy", "--dir", "in" if c in IN_HOOKS else "out", "--pol", "none"],
                ["-m", "conntrack", "--ctstate", "NEW", "--ctproto", "tcp", "--ctorigdstport", "80"],
                ["-m", "devgroup", "--src-group", "3"] if c in IN_HOOKS else ["-m", "realm", "--realm", "1"] if fam == 4 else ["-m", "mark", "--mark", "1"],
                ["-m", "cpu", "--cpu", "1"],
                ["-m", "ecn", "--ecn-tcp-cwr"] if proto == "tcp" else ["-m", "pkttype", "!", "--pkt-type", "unicast"],
                ["-m", "mac", "--mac-source", "00:11:22:33:44:55"] if c in ("INPUT", "PREROUTING", "FORWARD") else ["-m", "length", "!", "--length", "64"],
                ["-f"] if fam == 4 else ["-m", "frag", "--fragid", "1:42"],
                ["-m", "rt", "--rt-type", "0"] if fam == 6 else ["-m", "ttl", "!", "--ttl-eq", "64"],
                ["-m", "set", "--match-set", "nosuch", "src"] if False else ["-m", "addrtype", "--limit-iface-in", "--src-type", "LOCAL"] if c in IN_HOOKS else ["-m", "addrtype", "--src-type", "LOCAL"],
                ["-m", "tcpmss", "--mss", "1000:1500"] if proto == "tcp" else ["-m", "length", "--length", "100"],
                ["-m", "multiport", "!", "--ports", "1:100"] if proto in ("tcp", "udp") else ["-m", "comment", "--comment", "x"],
                ]
        return self.pick(pool)

    def target(self, fam, t, c, proto, chains):
        """random target arguments for table t, chain c"""
        r = self.r
        k = r.random()
        users = [u for u in self.m.user[(fam, t)] if u != c]
        if c in self.m.user[(fam, t)]:
            # a user chain jumps only to chains made after it: no loops
            i = self.m.user[(fam, t)].index(c)
            users = self.m.user[(fam, t)][i + 1:]
        if k < 0.2 and users:
            return [self.pick(["-j", "--jump", "-g", "--goto"]) if self.chance(0.3) else "-j", self.pick(users)]
        if k < 0.45:
            return [self.pick(["-j", "--jump"]), self.pick(["ACCEPT", "DROP", "RETURN"] if t != "nat" else ["ACCEPT", "RETURN"])]
        if k < 0.55:
            return ["-j", "LOG", "--log-prefix", self.pick(PREFIXES)] + (["--log-level", self.pick(["4", "info", "debug"])] if self.chance(0.5) else [])
        if k < 0.62:
            return ["-j", "MARK", self.pick(["--set-mark", "--set-xmark"]), self.pick(["0x1", "0x4000/0x4000", "5"])]
        if k < 0.67:
            return ["-j", "CONNMARK"] + self.pick([["--save-mark"], ["--restore-mark"], ["--set-mark", "0x3"]])
        if k < 0.74:
            return self.pick([["-j", "NFLOG", "--nflog-group", "5", "--nflog-prefix", self.pick(PREFIXES)],
                              ["-j", "NFQUEUE", "--queue-num", "1", "--queue-bypass"],
                              ["-j", "NFQUEUE", "--queue-balance", "0:3"],
                              ["-j", "TRACE"] if t == "raw" else ["-j", "LOG", "--log-uid", "--log-tcp-options"],
                              ["-j", "AUDIT", "--type", "drop"],
                              ["-j", "CONNMARK", "--set-xmark", "0x1/0xff"],
                              ["-j", "MARK", "--and-mark", "0xff"]])
        if t == "mangle" and c in ("FORWARD", "OUTPUT", "POSTROUTING") and k < 0.78:
            return self.pick([["-j", "CLASSIFY", "--set-class", "1:10"], ["-j", "CHECKSUM", "--checksum-fill"] if proto == "udp" else ["-j", "DSCP", "--set-dscp-class", "AF41"]])
        if t == "filter" and c in TABLES["filter"] and k < 0.8:
            if proto == "tcp" and self.chance(0.4):
                return ["-j", "REJECT", "--reject-with", "tcp-reset"]
            v = ["icmp-port-unreachable", "icmp-host-prohibited", "icmp-admin-prohibited", "icmp-net-unreachable"] if fam == 4 else \
                ["icmp6-port-unreachable", "icmp6-adm-prohibited", "icmp6-no-route", "addr-unreach"]
            return ["-j", "REJECT"] + (["--reject-with", self.pick(v)] if self.chance(0.7) else [])
        if t == "nat" and c in TABLES["nat"]:
            if c == "POSTROUTING":
                return self.pick([["-j", "MASQUERADE"], ["-j", "SNAT", "--to-source", "192.0.2.1" if fam == 4 else "2001:db8::1"],
                                  ["-j", "SNAT", "--to-source", "192.0.2.1-192.0.2.9" if fam == 4 else "2001:db8::1-2001:db8::9", "--persistent"],
                                  ["-j", "NETMAP", "--to", "192.0.2.0/24" if fam == 4 else "2001:db8::/64"],
                                  ["-j", "MASQUERADE", "--random-fully"]])
            if c in ("PREROUTING", "OUTPUT") and proto in ("tcp", "udp"):
                return self.pick([["-j", "DNAT", "--to-destination", "192.0.2.10:8080" if fam == 4 else "[2001:db8::10]:8080"],
                                  ["-j", "REDIRECT", "--to-ports", "8080"],
                                  ["-j", "DNAT", "--to-destination", "192.0.2.10-192.0.2.12:8000-8010" if fam == 4 else "[2001:db8::10]:8000-8010", "--random"]])
        if t == "raw" and c in TABLES["raw"]:
            return self.pick([["-j", "CT", "--notrack"], ["-j", "NOTRACK"], ["-j", "CT", "--zone", "1"]])
        if t == "mangle" and c in TABLES["mangle"]:
            if proto == "tcp" and c in ("FORWARD", "OUTPUT", "POSTROUTING") and self.chance(0.5):
                return ["--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS", "--clamp-mss-to-pmtu"]
            return self.pick([["-j", "DSCP", "--set-dscp", "0x10"], ["-j", "TTL", "--ttl-set", "64"] if fam == 4 else ["-j", "HL", "--hl-set", "64"],
                              ["-j", "TOS", "--set-tos", "0x10"] if fam == 4 else ["-j", "ACCEPT"]])
        return ["-j", "ACCEPT"]

    def rule(self, fam, t, c):
        m, proto = self.match(fam, t, c)
        tg = self.target(fam, t, c, proto, None)
        if tg[0] == "--tcp-flags" and ("--syn" in m or "--tcp-flags" in m):
            tg = tg[3:]
        return m + tg

    # ------------------------------------------------------------ operations
    def table_args(self, t, cmd):
        """-t TABLE placed before, after the command, or at the end"""
        if t == "filter" and self.chance(0.7):
            return cmd, []
        topt = [self.pick(["-t", "--table"]) if self.chance(0.3) else "-t", t]
        w = self.r.random()
        if w < 0.6:
            return topt + cmd, []
        if w < 0.8 and len(cmd) == 2:
            return cmd[:2] + topt + cmd[2:], []   # after the chain: getopt permutes
        return cmd, topt   # at the end, after the rule

    def ipt(self, fam, t, cmd, rest=(), handled=False):
        pre, post = self.table_args(t, cmd)
        args = pre + list(rest) + post
        line = self.render(self.tool(fam), args)
        if handled:
            line += " 2>/dev/null || true"
        return self.emit(line)

    def op_new_chain(self, fam, t):
        self.n_user += 1
        name = self.pick(["USR", "DOCKER-", "f2b-", "KUBE-SVC-", "ufw-user-", "LOG_", "wg"]) + "%d" % self.n_user
        self.m.table(fam, t)[name] = []
        self.m.user[(fam, t)].append(name)
        self.ipt(fam, t, [self.pick(["-N", "--new-chain", "--new"]), name])

    def some_chain(self, fam, t, builtin_ok=True):
        chains = self.m.table(fam, t)
        cs = [c for c in chains if builtin_ok or c not in TABLES[t]]
        return self.pick(cs) if cs else None

    def op_append(self, fam, t):
        c = self.some_chain(fam, t)
        rl = self.rule(fam, t, c)
        if self.chance(0.08):
            rl = ["-c", str(self.r.randint(0, 99)), str(self.r.randint(0, 9999))] + rl
        self.m.table(fam, t)[c].append(rl)
        self.ipt(fam, t, [self.pick(["-A", "--append"]) if self.chance(0.2) else "-A", c], rl)

    def op_insert(self, fam, t):
        c = self.some_chain(fam, t)
        rules = self.m.table(fam, t)[c]
        rl = self.rule(fam, t, c)
        if self.chance(0.5):
            n = self.r.randint(1, len(rules) + 1)
            rules.insert(n - 1, rl)
            self.ipt(fam, t, ["-I", c, str(n)], rl)
        else:
            rules.insert(0, rl)
            self.ipt(fam, t, [self.pick(["-I", "--insert"]), c], rl)

    def op_replace(self, fam, t):
        c = self.some_chain(fam, t)
        rules = self.m.table(fam, t)[c]
        if not rules:
            return self.op_append(fam, t)
        n = self.r.randint(1, len(rules))
        rl = self.rule(fam, t, c)
        rules[n - 1] = rl
        self.ipt(fam, t, [self.pick(["-R", "--replace"]), c, str(n)], rl)

    def op_delete(self, fam, t):
        c = self.some_chain(fam, t)
        rules = self.m.table(fam, t)[c]
        if not rules:
            return self.op_append(fam, t)
        n = self.r.randint(1, len(rules))
        rl = rules[n - 1]
        if self.chance(0.5) or "-c" in rl[:1]:
            del rules[n - 1]
            self.ipt(fam, t, ["-D", c, str(n)])
        else:
            # by spec: the first rule equal to it goes
            del rules[rules.index(rl)]
            self.ipt(fam, t, [self.pick(["-D", "--delete"]), c], rl)

    def op_zero(self, fam, t):
        # a built-in chain exists only once iptables-nft made it: name user chains
        us = self.m.user[(fam, t)]
        self.ipt(fam, t, ["-Z"] + ([self.pick(us)] if us and self.chance(0.5) else []))

    def op_rename(self, fam, t):
        us = self.m.user[(fam, t)]
        if not us:
            return self.op_new_chain(fam, t)
        old = self.pick(us)
        self.n_user += 1
        new = "REN%d" % self.n_user
        ch = self.m.table(fam, t)
        ch[new] = ch.pop(old)
        us[us.index(old)] = new
        for rules in ch.values():
            for rl in rules:
                for i, a in enumerate(rl):
                    if a == old and i and rl[i - 1] in ("-j", "--jump", "-g", "--goto"):
                        rl[i] = new
        self.ipt(fam, t, [self.pick(["-E", "--rename-chain"]), old, new])

    def op_policy(self, fam, t):
        c = self.pick(TABLES[t])
        pol = self.pick(["DROP", "ACCEPT"]) if t in ("filter", "mangle", "raw", "security") else "ACCEPT"
        self.m.table(fam, t)
        self.ipt(fam, t, [self.pick(["-P", "--policy"]), c, pol])

    def refs(self, fam, t, name):
        return any(name in rl for rules in self.m.table(fam, t).values() for rl in rules)

    def op_flush_delete(self, fam, t):
        us = [u for u in self.m.user[(fam, t)] if not self.refs(fam, t, u)]
        if us and self.chance(0.6):
            u = self.pick(us)
            if self.m.table(fam, t)[u] or self.chance(0.5):
                self.m.table(fam, t)[u] = []
                self.ipt(fam, t, [self.pick(["-F", "--flush"]), u])
            del self.m.table(fam, t)[u]
            self.m.user[(fam, t)].remove(u)
            self.ipt(fam, t, [self.pick(["-X", "--delete-chain"]), u])
        else:
            c = self.some_chain(fam, t)
            self.m.table(fam, t)[c] = []
            self.ipt(fam, t, ["-F", c])

    def op_check(self, fam, t):
        """iptables -C ... || iptables -A ... (idempotent scripts)"""
        c = self.some_chain(fam, t)
        rl = self.rule(fam, t, c)
        exists = self.m.table(fam, t)[c] and self.chance(0.5)
        if exists:
            rl = self.pick(self.m.table(fam, t)[c])
            if rl[:1] == ["-c"]:
                rl = rl[3:]
        pre, post = self.table_args(t, ["-C", c])
        chk = self.render(self.tool(fam), pre + rl + post)
        pre, post = self.table_args(t, ["-A", c])
        add = " ".join([self.q(a) for a in ([("iptables" if fam == 4 else "ip6tables")] + pre + rl + post)])
        if not exists:
            self.m.table(fam, t)[c].append(rl)
        self.emit(chk + " 2>/dev/null || " + add)

    def op_read(self, fam, t):
        tl = "iptables" if fam == 4 else "ip6tables"
        tt = [] if t == "filter" else ["-t", t]
        c = self.some_chain(fam, t)
        k = self.r.random()
        if k < 0.2:
            self.emit(" ".join([tl] + tt + ["-S", c]) + " >/dev/null")
        elif k < 0.4:
            self.emit(" ".join([tl, "-w"] + tt + ["-L", c, "-n", "-v", "--line-numbers"]) + " >/dev/null")
        elif k < 0.55:
            self.emit("n=$(" + " ".join([tl] + tt + ["-S"]) + " | wc -l); echo \"rules: $n\" >&2")
        elif k < 0.7:
            self.emit(tl + "-save " + " ".join(tt) + " >/dev/null")
        elif k < 0.85:
            self.emit(" ".join([tl] + tt + ["-nL", c]) + " | grep -q . || echo empty >&2")
        else:
            self.emit(" ".join([tl] + tt + ["-S", c]) + " | sed 's/^-A/-D/' | while read -r l; do echo \"would: $l\" >&2; done")

    def op_restore(self, fam, t):
        """iptables-restore --noflush with counters, in a heredoc"""
        tl = "iptables-restore" if fam == 4 else "ip6tables-restore"
        ch = self.m.table(fam, t)
        body = ["*" + t]
        if self.chance(0.5):
            self.n_user += 1
            name = "RST%d" % self.n_user
            body.append(":%s - [0:0]" % name)
            ch[name] = []
            self.m.user[(fam, t)].append(name)
        for _ in range(self.r.randint(1, 4)):
            c = self.some_chain(fam, t)
            rl = self.rule(fam, t, c)
            if any(a in ("--comment", "--log-prefix", "--string") for a in rl) and self.chance(0.5):
                pass
            cnt = "[%d:%d] " % (self.r.randint(0, 50), self.r.randint(0, 5000)) if self.chance(0.3) else ""
            body.append(cnt + "-A " + c + " " + " ".join(self.restore_quote(a) for a in rl))
            ch[c].append(rl)
        body.append("COMMIT")
        opts = ["--noflush"] + (["-c"] if any(b.startswith("[") for b in body) else []) + (["-w"] if self.chance(0.3) else [])
        self.emit(tl + " " + " ".join(opts) + " <<'EOR'\n" + "\n".join(body) + "\nEOR")

    def restore_quote(self, a):
        if a and not any(ch in a for ch in " \t\"'\\#"):
            return a
        return '"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def op_save_restore(self, fam):
        """iptables-save piped back to iptables-restore (a full restore,
        flushing the tables it names), or a clean-up first"""
        tl = "iptables" if fam == 4 else "ip6tables"
        if self.chance(0.5):
            self.emit("%s-save >\"${TMPDIR:-/tmp}/ncsg.$$\"\n%s-restore <\"${TMPDIR:-/tmp}/ncsg.$$\"\nrm -f \"${TMPDIR:-/tmp}/ncsg.$$\"" % (tl, tl))
            return
        t = self.pick(["filter", "nat", "mangle"])
        for fm in (4, 6):
            k = (fm, t)
            if k in self.m.ch:
                for c in list(self.m.ch[k]):
                    self.m.ch[k][c] = []
                for u in self.m.user[k]:
                    del self.m.ch[k][u]
                self.m.user[k] = []
        self.emit("for ipt in iptables ip6tables; do\n\t$ipt -t %s -F\n\t$ipt -t %s -X\n\t$ipt -t %s -Z\ndone" % (t, t, t))

    def op_tagged_cleanup(self, fam, t):
        """rules tagged by a comment, then removed by listing and deleting
        them (docker, kube-proxy, wg-quick clean-ups)"""
        self.names += 1
        tag = "tag-%d" % self.names
        tl = "iptables" if fam == 4 else "ip6tables"
        tt = [] if t == "filter" else ["-t", t]
        c = self.some_chain(fam, t)
        n = self.r.randint(1, 3)
        for i in range(n):
            rl = ["-p", "tcp", "--dport", str(1000 + i), "-m", "comment", "--comment", tag, "-j", "RETURN"]
            self.m.table(fam, t)[c].append(rl)
            self.emit(" ".join([tl] + tt + ["-A", c] + rl))
        if self.chance(0.6):
            for rl in [x for x in self.m.table(fam, t)[c] if tag in x]:
                self.m.table(fam, t)[c].remove(rl)
            self.emit("%s %s-S %s | grep -- '%s' | sed 's/^-A/-D/' | while read -r r; do eval %s %s\"$r\"; done" % (
                tl, " ".join(tt) + " " if tt else "", c, tag, tl, " ".join(tt) + " " if tt else ""))

    def op_heredoc_loop(self, fam, t):
        """rules read from a here-document in a while loop (VPN and router scripts)"""
        tl = "iptables" if fam == 4 else "ip6tables"
        c = self.some_chain(fam, t)
        tg = "ACCEPT" if t != "nat" else "RETURN"
        rows = []
        for _ in range(self.r.randint(2, 4)):
            p, port = self.pick(["tcp", "udp"]), str(self.r.randint(1, 65535))
            rows.append("%s %s" % (p, port))
            self.m.table(fam, t)[c].append(["-p", p, "--dport", port, "-j", tg])
        self.emit("while read -r proto port; do\n\t%s %s-A %s -p \"$proto\" --dport \"$port\" -j %s\ndone <<EOL\n%s\nEOL" % (
            tl, "" if t == "filter" else "-t %s " % t, c, tg, "\n".join(rows)))

    def op_family_flags(self, fam, t):
        """-4 / -6 lines: one rules file for both tools (ufw, ferm)"""
        c = self.pick(TABLES["filter"])
        p1, p2 = str(self.r.randint(1, 65535)), str(self.r.randint(1, 65535))
        self.m.table(4, "filter")[c].append(["-p", "tcp", "--dport", p1, "-j", "ACCEPT"])
        self.m.table(6, "filter")[c].append(["-p", "tcp", "--dport", p2, "-j", "ACCEPT"])
        body = "*filter\n-4 -A %s -p tcp --dport %s -j ACCEPT\n-6 -A %s -p tcp --dport %s -j ACCEPT\nCOMMIT" % (c, p1, c, p2)
        self.emit("cat >\"${TMPDIR:-/tmp}/ncsg46.$$\" <<'EOR'\n%s\nEOR\niptables-restore --noflush \"${TMPDIR:-/tmp}/ncsg46.$$\"\nip6tables-restore --noflush \"${TMPDIR:-/tmp}/ncsg46.$$\"\nrm -f \"${TMPDIR:-/tmp}/ncsg46.$$\"" % body)

    # ------------------------------------------------------------------- nft
    def nft_table(self):
        if self.m.nft and self.chance(0.7):
            return self.pick(self.m.nft)
        self.n_nft += 1
        key = "%s gen%d" % (self.pick(["inet", "ip", "ip6"]), self.n_nft)
        self.m.nft[key] = {"chains": {}, "sets": [], "maps": []}
        self.emit("nft add table " + key)
        return key

    def nft_rule_text(self, key):
        fam = key.split()[0]
        k = self.r.random()
        sets = self.m.nft[key]["sets"]
        if k < 0.15 and sets:
            s, st = self.pick(sets)
            return ("ip saddr @%s drop" if st == "ipv4_addr" else "tcp dport @%s accept") % s
        if k < 0.3:
            return "tcp dport %d counter accept" % self.r.randint(1, 65535)
        if k < 0.4:
            return "udp dport { 53, 123, %d } accept" % self.r.randint(1000, 2000)
        if k < 0.5 and fam != "ip6":
            return "ip saddr 192.0.2.0/24 ct state new log prefix \"nft: \" drop"
        if k < 0.6 and fam != "ip":
            return "ip6 saddr 2001:db8::/32 meta l4proto ipv6-icmp accept"
        if k < 0.7:
            return "iifname \"lo\" accept comment \"loop %s\"" % self.pick(["back", "ü", "a b"])
        if k < 0.8:
            return "ct state established,related accept"
        if k < 0.9:
            return "meta mark 0x%x counter" % self.r.randint(1, 255)
        return "tcp flags & (syn | ack) == syn limit rate 10/second accept"

    def op_nft(self, simple=False):
        key = self.nft_table()
        t = self.m.nft[key]
        k = self.r.random() * (0.55 if simple else 1)
        q = self.chance(0.5)
        if k < 0.25 or not t["chains"]:
            self.n_nft += 1
            c = "c%d" % self.n_nft
            hook = self.pick(["input", "output", "forward"])
            t["chains"][c] = []
            spec = "{ type filter hook %s priority %d; policy %s; }" % (hook, self.r.randint(-5, 20), self.pick(["accept", "accept", "drop"]))
            if self.chance(0.3):
                t["chains"][c + "u"] = []
                self.emit("nft add chain %s %su" % (key, c))
            self.emit("nft add chain %s %s %s" % (key, c, shlex.quote(spec) if q else '"%s"' % spec))
        elif k < 0.35:
            self.n_nft += 1
            s = "s%d" % self.n_nft
            st = self.pick(["ipv4_addr", "inet_service"]) if key.split()[0] != "ip6" else "inet_service"
            t["sets"].append((s, st))
            flags = " flags interval;" if st == "ipv4_addr" and self.chance(0.5) else ""
            self.emit("nft add set %s %s '{ type %s;%s }'" % (key, s, st, flags))
            el = "10.0.0.0/8, 192.0.2.1" if flags else "192.0.2.1, 192.0.2.9" if st == "ipv4_addr" else "22, 80, 443"
            self.emit("nft add element %s %s '{ %s }'" % (key, s, el))
        elif k < 0.55:
            c = self.pick(t["chains"])
            rt = self.nft_rule_text(key)
            t["chains"][c].append(rt)
            self.emit("nft add rule %s %s %s" % (key, c, shlex.quote(rt) if self.chance(0.5) else " ".join(shlex.quote(w) for w in rt.split(" "))))
        elif k < 0.62:
            c = self.pick(t["chains"])
            rt = self.nft_rule_text(key)
            t["chains"][c].insert(0, rt)
            self.emit("nft insert rule %s %s %s" % (key, c, shlex.quote(rt)))
        elif k < 0.72:
            # replace or delete a rule by its handle, found by a listing
            c = self.pick(t["chains"])
            if not t["chains"][c]:
                rt = "tcp dport %d accept" % self.r.randint(1, 999)
                t["chains"][c].append(rt)
                self.emit("nft add rule %s %s %s" % (key, c, rt))
            rt = self.pick(t["chains"][c])
            i = t["chains"][c].index(rt)
            self.emit("h=$(nft -a list chain %s %s | awk '/^\t\t.*# handle/ {n++} n==%d {print $NF; exit}')" % (key, c, i + 1))
            if self.chance(0.5):
                nr = "tcp dport %d reject" % self.r.randint(1, 999)
                t["chains"][c][i] = nr
                self.emit("nft replace rule %s %s handle \"$h\" %s" % (key, c, nr))
            else:
                del t["chains"][c][i]
                self.emit("nft delete rule %s %s handle \"$h\"" % (key, c))
        elif k < 0.8:
            self.n_nft += 1
            m = "m%d" % self.n_nft
            c = self.pick(t["chains"])
            t["maps"].append(m)
            t["chains"][c].append("tcp dport vmap @%s" % m)
            self.emit("nft -f - <<'EON'\ntable %s {\n\tmap %s {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : accept, 23 : drop }\n\t}\n\tchain %s {\n\t\ttcp dport vmap @%s\n\t}\n}\nEON" % (key, m, c, m))
        elif k < 0.86:
            f = "$tmpd/r%d.nft" % self.r.randint(1, 999)
            c = self.pick(t["chains"])
            rt = self.nft_rule_text(key)
            t["chains"][c].append(rt)
            self.emit("tmpd=${tmpd:-$(mktemp -d)}\ncat >\"%s\" <<'EON'\nadd rule %s %s %s\nEON\nnft -f \"%s\"" % (f, key, c, rt, f))
        elif k < 0.9:
            c = self.pick(t["chains"])
            t["chains"][c] = []
            self.emit("nft flush chain %s %s" % (key, c))
        else:
            self.emit("nft list table %s >/dev/null" % key)

    def op_nft_flush_ruleset(self):
        self.m.reset()
        self.emit("nft flush ruleset")

    def op_nft_into_iptables(self, fam, t):
        """nft on a table iptables made (scripts that mix both)"""
        c = self.pick(TABLES[t])
        nf = "ip" if fam == 4 else "ip6"
        self.m.table(fam, t)[c].append(["-j", "RETURN"])
        self.emit("%s -A %s -j RETURN" % ("iptables" if fam == 4 else "ip6tables", c) + ("" if t == "filter" else " -t " + t))
        k = self.r.random()
        if k < 0.4:
            self.emit("nft add rule %s %s %s counter accept" % (nf, t, c))
        elif k < 0.6:
            for ch in self.m.table(fam, t):
                self.m.table(fam, t)[ch] = []
            self.emit("nft flush table %s %s" % (nf, t))
        elif k < 0.8:
            del self.m.ch[(fam, t)]
            del self.m.user[(fam, t)]
            self.emit("nft delete table %s %s" % (nf, t))
        else:
            self.emit("nft list table %s %s >/dev/null\nnft list ruleset | grep -c . >&2" % (nf, t))

    # ----------------------------------------------------------- structures
    def op_loop(self, fam, t):
        c = self.some_chain(fam, t)
        ports = [str(self.r.randint(1, 65535)) for _ in range(self.r.randint(2, 4))]
        verb = self.pick(["-A", "-I"])
        tl = "iptables" if fam == 4 else "ip6tables"
        tt = "" if t == "filter" else "-t %s " % t
        tg = "ACCEPT" if t != "nat" else "RETURN"
        self.emit("for p in %s; do\n\t%s %s%s %s -p tcp --dport \"$p\" -j %s\ndone" % (" ".join(ports), tl, tt, verb, c, tg))
        for p in ports:
            rl = ["-p", "tcp", "--dport", p, "-j", tg]
            if verb == "-A":
                self.m.table(fam, t)[c].append(rl)
            else:
                self.m.table(fam, t)[c].insert(0, rl)

    def op_function(self, fam, t):
        c = self.some_chain(fam, t)
        self.names += 1
        fn = "allow_%d" % self.names
        tl = "iptables" if fam == 4 else "ip6tables"
        tt = "" if t == "filter" else "-t %s " % t
        tg = "ACCEPT" if t != "nat" else "RETURN"
        self.emit("%s() {\n\t%s -w %s-A %s -p \"$1\" --dport \"$2\" -j %s\n}" % (fn, tl, tt, c, tg))
        for _ in range(self.r.randint(1, 3)):
            p, port = self.pick(["tcp", "udp"]), str(self.r.randint(1, 65535))
            self.m.table(fam, t)[c].append(["-p", p, "--dport", port, "-j", tg])
            self.emit("%s %s %s" % (fn, p, port))

    def op_subshell(self, fam, t):
        c = self.some_chain(fam, t)
        tl = "iptables" if fam == 4 else "ip6tables"
        tt = "" if t == "filter" else "-t %s " % t
        port = str(self.r.randint(1, 65535))
        self.m.table(fam, t)[c].append(["-p", "udp", "--dport", port, "-j", "RETURN"])
        self.emit("( %s %s-A %s -p udp --dport %s -j RETURN )" % (tl, tt, c, port))

    def op_handled_failure(self, fam, t):
        tl = "iptables" if fam == 4 else "ip6tables"
        k = self.r.random()
        if k < 0.4:
            self.emit("%s -D INPUT -s 203.0.113.%d -j DROP 2>/dev/null || true" % (tl if fam == 4 else "iptables", self.r.randint(1, 254)))
        elif k < 0.7:
            c = self.some_chain(fam, t)
            self.ipt(fam, t, ["-N", c], handled=True)
        else:
            self.emit("%s -X NOSUCH%d 2>/dev/null || :" % (tl, self.r.randint(1, 99)))

    def op_fail(self):
        """the deliberate, unhandled failure (set -e scripts only)"""
        k = self.r.random()
        if k < 0.15:
            # the same words on an earlier line that succeeded (sh gives
            # no line numbers: the words must find the right line)
            self.emit("iptables -A INPUT -s 203.0.113.5 -j DROP")
            self.emit("iptables -D INPUT -s 203.0.113.5 -j DROP")
            self.one_op()
            line = self.emit("iptables -D INPUT -s 203.0.113.5 -j DROP")
        elif k < 0.3:
            line = self.emit("iptables -A NOSUCH_CHAIN -j ACCEPT")
        elif k < 0.55:
            line = self.emit("iptables -D INPUT -s 203.0.113.77 -p tcp --dport 7 -j DROP")
        elif k < 0.7:
            line = self.emit("ip6tables -A INPUT -m nosuchmatch --foo -j ACCEPT")
        elif k < 0.85:
            line = self.emit("nft add rule inet nosuchtable c accept")
        else:
            line = self.emit("iptables -t nat -A PREROUTING -j NOSUCHTARGET")
        self.fail_line = line

    # --------------------------------------------------------------- script
    def one_op(self):
        r = self.r.random()
        fam = 4 if self.chance(0.7) else 6
        t = self.pick(["filter"] * 5 + ["nat"] * 2 + ["mangle"] * 2 + ["raw", "security"])
        self.m.table(fam, t)
        ops = [(self.op_append, 30), (self.op_new_chain, 6), (self.op_insert, 8), (self.op_replace, 5),
               (self.op_delete, 6), (self.op_zero, 2), (self.op_rename, 2), (self.op_policy, 3),
               (self.op_flush_delete, 3), (self.op_check, 4), (self.op_read, 5), (self.op_restore, 4),
               (self.op_loop, 2), (self.op_function, 2), (self.op_subshell, 1), (self.op_handled_failure, 3),
               (self.op_tagged_cleanup, 2), (self.op_heredoc_loop, 1), (self.op_family_flags, 1)]
        if self.lang == "py":
            ops = ops[:9]
            if r < 0.1:
                return self.op_nft(simple=True)
            r = 1
        if r < 0.15:
            return self.op_nft()
        if r < 0.157:
            return self.op_nft_flush_ruleset()
        if r < 0.165:
            return self.op_nft_into_iptables(fam, t)
        if r < 0.175:
            return self.op_save_restore(fam)
        tot = sum(w for _, w in ops)
        x = self.r.uniform(0, tot)
        for fn, w in ops:
            x -= w
            if x <= 0:
                return fn(fam, t)
        return self.op_append(fam, t)

    def python(self, n, fail_at):
        """the same operations from python, one subprocess call each"""
        self.lang = "py"
        self.emit("#!/usr/bin/env python3")
        self.emit("import subprocess")
        self.emit("def run(*argv):")
        self.emit("    subprocess.run(argv, check=True)")
        head = len(self.lines)
        for i in range(1, n + 1):
            if i == fail_at:
                self.op_fail()
            self.one_op()
        body = self.lines[head:]
        self.lines = self.lines[:head]
        for ln in body:
            words = shlex.split(ln.replace(" >/dev/null", ""))
            self.lines.append("run(" + ", ".join(repr(w) for w in words) + ")")
        return "\n".join(self.lines) + "\n"

    def script(self):
        if self.chance(0.1):
            n = self.r.randint(5, 30)
            return self.python(n, self.r.randint(1, n) if self.chance(0.15) else 0)
        shell = self.pick(["/bin/sh", "/bin/bash", "/bin/bash", "/usr/bin/env bash", "/bin/sh"])
        self.emit("#!" + shell)
        sete = self.chance(0.7)
        if sete:
            self.emit(self.pick(["set -e", "set -eu", "set -e -o pipefail" if "bash" in shell else "set -e"]))
        self.emit("XT_MULTI=${XT_MULTI:-/usr/sbin/xtables-nft-multi}")
        self.emit("IPT=%s; IP6T=%s" % (self.pick(["iptables", "/usr/sbin/iptables", "/usr/sbin/iptables-nft"]),
                                      self.pick(["ip6tables", "/usr/sbin/ip6tables"])))
        n = self.r.randint(5, 40)
        fail_at = self.r.randint(1, n) if sete and self.chance(0.12) else 0
        for i in range(1, n + 1):
            if i == fail_at:
                self.op_fail()
            self.one_op()
        if any("tmpd=" in ln for ln in self.lines):
            self.emit('rm -rf "$tmpd"')
        return "\n".join(self.lines) + "\n"


def main():
    seed, index, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    g = Gen(seed, index)
    text = g.script()
    path = os.path.join(outdir, "gen-%d-%d.%s" % (seed, index, "py" if g.lang == "py" else "sh"))
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)
    print(path, "fail %d" % g.fail_line if g.fail_line else "ok")


if __name__ == "__main__":
    main()
