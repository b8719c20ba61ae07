#!/usr/bin/env python3
"""Measure every fault of the rdpdoctor network lab and check it does what it says.

    python3 scripts/netlab/verify.py [NAME ...]

For each case it runs up.sh with the case's options, measures from inside
rdpd-client (lab.py: ICMP ping, TCP connect timing, X.224 + TLS), checks the
numbers against the expectation and prints one Markdown table row per
measurement. It runs down.sh at the end (also on failure or Ctrl-C). Every
step has a timeout; the whole run takes about a minute. Exit 1 if a check
fails. Cases: baseline delay jitter loss loss-to-client mtu reset-x224
reset-tls drop-port delay-reset-tls cleanup.
"""

import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = [sys.executable, os.path.join(HERE, "lab.py")]
SERVER = "10.231.2.1"
RESULTS = []
FAILED = []


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as exc:
        return 124, "TIMEOUT after %ss: %s" % (timeout, (exc.stdout or b"")[-500:])


def up(*opts):
    rc, out = run([os.path.join(HERE, "up.sh")] + list(opts), 120)
    if rc != 0:
        raise RuntimeError("up.sh %s failed:\n%s" % (" ".join(opts), out))


def client(*args, timeout=60):
    return run([os.path.join(HERE, "exec.sh")] + LAB + list(args), timeout)


def record(case, what, measured, ok, expect):
    RESULTS.append((case, what, measured, expect, "PASS" if ok else "FAIL"))
    if not ok:
        FAILED.append("%s: %s: %s (expected %s)" % (case, what, measured, expect))
    print("%-16s %-44s %-4s %s  [expect %s]" % (case, what, "ok" if ok else "FAIL", measured,
                                                 expect), flush=True)


def ping_stats(out):
    m = re.search(r"(\d+) sent, (\d+) received, ([\d.]+)% loss(?:, rtt min/avg/max/mdev = "
                  r"([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms)?", out)
    if not m:
        return None
    vals = [float(x) if x else None for x in m.groups()]
    return dict(zip(["sent", "recv", "loss", "min", "avg", "max", "mdev"], vals))


def fmt_rtt(s):
    return "rtt min/avg/max/mdev %.1f/%.1f/%.1f/%.1f ms" % (s["min"], s["avg"], s["max"], s["mdev"])


def line(out, prefix):
    for ln in out.splitlines():
        if ln.startswith(prefix):
            return ln
    return "(no %s line) %s" % (prefix.strip(), out.strip()[-200:])


# ------------------------------------------------------------------ cases
def case_baseline():
    up("--no-rdp")
    _, out = client("ping", SERVER, "-c", "50", "-i", "0.01")
    s = ping_stats(out)
    record("baseline", "ping x50", s and fmt_rtt(s), bool(s and s["loss"] == 0 and s["avg"] < 5),
           "0% loss, avg < 5 ms")
    _, out = client("tcping", SERVER, "8081", "-c", "20")
    s = ping_stats(out.replace("failed", "loss"))
    record("baseline", "TCP connect x20 (echo :8081)", s and fmt_rtt(s),
           bool(s and s["recv"] == 20 and s["avg"] < 5), "all connect, avg < 5 ms")


def case_delay():
    up("--no-rdp", "--delay-ms", "50")
    _, out = client("ping", SERVER, "-c", "50", "-i", "0.02", "-W", "2")
    s = ping_stats(out)
    record("delay 50", "ping x50", s and fmt_rtt(s),
           bool(s and s["recv"] == 50 and 80 <= s["avg"] <= 120), "avg 100 ms +-20%")
    _, out = client("tcping", SERVER, "8081", "-c", "10")
    s = ping_stats(out.replace("failed", "loss"))
    record("delay 50", "TCP connect x10", s and fmt_rtt(s),
           bool(s and s["recv"] == 10 and 80 <= s["avg"] <= 120), "avg 100 ms +-20%")


def case_jitter():
    up("--no-rdp", "--delay-ms", "25", "--jitter-ms", "10")
    _, out = client("ping", SERVER, "-c", "200", "-i", "0.01", "-W", "2")
    s = ping_stats(out)
    # two independent uniform(-10,10) ms terms: RTT in 30..70 ms, sd 8.2 ms
    record("delay 25 jit 10", "ping x200 (10 ms apart)", s and fmt_rtt(s),
           bool(s and s["recv"] == 200 and 40 <= s["avg"] <= 65 and s["mdev"] >= 4
                and s["min"] >= 28 and s["max"] <= 80), "avg ~50, mdev >= 4, 30..70 ms")


def case_loss():
    up("--no-rdp", "--loss", "0.1")
    _, out = client("ping", SERVER, "-c", "400", "-i", "0.005", "-W", "1")
    s = ping_stats(out)
    # both directions: a round trip survives with 0.9^2, i.e. 19% loss
    record("loss 0.1 both", "ping x400: round-trip loss", s and "%.1f%%" % s["loss"],
           bool(s and 12 <= s["loss"] <= 27), "19% (1-0.9^2), 12..27")


def case_loss_to_client():
    up("--no-rdp", "--loss", "0.1", "--loss-dir", "to-client")
    _, out = client("ping", SERVER, "-c", "400", "-i", "0.005", "-W", "1")
    s = ping_stats(out)
    record("loss 0.1 to-client", "ping x400: round-trip loss", s and "%.1f%%" % s["loss"],
           bool(s and 5 <= s["loss"] <= 16), "10%, 5..16")


def case_mtu():
    up("--mtu-blackhole", "1280")
    for port in ("3389", "3390"):
        _, out = client("tls", SERVER, port, "-W", "3", timeout=30)
        x, t = line(out, "x224:"), line(out, "tls:")
        record("mtu 1280", "X.224 + TLS :%s" % port, "%s | %s" % (x, t),
               x.startswith("x224: selected") and t.startswith("tls: timeout"),
               "X.224 ok, TLS times out")
    _, out = client("ping", SERVER, "-c", "3", "-s", "1200", "-W", "1")
    s = ping_stats(out)
    record("mtu 1280", "ping 1228-byte packets", s and "%d/%d" % (s["recv"], s["sent"]),
           bool(s and s["recv"] == 3), "all answered")


def case_reset_x224():
    up("--reset-after-x224")
    for port in ("3389", "3390"):
        _, out = client("tls", SERVER, port, "-W", "3", timeout=30)
        x, t = line(out, "x224:"), line(out, "tls:")
        record("reset-after-x224", "X.224 + TLS :%s" % port, "%s | %s" % (x, t),
               x.startswith("x224: selected") and t.startswith("tls: ECONNRESET")
               and "received: none" in t, "X.224 ok, ECONNRESET before ServerHello")
    time.sleep(0.3)
    rc, out = run(["ip", "netns", "exec", "rdpd-server", "ss", "-tnH", "state", "established",
                   "( sport = :3389 or sport = :3390 )"], 10)
    n = len([ln for ln in out.splitlines() if ln.strip()])
    record("reset-after-x224", "server connections left open", str(n), n == 0, "0 (server reset too)")


def case_reset_tls():
    up("--reset-during-tls")
    for port in ("3389", "3390"):
        for maxv in ("TLSv1.3", "TLSv1.2"):
            _, out = client("tls", SERVER, port, "-W", "3", "--max-tls", maxv, timeout=30)
            x, t = line(out, "x224:"), line(out, "tls:")
            record("reset-during-tls", "X.224 + %s :%s" % (maxv, port), "%s | %s" % (x, t),
                   x.startswith("x224: selected") and t.startswith("tls: ECONNRESET")
                   and "SERVER_HELLO" in t, "ECONNRESET after ServerHello")
    time.sleep(0.3)
    rc, out = run(["ip", "netns", "exec", "rdpd-server", "ss", "-tnH", "state", "established",
                   "( sport = :3389 or sport = :3390 )"], 10)
    n = len([ln for ln in out.splitlines() if ln.strip()])
    record("reset-during-tls", "server connections left open", str(n), n == 0, "0 (server reset too)")


def case_delay_reset_tls():
    up("--reset-during-tls", "--delay-ms", "50")
    _, out = client("tls", SERVER, "3389", "-W", "3", timeout=30)
    c, t = line(out, "connect:"), line(out, "tls:")
    m = re.search(r"after ([\d.]+) ms", t)
    record("delay50+reset-tls", "connect / TLS :3389", "%s | %s" % (c, t),
           bool(t.startswith("tls: ECONNRESET") and m and 80 <= float(m.group(1)) <= 140),
           "reset ~1 RTT (100 ms) into TLS")


def case_drop_port():
    up("--drop-port", "3389", "--no-rdp")
    _, out = client("tcping", SERVER, "3389", "-c", "1", "-W", "2")
    record("drop-port 3389", "TCP connect :3389", line(out, "tcping"), "timeout=1" in out,
           "timeout")
    _, out = client("tcping", SERVER, "8081", "-c", "1", "-W", "2")
    record("drop-port 3389", "TCP connect :8081", line(out, "tcping"), "connected=1" in out,
           "connects")
    _, out = client("tcping", SERVER, "3391", "-c", "1", "-W", "2")
    record("drop-port 3389", "TCP connect :3391 (closed)", line(out, "tcping"),
           "ECONNREFUSED=1" in out, "refused")


def case_cleanup():
    rc, out = run([os.path.join(HERE, "down.sh")], 60)
    _, ns = run(["ip", "netns", "list"], 10)
    left_ns = [ln.split()[0] for ln in ns.splitlines() if ln.startswith("rdpd-")]
    _, ps = run(["ps", "-eo", "pid,args"], 10)
    marks = ("lab.py serve", "relay.py", ".netlab/xrdp/", "Xvfb :97 ",
             "/bind-address:10.231.")
    left_ps = [ln for ln in ps.splitlines() if any(m in ln for m in marks)]
    record("cleanup", "down.sh", "rc=%d ns=%s procs=%d" % (rc, left_ns or "none", len(left_ps)),
           rc == 0 and not left_ns and not left_ps, "rc 0, no rdpd-* ns, no lab process")
    rc2, _ = run([os.path.join(HERE, "down.sh")], 60)
    record("cleanup", "down.sh again (idempotent)", "rc=%d" % rc2, rc2 == 0, "rc 0")


CASES = [("baseline", case_baseline), ("delay", case_delay), ("jitter", case_jitter),
         ("loss", case_loss), ("loss-to-client", case_loss_to_client), ("mtu", case_mtu),
         ("reset-x224", case_reset_x224), ("reset-tls", case_reset_tls),
         ("delay-reset-tls", case_delay_reset_tls), ("drop-port", case_drop_port),
         ("cleanup", case_cleanup)]


def main():
    if os.geteuid() != 0:
        sys.exit("verify.py: must run as root")
    names = sys.argv[1:]
    t0 = time.monotonic()
    try:
        for name, fn in CASES:
            if names and name not in names and name != "cleanup":
                continue
            try:
                fn()
            except RuntimeError as exc:
                record(name, "up.sh", str(exc).splitlines()[0], False, "lab comes up")
                print(exc, file=sys.stderr)
    finally:
        run([os.path.join(HERE, "down.sh"), "--quiet"], 60)
    print()
    print("| case | measurement | result | expected | |")
    print("|---|---|---|---|---|")
    for row in RESULTS:
        print("| %s |" % " | ".join(str(x).replace("|", "\\|") for x in row))
    print("\n%d checks, %d failed, %.0f s" % (len(RESULTS), len(FAILED), time.monotonic() - t0))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
