#!/usr/bin/env bash
# Fairness benchmark of the queue path (docs/isolation.md): K orgs with different rates, each backlogged
# in RabbitMQ before the gateway starts. Scenario "backlogged": each org's achieved rate vs its limit.
# Scenario "bottleneck": rates multiplied far beyond what the gateway can do here; each org's share of
# the throughput vs its share of the configured rates.
#
# Starts a private RabbitMQ on 127.0.0.1:${GGW_RABBITMQ_PORT:-5692} (state in .run/bench-fair), builds
# release into .build-fair (the benchmark and the plugin .so files it loads from beside its binary), runs
# FairnessBenchmark with the given arguments (defaults: rates 5,10,20,50,100,200,400,800 msg/s, 20 s per
# scenario, 20 ms sandbox latency, perOrgInFlight 32, both scenarios), and always stops that RabbitMQ and
# deletes its state (the benchmark leaves unsent backlog in its queues).
#
# Usage: scripts/bench-fairness.sh [--orgs-rates R1,R2,...] [--seconds S] [--latency-ms L] [--in-flight N]
#                                  [--scenario backlogged|bottleneck|both]   (--help lists the rest)
# Environment: BENCH_TIMEOUT (backstop for the run, default 900 s).
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

SCRATCH_PATH=.build-fair
BENCH_TIMEOUT="${BENCH_TIMEOUT:-900}"

echo "== building (release, $SCRATCH_PATH): FairnessBenchmark and the shipped plugins" >&2
# shellcheck source=scripts/bench/build-tools.sh
source scripts/bench/build-tools.sh release "$SCRATCH_PATH"

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5692}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench-fair"
rabbit() { bash scripts/rabbitmq.sh "$@"; }

trap 'rabbit reset || true' EXIT
rabbit start
eval "$(rabbit env)"
case "$GGW_AMQP_URL" in
    *@127.0.0.1:*|*@localhost:*) ;;
    *) echo "bench-fairness: refusing non-loopback broker URL" >&2; exit 1 ;;
esac

# RabbitMQ's pid, so the benchmark can report the broker's share of the CPU.
BROKER_PID="$(tr -dc '0-9' <"$GGW_RUN_DIR/rabbitmq/rabbit.pid" 2>/dev/null || true)"
BROKER_ARGS=()
[[ -n "$BROKER_PID" ]] && BROKER_ARGS=(--broker-pid "$BROKER_PID")

echo "== running: FairnessBenchmark $* ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ))" >&2
# Bounded: each scenario stops itself after --seconds (publishing is capped too); this is the backstop.
timeout --signal=INT --kill-after=15 "$BENCH_TIMEOUT" "$TOOLS_BIN/FairnessBenchmark" --amqp-url "$GGW_AMQP_URL" "${BROKER_ARGS[@]}" "$@"
