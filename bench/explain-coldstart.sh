#!/usr/bin/env bash
# How fast `rdpdoctor explain` answers: the release binary, started fresh for
# every run. With root, the page cache is dropped before each run (truly cold);
# without it, runs are "fresh process, warm cache".
# Usage: bench/explain-coldstart.sh [RUNS]   (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"

swift build -c release --product rdpdoctor >/dev/null
bin="$(swift build -c release --show-bin-path)/rdpdoctor"

prepare="true"
if [ "$(id -u)" = 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
  prepare="sync; echo 3 > /proc/sys/vm/drop_caches"
  echo "cache: dropped before every run (cold)"
else
  echo "cache: not dropped (no permission): fresh process, warm cache"
fi

hyperfine --shell=bash --runs "$runs" --prepare "$prepare" --export-json /tmp/rdpdoctor-explain-bench.json \
  "$bin explain 0x904 0x7 >/dev/null" \
  "$bin explain --json 0x904 0x7 >/dev/null" \
  "$bin explain certificate expired >/dev/null" \
  "$bin --version >/dev/null"
