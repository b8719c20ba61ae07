#!/usr/bin/env bash
# `rdpdoctor check` against the loopback xrdp, beside nmap's RDP scripts on the
# same server in the same run; and rdpdoctor's peak memory.
# Usage: bench/check-vs-nmap.sh [RUNS]      (needs root for apt; hyperfine)
. "$(dirname "$0")/lib.sh"
runs="${1:-10}"
bin=$(release_binary)
ensure_testbed

echo "## check of xrdp (127.0.0.1:$XRDP_NEGOTIATE) vs nmap rdp-enum-encryption + rdp-ntlm-info"
hyperfine --runs "$runs" --warmup 1 -N --ignore-failure --export-json /tmp/rdpdoctor-check-vs-nmap.json \
  "$bin check 127.0.0.1:$XRDP_NEGOTIATE" \
  "nmap -Pn -p $XRDP_NEGOTIATE --script +rdp-enum-encryption,+rdp-ntlm-info 127.0.0.1"
python3 - <<'PY'
import json
r = json.load(open("/tmp/rdpdoctor-check-vs-nmap.json"))["results"]
ours, nmap = r[0]["mean"], r[1]["mean"]
print(f"rdpdoctor {ours*1000:.0f} ms, nmap {nmap*1000:.0f} ms: rdpdoctor takes {ours/nmap:.3f} of nmap's time ({nmap/ours:.1f}x faster)")
PY

echo "## check of the FreeRDP shadow server with NLA (127.0.0.1:$SHADOW_NLA)"
hyperfine --runs "$runs" --warmup 1 -N --ignore-failure \
  "$bin check 127.0.0.1:$SHADOW_NLA" \
  "nmap -Pn -p $SHADOW_NLA --script +rdp-enum-encryption,+rdp-ntlm-info 127.0.0.1"

echo "## peak resident memory of one check (KiB, max of 5 runs)"
echo "xrdp:   $(peak_rss 5 "$bin" check "127.0.0.1:$XRDP_NEGOTIATE")"
echo "shadow: $(peak_rss 5 "$bin" check "127.0.0.1:$SHADOW_NLA")"
