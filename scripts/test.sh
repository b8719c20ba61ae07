#!/usr/bin/env bash
# The whole test suite: what README.md tells people to run and what CI runs.
# It installs (where missing) and starts the real RDP servers of the testbed
# on loopback, runs every test, and stops the servers again. A testbed that
# cannot start fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/testbed/install.sh
trap 'scripts/testbed/stop.sh >/dev/null 2>&1 || true' EXIT
scripts/testbed/start.sh

swift build --build-tests
# Serially: several suites time real connections against one-second deadlines,
# and the 2-core machines must not starve them with fuzzing running beside them.
swift test --skip-build --no-parallel "$@"
