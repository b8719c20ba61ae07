#!/usr/bin/env bash
# The issue "One core for every consumer" asked for the single-file binary's
# explain cold start and one check's wall time and peak memory beside the
# figures before it. This runs an earlier release build and this one in the
# same hyperfine runs (and nmap beside the checks), so machine load hits both.
# Usage: bench/onecore-vs-previous.sh OLD_BINARY [RUNS]
#   (an earlier release build, e.g. `git worktree add --detach /tmp/old f322ab6`,
#    then `swift build -c release --static-swift-stdlib` there)
. "$(dirname "$0")/lib.sh"
old=${1:?usage: bench/onecore-vs-previous.sh OLD_BINARY [RUNS]}
runs=${2:-20}
new=$(release_binary)
ensure_testbed

echo "## explain, a fresh process each run (page cache warm)"
hyperfine -N --runs "$runs" --warmup 3 \
  -n "old explain" "$old explain 0x904 0x7" -n "new explain" "$new explain 0x904 0x7" \
  -n "old --version" "$old --version" -n "new --version" "$new --version"

echo "## one check of xrdp (127.0.0.1:$XRDP_NEGOTIATE), nmap beside"
hyperfine --runs "$runs" --warmup 1 -N --ignore-failure \
  -n "old check" "$old check 127.0.0.1:$XRDP_NEGOTIATE" -n "new check" "$new check 127.0.0.1:$XRDP_NEGOTIATE" \
  -n "nmap" "nmap -Pn -p $XRDP_NEGOTIATE --script +rdp-enum-encryption,+rdp-ntlm-info 127.0.0.1"

echo "## peak resident memory (KiB, max of 5 runs)"
for which in old new; do
  bin=$old; [ "$which" = new ] && bin=$new
  echo "$which: --version $(peak_rss 5 "$bin" --version), explain $(peak_rss 5 "$bin" explain 0x904 0x7), check xrdp $(peak_rss 5 "$bin" check "127.0.0.1:$XRDP_NEGOTIATE"), check shadow $(peak_rss 5 "$bin" check "127.0.0.1:$SHADOW_NLA")"
done
