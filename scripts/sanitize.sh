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

unit='RDPWireTests|RDPProtocolTests|LegacyCryptoTests|NTLMTests|CredSSPTests|CertificateAuditTests|ProbeCoreTests|CatalogueTests|ExplainTests|DiagnosisTests|RDPDoctorKitTests|FuzzRegressionTests'
if (($# == 0)); then set -- --filter "$unit"; fi

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
# Swift's runtime keeps metadata caches for the process's life: leaks are not checked here.
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}"
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --no-parallel "$@"
