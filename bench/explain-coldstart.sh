#!/usr/bin/env bash
# How fast `rdpdoctor explain` answers: the release binary, started fresh for
# every run. With root, the page cache is dropped before each run (truly cold);
# without it, runs are "fresh process, warm cache".
# Usage: bench/explain-coldstart.sh [RUNS]   (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"

. "$(dirname "$0")/lib.sh"
bin=$(release_binary)

echo "## fresh process each run (no warm-up inside rdpdoctor; the OS page cache is warm)"
hyperfine -N --runs "$runs" --warmup 3 \
  "$bin explain 0x904 0x7" \
  "$bin explain --json 0x904 0x7" \
  "$bin explain certificate expired" \
  "$bin --version"

if [ "$(id -u)" = 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
  echo "## page cache dropped before every run (disk-cold: dominated by reading the binary and libraries)"
  hyperfine -N --runs "$runs" --prepare "sync; echo 3 > /proc/sys/vm/drop_caches" \
    "$bin explain 0x904 0x7" \
    "$bin --version"
fi
