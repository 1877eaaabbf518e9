#!/usr/bin/env bash
# Build the libFuzzer targets (Fuzz/, docs/fuzzing.md) with AddressSanitizer and run each for a set time.
#
# Usage: scripts/fuzz.sh [--seconds N | --smoke] [target...]
#   --seconds N  run each target N seconds (default 300)
#   --smoke      run each target 15 seconds: the CI check that the targets build and the seeds still pass
#   target       any of: tenant-yaml queued-message queue-headers webhook typing-json (default: all)
#
# Targets run one after another (they would share the machine's cores otherwise). Each target's corpus grows
# in .run/fuzz/corpus/<target> (seeded from Fuzz/corpus/<target>); what crashes is kept as
# .run/fuzz/<target>/crash-* (or leak-*, timeout-*, oom-*) with the log beside it. Exits 1 when any target
# found something, 2 on a usage or build error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run/fuzz"
ALL_TARGETS=(tenant-yaml queued-message queue-headers webhook typing-json)
# Swift targets are products of the package in Fuzz/; typing-json is C, built with clang directly.
declare -A SWIFT_PRODUCT=(
    [tenant-yaml]=FuzzTenantYAML [queued-message]=FuzzQueuedMessage
    [queue-headers]=FuzzQueueHeaders [webhook]=FuzzWebhook
)
TYPING_SOURCES=(json_reader.c json_writer.c typing_message.c utf8.c)

log() { printf 'fuzz: %s\n' "$*"; }
die() { printf 'fuzz: ERROR: %s\n' "$*" >&2; exit 2; }

seconds=300
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--seconds needs a whole number"; seconds="$2"; shift 2 ;;
        --smoke) seconds=15; shift ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) [[ " ${ALL_TARGETS[*]} " == *" $1 "* ]] || die "unknown target '$1' (known: ${ALL_TARGETS[*]})"
           targets+=("$1"); shift ;;
    esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")

command -v swiftc >/dev/null 2>&1 || die "swiftc not found: install the Swift toolchain"
# The toolchain's own clang: its libFuzzer and sanitizer runtimes match the ones swiftc links.
CLANG="$(dirname "$(command -v swiftc)")/clang"
[[ -x "$CLANG" ]] || die "no clang beside swiftc ($CLANG)"
mkdir -p "$RUN_DIR/bin"

build_start=$SECONDS
needs_swift=0
for target in "${targets[@]}"; do [[ -n "${SWIFT_PRODUCT[$target]:-}" ]] && needs_swift=1; done
if [[ "$needs_swift" -eq 1 ]]; then
    # Same dependency versions as the gateway's own build (Package.resolved is not in git).
    [[ -f "$ROOT/Package.resolved" ]] && cp "$ROOT/Package.resolved" "$ROOT/Fuzz/Package.resolved"
    # One -sanitize= flag: given twice, swiftc keeps only the last, and the code loses its coverage counters.
    swift_flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing)
    log "building the Swift targets (log: $RUN_DIR/build-swift.log)"
    if ! swift build --package-path "$ROOT/Fuzz" "${swift_flags[@]}" >"$RUN_DIR/build-swift.log" 2>&1; then
        grep -E 'error:' "$RUN_DIR/build-swift.log" | head -20 >&2 || tail -20 "$RUN_DIR/build-swift.log" >&2
        die "Swift build failed"
    fi
    swift_bin="$(swift build --package-path "$ROOT/Fuzz" "${swift_flags[@]}" --show-bin-path)"
    for target in "${!SWIFT_PRODUCT[@]}"; do ln -sf "$swift_bin/${SWIFT_PRODUCT[$target]}" "$RUN_DIR/bin/fuzz-$target"; done
fi
if [[ " ${targets[*]} " == *" typing-json "* ]]; then
    log "building typing-json (log: $RUN_DIR/build-c.log)"
    plugin="$ROOT/Plugins/TypingEventSender"
    "$CLANG" -g -O1 -fsanitize=fuzzer,address -I"$plugin" "$ROOT/Fuzz/TypingJSON/fuzz_typing_json.c" \
        "${TYPING_SOURCES[@]/#/$plugin/}" -o "$RUN_DIR/bin/fuzz-typing-json" >"$RUN_DIR/build-c.log" 2>&1 \
        || { grep -E 'error' "$RUN_DIR/build-c.log" >&2; die "C build failed"; }
fi
log "built in $((SECONDS - build_start)) s"

# One target: prints "target runs exec/s cov ft crashes result" and returns 1 when it found something.
run_target() {
    local target="$1" out="$RUN_DIR/$1" corpus="$RUN_DIR/corpus/$1"
    mkdir -p "$out" "$corpus"
    local seed
    for seed in "$ROOT/Fuzz/corpus/$target/"*; do [[ -e "$corpus/${seed##*/}" ]] || cp "$seed" "$corpus/"; done
    local before; before="$(find "$out" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    local rc=0
    # Swift's own backtracer would catch a fatalError before libFuzzer can save the input (and ASan flags its
    # stack copying as an underflow).
    export SWIFT_BACKTRACE=enable=no
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the machine is shared.
    "$RUN_DIR/bin/fuzz-$target" "$corpus" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$out/" >"$out/fuzz.log" 2>&1 || rc=$?
    local after; after="$(find "$out" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    local runs rate cov ft
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz.log" | tail -1)"
    cov="$(grep -o 'cov: [0-9]*' "$out/fuzz.log" | tail -1 | cut -d' ' -f2)"
    ft="$(grep -o 'ft: [0-9]*' "$out/fuzz.log" | tail -1 | cut -d' ' -f2)"
    local result=ok
    if [[ "$rc" -ne 0 || "$after" -gt "$before" ]]; then result="FOUND (exit $rc, see $out/)"; fi
    printf '%-15s %12s %8s %7s %7s %8s  %s\n' "$target" "${runs:--}" "${rate:--}" "${cov:--}" "${ft:--}" \
        "$((after - before))" "$result"
    # CI keeps only what is printed: the finding's first report lines say what it was.
    [[ "$result" == ok ]] || grep -m 3 -E 'ERROR: |Fatal error|SUMMARY' "$out/fuzz.log" | sed 's/^/    /' || true
    [[ "$result" == ok ]]
}

log "running ${targets[*]} for ${seconds} s each"
printf '%-15s %12s %8s %7s %7s %8s  %s\n' target executions exec/s cov ft crashes result
failed=0
for target in "${targets[@]}"; do run_target "$target" || failed=1; done
exit "$failed"
