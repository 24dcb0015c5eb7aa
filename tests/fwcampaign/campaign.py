#!/usr/bin/env python3
# tests/fwcampaign/campaign.py - differential apply campaign (docs/fw-campaign.md)
#
# Writes many rulesets in the shapes of public ones (nft files of every
# family, iptables-save / ip6tables-save dumps, mixed files), loads each
# into a scratch network namespace with nft -f / iptables-restore (the
# witness) and with `netcell fw apply` into a cell, and compares the two
# live rulesets; then fw show, fw history, a second apply, rollback, a
# rejected file and (every --restart-every pairs) a keeper killed with
# SIGKILL.  Every difference is printed with its class; the summary line
# is "campaign: N rulesets, M mismatches (CLASS=K ...)"; exit 1 on any.
#
# Run inside a test's environment (NC, NETCELL_STATE_DIR,
# NETCELL_RUNTIME_DIR set), as root or as a user; --keep DIR keeps every
# ruleset written and its outputs.  Nothing leaves the machine: the cell
# has no uplink and no packet is sent.
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from gen_nft import gen_nft, bad_nft
from gen_ipt import gen_ipt, bad_ipt, gen_mixed

NC = os.environ.get("NC", "netcell")
ROOT = os.geteuid() == 0
UNSHARE = ["unshare", "-n"] if ROOT else ["unshare", "-Urn"]
DEV_SETUP = "ip link add d0 type veth peer name d1 && ip link set d0 up && ip link set d1 up"


def run(argv, timeout=60, stdin=None):
    """run a command; (rc, stdout, stderr)"""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=stdin)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", "timeout after %ds: %s" % (timeout, " ".join(argv))


def norm_nft(text):
    """an nft listing without what time and traffic change"""
    text = re.sub(r"packets \d+ bytes \d+", "packets 0 bytes 0", text)
    text = re.sub(r" expires [0-9hmsd]+", "", text)
    text = re.sub(r" used \d+ bytes", "", text)
    lines = [l for l in text.splitlines() if l.strip()]
    return "\n".join(lines)


def norm_ipt(text):
    """an iptables-save dump without its comment lines and chain counters
    (iptables-restore without -c does not load them; traffic moves them)"""
    text = re.sub(r"^(:\S+ \S+) \[\d+:\d+\]$", r"\1 [0:0]", text, flags=re.M)
    return "\n".join(l for l in text.splitlines() if l and not l.startswith("#"))


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<end>"
        y = bl[i] if i < len(bl) else "<end>"
        if x != y:
            return "line %d: witness %r, netcell %r" % (i + 1, x, y)
    return "same"


class Case:
    """one ruleset: its files, kind, and whether it binds devices"""

    def __init__(self, kind, name, files, main, dev=False, note=""):
        self.kind, self.name, self.files, self.main = kind, name, files, main
        self.dev, self.note = dev, note


class Campaign:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.dir = args.keep or tempfile.mkdtemp(prefix="nccamp.")
        os.makedirs(self.dir, exist_ok=True)
        self.cell = args.cell
        self.mismatch = {}
        self.n = 0
        self.refused_both = 0
        self.log = []

    # ---- reporting
    def bad(self, cls, case, text):
        self.mismatch[cls] = self.mismatch.get(cls, 0) + 1
        msg = "MISMATCH %s [%s %s]: %s" % (cls, case.kind, case.name, text[:600])
        print(msg, flush=True)

    # ---- the witness
    def witness(self, case):
        """(rc, views, err): load into a scratch namespace"""
        main = case.main
        if case.kind == "nft":
            load = "nft -f %s" % sh(main)
        elif case.kind in ("ipt4", "ipt6"):
            tool = "iptables-restore" if case.kind == "ipt4" else "ip6tables-restore"
            load = "%s %s" % (tool, sh(main))
        else:  # mixed: its parts, nft first
            parts = case.parts
            load = "nft -f %s" % sh(parts["nft"])
            if parts.get("v4"):
                load += " && iptables-restore %s" % sh(parts["v4"])
            if parts.get("v6"):
                load += " && ip6tables-restore %s" % sh(parts["v6"])
        script = "%s && %s || exit 10; %s" % (
            DEV_SETUP, "(" + load + ")", VIEWS_SCRIPT)
        rc, out, err = run(UNSHARE + ["sh", "-c", script])
        if rc == 10:
            return 10, None, err
        if rc != 0:
            return rc, None, "witness failed: " + err
        return 0, split_views(out), err

    def cell_views(self):
        rc, out, err = run([NC, "exec", self.cell, "--", "sh", "-c", VIEWS_SCRIPT])
        if rc != 0:
            return None, err
        return split_views(out), err

    # ---- netcell
    def nc(self, *argv, timeout=90):
        return run([NC] + list(argv), timeout=timeout)

    def compare(self, case, want, what):
        got, err = self.cell_views()
        if got is not None and case.kind == "mixed":
            # the order in which tables were made: iptables parts go in
            # before the nft part (docs/fw-campaign.md), so only the set
            # of tables is compared for mixed files
            want = dict(want, nft=sort_tables(want["nft"]))
            got = dict(got, nft=sort_tables(got["nft"]))
        if got is None:
            self.bad("cell-unreadable", case, "%s: %s" % (what, err))
            return False
        ok = True
        for v in ("nft", "v4", "v6"):
            if want[v] != got[v]:
                self.bad("%s-%s" % (what, v), case, first_diff(want[v], got[v]))
                ok = False
                break
        return ok

    def history_current(self):
        rc, out, err = self.nc("fw", "history", self.cell, "--json")
        if rc != 0:
            return None, None
        try:
            h = json.loads(out)
        except ValueError:
            return None, None
        cur = [g["generation"] for g in h if g.get("current")]
        return (cur[0] if cur else 0), h

    def devices(self):
        """the cell's veth pair d0/d1 (flowtables, netdev chains, ingress)"""
        rc, out, _ = self.nc("exec", self.cell, "--", "ip", "link", "show", "d0")
        if rc != 0:
            self.nc("exec", self.cell, "--", "sh", "-c", DEV_SETUP)

    # ---- one case, applied after the previous one
    def apply_case(self, case, prev):
        """apply CASE; compare with its witness.  Return its views or None"""
        self.n += 1
        wrc, want, werr = self.witness(case)
        if self.a.verbose:
            print("case %d %s %s witness rc=%d %s" % (self.n, case.kind, case.name, wrc,
                                                   werr.strip().splitlines()[0] if wrc and werr.strip() else ""), flush=True)
        gen_before, _ = self.history_current()
        # fw check (a throwaway namespace, no cell) agrees with the witness
        crc, _, cerr = self.nc("fw", "check", case.main)
        if (crc == 0) != (wrc == 0) or crc not in (0, 6):
            self.bad("check", case, "fw check exit %d, witness %s: %s" % (
                crc, "loads it" if wrc == 0 else "refuses it", cerr.strip()[:300]))
        rc, out, err = self.nc("fw", "apply", self.cell, case.main)
        if wrc == 10:
            # nft -f / iptables-restore refused it: netcell must too, exit 6,
            # and nothing changed
            if rc == 0:
                self.bad("accepted-what-witness-refuses", case, "witness: " + werr.strip()[:300])
                return None
            if rc != 6:
                self.bad("refused-wrong-exit", case, "exit %d: %s" % (rc, err.strip()[:300]))
            self.refused_both += 1
            self.same_line(case, case.main, werr, err)
            if prev is not None:
                self.compare(case, prev, "refused-changed")
            return None
        if want is None:
            self.bad("witness-broken", case, werr)
            return None
        if rc != 0:
            self.bad("refused-what-witness-loads", case, "exit %d: %s" % (rc, err.strip()[:400]))
            if prev is not None:
                self.compare(case, prev, "refused-changed")
            return None
        if not self.compare(case, want, "apply"):
            return want
        gen, hist = self.history_current()
        if gen is None or (gen_before is not None and gen != (max([g["generation"] for g in hist]) if hist else 0)):
            self.bad("history", case, "history after apply: current %r, %r" % (gen, hist and hist[-1]))
        rc, out, err = self.nc("fw", "show", self.cell)
        shown, wanted = norm_nft(out), want["nft"]
        if case.kind == "mixed":
            shown, wanted = sort_tables(shown), sort_tables(wanted)
        if rc != 0 or not same_but_xt(wanted, shown):
            self.bad("show", case, "exit %d: %s" % (rc, first_diff(wanted, shown)))
        return want

    def same_line(self, case, path, werr, err):
        """a file both refuse: netcell names the witness's FILE:LINE (for
        iptables, or an earlier line: iptables-nft names a table's COMMIT
        for a rule it refuses there, netcell the rule)"""
        if case.kind == "mixed":
            return
        if case.kind == "nft":
            m = re.search(r"(\S+):(\d+):\d+(?:-\d+)?: Error", werr)
            if not m:
                return
            want = "%s:%s:" % (os.path.basename(m.group(1)), m.group(2))
            if want not in err:
                self.bad("refused-other-line", case, "witness %s, netcell: %s" % (want, err.strip()[:300]))
            return
        m = re.search(r"line:? (\d+)", werr)
        got = re.findall(re.escape(os.path.basename(path)) + r":(\d+):", err)
        if m and not any(int(g) <= int(m.group(1)) for g in got):
            self.bad("refused-other-line", case, "witness line %s, netcell: %s" % (m.group(1), err.strip()[:300]))

    def witness_line(self, case):
        """the FILE:LINE the witness names for the refused copy"""
        path = case.bad_path
        if case.kind == "nft":
            load = "nft -f %s" % sh(path)
        elif case.kind == "mixed":
            # the iptables sections are what was spoilt: their lines are
            # counted from the file's start by bad_ipt
            return case.bad_line, "(iptables section)"
        else:
            load = "%s %s" % ("iptables-restore" if case.kind == "ipt4" else "ip6tables-restore", sh(path))
        rc, out, err = run(UNSHARE + ["sh", "-c", DEV_SETUP + " && " + load])
        if rc == 0:
            return None, "witness loads it"
        m = re.search(re.escape(path) + r":(\d+):", err) or re.search(r"line:? (\d+)", err)
        return (int(m.group(1)) if m else None), err.strip()

    def rejected(self, case, want):
        """a file the kernel or the parser refuses: exit 6, FILE:LINE, nothing changed"""
        path = case.bad_path
        line, werr = self.witness_line(case)
        rc, out, err = self.nc("fw", "apply", self.cell, path)
        if line is None:
            if rc == 0 and werr == "witness loads it":
                return  # the spoilt line was harmless here: nothing to check
            self.bad("bad-witness-no-line", case, werr[:300])
        if rc != 6:
            self.bad("bad-not-exit-6", case, "exit %d: %s" % (rc, err.strip()[:300]))
        elif line is not None and not any(re.search(re.escape(path) + r"(?: \(IPv[46] part\))?:%d[:\s]" % l, err)
                                          for l in (line, case.bad_line)):
            self.bad("bad-no-file-line", case, "wanted %s:%d (witness: %s) in: %s" % (
                path, line, werr.splitlines()[0][:120], err.strip()[:300]))
        if want is not None:
            self.compare(case, want, "bad-changed")

    def restart(self, case, want):
        """kill -9 the keeper; the next command rebuilds: still exact"""
        try:
            with open(os.path.join(os.environ["NETCELL_RUNTIME_DIR"], "keeper.pid")) as f:
                pid = int(f.read().strip())
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, KeyError) as e:
            self.bad("restart-no-keeper", case, str(e))
            return
        for _ in range(100):
            if not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split()[2] == "Z":
                break
            time.sleep(0.02)
        rc, out, err = self.nc("list")
        if rc != 0:
            self.bad("restart-list", case, err)
        self.compare(case, want, "restart")

    def change_includes(self, case):
        """the files CASE included change after its apply: its generation
        must still be what was loaded (rollback, restart)"""
        for f in case.files[1:]:
            with open(f, "a") as fh:
                fh.write("table ip changed_after_apply {\n\tchain c {\n\t\tcounter\n\t}\n}\n")
            with open(os.path.join(os.path.dirname(f), "zz-late.nft"), "w") as fh:
                fh.write("table ip6 added_after_apply {\n}\n")

    def go(self):
        kinds = self.a.kinds.split(",")
        end = time.time() + self.a.seconds
        pair = 0
        rc, _, err = self.nc("create", self.cell, "--uplink", "none")
        if rc != 0:
            print("campaign: cannot create cell %s: %s" % (self.cell, err), file=sys.stderr)
            return 2
        try:
            self.devices()
            while pair < self.a.pairs and time.time() < end:
                pair += 1
                kind = kinds[(pair - 1) % len(kinds)]
                a = self.make(kind, "p%da" % pair)
                b = self.make(kind, "p%db" % pair)
                gen0, _ = self.history_current()
                wa = self.apply_case(a, None if gen0 is None else None)
                if wa is None:
                    continue
                ga, _ = self.history_current()
                wb = self.apply_case(b, wa)
                self.change_includes(a)
                if wb is not None:
                    rc, out, err = self.nc("fw", "rollback", self.cell, str(ga))
                    if rc != 0:
                        self.bad("rollback-refused", a, "exit %d: %s" % (rc, err.strip()[:400]))
                    else:
                        self.compare(a, wa, "rollback")
                if wb is not None and self.a.confirm_every and pair % self.a.confirm_every == 0:
                    # B with --confirm and no confirm: reverted (exit 7),
                    # the cell exactly A again
                    rc, out, err = self.nc("fw", "apply", "--confirm", "1", self.cell, b.main)
                    if rc != 7:
                        self.bad("confirm-not-reverted", b, "exit %d: %s" % (rc, err.strip()[:300]))
                    self.compare(a, wa, "reverted")
                    cur, _ = self.history_current()
                    if cur != ga:
                        self.bad("reverted-history", a, "current %r, wanted %r" % (cur, ga))
                self.rejected(a, wa)
                if self.a.restart_every and pair % self.a.restart_every == 0 and not (a.dev and not ROOT):
                    self.restart(a, wa)
                    self.devices()
        finally:
            self.nc("delete", "--force", self.cell)
            if not self.a.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
        total = sum(self.mismatch.values())
        print("campaign: %d rulesets (%d refused by both), %d mismatches (%s), seed %d, %s" % (
            self.n, self.refused_both, total,
            " ".join("%s=%d" % kv for kv in sorted(self.mismatch.items())) or "none",
            self.a.seed, "root" if ROOT else "user"), flush=True)
        return 1 if total else 0

    def make(self, kind, name):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        if kind == "nft":
            c = gen_nft(self.rng, d, name)
            case = Case("nft", name, c["files"], c["main"], c["dev"])
            case.bad_path, case.bad_line = bad_nft(self.rng, d, c)
        elif kind in ("ipt4", "ipt6"):
            c = gen_ipt(self.rng, d, name, 6 if kind == "ipt6" else 4)
            case = Case(kind, name, c["files"], c["main"])
            case.bad_path, case.bad_line = bad_ipt(self.rng, d, c)
        else:
            c = gen_mixed(self.rng, d, name)
            case = Case("mixed", name, c["files"], c["main"])
            case.parts = c["parts"]
            case.bad_path, case.bad_line = bad_ipt(self.rng, d, c["ipt"], suffix=".rules")
        return case


VIEWS_SCRIPT = ("echo '@@nft'; nft list ruleset; echo '@@v4'; iptables-save 2>/dev/null; "
                "echo '@@v6'; ip6tables-save 2>/dev/null; true")


def split_views(out, strip_own=True):
    """the three views in VIEWS_SCRIPT's output, normalised; strip_own: a
    cell's inet netcell table (netcell's own) left out"""
    parts = {"nft": [], "v4": [], "v6": []}
    cur = None
    for l in out.splitlines():
        if l in ("@@nft", "@@v4", "@@v6"):
            cur = l[2:]
            continue
        if cur:
            parts[cur].append(l)
    v = {"nft": norm_nft("\n".join(parts["nft"]))}
    # the inet netcell table of a root cell is netcell's own, not the user's
    if strip_own:
        v["nft"] = re.sub(r"table inet netcell \{.*?\n\}", "", v["nft"], flags=re.S).strip()
    v["v4"] = norm_ipt("\n".join(parts["v4"]))
    v["v6"] = norm_ipt("\n".join(parts["v6"]))
    return v


def same_but_xt(want, shown):
    """an iptables extension (connlimit...) is listed translated or as
    "xt match NAME" depending on what libxtables loaded first in the
    listing process (the nft program and fw show differ either way): such
    lines may differ, no other"""
    a, b = want.splitlines(), shown.splitlines()
    return len(a) == len(b) and all(x == y or re.search(r"\bxt (match|target) ", x + y) for x, y in zip(a, b))


def sort_tables(text):
    """an nft listing's table blocks in sorted order"""
    blocks = re.findall(r"^table .*?^\}$", text, flags=re.S | re.M)
    return "\n".join(sorted(blocks))


def sh(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cell", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pairs", type=int, default=20, help="pairs of rulesets (2 per pair)")
    p.add_argument("--seconds", type=float, default=150, help="stop starting pairs after this")
    p.add_argument("--kinds", default="nft,ipt4,nft,ipt6,nft,mixed")
    p.add_argument("--restart-every", type=int, default=4)
    p.add_argument("--confirm-every", type=int, default=5, help="every N pairs, B again with --confirm 1, not confirmed")
    p.add_argument("--keep", help="keep the rulesets here")
    p.add_argument("-v", "--verbose", action="store_true")
    sys.exit(Campaign(p.parse_args()).go())


if __name__ == "__main__":
    main()
