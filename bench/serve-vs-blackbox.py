#!/usr/bin/env python3
"""serve under load, and its CPU time per probe beside blackbox_exporter's.

    bench/serve-vs-blackbox.py PATH/TO/rdpdoctor [PROBES]

Same run, same targets (the testbed on 127.0.0.1):
1. CPU time per probe (user+system of the serving process, from /proc) of
   rdpdoctor serve's quick module and of Debian's prometheus-blackbox-exporter's
   `tcp` module with `tls: true`, PROBES sequential probes each (default 300),
   against SHADOW_NLA (RDP: blackbox's TLS handshake fails there, it does not
   speak X.224) and TLS_ONLY_WEB (TLS from the first byte: blackbox succeeds).
2. 200 concurrent quick probes of testbed targets: every answer 200.
3. serve's RSS and open file descriptors before and after the probes.
Prints one table (docs/BENCHMARKS.md records it).
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts/serve"))
import test_serve  # noqa: E402  (Serve, PORTS, free_port)

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def sequential(base, path_for, count):
    statuses = {}
    for i in range(count):
        status, _ = get(base + path_for(i))
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def main():
    binary = os.path.abspath(sys.argv[1])
    probes = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    test_serve.BINARY = binary
    ports = test_serve.PORTS
    serve = test_serve.Serve("""
concurrency: 256
allow:
  networks: [127.0.0.1/32]
  ports: [33890-33940]
modules:
  rdp_quick:
    quick: true
    timeout: 5s
""")
    workdir = tempfile.mkdtemp(prefix="rdpdoctor-blackbox-")
    bb_config = os.path.join(workdir, "blackbox.yml")
    with open(bb_config, "w") as f:
        f.write("modules:\n  tcp_tls:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      tls: true\n"
                "      tls_config:\n        insecure_skip_verify: true\n")
    bb_port = test_serve.free_port()
    blackbox = subprocess.Popen(["prometheus-blackbox-exporter", f"--config.file={bb_config}",
                                 f"--web.listen-address=127.0.0.1:{bb_port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bb_base = f"http://127.0.0.1:{bb_port}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if get(bb_base + "/-/healthy")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    try:
        rows = []
        rss0, fd0 = rss_mib(serve.proc.pid), fds(serve.proc.pid)
        for name in ("SHADOW_NLA", "TLS_ONLY_WEB"):
            target = f"127.0.0.1:{ports[name]}"
            for label, base, pid, query in (
                ("rdpdoctor serve, quick module", serve.base, serve.proc.pid, {"module": "rdp_quick"}),
                ("blackbox_exporter, tcp + tls: true", bb_base, blackbox.pid, {"module": "tcp_tls"}),
            ):
                path = "/probe?" + urllib.parse.urlencode(dict(target=target, **query))
                sequential(base, lambda i: path, 5)  # warm up
                cpu0, wall0 = cpu_seconds(pid), time.time()
                statuses = sequential(base, lambda i: path, probes)
                cpu, wall = cpu_seconds(pid) - cpu0, time.time() - wall0
                _, body = get(base + path)
                success = re.search(r"^probe_success (\S+)", body, re.M)
                rows.append((f"{name} ({target})", label, probes, 1000 * cpu / probes, 1000 * wall / probes,
                             statuses, success.group(1) if success else "?"))
        print(f"{'target':28} {'prober':36} {'probes':>6} {'CPU ms/probe':>12} {'wall ms/probe':>13}  answers  probe_success")
        for target, label, count, cpu, wall, statuses, success in rows:
            print(f"{target:28} {label:36} {count:6} {cpu:12.2f} {wall:13.1f}  {statuses}  {success}")
        for name in ("SHADOW_NLA", "TLS_ONLY_WEB"):
            ours = next(r for r in rows if r[0].startswith(name) and r[1].startswith("rdpdoctor"))
            theirs = next(r for r in rows if r[0].startswith(name) and r[1].startswith("blackbox"))
            print(f"ratio on {name}: rdpdoctor / blackbox CPU per probe = {ours[3] / theirs[3]:.2f}" if theirs[3] else
                  f"ratio on {name}: blackbox CPU below /proc's resolution")

        # 200 concurrent probes over the testbed's RDP variants.
        names = [n for n in ports if n.startswith(("XRDP_", "SHADOW_", "WESTON"))]
        results = []
        lock = threading.Lock()

        def one(i):
            target = f"127.0.0.1:{ports[names[i % len(names)]]}"
            status, body = get(serve.base + "/probe?" + urllib.parse.urlencode(dict(target=target, module="rdp_quick")))
            with lock:
                results.append((status, "probe_success 1" in body))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
        wall0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = sum(1 for s, _ in results if s == 200)
        succeeded = sum(1 for _, s in results if s)
        print(f"200 concurrent quick probes over {len(names)} testbed servers: {ok} answered 200, "
              f"{succeeded} probe_success 1, {time.time() - wall0:.1f} s")
        time.sleep(1)
        print(f"serve RSS {rss0:.1f} MiB -> {rss_mib(serve.proc.pid):.1f} MiB, open fds {fd0} -> {fds(serve.proc.pid)} "
              f"after {2 * (probes + 6) + 200} probes")
    finally:
        blackbox.terminate()
        blackbox.wait(10)
        serve.stop()


if __name__ == "__main__":
    main()
