# Shared by the bench scripts: the release binary and a running testbed.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=../scripts/testbed/ports.env
. scripts/testbed/ports.env

# The release build as it would ship: the Swift runtime linked in statically
# (smaller resident set and faster start than loading it as shared libraries).
# SCRATCH picks the build directory (default .build), so a bench can run
# beside other builds of the same checkout without sharing theirs.
release_binary() {
  local scratch="${SCRATCH:-.build}"
  swift build -c release --product rdpdoctor --static-swift-stdlib --scratch-path "$scratch" >/dev/null
  echo "$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/rdpdoctor"
}

# Starts the testbed unless its servers already answer; stops it on exit if it started it.
ensure_testbed() {
  scripts/testbed/install.sh --peers >/dev/null
  if ! (exec 3<>/dev/tcp/127.0.0.1/"$XRDP_NEGOTIATE") 2>/dev/null; then
    scripts/testbed/start.sh >/dev/null
    trap 'scripts/testbed/stop.sh >/dev/null 2>&1 || true' EXIT
  fi
}

# Peak resident memory (KiB) over N runs of a command.
peak_rss() {
  local runs=$1; shift
  local peak=0 kb
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%M' -o /tmp/rdpdoctor-rss "$@" >/dev/null 2>&1 || true
    kb=$(tail -1 /tmp/rdpdoctor-rss)
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$peak"
}
