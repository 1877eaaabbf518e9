#!/usr/bin/env bash
# scripts/bench-delivery.sh — the delivery-core benchmark: N messages straight through
# DeliveryService.deliver (no queue) to the in-process Genesys sandbox on 127.0.0.1 with 20 ms latency;
# prints throughput, per-org rate accuracy, added-latency percentiles, the sandbox's exactly-once check,
# memory and CPU. See docs/benchmarks.md for what is measured and how.
#
# Builds in release (the benchmark and the plugin .so files it loads from beside its binary), then runs
# the benchmark with its defaults (10 orgs × 50 msg/s for 10 s, latency 20 ms, burst 1). Extra arguments
# go to the benchmark, e.g.:  scripts/bench-delivery.sh --seconds 30 --lead-ms 500 --csv /tmp/rows.csv
# (`--help` lists them). Traffic stays on 127.0.0.1; the benchmark stops itself after a deadline, and
# the whole run is capped at BENCH_TIMEOUT seconds.
#
# Environment: SCRATCH_PATH (build folder, default .build), BENCH_TIMEOUT (default 900).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH_PATH="${SCRATCH_PATH:-.build}"
BENCH_TIMEOUT="${BENCH_TIMEOUT:-900}"
cd "$ROOT"

echo "== building (release, $SCRATCH_PATH): the plugins, and DeliveryBenchmark in Tools/" >&2
# shellcheck source=scripts/bench/build-tools.sh
source scripts/bench/build-tools.sh release "$SCRATCH_PATH"
BIN_DIR="$GGW_BUILD_DIR"
for plugin in libGenesysPluginText.so libGenesysPluginMedia.so libGenesysPluginDefaultPolicy.so libGenesysPluginTyping.so; do
    [[ -f "$BIN_DIR/$plugin" ]] || { echo "missing $BIN_DIR/$plugin after the build" >&2; exit 1; }
done

echo "== running: DeliveryBenchmark $* ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ))" >&2
timeout --signal=INT --kill-after=10 "$BENCH_TIMEOUT" "$TOOLS_BIN/DeliveryBenchmark" "$@"
