#!/usr/bin/env bash
# The whole test suite: what README.md tells people to run and what CI runs.
# It installs (where missing) and starts the real RDP servers of the testbed
# on loopback, runs every test, and stops the servers again. A testbed that
# cannot start fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/testbed/install.sh
testbed_report() {  # a real server the testbed had to restart is named, pass or fail
    grep -h "testbed: restart" "${TESTBED_DIR:-.testbed}"/logs/*.out 2>/dev/null | sed 's/^/test.sh: /' >&2 || true
    scripts/testbed/stop.sh >/dev/null 2>&1 || true
}
trap testbed_report EXIT
scripts/testbed/start.sh

# One format (.swift-format, the toolchain's swift-format): `swift format -i -r
# Sources Tests Fuzz/Sources Package.swift` writes it; a file that differs fails here.
swift format lint --strict -r Sources Tests Fuzz/Sources Package.swift

# Zero warnings in the project's own code: a fresh build prints every one.
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log"
if grep -E "^$PWD/(Sources|Tests)/.*: warning:" "$build_log"; then
    echo "test.sh: the project's own code has compiler warnings (above)" >&2
    exit 1
fi
rm -f "$build_log"
# serve against the testbed and a real Prometheus (Debian's package, on loopback):
# probes, the allow-list, limits, reload, hashmod shards, promtool on the alert rules.
python3 scripts/serve/test_serve.py "$(swift build --show-bin-path)/rdpdoctor"
# Serially: several suites time real connections against one-second deadlines,
# and the 2-core machines must not starve them with fuzzing running beside them.
# The failures are repeated at the end: CI shows the tail of a long log.
test_log=$(mktemp)
set +e
swift test --skip-build --no-parallel "$@" 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
if ((test_status != 0)); then
    echo "test.sh: swift test failed (exit $test_status); what failed, again:" >&2
    grep -E -A2 "^✘|Fatal error|^error:" "$test_log" | head -100 >&2 || true
    exit "$test_status"
fi
rm -f "$test_log"

# Then every fuzz target briefly (docs/FUZZING.md), after the tests so the
# fuzzers never compete with their timing. A decoder that traps, hangs or
# allocates without bound on the seeds or on what a few seconds of mutation
# find fails the run. Skipped when only some tests were asked for.
if (($# == 0)); then
    scripts/testbed/stop.sh >/dev/null 2>&1 || true   # the servers' work is done; free the CPU
    fuzz_start=$SECONDS
    FUZZ_CONFIG=${FUZZ_CONFIG:-debug} scripts/fuzz.sh all "${FUZZ_SECONDS:-4}"
    echo "test.sh: the fuzz step took $((SECONDS - fuzz_start)) s" >&2
fi
