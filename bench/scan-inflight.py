#!/usr/bin/env python3
"""Thousands of silent targets in flight at once: `rdpdoctor scan`'s memory.

    bench/scan-inflight.py PATH/TO/rdpdoctor [TARGETS] [JOBS] [SCAN OPTIONS...]

Binds TARGETS listening sockets on 127.0.0.2 upwards (ports 40000 up, backlog 1)
that never accept and never answer, so every check waits out its deadline;
scans them all with -j JOBS (default 10000) and the options (default
--timeout 5 --step-timeout 5: each silent target waits the whole 5 s, so all
are in flight together) and reports wall time, peak RSS, the peak of open
descriptors (one socket per check in flight) and that every target has its line.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

binary = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
jobs = sys.argv[3] if len(sys.argv) > 3 else "10000"
options = sys.argv[4:] or ["--timeout", "5", "--step-timeout", "5"]
per_address = 2000
sockets, targets = [], []
for i in range(count):
    host = f"127.0.0.{2 + i // per_address}"
    port = 40000 + i % per_address
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    sockets.append(s)
    targets.append(f"{host}:{port}")
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    f.write("\n".join(targets) + "\n")
time_log = tempfile.mktemp()
out_path, err_path = tempfile.mktemp(), tempfile.mktemp()
with open(out_path, "w") as out, open(err_path, "w") as err:
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%e s wall, %U s user, %S s system, %M KiB peak RSS", "-o", time_log,
                             binary, "scan", f.name, "-j", jobs, "--jsonl"] + options, stdout=out, stderr=err)
    # The scan is time's child: count its descriptors while it runs.
    peak_fds, scan_pid = 0, None
    while proc.poll() is None:
        if scan_pid is None:
            try:
                with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as c:
                    scan_pid = int(c.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        if scan_pid is not None:
            try:
                peak_fds = max(peak_fds, len(os.listdir(f"/proc/{scan_pid}/fd")))
            except OSError:
                pass
        time.sleep(0.05)
lines = open(out_path).read().splitlines()
stderr = open(err_path).read()
print(f"$ rdpdoctor scan LIST -j {jobs} --jsonl {' '.join(options)}   ({count} silent targets)")
print(open(time_log).read().strip())
print(f"peak open descriptors of the scan: {peak_fds}")
print(f"{len(lines)} JSON lines for {count} targets; exit status {proc.returncode}")
print("\n".join(l for l in stderr.splitlines() if "lowered" in l or l.startswith("Scanned") or l.startswith("  ")))
for s in sockets:
    s.close()
