#!/usr/bin/env bash
# `rdpdoctor analyze` against `tshark -Y rdp` on the same large capture, same
# run: throughput and peak memory. The capture is built from real traffic:
# dumpcap records checks against the loopback xrdp, then editcap shifts copies
# of it in time and mergecap joins them until the file is SIZE_MB large.
# Each check also writes its own --capture file; the TLS keys in their
# Decryption Secrets Blocks, taken out as one key log, decrypt every
# copy (the copies keep their client randoms), so the same file is read a
# second time with keys by both tools.
# Usage: [SCRATCH=.build-x] bench/analyze-vs-tshark.sh [SIZE_MB]     (default 500; needs root for dumpcap)
. "$(dirname "$0")/lib.sh"
size_mb="${1:-500}"
bin=$(release_binary)
ensure_testbed
work=$(mktemp -d /tmp/rdpdoctor-bench-capture.XXXXXX)

# One seed: ten full checks of xrdp and of the NLA shadow server, on the wire.
dumpcap -q -i lo -f "tcp port $XRDP_NEGOTIATE or tcp port $SHADOW_NLA" -w "$work/seed.pcapng" 2>/dev/null &
capture=$!
sleep 1
for i in $(seq 10); do
  "$bin" check "127.0.0.1:$XRDP_NEGOTIATE" --capture "$work/own-xrdp-$i.pcapng" >/dev/null || true
  "$bin" check "127.0.0.1:$SHADOW_NLA" --capture "$work/own-shadow-$i.pcapng" >/dev/null || true
done
sleep 0.5; kill -INT "$capture"; wait "$capture" || true
# The key log text of each file's TLSK Decryption Secrets Blocks (pcapng block
# type 0x0A, secrets type 0x544c534b), as rdpdoctor writes them (little-endian).
python3 - "$work"/own-*.pcapng > "$work/keys.txt" <<'PY'
import struct, sys
for path in sys.argv[1:]:
    data, at = open(path, "rb").read(), 0
    while at + 12 <= len(data):
        kind, length = struct.unpack_from("<II", data, at)
        if length < 12:
            break
        if kind == 0x0A and struct.unpack_from("<I", data, at + 8)[0] == 0x544C534B:
            size = struct.unpack_from("<I", data, at + 12)[0]
            sys.stdout.write(data[at + 16:at + 16 + size].decode("utf-8", "replace"))
        at += length
PY
rm -f "$work"/own-*
echo "key log: $(wc -l < "$work/keys.txt") lines"
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
echo "## $file_mb MiB capture: rdpdoctor analyze --json vs tshark -Y rdp (decode-as tpkt on both ports), without and with the key log"
cat "$work/big.pcap" >/dev/null  # both start from the page cache
decode="-d tcp.port==$XRDP_NEGOTIATE,tpkt -d tcp.port==$SHADOW_NLA,tpkt"
hyperfine --runs 3 -N --ignore-failure --export-json "$work/times.json" \
  "$bin analyze --json $work/big.pcap" \
  "tshark -r $work/big.pcap $decode -Y rdp" \
  "$bin analyze --json --keylog $work/keys.txt $work/big.pcap" \
  "tshark -r $work/big.pcap $decode -o tls.keylog_file:$work/keys.txt -Y rdp"
python3 - "$work/times.json" "$file_mb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
mb = float(sys.argv[2])
for label, ours, theirs in (("no keys", r[0], r[1]), ("key log", r[2], r[3])):
    o, t = ours["mean"], theirs["mean"]
    ou, tu = ours.get("user", 0), theirs.get("user", 0)
    print(f"{label}: rdpdoctor {o:.2f} s (user {ou:.2f} s, {mb/o:.0f} MiB/s), tshark {t:.2f} s (user {tu:.2f} s, {mb/t:.0f} MiB/s): "
          f"rdpdoctor is {t/o:.1f}x tshark's throughput ({tu/ou if ou else 0:.1f}x by CPU time)")
PY
echo "## decrypted connections (analyze --json --keylog)"
"$bin" analyze --json --keylog "$work/keys.txt" "$work/big.pcap" | python3 -c '
import json, sys
d = json.load(sys.stdin)
kept = d["connections"]
print("rdp connections", d["rdpConnections"], "kept", len(kept), "decrypted among kept",
      sum(1 for c in kept if (c.get("decryption") or {}).get("method")))' || true
echo "## peak resident memory (KiB)"
echo "rdpdoctor:           $(peak_rss 1 "$bin" analyze --json "$work/big.pcap")"
echo "tshark:              $(peak_rss 1 tshark -r "$work/big.pcap" $decode -Y rdp)"
echo "rdpdoctor, key log:  $(peak_rss 1 "$bin" analyze --json --keylog "$work/keys.txt" "$work/big.pcap")"
echo "tshark, key log:     $(peak_rss 1 tshark -r "$work/big.pcap" $decode -o tls.keylog_file:"$work/keys.txt" -Y rdp)"
rm -rf "$work"
