#!/usr/bin/env bash
# Runs the test suite under a sanitizer, each in its own build folder:
#
#   scripts/sanitize.sh thread  [swift test arguments…]    ThreadSanitizer  (.build-tsan)
#   scripts/sanitize.sh address [swift test arguments…]    AddressSanitizer (.build-asan)
#
# Without arguments after the sanitizer it runs the unit-test suites (the ones
# that need no testbed); pass `--filter …` to choose others. The integration
# suites need the testbed's servers: start them with scripts/testbed/start.sh
# (or point TESTBED_DIR at a running one) and pass e.g. `--filter IntegrationTests`.
# A sanitizer report fails the run (halt_on_error), so the exit status is the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-}
case "$kind" in
    thread) scratch=.build-tsan ;;
    address) scratch=.build-asan ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
esac
shift

# The unit suites are every test module but the two that need the testbed or the
# built binary; read from Tests/ so a suite added later is never left out.
unit=$(find Tests -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | grep -vx -e CLITests -e IntegrationTests | sort | paste -sd'|')
if (($# == 0)); then set -- --filter "^($unit)\\."; fi

# Tests that bound the check's peak RSS leave that bound out: the sanitizer's
# shadow memory is counted in it.
export RDPDOCTOR_SANITIZER=$kind
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
# Swift's runtime keeps metadata caches for the process's life: leaks are not checked here.
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}"
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --no-parallel "$@"
