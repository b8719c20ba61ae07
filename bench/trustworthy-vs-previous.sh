#!/usr/bin/env bash
# The cases of the issue "Trustworthy on servers we never met", run with an
# earlier rdpdoctor binary and with this one on the same testbed, in the same
# run: each verdict line, the wall time, whether a real xfreerdp connecting
# meanwhile got its session, and whether an NTLM AUTHENTICATE reached the man
# in the middle.
# Usage: bench/trustworthy-vs-previous.sh OLD_BINARY [ROUNDS]
#   (an earlier release build, e.g. from `git worktree add /tmp/old COMMIT`)
. "$(dirname "$0")/lib.sh"
old=${1:?usage: bench/trustworthy-vs-previous.sh OLD_BINARY [ROUNDS]}
rounds=${2:-10}
new=$(release_binary)
ensure_testbed
export DISPLAY=":${TESTBED_DISPLAY:-98}"
mitm_log=${TESTBED_DIR:-$REPO/.testbed}/logs/mitm-ntlm.log
real_pin=$(openssl x509 -in "${TESTBED_DIR:-$REPO/.testbed}/certs/selfsigned.pem" -noout -fingerprint -sha256 | cut -d= -f2)

verdict() {  # verdict BIN ARGS... : the verdict line and the wall time
  local bin=$1; shift
  local start end line
  start=$(date +%s%N)
  line=$({ RDPDOCTOR_PASSWORD=Correct-Horse-9 "$bin" check "$@" 2>&1 || true; } | sed -n 2p)
  end=$(date +%s%N)
  printf '%6d ms  %s\n' $(((end - start) / 1000000)) "$line"
}

for which in old new; do
  bin=$old; [ "$which" = new ] && bin=$new
  echo "=============== $which: $bin"
  echo "## weston, $rounds full checks: distinct verdict lines"
  for _ in $(seq "$rounds"); do { "$bin" check "127.0.0.1:$WESTON" 2>/dev/null || true; } | sed -n 2p; done | sort | uniq -c
  echo "## weston: a real xfreerdp connecting while checks run ($rounds tries)"
  ok=0
  for _ in $(seq "$rounds"); do
    ( for _ in 1 2 3; do "$bin" check "127.0.0.1:$WESTON" >/dev/null 2>&1; done ) &
    checks=$!
    sleep 0.05
    timeout 8 xfreerdp /v:127.0.0.1 "/port:$WESTON" /cert:ignore >/tmp/rdpdoctor-xf.log 2>&1 &
    client=$!
    sleep 3
    if kill -0 "$client" 2>/dev/null; then ok=$((ok + 1)); fi
    kill "$client" 2>/dev/null || true
    wait "$checks" 2>/dev/null || true
    wait "$client" 2>/dev/null || true
  done
  echo "sessions alive after 3 s: $ok of $rounds"
  echo "## single-threaded relay, --timeout 30";   verdict "$bin" "127.0.0.1:$SLOW_SINGLE" --timeout 30
  echo "## slow path (replies 1.5 s late), --timeout 20"; verdict "$bin" "127.0.0.1:$DELAY_PROXY" --timeout 20
  echo "## slow path, --timeout 10";  verdict "$bin" "127.0.0.1:$DELAY_PROXY" --timeout 10
  echo "## TLS-first web server";     verdict "$bin" "127.0.0.1:$TLS_ONLY_WEB"
  echo "## TLS-first RD Gateway";     verdict "$bin" "127.0.0.1:$TLS_ONLY_GATEWAY"
  echo "## SSH greeting";             verdict "$bin" "127.0.0.1:$SSH_LIKE_PORT"
  echo "## man in the middle, --user --logon --cert-sha256 (the real server's)"
  before=$(grep -c '^AUTHENTICATE' "$mitm_log" 2>/dev/null || true)
  verdict "$bin" "127.0.0.1:$MITM_NLA" --user tester --logon --cert-sha256 "$real_pin"
  echo "## man in the middle, --user (no pin)"
  verdict "$bin" "127.0.0.1:$MITM_NLA" --user tester
  after=$(grep -c '^AUTHENTICATE' "$mitm_log" 2>/dev/null || true)
  echo "NTLM AUTHENTICATE messages the man in the middle received: $((after - before))"
  echo "## test-CA certificate without --ca (its issuer is not sent)"
  { "$bin" check localhost:"$XRDP_TESTCA" 2>/dev/null || true; } | grep -A4 -E 'not trusted|issued its own' | grep -E 'fix:' | head -1 || true
  echo "## loopback xrdp: wall time of 5 checks"
  start=$(date +%s%N); for _ in 1 2 3 4 5; do "$bin" check "127.0.0.1:$XRDP_NEGOTIATE" >/dev/null 2>&1 || true; done
  echo "$(( ($(date +%s%N) - start) / 5000000 )) ms per check"
done
