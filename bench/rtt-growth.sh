#!/usr/bin/env bash
# How the check's wall time grows with round-trip time, beside xfreerdp
# /auth-only, through the network lab (scripts/netlab) with 0, 50, 100 and
# 200 ms of added RTT. Also checks that the probes really overlap: the
# check's wall time against its longest single connection chain.
# Usage: bench/rtt-growth.sh [RUNS]     (root; xfreerdp from freerdp2-x11)
. "$(dirname "$0")/lib.sh"
runs="${1:-5}"
bin=$(release_binary)
scripts/testbed/install.sh --peers >/dev/null
# xfreerdp needs an X display inside the client namespace (abstract X sockets
# do not cross network namespaces).
display=:95
trap 'pkill -f "Xvfb $display" || true; scripts/netlab/down.sh --quiet || true' EXIT

printf '| added RTT | rdpdoctor check (xrdp) | longest chain | ratio | rdpdoctor check --user (shadow NLA) | xfreerdp /auth-only (shadow NLA) |\n|---|---|---|---|---|---|\n'
for delay in 0 25 50 100; do
  scripts/netlab/up.sh --delay-ms "$delay" >/dev/null 2>&1
  (scripts/netlab/exec.sh setsid Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp -noreset >/dev/null 2>&1 &)
  sleep 1
  # The check of xrdp, and the overlap of its probes.
  overlap=$(for _ in $(seq "$runs"); do
      { scripts/netlab/exec.sh "$bin" check --json --timeout 10 10.231.2.1 || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)["observations"]
print(d["totalMs"], max(p["totalMs"] for p in d["probes"]))'
    done | python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
total = statistics.median(r[0] for r in rows); chain = statistics.median(r[1] for r in rows)
print(f"{total:.0f} ms | {chain:.0f} ms | {total/chain:.2f}")')
  export RDPDOCTOR_PASSWORD=Correct-Horse-9
  hyperfine -N --runs "$runs" --warmup 1 --ignore-failure --export-json /tmp/rtt-$delay.json \
    "scripts/netlab/exec.sh $bin check --timeout 10 10.231.2.1:3390 --user tester --insecure" \
    "scripts/netlab/exec.sh env DISPLAY=$display xfreerdp /v:10.231.2.1:3390 /u:tester /p:Correct-Horse-9 /cert:ignore /auth-only" >/dev/null 2>&1
  read -r ours peer < <(python3 -c "
import json; r=json.load(open('/tmp/rtt-$delay.json'))['results']
print(f\"{r[0]['mean']*1000:.0f} {r[1]['mean']*1000:.0f}\")")
  printf '| %s ms | %s | %s ms | %s ms |\n' "$((delay * 2))" "$overlap" "$ours" "$peer"
  pkill -f "Xvfb $display" || true
  scripts/netlab/down.sh --quiet
done
