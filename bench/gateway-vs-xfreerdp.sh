#!/usr/bin/env bash
# `rdpdoctor check --gateway` beside `xfreerdp /g: … +auth-only` through the
# same loopback RD Gateway (the testbed's gateway.py, GW_HEALTHY) to the same
# target, in the same run. Both walk the gateway (TLS, NTLM over HTTP, the
# WebSocket, the tunnel, the channel) and then RDP inside it; xfreerdp also
# authenticates on the target (NLA), so the second pair gives rdpdoctor the
# account too (--user, through the same gateway).
# Usage: bench/gateway-vs-xfreerdp.sh [RUNS]
#   BIN=path/to/rdpdoctor (default: a release build in $SCRATCH, .build-bench)
#   needs hyperfine, xfreerdp and a running testbed (it is never started here).
. "$(dirname "$0")/lib.sh"
runs="${1:-10}"
scratch="${SCRATCH:-.build-bench}"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product rdpdoctor --scratch-path "$scratch" >/dev/null
  BIN="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/rdpdoctor"
fi
state=${TESTBED_DIR:-$REPO/.testbed}
for port in "$GW_HEALTHY" "$XRDP_NEGOTIATE" "$SHADOW_NLA"; do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null || { echo "127.0.0.1:$port does not answer: start the testbed first" >&2; exit 1; }
done
export RDPDOCTOR_GATEWAY_PASSWORD=Gateway-Pass-7 RDPDOCTOR_PASSWORD=Correct-Horse-9
export DISPLAY=:${TESTBED_DISPLAY:-98}
gw="127.0.0.1:$GW_HEALTHY"
ca="$state/ca.pem"
xf="xfreerdp /g:$gw /gu:gwuser /gp:Gateway-Pass-7 /gt:http /cert:ignore +auth-only /u:tester /p:Correct-Horse-9"

set +e +o pipefail   # the exit codes are part of what is compared
echo "## what each reports (target SHADOW_NLA through $gw)"
"$BIN" check "127.0.0.1:$SHADOW_NLA" --gateway "$gw" --gateway-user gwuser --ca "$ca" | sed -n 2p
echo "rdpdoctor exit ${PIPESTATUS[0]}"
$xf "/v:127.0.0.1:$SHADOW_NLA" >/tmp/rdpdoctor-gw-xfreerdp.log 2>&1; echo "xfreerdp exit $?"

bench() {  # label, rdpdoctor command, xfreerdp command
  echo "## $1"
  hyperfine --runs "$runs" --warmup 1 -N --ignore-failure --export-json /tmp/rdpdoctor-gw.json "$2" "$3"
  python3 - <<'PY'
import json
r = json.load(open("/tmp/rdpdoctor-gw.json"))["results"]
ours, peer = r[0]["mean"], r[1]["mean"]
print(f"rdpdoctor {ours*1000:.0f} ms ± {r[0]['stddev']*1000:.0f}, xfreerdp {peer*1000:.0f} ms ± {r[1]['stddev']*1000:.0f}: ratio {ours/peer:.3f}")
PY
}
bench "xrdp through the gateway: check --gateway vs xfreerdp +auth-only" \
  "$BIN check 127.0.0.1:$XRDP_NEGOTIATE --gateway $gw --gateway-user gwuser --ca $ca" \
  "$xf /v:127.0.0.1:$XRDP_NEGOTIATE"
bench "shadow NLA server through the gateway, both with the target account" \
  "$BIN check 127.0.0.1:$SHADOW_NLA --gateway $gw --gateway-user gwuser --ca $ca --user tester --insecure" \
  "$xf /v:127.0.0.1:$SHADOW_NLA"
# What the target server itself spends per run (its CPU time, from /proc): the
# shadow server burns about 40 ms of CPU on every connection it accepts, before
# it answers anything, and serves one at a time, so a check's connections to it
# set a floor under the check's wall time that no plan on our side removes.
shadow_pid=$(pgrep -f "^freerdp-shadow-cli .*/port:$SHADOW_NLA( |$)" | head -1 || true)
server_cpu() {  # runs, command...: the shadow server's CPU ms per run
  local runs=$1 before after; shift
  before=$(awk '{print $14 + $15}' "/proc/$shadow_pid/stat")
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  after=$(awk '{print $14 + $15}' "/proc/$shadow_pid/stat")
  echo $(( (after - before) * 1000 / $(getconf CLK_TCK) / runs ))
}
if [ -n "$shadow_pid" ]; then
  echo "## CPU the shadow server spends per run (ms, mean of 5)"
  # shellcheck disable=SC2086
  echo "rdpdoctor check --gateway --user: $(server_cpu 5 "$BIN" check "127.0.0.1:$SHADOW_NLA" --gateway "$gw" --gateway-user gwuser --ca "$ca" --user tester --insecure)"
  # shellcheck disable=SC2086
  echo "xfreerdp +auth-only: $(server_cpu 5 $xf "/v:127.0.0.1:$SHADOW_NLA")"
  echo "one bare TCP connect: $(server_cpu 5 python3 -c "import socket, time; s = socket.create_connection(('127.0.0.1', $SHADOW_NLA)); time.sleep(0.2)")"
fi
echo "## peak resident memory of one check --gateway (KiB, max of 5 runs)"
echo "$(peak_rss 5 "$BIN" check "127.0.0.1:$SHADOW_NLA" --gateway "$gw" --gateway-user gwuser --ca "$ca")"
