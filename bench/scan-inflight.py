#!/usr/bin/env python3
"""Thousands of silent targets in flight at once: `rdpdoctor scan`'s memory.

    bench/scan-inflight.py PATH/TO/rdpdoctor [TARGETS] [JOBS]

Binds TARGETS listening sockets on 127.0.0.2 upwards (ports 40000 up, backlog 1)
that never accept and never answer, so every check waits out its deadline;
scans them all with -j JOBS (default: as many as the open-file limit allows)
and reports wall time, peak RSS and that every target has its line.
"""
import os
import socket
import subprocess
import sys
import tempfile

binary = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
jobs = sys.argv[3] if len(sys.argv) > 3 else "10000"
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
out = subprocess.run(["/usr/bin/time", "-f", "%e s wall, %U s user, %S s system, %M KiB peak RSS", "-o", time_log,
                      binary, "scan", f.name, "-j", jobs, "--jsonl", "--timeout", "5"],
                     capture_output=True, text=True, timeout=600)
lines = out.stdout.splitlines()
print(f"$ rdpdoctor scan LIST -j {jobs} --jsonl --timeout 5   ({count} silent targets)")
print(open(time_log).read().strip())
print(f"{len(lines)} JSON lines for {count} targets; exit status {out.returncode}")
print("\n".join(l for l in out.stderr.splitlines() if "lowered" in l or l.startswith("Scanned") or l.startswith("  ")))
for s in sockets:
    s.close()
