#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/, one binary holding every target) and
# runs one target or all of them: docs/FUZZING.md.
#
#   scripts/fuzz.sh list                 the targets
#   scripts/fuzz.sh TARGET SECONDS       fuzz one target (corpus Fuzz/corpus/TARGET)
#   scripts/fuzz.sh all SECONDS          every target, SECONDS each, FUZZ_PARALLEL (2) at once
#   scripts/fuzz.sh build                only build
#
# Environment: FUZZ_CONFIG=debug|release (default release), FUZZ_JOBS (build
# jobs), FUZZ_WORK (where new corpus entries and crashes go; default
# .build-fuzz/work), FUZZ_ARGS (more libFuzzer flags). A crash, a hang past
# -timeout or an allocation past -rss_limit_mb/-malloc_limit_mb stops the run
# with the input saved under $FUZZ_WORK/artifacts/TARGET/ and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
config=${FUZZ_CONFIG:-release}
scratch=$root/.build-fuzz
work=${FUZZ_WORK:-$scratch/work}

build() {
    local jobs=()
    [[ -n "${FUZZ_JOBS:-}" ]] && jobs=(-j "$FUZZ_JOBS")
    # The build plan of a package reached by path is cached: without it gone, a
    # source file added to the main package is not compiled ("cannot find type").
    rm -f "$scratch/$config.yaml"
    swift build --package-path Fuzz --scratch-path "$scratch" -c "$config" "${jobs[@]}" \
        -Xswiftc -sanitize=fuzzer,address >&2
}

binary() { echo "$scratch/$config/rdpdoctor-fuzz"; }

run_one() {
    local target=$1 seconds=$2
    local corpus=$root/Fuzz/corpus/$target
    local found=$work/corpus/$target artifacts=$work/artifacts/$target
    mkdir -p "$found" "$artifacts"
    [[ -d "$corpus" ]] || { echo "fuzz.sh: no seed corpus $corpus" >&2; return 1; }
    echo "fuzz.sh: $target for ${seconds}s" >&2
    # cert-audit runs the async audit on a Task: the runtime's allocations outlive
    # each input, so libFuzzer's leak heuristic would start a full LSan scan after
    # every one (3 executions a second instead of 800). No leak was ever reported.
    local extra=()
    [[ $target == cert-audit ]] && extra=(-detect_leaks=0)
    # New inputs go to $found (first directory); the committed seeds are only read.
    # ASan's quarantine of freed memory would count against -rss_limit_mb: keep it small.
    # shellcheck disable=SC2086
    # Swift's own backtracer is off: libFuzzer reports the crash, and the backtracer,
    # started from an ASan process, hung for good on the first crash found.
    FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="quarantine_size_mb=16:${ASAN_OPTIONS:-}" "$(binary)" "$found" "$corpus" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=256 -malloc_limit_mb=128 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${extra[@]}" ${FUZZ_ARGS:-} 2>&1 | tee "$work/$target.log" |
        grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::number_of_executed_units|^stat::peak_rss_mb|ERROR|INVARIANT|Fatal error|SUMMARY|Test unit written|==[0-9]+==' >&2
    return "${PIPESTATUS[0]}"
}

targets() { FUZZ_TARGET=list "$(binary)" 2>&1 | awk 'NR > 1 { print $1 }'; }

case "${1:-}" in
    build) build ;;
    list) build; FUZZ_TARGET=list "$(binary)" ;;
    all)
        build
        # FUZZ_PARALLEL targets at once (default 2, one per core of the CI machines);
        # each writes its own log, and a failure is named by its target.
        parallel=${FUZZ_PARALLEL:-2}
        failed_dir=$(mktemp -d)
        for target in $(targets); do
            while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
            { run_one "$target" "${2:?seconds}" 2> >(sed "s/^/[$target] /" >&2) || touch "$failed_dir/$target"; } &
        done
        wait
        failed=($(ls "$failed_dir")); rm -rf "$failed_dir"
        if ((${#failed[@]})); then echo "fuzz.sh: failures in: ${failed[*]} (inputs under $work/artifacts)" >&2; exit 1; fi
        echo "fuzz.sh: every target ran ${2}s without a failure" >&2
        ;;
    "" | -h | --help) sed -n '2,15p' "$0"; exit 2 ;;
    *) build; run_one "$1" "${2:?seconds}" ;;
esac
