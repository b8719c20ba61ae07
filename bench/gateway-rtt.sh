#!/usr/bin/env bash
# `check --gateway` with round-trip time added, against its longest connection
# chain, through the network lab (scripts/netlab). The testbed's gateway.py
# runs inside the lab's server namespace (10.231.2.1:8443, its channels to the
# lab's xrdp and shadow server beside it); rdpdoctor runs in the client
# namespace, so every packet between them crosses the delaying router and the
# gateway reaches the target without added delay, as a gateway in front of
# its servers does.
#
# The longest connection chain is the longest single connection the check
# made, from its TCP connect to its last answer, taken from the check's own
# JSON: the main tunnel's whole life (gateway.totalMs: TCP, TLS, the 401, the
# NTLM AUTHENTICATE and 101, HANDSHAKE, TUNNEL_CREATE, TUNNEL_AUTH,
# CHANNEL_CREATE, the RDP walk inside, CLOSE_CHANNEL), or any other tunnel's:
# the same gateway steps up to CHANNEL_CREATE (the main tunnel's, same path)
# plus its walk (the probe's totalMs, which starts at CHANNEL_CREATE). Each
# step waits for the one before it, so the chain is a lower bound for any
# plan; the ratio is the check's wall time (observations.totalMs) over it.
# "round trips" is the chain divided by the added RTT.
#
# Usage: bench/gateway-rtt.sh [RUNS] [ONE-WAY-DELAY-MS...]   (root; default 3 runs, 0 and 50 ms)
#   BIN=path/to/rdpdoctor (default: the release build lib.sh makes)
. "$(dirname "$0")/lib.sh"
runs="${1:-3}"
shift || true
delays=("$@")
[ ${#delays[@]} -gt 0 ] || delays=(0 50)
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
bin=${BIN:-$(release_binary)}
. scripts/netlab/netlab.env
lab=${NETLAB_DIR:-$REPO/.netlab}
gw="$NETLAB_SERVER_IP:8443"
export RDPDOCTOR_GATEWAY_PASSWORD=Gateway-Pass-7 RDPDOCTOR_PASSWORD=Correct-Horse-9
trap 'scripts/netlab/down.sh --quiet || true' EXIT

summarise() {  # reads one check's JSON per line: "wall chain"
  python3 -c '
import json, sys
for line in sys.stdin:
    if not line.strip():
        continue
    o = json.loads(line)["observations"]
    g = o["gateway"]
    setup = sum(s["ms"] for s in g["steps"] if s["step"] != "channel")
    chain = max([g["totalMs"]] + [setup + p["totalMs"] for p in o["probes"][1:]])
    print("%.0f %.0f %d" % (o["totalMs"], chain, len(o["probes"])))'
}

printf '| added RTT | target | check --gateway | longest chain | round trips in it | ratio | walks through the gateway |\n|---|---|---|---|---|---|---|\n'
for delay in "${delays[@]}"; do
  scripts/netlab/up.sh --delay-ms "$delay" >/dev/null 2>&1 || { echo "netlab up failed" >&2; exit 1; }
  NETLAB_NS=$NETLAB_SERVER_NS scripts/netlab/exec.sh setsid python3 scripts/testbed/gateway.py healthy 8443 \
    --listen "$NETLAB_SERVER_IP" --target-host "$NETLAB_SERVER_IP" \
    --cert "$lab/certs/server.pem" --key "$lab/certs/server.key" >"$lab/logs/gateway.out" 2>&1 &
  for _ in $(seq 50); do
    scripts/netlab/exec.sh bash -c "exec 3<>/dev/tcp/$NETLAB_SERVER_IP/8443" 2>/dev/null && break
    sleep 0.1
  done
  rtt=$((delay * 2))
  for row in "xrdp:$NETLAB_XRDP_PORT:" "shadow NLA, --user:$NETLAB_SHADOW_NLA_PORT:--user tester"; do
    IFS=: read -r name port extra <<<"$row"
    # shellcheck disable=SC2086
    stats=$(for _ in $(seq "$runs"); do
        { scripts/netlab/exec.sh "$bin" check --json --timeout 30 "$NETLAB_SERVER_IP:$port" --gateway "$gw" \
            --gateway-user gwuser --ca "$lab/certs/server.pem" --insecure $extra || true; } | tr -d '\n'; echo
      done | summarise | python3 -c "
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
wall = statistics.median(r[0] for r in rows); chain = statistics.median(r[1] for r in rows)
trips = f'{chain / $rtt:.1f}' if $rtt else '-'
print(f'{wall:.0f} ms | {chain:.0f} ms | {trips} | {wall / chain:.2f} | {rows[0][2]:.0f}')")
    printf '| %s ms | %s | %s |\n' "$rtt" "$name" "$stats"
  done
  scripts/netlab/down.sh --quiet
done
