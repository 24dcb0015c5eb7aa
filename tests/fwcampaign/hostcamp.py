#!/usr/bin/env python3
# tests/fwcampaign/hostcamp.py - the differential campaign for
# `netcell fw apply --host` (docs/fw-campaign.md, "The host")
#
# "The host" is the caller's own network namespace, so the whole run
# re-executes itself under `unshare -n` and checks that it left the
# machine's namespace before it touches any ruleset: everything below
# happens in a throwaway namespace, with a state and runtime directory of
# its own.  Each pair of rulesets starts from a host holding other tools'
# tables (others.py: firewalld, docker, ufw, fail2ban, libvirt,
# kube-proxy, netcell's own ports table); the witness replays the same
# steps with nft -f / iptables-restore into a scratch namespace holding
# the same tables, by the rules netcell documents for the host:
#  - an nft file replaces the tables it defines (and those the generation
#    in force defined), leaving every other table as it was;
#  - an iptables-save file is iptables-restore (its tables flushed whole),
#    and the tables of the generation in force that it does not name go;
#  - netcell's own ip netcell_ports_* tables are kept, also through
#    "flush ruleset" (made again at the end of every nft load).
# Then fw show, fw history, a change another tool makes to its own table
# (no drift, kept by the next apply), a second apply, rollback, a spoilt
# copy (exit 6, nothing changed byte for byte) and --confirm 1 left
# unconfirmed (exit 7, back exactly).  Root only: --host needs root.
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from campaign import run, norm_nft, norm_ipt, first_diff, sh, same_but_xt, split_views, VIEWS_SCRIPT  # noqa: E402
from gen_nft import gen_nft, bad_nft  # noqa: E402
from gen_ipt import gen_ipt, bad_ipt  # noqa: E402
import others  # noqa: E402

NC = os.environ.get("NC", "netcell")
FAMS = ("ip", "ip6", "inet", "arp", "bridge", "netdev")
# no IPv6 on the devices: no router solicitations moving counters
DEV_SETUP = "sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 && ip link add d0 type veth peer name d1 && ip link set d0 up && ip link set d1 up"


def netns_id():
    return os.readlink("/proc/self/ns/net")


def nft_defines(paths):
    """the tables an nft file defines, read independently of netcell:
    table blocks and add/create table commands in the file and in the
    files it includes (family defaults to ip)"""
    found = []
    for p in paths:
        try:
            text = open(p).read()
        except OSError:
            continue
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            for stmt in line.split(";"):
                m = re.match(r"\s*(?:add\s+|create\s+)?table\s+(\S+)(?:\s+([^\s{]+))?", stmt)
                if not m:
                    continue
                fam, name = m.group(1), m.group(2)
                if fam not in FAMS:
                    fam, name = "ip", fam
                if name and (fam, name) not in found:
                    found.append((fam, name))
    return found


def flushes(paths):
    return any(re.search(r"^\s*flush\s+ruleset\b", open(p).read(), flags=re.M) for p in paths if os.path.exists(p))


# statements on other tools' tables (others.py) that a host file may hold
HOST_EXTRAS = [
    "delete table inet firewalld",
    "destroy table ip libvirt_network",
    "add rule inet firewalld filter_IN_public_allow tcp dport 7777 accept",
    "add element inet firewalld allowlist-v4 { 203.0.113.0/24 }",
    "flush table ip libvirt_network",
    "delete table ip libvirt_network",
    "add chain inet firewalld filter_IN_extra",
    "table inet firewalld {\n\tchain filter_IN_public_allow {\n\t\tudp dport 7000 accept\n\t}\n}",
]


class Step:
    """one thing done to the host: a generation loaded, or another tool's change"""

    def __init__(self, kind, path=None, tables=(), flush=False, cmd=None, files=()):
        self.kind, self.path, self.tables, self.flush, self.cmd = kind, path, list(tables), flush, cmd
        self.argv = [path]
        self.files = files


def gen_step(case):
    if case.kind == "nft":
        return Step("nft", case.main, nft_defines(case.files), flushes(case.files), files=case.files)
    names = []
    for path, fam in zip(case.argv, ("ip", "ip6") if case.kind == "ipt46" else
                         ("ip" if case.kind == "ipt4" else "ip6",)):
        for l in open(path).read().splitlines():
            m = re.match(r"\*(\w+)", l)
            if m and (fam, m.group(1)) not in names:
                names.append((fam, m.group(1)))
    st = Step(case.kind, case.main, names)
    st.argv = case.argv
    return st


class Case:
    def __init__(self, kind, name, files, main, argv=None):
        self.kind, self.name, self.files, self.main = kind, name, files, main
        self.argv = argv or [main]   # what fw apply is given (ipt46: the IPv4 and the IPv6 file)


class HostCampaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.dir = a.keep or tempfile.mkdtemp(prefix="nchostcamp.")
        os.makedirs(self.dir, exist_ok=True)
        self.mismatch = {}
        self.n = 0
        self.refused_both = 0
        self.pairs = 0
        self.done = {"rollback": 0, "spoilt": 0, "confirm": 0, "other-change": 0}
        od = os.path.join(self.dir, "others")
        os.makedirs(od, exist_ok=True)
        self.others, self.ports = others.write(random.Random(a.seed), od, a.kube)

    def bad(self, cls, case, text):
        self.mismatch[cls] = self.mismatch.get(cls, 0) + 1
        print("MISMATCH %s [%s %s]: %s" % (cls, case.kind, case.name, text[:700]), flush=True)

    def nc(self, *argv, timeout=120):
        return run([NC] + list(argv), timeout=timeout)

    # ---- the witness: the same steps replayed in a scratch namespace
    def replay_script(self, steps):
        out = [DEV_SETUP + " || exit 12", self.others]
        prev = None
        for i, s in enumerate(steps):
            last = i == len(steps) - 1
            fail = "exit 10" if last else "exit 13"
            if s.kind == "sh":
                out.append("{ %s; } || exit 13" % s.cmd)
                continue
            gone = [t for t in s.tables] + ([t for t in prev.tables if t not in s.tables] if prev else [])
            if s.kind == "nft":
                for f, n in gone:
                    out.append("nft list table %s %s >/dev/null 2>&1 && nft delete table %s %s" % (f, n, f, n))
                out.append("nft -f %s || %s" % (sh(s.path), fail))
                # netcell's own table: made again after every nft load
                out.append("nft delete table ip netcell_ports_%s 2>/dev/null; nft -f %s || exit 13"
                           % (others.PORTS_CELL, sh(self.ports)))
            else:
                tools = (("iptables-restore", "ip6tables-restore") if s.kind == "ipt46" else
                         ("iptables-restore" if s.kind == "ipt4" else "ip6tables-restore",))
                out.append("{ %s; } || %s" % (" && ".join("%s %s" % (t, sh(p)) for t, p in zip(tools, s.argv)), fail))
                for f, n in (prev.tables if prev else []):
                    if (f, n) not in s.tables:
                        out.append("nft list table %s %s >/dev/null 2>&1 && nft delete table %s %s" % (f, n, f, n))
            prev = s
        return "\n".join(out) + "\n"

    def witness(self, steps):
        script = self.replay_script(steps) + VIEWS_SCRIPT + "\n"
        path = os.path.join(self.dir, "witness%d.sh" % self.n)
        with open(path, "w") as f:
            f.write(script)
        rc, out, err = run(["unshare", "-n", "sh", path], timeout=120)
        if rc == 10:
            return 10, None, err
        if rc != 0:
            return rc, None, "witness failed (exit %d): %s" % (rc, err[-600:])
        return 0, views(out), err

    def host_views(self):
        rc, out, err = run(["sh", "-c", VIEWS_SCRIPT])
        return views(out)

    def raw(self):
        """the host's ruleset byte for byte (save headers' dates aside, and
        counters: a table loaded again starts at zero, as iptables-apply's
        restore does)"""
        rc, out, err = run(["sh", "-c", VIEWS_SCRIPT])
        out = re.sub(r"packets \d+ bytes \d+", "packets 0 bytes 0", out)
        out = re.sub(r" expires [0-9hmsd]+", "", out)
        out = re.sub(r"^(:\S+ \S+) \[\d+:\d+\]$", r"\1 [0:0]", out, flags=re.M)
        return "\n".join(l for l in out.splitlines() if not l.startswith("# "))

    def compare(self, case, want, what):
        got = self.host_views()
        for v in ("nft", "v4", "v6"):
            if want[v] != got[v]:
                self.bad("%s-%s" % (what, v), case, first_diff(want[v], got[v]))
                return False
        return True

    def current(self):
        rc, out, err = self.nc("fw", "history", "--host", "--json")
        try:
            h = json.loads(out)
        except ValueError:
            return None, None
        cur = [g for g in h if g.get("current")]
        return (cur[0] if cur else None), h

    # ---- the host
    def reset(self):
        """a fresh host: no ruleset but the other tools' tables, no history"""
        for d in (os.environ["NETCELL_STATE_DIR"], os.environ["NETCELL_RUNTIME_DIR"]):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d, mode=0o700)
        rc, out, err = run(["sh", "-c", "nft flush ruleset && ip link del d0 2>/dev/null; " + DEV_SETUP + " && " + self.others])
        if rc != 0:
            raise SystemExit("hostcamp: cannot load the other tools' tables: " + err)

    def apply(self, case, steps, before):
        """fw apply --host CASE after STEPS; compare; return the views or None"""
        self.n += 1
        wrc, want, werr = self.witness(steps + [gen_step(case)])
        rc, out, err = self.nc("fw", "apply", "--host", *case.argv)
        if self.a.verbose:
            print("case %d %s %s witness rc=%d netcell rc=%d" % (self.n, case.kind, case.name, wrc, rc), flush=True)
        if wrc == 10:
            if rc == 0:
                self.bad("accepted-what-witness-refuses", case, "witness: " + werr.strip()[:300])
                return None
            if rc != 6:
                self.bad("refused-wrong-exit", case, "exit %d: %s" % (rc, err.strip()[:300]))
            self.refused_both += 1
            if self.raw() != before:
                self.bad("refused-changed", case, first_diff(before, self.raw()))
            return None
        if want is None:
            self.bad("witness-broken", case, werr)
            return None
        if rc != 0:
            self.bad("refused-what-witness-loads", case, "exit %d: %s" % (rc, err.strip()[:500]))
            if self.raw() != before:
                self.bad("refused-changed", case, first_diff(before, self.raw()))
            return None
        if not self.compare(case, want, "apply"):
            return None
        cur, hist = self.current()
        if not cur or cur["generation"] != max(g["generation"] for g in hist):
            self.bad("history", case, "current %r" % (cur,))
        elif cur.get("drifted"):
            self.bad("history-drift", case, "the generation just applied is marked drifted")
        rc, out, err = self.nc("fw", "show", "--host")
        if rc != 0 or not same_but_xt(want["nft"], norm_nft(out)):
            self.bad("show", case, "exit %d: %s" % (rc, first_diff(want["nft"], norm_nft(out))))
        return want

    def other_change(self, case, step_a):
        """another tool changes its own table (one the generation does not
        define): no drift, and the next apply keeps it"""
        have = run(["nft", "list", "tables"])[1]
        for tbl, cmd in self.rng.sample(others.CHANGES, len(others.CHANGES)):
            if tbl in step_a.tables or ("table %s %s" % tbl) not in have:
                continue
            rc, out, err = run(["sh", "-c", cmd])
            if rc != 0:
                continue    # its chain was in a table the generation replaced
            self.done["other-change"] += 1
            cur, _ = self.current()
            if not cur or cur.get("drifted"):
                self.bad("other-change-drift", case, "after '%s': history says %r" % (cmd, cur))
            return Step("sh", cmd=cmd)
        return None

    def pair(self, kind, k):
        self.reset()
        a, b = self.make(kind, "p%da" % k), self.make(kind, "p%db" % k)
        sa = gen_step(a)
        wa = self.apply(a, [], self.raw())
        if wa is None:
            return
        ga = self.current()[0]["generation"]
        steps = [sa]
        chg = self.other_change(a, sa)
        if chg:
            steps.append(chg)
        sb = gen_step(b)
        wb = self.apply(b, steps, self.raw())
        if wb is None:
            return
        steps.append(sb)
        # rollback to A: A's tables back, B's gone, the other tools' kept
        # (a generation that changes another tool's table, "delete table
        # inet firewalld", may not load twice: nft -f refuses it too, and
        # the rollback must be refused with nothing changed)
        self.n += 1
        wrc, want, werr = self.witness(steps + [sa])
        before = self.raw()
        rc, out, err = self.nc("fw", "rollback", "--host", str(ga))
        self.done["rollback"] += 1
        if wrc == 10:
            self.refused_both += 1
            if rc != 6:
                self.bad("rollback-not-refused", a, "witness refuses (%s), netcell exit %d: %s" % (
                    werr.strip()[:200], rc, err.strip()[:300]))
            elif self.raw() != before:
                self.bad("rollback-refused-changed", a, first_diff(before, self.raw()))
            return
        if want is None:
            self.bad("witness-broken", a, werr)
            return
        if rc != 0:
            self.bad("rollback-refused", a, "exit %d: %s" % (rc, err.strip()[:400]))
            return
        steps.append(sa)
        self.compare(a, want, "rollback")
        # a spoilt copy of A: refused, nothing changed byte for byte
        before = self.raw()
        rc, out, err = self.nc("fw", "apply", "--host", *([a.bad_path] + a.argv[1:]))
        if rc == 0:
            # a spoilt line that is harmless here (witness loads it): skip
            bs = gen_step(Case(a.kind, a.name, [a.bad_path] + a.files[1:], a.bad_path, [a.bad_path] + a.argv[1:]))
            wl = run(["unshare", "-n", "sh", "-c", self.replay_script(steps[:-1] + [bs])])[0]
            if wl == 10:
                self.bad("bad-accepted", a, "exit 0 for %s" % a.bad_path)
            return
        self.done["spoilt"] += 1
        if rc != 6:
            self.bad("bad-not-exit-6", a, "exit %d: %s" % (rc, err.strip()[:300]))
        if self.raw() != before:
            self.bad("bad-changed", a, first_diff(before, self.raw()))
        # a third ruleset with --confirm 1, not confirmed: exit 7, the host
        # exactly as before, the other tools' tables it replaced or changed
        # too (a table made again comes after the others, one made by
        # iptables-restore lists its chains in iptables-save's order: the
        # tables and their chains are compared as sets)
        if self.a.confirm_every and k % self.a.confirm_every == 0:
            c = self.make(kind, "p%dc" % k)
            before = self.raw()
            rc, out, err = self.nc("fw", "apply", "--host", "--confirm", "1", *c.argv)
            if rc == 6:
                if self.raw() != before:
                    self.bad("refused-changed", c, first_diff(before, self.raw()))
                return
            self.done["confirm"] += 1
            if rc != 7:
                self.bad("confirm-not-reverted", c, "exit %d: %s" % (rc, err.strip()[-400:]))
            after = self.raw()
            if not same_but_unrendered(tables_sorted(before), tables_sorted(after)):
                self.bad("reverted-changed", c, first_diff(tables_sorted(before), tables_sorted(after)))
                if self.a.keep:
                    for n, t in (("before", before), ("after", after)):
                        with open(os.path.join(self.dir, "%s.%s" % (c.name, n)), "w") as f:
                            f.write(t)
            cur, _ = self.current()
            if not cur or cur["generation"] != ga:
                self.bad("reverted-history", c, "current %r, wanted %d" % (cur, ga))

    def make(self, kind, name):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        if kind == "nft":
            c = gen_nft(self.rng, d, name)
            if self.rng.random() < 0.35:
                # a statement on another tool's table, which the file does
                # not define: nft -f changes it in place on a host
                with open(c["main"], "a") as f:
                    f.write("\n" + self.rng.choice(HOST_EXTRAS) + "\n")
            case = Case("nft", name, c["files"], c["main"])
            case.bad_path, case.bad_line = bad_nft(self.rng, d, c)
        elif kind == "ipt46":
            # one IPv4 and one IPv6 file: both families or neither
            c4 = gen_ipt(self.rng, d, name, 4)
            os.makedirs(os.path.join(d, "six"), exist_ok=True)
            c6 = gen_ipt(self.rng, os.path.join(d, "six"), name, 6)
            case = Case(kind, name, c4["files"] + c6["files"], c4["main"], [c4["main"], c6["main"]])
            case.bad_path, case.bad_line = bad_ipt(self.rng, d, c4)
        else:
            c = gen_ipt(self.rng, d, name, 6 if kind == "ipt6" else 4)
            case = Case(kind, name, c["files"], c["main"])
            case.bad_path, case.bad_line = bad_ipt(self.rng, d, c)
        return case

    def go(self):
        kinds = self.a.kinds.split(",")
        end = time.time() + self.a.seconds
        k = 0
        try:
            while k < self.a.pairs and time.time() < end:
                k += 1
                self.pair(kinds[(k - 1) % len(kinds)], k)
                self.pairs = k
        finally:
            if not self.a.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
        total = sum(self.mismatch.values())
        print("hostcamp: %d rulesets (%d refused by both) in %d pairs, %d mismatches (%s), seed %d; %s" % (
            self.n, self.refused_both, self.pairs, total,
            " ".join("%s=%d" % kv for kv in sorted(self.mismatch.items())) or "none",
            self.a.seed, " ".join("%s %d" % kv for kv in self.done.items())), flush=True)
        return 1 if total else 0


def tables_sorted(raw):
    """a raw ruleset's nft listing as a sorted set of table blocks, the
    iptables-save parts as they are"""
    nft, _, rest = raw.partition("@@v4")
    blocks = []
    for t in re.findall(r"^table .*?^\}$", nft, flags=re.S | re.M):
        head, body = t.split("\n", 1)
        parts = re.findall(r"^\t\S.*?^\t\}$", body, flags=re.S | re.M)
        blocks.append(head + "\n" + "\n".join(sorted(parts)))
    return "\n".join(sorted(blocks)) + "\n@@v4" + rest


def same_but_unrendered(a, b):
    """equal, but that nft lists an xtables target of an iptables-nft rule
    (docker's DNAT) or not, depending on which family's table libxtables
    met first in the listing process: a table made again after the others
    changes that order.  The iptables-save views, which hold those rules
    as iptables reads them, must be the same"""
    al, bl = a.splitlines(), b.splitlines()
    if len(al) != len(bl):
        return False
    for x, y in zip(al, bl):
        if x != y and not (x.endswith(" ") and y.startswith(x)) and not (y.endswith(" ") and x.startswith(y)):
            return False
    return a.partition("@@v4")[2] == b.partition("@@v4")[2]


def views(out):
    """the host's three views: its own tables are all compared"""
    return split_views(out, strip_own=False)


def main():
    p = argparse.ArgumentParser(description="fw apply --host against nft -f / iptables-restore")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pairs", type=int, default=12)
    p.add_argument("--seconds", type=float, default=120, help="stop starting pairs after this")
    p.add_argument("--kinds", default="nft,ipt4,nft,ipt6,nft,ipt46")
    p.add_argument("--kube", type=int, default=150, help="kube-proxy services (about 3 chains each)")
    p.add_argument("--confirm-every", type=int, default=3)
    p.add_argument("--keep", help="keep the rulesets here")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    if os.geteuid() != 0:
        print("hostcamp: fw apply --host needs root", file=sys.stderr)
        return 5
    outer = os.environ.get("NC_HOSTCAMP_OUTER")
    if outer is None:
        # leave the machine's network namespace before anything else, with
        # private netcell directories; the namespace ends with this process
        top = tempfile.mkdtemp(prefix="nchostdirs.")
        env = dict(os.environ, NC_HOSTCAMP_OUTER=netns_id(),
                   NETCELL_STATE_DIR=os.path.join(top, "state"), NETCELL_RUNTIME_DIR=os.path.join(top, "run"))
        try:
            return subprocess.call(["unshare", "-n", "--", sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env)
        finally:
            shutil.rmtree(top, ignore_errors=True)
    if netns_id() == outer:
        print("hostcamp: still in the machine's network namespace; nothing done", file=sys.stderr)
        return 2
    return HostCampaign(a).go()


if __name__ == "__main__":
    sys.exit(main())
