#!/usr/bin/env bash
# Runs the PipelineBenchmark tool against the private servers scripts/with-rabbitmq.sh (and scripts/with-redis.sh)
# started: refuses a broker or Redis that is not on 127.0.0.1, tells the tool RabbitMQ's beam pid (GGW_BROKER_PID,
# from the node's pid file under $GGW_RUN_DIR) so that it reports the broker's CPU, and bounds it in time: after
# BENCH_TIMEOUT seconds (default 900) timeout sends SIGTERM to the tool and its process group, SIGKILL 30 s later;
# a SIGTERM sent to this script (with-server.sh forwards one on Ctrl-C) is passed on the same way.
#
#   bash scripts/with-rabbitmq.sh [bash scripts/with-redis.sh] \
#       bash scripts/bench/pipeline-benchmark.sh [--with-redis] <PipelineBenchmark arguments...>
#
# Needs TOOLS_BIN (scripts/bench/build-tools.sh) and GGW_AMQP_URL; --with-redis adds --redis-url "$GGW_REDIS_URL".
set -euo pipefail

# loopback <what> <url>: fails unless the URL's host is 127.0.0.1.
loopback() {
    case "$2" in
        *://127.0.0.1[:/]* | *@127.0.0.1[:/]*) ;;
        *) echo "pipeline-benchmark: refusing a $1 that is not on 127.0.0.1: $2" >&2; exit 1 ;;
    esac
}

: "${TOOLS_BIN:?TOOLS_BIN is not set: source scripts/bench/build-tools.sh first}"
: "${GGW_AMQP_URL:?GGW_AMQP_URL is not set: run this under scripts/with-rabbitmq.sh}"
loopback broker "$GGW_AMQP_URL"
redis=()
if [[ "${1:-}" == --with-redis ]]; then
    shift
    : "${GGW_REDIS_URL:?GGW_REDIS_URL is not set: run this under scripts/with-redis.sh}"
    loopback Redis "$GGW_REDIS_URL"
    redis=(--redis-url "$GGW_REDIS_URL")
fi
GGW_BROKER_PID="$(tr -dc '0-9' <"${GGW_RUN_DIR:-.run}/rabbitmq/rabbit.pid" 2>/dev/null || true)"
export GGW_BROKER_PID
exec timeout -k 30 "${BENCH_TIMEOUT:-900}" "$TOOLS_BIN/PipelineBenchmark" --amqp-url "$GGW_AMQP_URL" ${redis[@]+"${redis[@]}"} "$@"
