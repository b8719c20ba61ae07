#!/usr/bin/env bash
# The whole test suite: what README.md tells people to run and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build "$@"
