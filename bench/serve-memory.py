#!/usr/bin/env python3
"""serve's resident memory and open descriptors over many probes.

    bench/serve-memory.py PATH/TO/rdpdoctor [PROBES]

PROBES (default 10,000) sequential quick probes, round robin over six testbed
targets (shadow NLA, xrdp, xrdp TLS, shadow TLS, the closed port, a TLS-only
web port); prints RSS and descriptor count five times along the way.
"""
import importlib.util
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts/serve"))
import test_serve  # noqa: E402

spec = importlib.util.spec_from_file_location("bench", os.path.join(ROOT, "bench/serve-vs-blackbox.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

test_serve.BINARY = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
serve = test_serve.Serve("""
concurrency: 8
allow: {networks: [127.0.0.1/32], ports: [33890-33940]}
modules:
  q: {quick: true, timeout: 5s}
""")
ports = [test_serve.PORTS[n] for n in ("SHADOW_NLA", "XRDP_NEGOTIATE", "XRDP_TLS", "SHADOW_TLS", "CLOSED_PORT", "TLS_ONLY_WEB")]
pid = serve.proc.pid
print(f"start: {bench.rss_mib(pid):.1f} MiB, {bench.fds(pid)} fds")
started = time.time()
try:
    for i in range(count):
        bench.get(serve.base + f"/probe?target=127.0.0.1:{ports[i % len(ports)]}&module=q")
        if (i + 1) % (count // 5) == 0:
            print(f"{i + 1} probes: {bench.rss_mib(pid):.1f} MiB, {bench.fds(pid)} fds, {time.time() - started:.0f} s")
finally:
    serve.stop()
