#!/usr/bin/env bash
# `rdpdoctor scan` of at least 1,000 targets beside nmap's rdp-enum-encryption
# over the same list, same run: the testbed's ports (RDP servers, a closed, a
# silent, an HTTP, an SSH-like, TLS-only ports, relays, RD Gateways) on
# 127.0.0.1 and the same ports on 127.0.0.2 upwards, where nothing listens
# (closed). Extra scan options (e.g. --full, --step-timeout 2) go in SCAN_ARGS.
# Usage: [SCAN_ARGS="..."] bench/scan-vs-nmap.sh [HOSTS]   (HOSTS loopback addresses; by default enough for 1,000 targets)
. "$(dirname "$0")/lib.sh"
bin=${RDPDOCTOR_BIN:-$(release_binary)}
ensure_testbed

ports=$(grep -E '^[A-Z0-9_]+=[0-9]+$' scripts/testbed/ports.env | cut -d= -f2 | sort -n | paste -sd, -)
count=$(echo "$ports" | tr ',' '\n' | wc -l)
hosts="${1:-$(( (1000 + count - 1) / count ))}"
read -r -a extra <<< "${SCAN_ARGS:-}"
list=$(mktemp)
for i in $(seq 1 "$hosts"); do echo "127.0.0.$i:$ports"; done > "$list"
echo "## scan of $((hosts * count)) targets: $count ports on 127.0.0.1-127.0.0.$hosts"
echo "\$ rdpdoctor scan LIST --jsonl --quiet ${extra[*]}"
/usr/bin/time -f 'rdpdoctor: %e s wall, %U s user, %S s system, %M KiB peak RSS' \
  "$bin" scan "$list" --jsonl --quiet "${extra[@]}" > /tmp/rdpdoctor-scan.jsonl 2> /tmp/rdpdoctor-scan.err || true
tail -1 /tmp/rdpdoctor-scan.err
sed -n '/^By verdict/,/^$/p' /tmp/rdpdoctor-scan.err
echo "lines: $(wc -l < /tmp/rdpdoctor-scan.jsonl) (one per target)"
echo "\$ nmap -Pn -n -p PORTS --script +rdp-enum-encryption 127.0.0.1-$hosts"
/usr/bin/time -f 'nmap: %e s wall, %U s user, %S s system, %M KiB peak RSS' \
  nmap -Pn -n -p "$ports" --script +rdp-enum-encryption "127.0.0.1-$hosts" > /tmp/nmap-scan.txt 2> /tmp/nmap-scan.err || true
tail -1 /tmp/nmap-scan.err
grep -c "rdp-enum-encryption" /tmp/nmap-scan.txt | sed 's/^/nmap ports with rdp-enum-encryption output: /'
python3 - <<'PY'
import re
ours = float(re.search(r"rdpdoctor: ([\d.]+) s wall", open("/tmp/rdpdoctor-scan.err").read()).group(1))
nmap = float(re.search(r"nmap: ([\d.]+) s wall", open("/tmp/nmap-scan.err").read()).group(1))
print(f"rdpdoctor takes {ours / nmap:.3f} of nmap's wall time ({nmap / ours:.1f}x faster)")
PY
rm -f "$list"
