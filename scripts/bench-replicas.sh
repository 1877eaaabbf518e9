#!/usr/bin/env bash
# Shared mode's benchmark (issue 12): 1, 2 and 3 `genesys-gateway run --redis-url` replicas on this machine,
# 40 orgs x 50 msg/s through RabbitMQ to the sandbox (50 ms latency). Per run: per-org accuracy, throughput,
# publish -> Genesys latency (p95), Redis commands per message, the replicas' CPU per message and memory.
# Starts a private RabbitMQ (127.0.0.1:${GGW_RABBITMQ_PORT:-5690}) and redis-server
# (127.0.0.1:${GGW_REDIS_PORT:-6390}), state in .run/bench; builds release into .build-bench; always stops both.
#
# Usage: scripts/bench-replicas.sh [--replicas "1 2 3"] [PipelineBenchmark options, e.g. --orgs 20 --seconds 20]
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

replicas="1 2 3"
if [[ "${1:-}" == "--replicas" ]]; then
    replicas="$2"
    shift 2
fi

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5690}"
export GGW_REDIS_PORT="${GGW_REDIS_PORT:-6390}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench"

# The replicas are the release gateway beside the benchmark binary, loading the shipped plugins built there.
source scripts/bench/build-tools.sh release .build-bench

run() {
    # with-rabbitmq.sh and with-redis.sh export GGW_AMQP_URL / GGW_REDIS_URL and stop their servers whatever happens.
    bash scripts/with-rabbitmq.sh bash scripts/with-redis.sh bash -c '
        case "$GGW_AMQP_URL $GGW_REDIS_URL" in
            *127.0.0.1*127.0.0.1*) ;;
            *) echo "bench-replicas: refusing non-loopback servers" >&2; exit 1 ;;
        esac
        for count in '"$replicas"'; do
            redis-cli -p "$GGW_REDIS_PORT" FLUSHALL >/dev/null
            # Bounded: the benchmark ends each phase by its own deadline; this is the backstop.
            timeout 600 "$TOOLS_BIN"/PipelineBenchmark --amqp-url "$GGW_AMQP_URL" --mode gateway \
                --processes "$count" --redis-url "$GGW_REDIS_URL" "$@"
        done
    ' bench-replicas "$@"
}
run "$@"
