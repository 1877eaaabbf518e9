#!/usr/bin/env bash
# End-to-end benchmark of the RabbitMQ pipeline (gateway vs. a no-logic baseline), see
# docs/benchmarks.md, "End to end". Starts a private RabbitMQ on 127.0.0.1:${GGW_RABBITMQ_PORT:-5690}
# (state in .run/bench), builds release into .build-bench, runs PipelineBenchmark with the given
# arguments (defaults: 40 orgs x 50 msg/s for 10 s, 50 ms sandbox latency, gateway and baseline),
# and always stops that RabbitMQ.
#
# Usage: scripts/bench-pipeline.sh [--orgs N] [--rate R] [--seconds S] [--latency-ms L] [--mode gateway|baseline|both]
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5690}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench"
rabbit() { bash scripts/rabbitmq.sh "$@"; }

trap 'rabbit stop || true' EXIT
rabbit start
eval "$(rabbit env)"
case "$GGW_AMQP_URL" in
    *127.0.0.1*|*localhost*) ;;
    *) echo "bench-pipeline: refusing non-loopback broker URL" >&2; exit 1 ;;
esac

# The gateway loads the shipped plugins from beside the benchmark binary.
source scripts/bench/build-tools.sh release .build-bench
# The broker's own CPU is reported per message too.
GGW_BROKER_PID="$(tr -dc '0-9' < "$GGW_RUN_DIR/rabbitmq/rabbit.pid" 2>/dev/null || true)"
export GGW_BROKER_PID
# Bounded: the benchmark's own deadlines end each phase; this is the backstop.
timeout 900 "$TOOLS_BIN"/PipelineBenchmark --amqp-url "$GGW_AMQP_URL" "$@"
