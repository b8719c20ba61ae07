#!/usr/bin/env bash
# Does weston drop a connection in its setup when another one ends? A real
# xfreerdp connects to the testbed's weston while a plain script (probe.py,
# not rdpdoctor) opens three connections at a random moment of that setup:
# - none:    no other connection (the baseline)
# - close:   each sends the default client's X.224 request and closes on the answer
# - refused: each asks for NLA alone, which weston refuses
# and the xfreerdp session is counted alive or dropped 2 s later.
# Usage: bench/weston-neighbour.sh [TRIES]
. "$(dirname "$0")/lib.sh"
tries=${1:-20}
ensure_testbed
export DISPLAY=":${TESTBED_DISPLAY:-98}"

trial() {  # trial MODE: prints alive or dropped
  local mode=$1 client delay
  timeout 10 xfreerdp /v:127.0.0.1 "/port:$WESTON" /cert:ignore >/dev/null 2>&1 &
  client=$!
  # xfreerdp reaches weston about 0.5 s after it starts; its setup takes about a second.
  delay=$(python3 -c 'import random; print(round(random.uniform(0.3, 1.2), 3))')
  sleep "$delay"
  for _ in 1 2 3; do
    case $mode in
      close) python3 scripts/testbed/probe.py x224 "$WESTON" --protocols 11 >/dev/null 2>&1 || true ;;
      refused) python3 scripts/testbed/probe.py x224 "$WESTON" --protocols 2 >/dev/null 2>&1 || true ;;
    esac
  done
  sleep 2
  if kill -0 "$client" 2>/dev/null; then echo alive; else echo dropped; fi
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
}

echo "| other connections during xfreerdp's setup | sessions dropped |"
echo "|---|---|"
for mode in none close refused; do
  dropped=0
  for _ in $(seq "$tries"); do
    [ "$(trial "$mode")" = dropped ] && dropped=$((dropped + 1))
  done
  echo "| $mode | $dropped of $tries |"
done
