#!/usr/bin/env python3
"""tests/labgen/labgen.py - a seeded differential campaign for labs.

    labgen.py --nc NETCELL --mode root|user --dir DIR --prefix l5g \
              --seed S --labs N [--budget SECONDS]

For each of N labs (lab i from the random generator seeded with S*1000+i):
generate a topology (chain, ring or star of routers, dual-stack or not,
/24 or /31 and /64 or /127 link subnets, extra addresses, static routes
to every subnet along shortest paths through several hops, sysctls, nft
and iptables-save firewalls, published ports and pasta uplinks), write
the lab file, "netcell up" it and check with independent witnesses that
the kernel holds exactly what the file says; then:

  edit    a random change of the model (cell, link, address, sysctl,
          firewall, port, IPv6 dropped/added), "up" again, check exactly;
  drift   one change behind netcell's back (address, route, link,
          sysctl, firewall flushed, the uplink's eth0 deleted): "status" must
          name it, the next "up" repair it, the check pass again;
  failure an edit whose "up" must fail (a ruleset the kernel refuses, a
          host port already taken): exit code as documented and the
          kernel exactly as before;
  down    "down" leaves no cell, namespace, record, saved link, engine
          or published port of the lab, and a cell and a port of the same
          user that the lab did not make survive.

Witnesses: "ip -j addr/route/link", /proc/sys, "nft list ruleset" run in
the cell (root: "ip netns exec", which does not go through netcell;
rootless: "netcell exec", the only way into the user's namespaces, still
reading the kernel with ip/nft themselves), TCP between cells along the
routes, TCP from the host's loopback to published ports, "ss".  Traffic
only to loopback and to addresses inside the lab's own cells.

Every mismatch is printed as "MISMATCH CLASS: detail"; the last line is
"campaign: labs L, edits E, drifts D, failures F, mismatches M" and the
exit status is 1 when M > 0.  Bounded: N labs and --budget seconds (the
remaining labs are skipped, and said so).
"""
import argparse
import ipaddress
import json
import os
import random
import re
import socket
import subprocess
import sys
import time

SYSCTL_DEFAULTS = {  # keys of a new network namespace with known defaults
    "net.ipv4.icmp_echo_ignore_broadcasts": ("1", "0"),
    "net.ipv4.tcp_ecn": ("2", "1"),
    "net.ipv4.ip_default_ttl": ("64", "77"),
}

A = None  # arguments
HOST_FORWARD = open("/proc/sys/net/ipv4/ip_forward").read().strip()
HOST_RPF = open("/proc/sys/net/ipv4/conf/default/rp_filter").read().strip()
MISMATCH = []
FIG = {"labs": 0, "edits": 0, "drifts": 0, "failures": 0}


def mismatch(cls, detail):
    """Record one difference between the file and the kernel."""
    MISMATCH.append((cls, detail))
    print("MISMATCH %s: %s" % (cls, detail), flush=True)


def run(argv, timeout=60, check=False, inp=None):
    """Run a command: (rc, stdout, stderr)."""
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=inp)
    if check and p.returncode:
        raise RuntimeError("%s: rc %d: %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p.returncode, p.stdout, p.stderr


def nc(*args, timeout=90):
    """Run netcell."""
    return run([A.nc] + list(args), timeout=timeout)


def in_cell(cell, argv, timeout=30):
    """A command in the cell's network namespace (root: ip netns exec)."""
    if A.mode == "root":
        return run(["ip", "netns", "exec", cell] + argv, timeout=timeout)
    return run([A.nc, "exec", cell, "--"] + argv, timeout=timeout)


# ---------------------------------------------------------------- model

class Lab:
    """A lab as a model: cells, links with their subnets, options."""

    def __init__(self, rng, idx):
        self.rng = rng
        self.idx = idx
        self.name = "%s%d" % (A.prefix, idx)
        self.dual = rng.random() < 0.6
        self.cells = {}       # name -> dict(extra=[(if, cidr)], sysctl={}, fw=None|(fmt,port), uplink, publish=[])
        self.links = []       # [cellA, ifA, cellB, ifB, subnet index, v4 /31?, v6 /127?]
        self.nsub = 0
        self.fwn = 0
        shape = rng.choice(["chain", "ring", "star"])
        n = rng.randint(3, 5)
        self.shape = shape
        for i in range(n):
            self.add_cell("r%d" % i)
        if shape == "chain":
            for i in range(n - 1):
                self.add_link("r%d" % i, "r%d" % (i + 1))
        elif shape == "ring":
            for i in range(n):
                self.add_link("r%d" % i, "r%d" % ((i + 1) % n))
        else:
            for i in range(1, n):
                self.add_link("r0", "r%d" % i)
        for c in list(self.cells):
            self.cells[c]["defroute"] = rng.random() < 0.5
            self.cells[c]["devroute"] = rng.random() < 0.3
            if rng.random() < 0.35:
                self.add_extra(c)
            if rng.random() < 0.3:
                self.add_sysctl(c)
            if rng.random() < 0.35:
                self.new_fw(c)
        if A.uplinks and rng.random() < 0.5:
            c = rng.choice(sorted(self.cells))
            self.cells[c]["uplink"] = "pasta"
            self.cells[c]["publish"].append(self.new_port())

    def new_port(self):
        """A free host port and a cell port."""
        return (free_port(), self.rng.choice([80, 8080, 5000]))

    def add_cell(self, name):
        self.cells[name] = {"extra": [], "sysctl": {}, "fw": None, "uplink": None, "publish": []}

    def ifname(self, cell):
        used = set(i for _, i in self.ifaces(cell))
        k = 1
        while "e%d" % k in used:
            k += 1
        return "e%d" % k

    def add_link(self, a, b):
        ia = self.ifname(a)
        self.links.append([a, ia, b, None, self.nsub, self.rng.random() < 0.4, self.rng.random() < 0.4])
        self.links[-1][3] = self.ifname(b)
        self.nsub += 1

    def ifaces(self, cell):
        out = []
        for l in self.links:
            if l[0] == cell:
                out.append((l, l[1]))
            if l[2] == cell:
                out.append((l, l[3]))
        return out

    def add_extra(self, cell):
        ifs = self.ifaces(cell)
        if not ifs:
            return
        _, ifn = self.rng.choice(ifs)
        k = len(self.cells[cell]["extra"]) + 1
        ci = sorted(self.cells).index(cell) if cell in self.cells else 0
        cands = ["10.250.%d.%d/32" % (self.idx % 250, ci * 8 + k)]
        if self.dual:
            cands.append("fd5c:%x:%x::%x/128" % (self.idx, ci, k))
        for cidr in cands:
            if not any(c == cidr for _, c in self.cells[cell]["extra"]):
                self.cells[cell]["extra"].append((ifn, cidr))

    def add_sysctl(self, cell):
        ifs = sorted(i for _, i in self.ifaces(cell))
        if ifs and self.rng.random() < 0.4:  # one of an interface of the cell
            k = "net.ipv4.conf.%s.rp_filter" % self.rng.choice(ifs)
            self.cells[cell]["sysctl"][k] = "2" if HOST_RPF != "2" else "0"
            return
        k = self.rng.choice(sorted(SYSCTL_DEFAULTS))
        self.cells[cell]["sysctl"][k] = SYSCTL_DEFAULTS[k][1]

    def new_fw(self, cell):
        self.fwn += 1
        fmt = self.rng.choice(["nft", "ipt"])
        self.cells[cell]["fw"] = (fmt, 7000 + self.fwn + 20 * (self.idx % 100))

    # the file's items, derived
    def link_addrs(self, l):
        """Addresses of the two ends: ([cidrA...], [cidrB...])."""
        s = l[4]
        if l[5]:
            a4, b4 = "10.%d.%d.0/31" % (100 + self.idx % 100, s), "10.%d.%d.1/31" % (100 + self.idx % 100, s)
        else:
            a4, b4 = "10.%d.%d.1/24" % (100 + self.idx % 100, s), "10.%d.%d.2/24" % (100 + self.idx % 100, s)
        ea, eb = [a4], [b4]
        if self.dual:
            if l[6]:
                ea.append("fd5a:%x:%x::2/127" % (self.idx, s)); eb.append("fd5a:%x:%x::3/127" % (self.idx, s))
            else:
                ea.append("fd5a:%x:%x::1/64" % (self.idx, s)); eb.append("fd5a:%x:%x::2/64" % (self.idx, s))
        return ea, eb

    def addrs(self, cell):
        """{ifname: [cidr...]} of a cell."""
        out = {}
        for l, ifn in self.ifaces(cell):
            ea, eb = self.link_addrs(l)
            out[ifn] = list(ea if (l[0] == cell and l[1] == ifn) else eb)
        for ifn, cidr in self.cells[cell]["extra"]:
            if ifn in out:
                out[ifn].append(cidr)
        return out

    def forwarding(self, cell):
        return len(self.ifaces(cell)) > 1

    def routes(self, cell):
        """Static routes: every prefix not on the cell, via the next hop
        along a shortest path (BFS, neighbours in name order), as
        [(dst, gw, dev)] (dev "" unless the cell names it); a cell with one
        link and "defroute" has default routes instead."""
        nb = {}
        for l in self.links:
            nb.setdefault(l[0], []).append((l[2], l))
            nb.setdefault(l[2], []).append((l[0], l))
        first = {cell: None}
        q = [cell]
        while q:
            c = q.pop(0)
            for d, l in sorted(nb.get(c, []), key=lambda x: (x[0], x[1][4])):
                if d in first:
                    continue
                if c == cell:
                    ea, eb = self.link_addrs(l)
                    mine_if = l[1] if l[0] == cell else l[3]
                    first[d] = (eb if l[0] == cell else ea, mine_if)  # the neighbour's end
                else:
                    first[d] = first[c]
                q.append(d)
        cc = self.cells[cell]
        dev = cc.get("devroute")
        if cc.get("defroute") and len(self.ifaces(cell)) == 1 and len(first) > 1:
            hop, ifn = [v for v in first.values() if v][0]
            return sorted(("default", str(ipaddress.ip_interface(h).ip), ifn if dev else "") for h in hop)
        mine = set()
        for ifn, cs in self.addrs(cell).items():
            for c in cs:
                mine.add(ipaddress.ip_interface(c).network)
        out = {}
        for d, hop in first.items():
            if hop is None:
                continue
            for ifn, cs in self.addrs(d).items():
                for c in cs:
                    net = ipaddress.ip_interface(c).network
                    if net in mine:
                        continue
                    gw = [h for h in hop[0] if ipaddress.ip_interface(h).version == net.version]
                    if gw and str(net) not in out:
                        out[str(net)] = (str(ipaddress.ip_interface(gw[0]).ip), hop[1] if dev else "")
        return sorted((k, v[0], v[1]) for k, v in out.items())

    def sysctls(self, cell):
        ifs = set(i for _, i in self.ifaces(cell))
        s = dict((k, v) for k, v in self.cells[cell]["sysctl"].items()
                 if not k.startswith("net.ipv4.conf.") or k.split(".")[3] in ifs)
        if self.forwarding(cell):
            s["net.ipv4.ip_forward"] = "1"
            if self.dual:
                s["net.ipv6.conf.all.forwarding"] = "1"
        return s

    def fw_file(self, cell):
        fw = self.cells[cell]["fw"]
        if not fw:
            return None
        return "fw-%s-%s.%s" % (cell, fw[1], "nft" if fw[0] == "nft" else "rules")

    def write(self, path):
        """The lab file and its firewall files."""
        d = os.path.dirname(path)
        lines = ["name: %s" % self.name, "cells:"]
        for c in sorted(self.cells):
            cc = self.cells[c]
            lines.append("  %s:" % c)
            ad = self.addrs(c)
            if ad:
                lines.append("    interfaces:")
                for ifn in sorted(ad):
                    lines.append("      %s: [%s]" % (ifn, ", ".join('"%s"' % x for x in ad[ifn])))
            rt = self.routes(c)
            if rt:
                lines.append("    routes:")
                for dst, gw, dev in rt:
                    lines.append('      - "%s via %s%s"' % (dst, gw, " dev " + dev if dev else ""))
            sy = self.sysctls(c)
            if sy:
                lines.append("    sysctl:")
                for k in sorted(sy):
                    lines.append('      %s: "%s"' % (k, sy[k]))
            f = self.fw_file(c)
            if f:
                lines.append("    firewall: %s" % f)
                port = cc["fw"][1]
                with open(os.path.join(d, f), "w") as fh:
                    if cc["fw"][0] == "nft":
                        fh.write("table inet l5f {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
                                 "\t\ttcp dport %d drop\n\t}\n}\n" % port)
                    else:
                        fh.write("# Generated by iptables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                 "-A INPUT -p tcp -m tcp --dport %d -j DROP\nCOMMIT\n" % port)
            if cc["uplink"]:
                lines.append("    uplink: %s" % cc["uplink"])
            if cc["publish"]:
                lines.append("    publish: [%s]" % ", ".join('"%d:%d"' % p for p in cc["publish"]))
        if self.links:
            lines.append("links:")
            for l in self.links:
                lines.append("  - [%s:%s, %s:%s]" % (l[0], l[1], l[2], l[3]))
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")

    def full(self, c):
        return "%s-%s" % (self.name, c)

    def copy(self):
        return json.loads(json.dumps({"cells": self.cells, "links": self.links, "dual": self.dual,
                                      "nsub": self.nsub, "fwn": self.fwn}))

    def restore(self, snap):
        self.cells = {k: dict(v, extra=[tuple(x) for x in v["extra"]], publish=[tuple(x) for x in v["publish"]],
                              fw=tuple(v["fw"]) if v["fw"] else None) for k, v in snap["cells"].items()}
        self.links, self.dual, self.nsub, self.fwn = snap["links"], snap["dual"], snap["nsub"], snap["fwn"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------- witnesses

SNAP = r"""ip -j addr show; echo '=='; ip -j -4 route show table main; echo '=='; ip -j -6 route show table main; echo '==';
for k in %s; do printf '%%s=' "$k"; cat "/proc/sys/$(echo "$k" | tr . /)" 2>/dev/null || echo '?'; done; echo '==';
nft list ruleset 2>/dev/null; echo '=='"""


def cell_view(lab, c, keys):
    """What the kernel holds in a cell: interfaces, addresses, routes, sysctls, drop ports."""
    script = SNAP % " ".join(sorted(keys))
    rc, out, err = in_cell(lab.full(c), ["sh", "-c", script])
    if rc:
        return None, err.strip()
    parts = out.split("==\n")
    links = json.loads(parts[0] or "[]")
    v = {"ifs": {}, "routes": set(), "sysctl": {}, "drops": set(), "nft": parts[4]}
    for l in links:
        n = l["ifname"]
        if n == "lo":
            continue
        v["ifs"][n] = {"up": "UP" in l.get("flags", []),
                       "addrs": sorted("%s/%d" % (a["local"], a["prefixlen"]) for a in l.get("addr_info", [])
                                       if a.get("scope") != "link")}
    for part in (parts[1], parts[2]):
        for r in json.loads(part or "[]"):
            if r.get("protocol") in ("kernel", "ra") or r.get("type") in ("multicast", "local", "broadcast"):
                continue
            dst = r["dst"]
            if dst.startswith("fe80") or dst.startswith("ff00"):
                continue
            if dst != "default":
                dst = str(ipaddress.ip_network(dst, strict=False))
            v["routes"].add((dst, r.get("gateway", ""), r.get("dev", "")))
    for line in parts[3].splitlines():
        k, _, val = line.partition("=")
        v["sysctl"][k] = val.strip()
    v["drops"] = set(int(x) for x in re.findall(r"dport (\d+) .*drop", parts[4]))
    return v, ""


def published(port):
    """Whether the host's loopback port answers "hi" (a server in the cell)."""
    try:
        c = socket.create_connection(("127.0.0.1", port), 2.0)
        c.settimeout(2.0)
        ok = c.recv(2) == b"hi"
        c.close()
        return ok
    except OSError:
        return False


SERVER = """import socket,time
s=socket.socket(socket.AF_INET6 if ':' in '%s' else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('%s',%d)); s.listen(16); s.settimeout(%d); end=time.time()+%d
while time.time()<end:
    try: c,_=s.accept(); c.sendall(b'hi'); c.close()
    except Exception: break"""


def serve(cell, addr, port, secs=6):
    argv = ["python3", "-c", SERVER % (addr, addr, port, secs, secs)]
    if A.mode == "root":
        argv = ["ip", "netns", "exec", cell] + argv
    else:
        argv = [A.nc, "exec", cell, "--"] + argv
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reach(cell, addr, port, tries=10):
    code = "import socket; c=socket.create_connection(('%s',%d),1.0); assert c.recv(2)==b'hi'" % (addr, port)
    for _ in range(tries):
        if in_cell(cell, ["python3", "-c", code])[0] == 0:
            return True
        time.sleep(0.2)
    return False


def check(lab, what):
    """The kernel holds exactly what the model says (cells, interfaces,
    addresses, routes, sysctls, firewall, ports, traffic)."""
    rc, out, _ = nc("list")
    live = set(l.split()[0] for l in out.splitlines()[1:] if l.strip()) if rc == 0 else set()
    want = set(lab.full(c) for c in lab.cells)
    mine = set(x for x in live if x.startswith(lab.name + "-"))
    for x in sorted(want - mine):
        mismatch("cell-missing", "%s: %s" % (what, x))
    for x in sorted(mine - want):
        mismatch("cell-extra", "%s: %s" % (what, x))
    if A.mode == "root":
        rc, out, _ = run(["ip", "netns", "list"])
        ns = set(l.split()[0] for l in out.splitlines() if l.startswith(lab.name + "-"))
        if ns != want:
            mismatch("netns", "%s: ip netns has %s, the file %s" % (what, sorted(ns), sorted(want)))
    for c in sorted(lab.cells):
        if lab.full(c) not in mine:
            continue
        sy = lab.sysctls(c)
        keys = set(sy) | set(SYSCTL_DEFAULTS) | {"net.ipv4.ip_forward"}
        keys |= set("net.ipv4.conf.%s.rp_filter" % i for i in lab.addrs(c))
        if lab.dual:
            keys.add("net.ipv6.conf.all.forwarding")
        v, err = cell_view(lab, c, keys)
        if v is None:
            mismatch("witness", "%s: cell %s: %s" % (what, c, err))
            continue
        up = lab.cells[c]["uplink"]
        # the uplink's eth0, and a root cell's nc-ports (its published ports' way in, docs/kernel-ports.md)
        ifs = {k: x for k, x in v["ifs"].items() if not (up and k == "eth0") and
               not (A.mode == "root" and lab.cells[c]["publish"] and k == "nc-ports")}
        wa = lab.addrs(c)
        for i in sorted(set(wa) - set(ifs)):
            mismatch("link-missing", "%s: %s has no %s" % (what, c, i))
        for i in sorted(set(ifs) - set(wa)):
            mismatch("link-extra", "%s: %s has %s that the file does not name" % (what, c, i))
        if up and not (v["ifs"].get("eth0") or {}).get("up"):
            mismatch("uplink-missing", "%s: %s has no uplink (eth0)" % (what, c))
        for i in sorted(set(wa) & set(ifs)):
            if not ifs[i]["up"]:
                mismatch("link-down", "%s: %s:%s is down" % (what, c, i))
            w = sorted(str(ipaddress.ip_interface(x)) for x in wa[i])
            h = sorted(str(ipaddress.ip_interface(x)) for x in ifs[i]["addrs"])
            for x in sorted(set(w) - set(h)):
                mismatch("addr-missing", "%s: %s:%s lacks %s" % (what, c, i, x))
            for x in sorted(set(h) - set(w)):
                mismatch("addr-extra", "%s: %s:%s has %s" % (what, c, i, x))
        wr = set((d, g) for d, g, _ in lab.routes(c))
        hr = set((d, g) for d, g, dev in v["routes"] if not (up and dev == "eth0") and dev != "nc-ports")
        for x in sorted(wr - hr):
            mismatch("route-missing", "%s: %s lacks %s via %s" % (what, c, x[0], x[1]))
        for x in sorted(hr - wr):
            mismatch("route-extra", "%s: %s has %s via %s" % (what, c, x[0], x[1] or "-"))
        devs = dict(((d, g), dev) for d, g, dev in v["routes"])
        for d, g, dev in lab.routes(c):
            if dev and (d, g) in devs and devs[(d, g)] != dev:
                mismatch("route-dev", "%s: %s's %s via %s is on %s, the file says %s" % (what, c, d, g, devs[(d, g)], dev))
        for k in sorted(keys):
            exp = sy.get(k)
            if exp is None:  # a new namespace: IPv4's conf (ip_forward) from the host's
                exp = SYSCTL_DEFAULTS[k][0] if k in SYSCTL_DEFAULTS else HOST_FORWARD if k == "net.ipv4.ip_forward" \
                    else HOST_RPF if k.endswith(".rp_filter") else "0"
            if v["sysctl"].get(k) != exp:
                mismatch("sysctl", "%s: %s %s is %s, want %s" % (what, c, k, v["sysctl"].get(k), exp))
        fw = lab.cells[c]["fw"]
        wd = {fw[1]} if fw else set()
        if v["drops"] != wd:
            mismatch("firewall", "%s: %s drops ports %s, the file %s" % (what, c, sorted(v["drops"]), sorted(wd)))
    # published ports: a server on the cell's 127.0.0.1:CELLPORT answers at the host's HOSTPORT
    for c in sorted(lab.cells):
        for hp, cp in lab.cells[c]["publish"]:
            s = serve(lab.full(c), "127.0.0.1", cp)
            ok = False
            for _ in range(15):
                if published(hp):
                    ok = True
                    break
                time.sleep(0.2)
            s.kill(); s.wait()
            if not ok:
                mismatch("port-missing", "%s: %s:%d does not reach %s:%d" % (what, "127.0.0.1", hp, c, cp))
    for hp in lab.gone_ports:
        if any(hp == p[0] for c in lab.cells.values() for p in c["publish"]):
            continue
        rc, out, _ = run(["ss", "-Htln", "sport = :%d" % hp])
        if out.strip():
            mismatch("port-extra", "%s: host port %d is still open" % (what, hp))
    # traffic along the routes: the two cells farthest apart (v4, and v6 if dual)
    cells = sorted(lab.cells)
    if len(cells) >= 2:
        a, b = cells[0], cells[-1]
        ab = lab.addrs(b)
        ra = lab.routes(a)
        rd = set(d for d, _, _ in ra)
        dfam = set(ipaddress.ip_address(g).version for d, g, _ in ra if d == "default")
        if ab and ra:
            tgt = [x for x in sum(ab.values(), []) if ipaddress.ip_interface(x).network.prefixlen < 128
                   and (str(ipaddress.ip_interface(x).network) in rd or ipaddress.ip_interface(x).version in dfam)]
            port = 6000 + lab.idx % 1000
            for t in tgt[:2]:
                ip = str(ipaddress.ip_interface(t).ip)
                s = serve(lab.full(b), ip, port)
                if not reach(lab.full(a), ip, port):
                    mismatch("traffic", "%s: %s cannot reach %s:%d in %s along the routes" % (what, a, ip, port, b))
                s.kill(); s.wait()


# ---------------------------------------------------------------- steps

def up(lab, path, what, expect=0):
    rc, out, err = nc("up", "-f", path)
    if rc != expect:
        mismatch("up-rc", "%s: up exit %d, want %d: %s" % (what, rc, expect, (err or out).strip()[-300:]))
    return rc, out, err


def unchanged(lab, path, what):
    rc, out, err = nc("up", "-f", path)
    if rc != 0 or "up to date, nothing changed" not in out:
        mismatch("not-idempotent", "%s: a second up said: %s" % (what, (out + err).strip()[-400:]))
    rc, out, err = nc("status", "-f", path)
    if rc != 0 or not re.search(r"%d of %d cells up, 0 differences" % (len(lab.cells), len(lab.cells)), out):
        mismatch("status", "%s: status said: %s" % (what, (out + err).strip()[-400:]))


EDITS = ["route_style", "uplink", "add_cell", "remove_cell", "add_link", "remove_link", "add_addr", "remove_addr", "sysctl",
         "fw_change", "fw_remove", "fw_add", "port", "dual"]


def edit(lab):
    """One random change of the model; its name."""
    rng = lab.rng
    cells = sorted(lab.cells)
    for _ in range(20):
        k = rng.choice(EDITS)
        if k == "route_style":
            c = rng.choice(cells)
            key = rng.choice(["defroute", "devroute"])
            lab.cells[c][key] = not lab.cells[c].get(key)
            return k
        if k == "uplink" and A.uplinks:
            c = rng.choice(cells)
            if lab.cells[c]["uplink"]:
                lab.gone_ports += [p[0] for p in lab.cells[c]["publish"]]
                lab.cells[c]["uplink"], lab.cells[c]["publish"] = None, []
            else:
                lab.cells[c]["uplink"] = "pasta"
            return k
        if k == "add_cell" and len(cells) < 7:
            n = "r%d" % (max(int(c[1:]) for c in cells) + 1)
            lab.add_cell(n)
            lab.add_link(rng.choice(cells), n)
            return k
        if k == "remove_cell" and len(cells) > 2:
            c = rng.choice(cells)
            lab.gone_ports += [p[0] for p in lab.cells[c]["publish"]]
            del lab.cells[c]
            lab.links = [l for l in lab.links if l[0] != c and l[2] != c]
            return k
        if k == "add_link":
            pairs = [(a, b) for a in cells for b in cells if a < b and not any(
                {l[0], l[2]} == {a, b} for l in lab.links)]
            if pairs:
                lab.add_link(*rng.choice(pairs))
                return k
        if k == "remove_link" and lab.links:
            lab.links.remove(rng.choice(lab.links))
            return k
        if k == "add_addr":
            c = rng.choice(cells)
            before = len(lab.cells[c]["extra"])
            lab.add_extra(c)
            if len(lab.cells[c]["extra"]) > before:
                return k
        if k == "remove_addr":
            have = [c for c in cells if lab.cells[c]["extra"]]
            if have:
                c = rng.choice(have)
                lab.cells[c]["extra"].pop(rng.randrange(len(lab.cells[c]["extra"])))
                return k
        if k == "sysctl":
            c = rng.choice(cells)
            if rng.random() < 0.3:
                lab.add_sysctl(c)
            elif lab.cells[c]["sysctl"] and rng.random() < 0.5:
                lab.cells[c]["sysctl"].pop(rng.choice(sorted(lab.cells[c]["sysctl"])))
            else:
                key = rng.choice(sorted(SYSCTL_DEFAULTS))
                cur = lab.cells[c]["sysctl"].get(key)
                lab.cells[c]["sysctl"][key] = SYSCTL_DEFAULTS[key][0] if cur == SYSCTL_DEFAULTS[key][1] \
                    else SYSCTL_DEFAULTS[key][1]
            return k
        if k == "fw_change":
            have = [c for c in cells if lab.cells[c]["fw"]]
            if have:
                lab.new_fw(rng.choice(have))
                return k
        if k == "fw_remove":
            have = [c for c in cells if lab.cells[c]["fw"]]
            if have:
                lab.cells[rng.choice(have)]["fw"] = None
                return k
        if k == "fw_add":
            have = [c for c in cells if not lab.cells[c]["fw"]]
            if have:
                lab.new_fw(rng.choice(have))
                return k
        if k == "port":
            have = [c for c in cells if lab.cells[c]["uplink"]]
            if have:
                c = have[0]
                if lab.cells[c]["publish"] and rng.random() < 0.5:
                    lab.gone_ports.append(lab.cells[c]["publish"].pop()[0])
                else:
                    lab.cells[c]["publish"].append(lab.new_port())
                return k
        if k == "dual":
            lab.dual = not lab.dual
            for c in cells:
                lab.cells[c]["extra"] = [x for x in lab.cells[c]["extra"] if ":" not in x[1]]
            return k
    return None


def engine_pid(lab, c):
    """The pid of the cell's uplink engine, from netcell's state (or None)."""
    d = os.path.join(os.environ.get("NETCELL_STATE_DIR", ""), "net")
    try:
        names = os.listdir(d)
    except OSError:
        return None
    for n in names:
        if n.endswith(".pid") and n[:-4] == lab.full(c):
            try:
                return int(open(os.path.join(d, n)).read().strip())
            except (OSError, ValueError):
                return None
    return None


def drift(lab, path):
    """Change one thing behind netcell's back; status must name it, up repair it."""
    rng = lab.rng
    kinds = ["addr", "route", "link", "sysctl", "fw", "uplink"]
    rng.shuffle(kinds)
    for k in kinds:
        cells = sorted(lab.cells)
        rng.shuffle(cells)
        for c in cells:
            full = lab.full(c)
            ad, rt, sy = lab.addrs(c), lab.routes(c), lab.sysctls(c)
            if k == "addr" and any(ad.values()):
                i = rng.choice([x for x in sorted(ad) if ad[x]])
                a = rng.choice(ad[i])
                cmd, pat = ["ip", "addr", "del", a, "dev", i], r"addr +%s %s %s" % (
                    re.escape(full), i, re.escape(str(ipaddress.ip_interface(a))))
            elif k == "route" and rt:
                d, g, _ = rng.choice(rt)
                cmd, pat = ["ip", "route", "del", d, "via", g], r"route +%s %s" % (re.escape(full), re.escape(d))
            elif k == "link" and ad:
                i = rng.choice(sorted(ad))
                cmd, pat = ["ip", "link", "del", i], r"link +.*%s:%s" % (re.escape(full), i)
            elif k == "sysctl" and sy:
                key = rng.choice(sorted(sy))
                val = "0" if sy[key] != "0" else "1"
                if key == "net.ipv4.ip_default_ttl" or (key in SYSCTL_DEFAULTS and sy[key] == SYSCTL_DEFAULTS[key][1]):
                    val = SYSCTL_DEFAULTS[key][0]
                cmd = ["sh", "-c", "echo %s >/proc/sys/%s" % (val, key.replace(".", "/"))]
                pat = r"sysctl +%s %s" % (re.escape(full), re.escape(key))
            elif k == "fw" and lab.cells[c]["fw"]:
                cmd, pat = ["nft", "flush", "ruleset"], r"firewall +%s" % re.escape(full)
            elif k == "uplink" and lab.cells[c]["uplink"]:
                # the uplink's interface deleted (the shared pasta is the
                # hub's, not this cell's: its end in the cell is what goes)
                cmd, pat = ["ip", "link", "del", "eth0"], r"cell +%s \(drift: its uplink" % re.escape(full)
            else:
                continue
            FIG["drifts"] += 1
            what = "lab %s drift %s in %s" % (lab.name, k, c)
            print("  " + what, flush=True)
            rc, _, err = in_cell(full, cmd)
            if rc:
                mismatch("witness", "%s: %s: %s" % (what, " ".join(cmd), err.strip()))
                return
            rc, out, err = nc("status", "-f", path)
            lines = [l for l in out.splitlines() if not l.startswith(("up ", "drift ", "missing "))]
            if rc != 0 or re.search(r"(^|\s)0 differences", out) or not any(re.search(pat, l) for l in lines):
                mismatch("status-misses-drift-" + k, "%s: status said: %s" % (what, (out + err).strip()[-3000:]))
            rc, out, err = up(lab, path, what)
            check(lab, what + ", after up")
            unchanged(lab, path, what + ", after up")
            return


def failure(lab, path):
    """An edit whose up must fail: nothing may change."""
    rng = lab.rng
    snap = lab.copy()
    gone = list(lab.gone_ports)
    first = edit(lab)  # a change done before the failing step, to be undone
    cells = sorted(lab.cells)
    kind = rng.choice(["fw", "port"])
    holder = None
    if kind == "port" and any(lab.cells[c]["uplink"] for c in cells):
        c = [c for c in cells if lab.cells[c]["uplink"]][0]
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        lab.cells[c]["publish"].append((holder.getsockname()[1], 81))
        expect = 1
    else:
        kind = "fw"
        c = rng.choice(cells)
        lab.new_fw(c)
        expect = 6
    # and a change that would be done first, if the failure did not undo it
    n = "r%d" % (max(int(x[1:]) for x in cells) + 1)
    lab.add_cell(n)
    lab.add_link(cells[0], n)
    lab.write(path)
    if kind == "fw":
        f = os.path.join(os.path.dirname(path), lab.fw_file(c))
        with open(f, "w") as fh:
            fh.write("table inet l5f {\n\tchain input {\n\t\ttype filter hook input priority 0;\n"
                     "\t\ttcp dport 1 jump no_such_chain\n\t}\n}\n")
    FIG["failures"] += 1
    what = "lab %s failure %s (after %s)" % (lab.name, kind, first)
    print("  " + what, flush=True)
    up(lab, path, what, expect)
    if holder:
        holder.close()
    tried = [p[0] for c in lab.cells.values() for p in c["publish"]]
    lab.restore(snap)
    kept = [p[0] for c in lab.cells.values() for p in c["publish"]]
    lab.gone_ports = gone + [p for p in tried if p not in kept]  # the failed up's ports: not open
    lab.write(path)
    check(lab, what + ", after the failed up")
    unchanged(lab, path, what + ", after the failed up")


def down(lab, path):
    """down leaves nothing of the lab, and what the lab did not make."""
    what = "lab %s down" % lab.name
    other = "%so%d" % (A.prefix, lab.idx)
    ohp = free_port()
    rc, out, err = nc("create", other, "--uplink", "pasta", "--publish", "%d:80" % ohp)
    if rc:
        mismatch("witness", "%s: create %s: %s" % (what, other, err.strip()))
        other = None
    pids = [engine_pid(lab, c) for c in lab.cells]
    ports = [p[0] for c in lab.cells.values() for p in c["publish"]] + lab.gone_ports
    rc, out, err = nc("down", "-f", path)
    if rc:
        mismatch("down-rc", "%s: exit %d: %s" % (what, rc, err.strip()))
    rc, out, _ = nc("list")
    left = [l.split()[0] for l in out.splitlines() if l.startswith(lab.name + "-")]
    if left:
        mismatch("down-cell-left", "%s: %s" % (what, left))
    if A.mode == "root":
        ns = [l for l in run(["ip", "netns", "list"])[1].splitlines() if l.startswith(lab.name + "-")]
        if ns:
            mismatch("down-netns-left", "%s: %s" % (what, ns))
    sd = os.environ.get("NETCELL_STATE_DIR", "")
    if os.path.exists(os.path.join(sd, "labs", lab.name + ".lab")):
        mismatch("down-record-left", what)
    try:
        if any(l.startswith(lab.name + "-") for l in open(os.path.join(sd, "links.conf"))):
            mismatch("down-link-left", what)
    except OSError:
        pass
    for p in pids:
        if p and os.path.exists("/proc/%d" % p):
            mismatch("down-engine-left", "%s: pid %d" % (what, p))
    for hp in ports:
        if run(["ss", "-Htln", "sport = :%d" % hp])[1].strip():
            mismatch("down-port-left", "%s: %d" % (what, hp))
    if other:
        rc, out, _ = nc("list")
        if not any(l.split()[0] == other for l in out.splitlines()[1:] if l.strip()):
            mismatch("down-removed-other", "%s: cell %s is gone" % (what, other))
        rc, out, _ = nc("port", "list", other)
        if str(ohp) not in out:
            mismatch("down-removed-other", "%s: port %d of %s is gone: %s" % (what, ohp, other, out.strip()))
        nc("delete", other)


def campaign():
    start = time.time()
    for i in range(A.labs):
        if time.time() - start > A.budget:
            print("budget of %d s spent: labs %d..%d not run" % (A.budget, i, A.labs - 1))
            break
        rng = random.Random(A.seed * 1000 + i)
        lab = Lab(rng, i)
        lab.gone_ports = []
        d = os.path.join(A.dir, lab.name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "lab.yaml")
        lab.write(path)
        FIG["labs"] += 1
        n0 = len(MISMATCH)
        try:
            up(lab, path, "lab %s up" % lab.name)
            check(lab, "lab %s up" % lab.name)
            unchanged(lab, path, "lab %s up" % lab.name)
            for _ in range(A.edits):
                k = edit(lab)
                if not k:
                    continue
                FIG["edits"] += 1
                lab.write(path)
                what = "lab %s edit %s" % (lab.name, k)
                print("  " + what, flush=True)
                up(lab, path, what)
                check(lab, what)
                unchanged(lab, path, what)
            drift(lab, path)
            failure(lab, path)
            down(lab, path)
        finally:
            nc("down", "-f", path)
        print("lab %s (%s, %d cells%s): %d mismatches, %.1f s" % (
            lab.name, lab.shape, len(lab.cells), ", dual-stack" if lab.dual else "",
            len(MISMATCH) - n0, time.time() - start), flush=True)
    by = {}
    for c, _ in MISMATCH:
        by[c] = by.get(c, 0) + 1
    print("campaign: labs %d, edits %d, drifts %d, failures %d, mismatches %d%s" % (
        FIG["labs"], FIG["edits"], FIG["drifts"], FIG["failures"], len(MISMATCH),
        (" (" + ", ".join("%s %d" % kv for kv in sorted(by.items())) + ")") if by else ""))
    return 1 if MISMATCH else 0


def main():
    global A
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nc", required=True)
    p.add_argument("--mode", choices=["root", "user"], required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--prefix", default="l5g")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--labs", type=int, default=4)
    p.add_argument("--edits", type=int, default=2)
    p.add_argument("--budget", type=int, default=150)
    p.add_argument("--no-uplinks", dest="uplinks", action="store_false",
                   help="no pasta uplinks and published ports (faster)")
    A = p.parse_args()
    if not re.match(r"^l5", A.prefix):
        sys.exit("labgen: the prefix must start with l5")
    sys.exit(campaign())


if __name__ == "__main__":
    main()
