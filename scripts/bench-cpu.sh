#!/usr/bin/env bash
# CPU per message (issue 13): the gateway as its own process (`genesys-gateway run`, release) against the
# no-logic baseline (consume + one POST + ack over the same connections), also a process of its own (the
# benchmark's executable started again), in the same run; each one's CPU time and RSS read from /proc for it
# alone. Four loads:
#   paced     40 orgs x 50 msg/s for 10 s, sandbox latency 50 ms      (gateway and baseline)
#   flat-out  30,000 queued, 10 orgs without limits, instant sandbox  (gateway and baseline-max)
#   tenants   100 orgs x 20 msg/s for 10 s, latency 20 ms             (gateway: RSS at 100 tenants)
#   floor     as flat-out, three processes in turn: the gateway, the minimal baseline, and the design floor
#             (the gateway design's broker steps without its logic: outbound -> confirmed copy to a per-org
#             queue -> ack; org queue -> POST -> two status events -> ack)
# Each prints "gateway processes (1): CPU ... ms per message; RSS ..." (or "baseline process (1): ..."),
# msg/s, and "CPU per message: process ... + RabbitMQ ... ms", and the ratio to the (minimal) baseline.
# Starts a private RabbitMQ on 127.0.0.1:${GGW_RABBITMQ_PORT:-5690} (state in .run/bench) and always stops it.
#
# Usage: scripts/bench-cpu.sh [paced|flat-out|tenants|floor ...]   (default: the first three)
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

loads=("$@")
[[ ${#loads[@]} -gt 0 ]] || loads=(paced flat-out tenants)

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5690}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench"
source scripts/bench/build-tools.sh release .build-bench

for load in "${loads[@]}"; do
    case "$load" in
        paced) arguments=(--mode both --orgs 40 --rate 50 --seconds 10 --latency-ms 50) ;;
        flat-out) arguments=(--mode both --flat-out --orgs 10 --rate 3000 --seconds 1 --latency-ms 0) ;;
        tenants) arguments=(--mode gateway --orgs 100 --rate 20 --seconds 10 --latency-ms 20) ;;
        floor) arguments=(--mode both --baseline-steps minimal,design --flat-out --orgs 10 --rate 3000 --seconds 1 --latency-ms 0) ;;
        *) echo "bench-cpu: unknown load '$load' (paced, flat-out, tenants, floor)" >&2; exit 2 ;;
    esac
    echo "== load: $load"
    # Each load on a broker without the queues of earlier runs: the benchmark's quorum queues stay declared
    # (a fresh prefix per run), and RabbitMQ's CPU per message grew with them from run to run.
    rm -rf "$GGW_RUN_DIR/rabbitmq"
    # Bounded: the benchmark's own deadlines end each phase; timeout is the backstop. GGW_BROKER_PID lets it
    # report RabbitMQ's CPU per message as well.
    bash scripts/with-rabbitmq.sh bash -c '
        case "$GGW_AMQP_URL" in *127.0.0.1*) ;; *) echo "bench-cpu: refusing a non-loopback broker" >&2; exit 1 ;; esac
        GGW_BROKER_PID="$(tr -dc "0-9" < "$GGW_RUN_DIR/rabbitmq/rabbit.pid" 2>/dev/null || true)" \
            timeout 900 "$TOOLS_BIN"/PipelineBenchmark --amqp-url "$GGW_AMQP_URL" --processes 1 "$@"
    ' bench-cpu "${arguments[@]}"
done
