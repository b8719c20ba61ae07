#!/usr/bin/env bash
# `rdpdoctor analyze` against `tshark -Y rdp` on the same large capture, same
# run: throughput and peak memory. The capture is built from real traffic:
# dumpcap records checks against the loopback xrdp, then editcap shifts copies
# of it in time and mergecap joins them until the file is SIZE_MB large.
# Usage: bench/analyze-vs-tshark.sh [SIZE_MB]     (default 500; needs root for dumpcap)
. "$(dirname "$0")/lib.sh"
size_mb="${1:-500}"
bin=$(release_binary)
ensure_testbed
work=$(mktemp -d /tmp/rdpdoctor-bench-capture.XXXXXX)

# One seed: ten full checks of xrdp and of the NLA shadow server, on the wire.
dumpcap -q -i lo -f "tcp port $XRDP_NEGOTIATE or tcp port $SHADOW_NLA" -w "$work/seed.pcapng" 2>/dev/null &
capture=$!
sleep 1
for _ in $(seq 10); do
  "$bin" check "127.0.0.1:$XRDP_NEGOTIATE" >/dev/null || true
  "$bin" check "127.0.0.1:$SHADOW_NLA" >/dev/null || true
done
sleep 0.5; kill -INT "$capture"; wait "$capture" || true
editcap -F pcap "$work/seed.pcapng" "$work/copy-0000.pcap"
seed_bytes=$(stat -c %s "$work/copy-0000.pcap")
copies=$(( size_mb * 1024 * 1024 / seed_bytes + 1 ))
echo "seed: $seed_bytes bytes; $copies copies, each shifted one hour"
for i in $(seq 1 $(( copies - 1 ))); do
  editcap -t $(( i * 3600 )) "$work/copy-0000.pcap" "$work/copy-$(printf %04d "$i").pcap"
done
mergecap -a -F pcap -w "$work/big.pcap" "$work"/copy-*.pcap
rm -f "$work"/copy-*.pcap
file_mb=$(( $(stat -c %s "$work/big.pcap") / 1024 / 1024 ))
echo "## $file_mb MiB capture: rdpdoctor analyze --json vs tshark -Y rdp (decode-as tpkt on both ports)"
cat "$work/big.pcap" >/dev/null  # both start from the page cache
hyperfine --runs 3 -N --ignore-failure --export-json "$work/times.json" \
  "$bin analyze --json $work/big.pcap" \
  "tshark -r $work/big.pcap -d tcp.port==$XRDP_NEGOTIATE,tpkt -d tcp.port==$SHADOW_NLA,tpkt -Y rdp"
python3 - "$work/times.json" "$file_mb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
mb = float(sys.argv[2])
ours, theirs = r[0]["mean"], r[1]["mean"]
print(f"rdpdoctor {ours:.2f} s ({mb/ours:.0f} MiB/s), tshark {theirs:.2f} s ({mb/theirs:.0f} MiB/s): rdpdoctor is {theirs/ours:.1f}x tshark's throughput")
PY
echo "## peak resident memory (KiB)"
echo "rdpdoctor: $(peak_rss 1 "$bin" analyze --json "$work/big.pcap")"
echo "tshark:    $(peak_rss 1 tshark -r "$work/big.pcap" -d tcp.port==$XRDP_NEGOTIATE,tpkt -Y rdp)"
rm -rf "$work"
