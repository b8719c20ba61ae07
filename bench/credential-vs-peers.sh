#!/usr/bin/env bash
# A credential check (NLA) with rdpdoctor beside impacket's rdp_check.py and
# `xfreerdp /auth-only`, all against one FreeRDP shadow server on
# 127.0.0.1:3389 (rdp_check.py cannot use another port), in the same run.
# Also records what each tool says for a good and a wrong password.
# Usage: bench/credential-vs-peers.sh [RUNS]   (root; installs impacket in /tmp/impacket-venv)
. "$(dirname "$0")/lib.sh"
runs="${1:-10}"
bin=$(release_binary)
ensure_testbed
state=${TESTBED_DIR:-$REPO/.testbed}
user=tester
password=Correct-Horse-9

[ -x /tmp/impacket-venv/bin/rdp_check.py ] || {
  python3 -m venv /tmp/impacket-venv && /tmp/impacket-venv/bin/pip install -q impacket
}
rdp_check=/tmp/impacket-venv/bin/rdp_check.py

if (exec 3<>/dev/tcp/127.0.0.1/3389) 2>/dev/null; then
  echo "127.0.0.1:3389 is taken; stop what listens there first" >&2; exit 1
fi
HOME="$state/shadow-home" DISPLAY=:${TESTBED_DISPLAY:-98} setsid freerdp-shadow-cli \
  /bind-address:127.0.0.1 /port:3389 /sec:nla "/sam-file:$state/sam" >"$state/logs/bench-shadow.log" 2>&1 &
shadow=$!
trap 'kill -- -$shadow 2>/dev/null || kill $shadow 2>/dev/null; scripts/testbed/stop.sh >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/3389) 2>/dev/null && break; sleep 0.1; done

export RDPDOCTOR_PASSWORD=$password
set +e +o pipefail   # the tools' exit codes are what is being compared
echo "## good password: what each tool reports"
"$bin" check --quick 127.0.0.1:3389 --user "$user" --insecure | sed -n 2p; echo "rdpdoctor exit ${PIPESTATUS[0]}"
"$rdp_check" "$user:$password@127.0.0.1" 2>&1 | tail -1; echo "rdp_check.py exit ${PIPESTATUS[0]}"
DISPLAY=:${TESTBED_DISPLAY:-98} timeout 10 xfreerdp /v:127.0.0.1:3389 "/u:$user" "/p:$password" /cert:ignore /auth-only >/dev/null 2>&1; echo "xfreerdp exit $?"
echo "## wrong password"
RDPDOCTOR_PASSWORD=wrong "$bin" check --quick 127.0.0.1:3389 --user "$user" --insecure | sed -n 2p; echo "rdpdoctor exit ${PIPESTATUS[0]}"
"$rdp_check" "$user:wrong@127.0.0.1" 2>&1 | tail -1; echo "rdp_check.py exit ${PIPESTATUS[0]}"
DISPLAY=:${TESTBED_DISPLAY:-98} timeout 10 xfreerdp /v:127.0.0.1:3389 "/u:$user" /p:wrong /cert:ignore /auth-only >/dev/null 2>&1; echo "xfreerdp exit $?"

echo "## wall time, good password, same server"
DISPLAY=:${TESTBED_DISPLAY:-98} hyperfine --runs "$runs" --warmup 1 -N --ignore-failure --export-json /tmp/rdpdoctor-cred.json \
  "$bin check --quick 127.0.0.1:3389 --user $user --insecure" \
  "$rdp_check $user:$password@127.0.0.1" \
  "xfreerdp /v:127.0.0.1:3389 /u:$user /p:$password /cert:ignore /auth-only"
python3 - <<'PY'
import json
r = json.load(open("/tmp/rdpdoctor-cred.json"))["results"]
ours = r[0]["mean"]
for peer in r[1:]:
    print(f"rdpdoctor {ours*1000:.0f} ms vs {peer['command'].split()[0].rsplit('/',1)[-1]} {peer['mean']*1000:.0f} ms: ratio {ours/peer['mean']:.3f}")
PY
