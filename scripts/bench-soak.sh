#!/usr/bin/env bash
# Memory over time (issue 29, "memory that stays flat"): the gateway as one `genesys-gateway run` process (release)
# under a steady load published while it runs — 100 tenants (one org each) x 5 msg/s = 500 msg/s by default —
# for MINUTES minutes, with its idempotency record and status store at their defaults (the record in a temporary
# folder). Prints one line a minute: the gateway's RSS (VmRSS, MB = 10^6 bytes), its CPU (ms per second and per
# message), RabbitMQ's CPU, the whole machine's busy time, messages delivered that minute and in all, the backlog
# (published, not yet at the sandbox) and, with --shared, Redis' used_memory and key count; then the steady-state
# figures (RSS after minute 5, or after the first third of a run shorter than 15 minutes: min/max/mean, spread
# around the mean, flat within ±10 %?, below 120 MB?, slope of a linear fit) and the totals (published, delivered,
# lost, duplicates). Each org's limiter is set to twice its offered rate, so that the queues stay near empty.
#
# Starts its own servers on 127.0.0.1 and always stops them (also on Ctrl-C or a failure): RabbitMQ on
# ${GGW_RABBITMQ_PORT:-5697} (state in .run/bench-soak), the Genesys sandbox (in the benchmark process, 10 ms
# latency, a free port) and, with --shared, redis-server on ${GGW_REDIS_PORT:-6495} with the gateway in shared mode.
# The gateway's API listens on a free port. Builds release in .build-bench (shared with bench-cpu.sh and
# bench-scale.sh). Leaves the per-minute rows in .run/bench-soak/samples.csv and the gateway's log in
# .run/bench-soak/gateway.log. Exits 1 when a message was lost (or the run failed or was cut short).
#
# Usage: scripts/bench-soak.sh [--shared [--redis-window MINUTES]] [--tenants N] [--rate MSG_PER_S] [--latency-ms MS] MINUTES
#   --shared        the gateway in shared mode, with its own redis-server
#   --redis-window W  with --shared: receipts and status histories live W minutes in Redis (default 10, at least
#                   10; the gateway's defaults are a day and an hour), so that Redis levels off within the run;
#                   the steady state then starts after minute W + 1
#   --tenants N     tenants, one org each (default 100)
#   --rate R        total messages per second, a multiple of N (default 500)
#   --latency-ms L  the sandbox's latency per request (default 10)
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

usage() {
    sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed '/^$/d' >&2
    exit 2
}
die() { echo "bench-soak: $*" >&2; exit 2; }
whole() { [[ "$2" =~ ^[0-9]+$ ]] && (($2 >= $3)) || die "$1 must be a whole number >= $3, got '$2'"; }

shared=0 redis_window=10 tenants=100 rate=500 latency=10 minutes=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --shared) shared=1 ;;
        --tenants | --rate | --latency-ms | --redis-window)
            [[ $# -ge 2 ]] || usage
            case "$1" in
                --tenants) tenants="$2" ;; --rate) rate="$2" ;; --latency-ms) latency="$2" ;; --redis-window) redis_window="$2" ;;
            esac
            shift ;;
        -h | --help) usage ;;
        -*) die "unknown option '$1'" ;;
        *) [[ -z "$minutes" ]] || usage; minutes="$1" ;;
    esac
    shift
done
[[ -n "$minutes" ]] || usage
whole MINUTES "$minutes" 1
whole --tenants "$tenants" 1
whole --rate "$rate" 1
whole --latency-ms "$latency" 0
whole --redis-window "$redis_window" 10
((rate % tenants == 0)) || die "--rate ($rate) must be a multiple of --tenants ($tenants): every tenant gets the same rate"

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5697}"
export GGW_REDIS_PORT="${GGW_REDIS_PORT:-6495}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench-soak"
# The gateway on loopback only, and none of a caller's settings that would change what it runs.
export GGW_API_HOST=127.0.0.1 GGW_OPS_HOST=127.0.0.1
unset GGW_OPS_PORT GGW_STATE_MANAGER_URL GGW_TENANT_SERVICE_URL GGW_STATUS_EVENTS GGW_AMQP_URL GGW_REDIS_URL \
    GGW_RECEIPT_RETENTION_HOURS GGW_SHARED_RECEIPT_RETENTION_MINUTES GGW_STATUS_HISTORY_MAX_BYTES GGW_STATUS_HISTORY_MAX_AGE \
    GGW_STATUS_HISTORY_MAX_MESSAGES MALLOC_ARENA_MAX
warm_up=()
if ((shared)); then
    # The gateway reads these from its environment; its in-memory status history keeps the same age.
    export GGW_SHARED_RECEIPT_RETENTION_MINUTES="$redis_window" GGW_STATUS_HISTORY_MAX_AGE=$((redis_window * 60))
    ((redis_window + 1 < minutes)) && warm_up=(--soak-warm-up-minutes $((redis_window + 1)))
fi
# Start-up, warm-up, the drain and the stops fit well within 10 minutes beyond the load itself.
export BENCH_TIMEOUT=$((minutes * 60 + 600))
mkdir -p "$GGW_RUN_DIR"
source scripts/bench/build-tools.sh release .build-bench

# Everything the benchmark writes (tenant files, plugins, the gateway's idempotency record and log) goes to a
# folder of its own, removed at the end; the gateway's log is kept in $GGW_RUN_DIR.
work="$(mktemp -d "${TMPDIR:-/tmp}/ggw-soak.XXXXXX")"
export TMPDIR="$work"
child=""
finished=0

# shellcheck disable=SC2317  # called from traps
finish() {
    [[ "$finished" -eq 0 ]] || return 0
    finished=1
    trap '' INT TERM
    if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null; then
        # with-server.sh passes the SIGTERM on to the benchmark (which stops the gateway) and then stops its server.
        kill -TERM "$child" 2>/dev/null || true
        for _ in $(seq 1 900); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$child" 2>/dev/null || true
    fi
    # Backstops, should the benchmark have died before stopping them: the gateway process(es) it wrote down, and
    # the servers (both no-ops when nothing runs).
    local pid command
    for pid in $(cat "$work/gateway.pid" 2>/dev/null); do
        # Only the gateway this run started (its command line names the run's folder): a pid may have been reused.
        command="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)"
        if [[ "$command" == *genesys-gateway*"$work"* ]]; then
            echo "bench-soak: stopping gateway process $pid left behind" >&2
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    bash scripts/redis.sh stop </dev/null >/dev/null 2>&1 || true
    bash scripts/rabbitmq.sh stop </dev/null >/dev/null 2>&1 || true
    local log
    log="$(find "$work" -name 'gateway-0.log' -print -quit 2>/dev/null || true)"
    if [[ -n "$log" ]] && cp "$log" "$GGW_RUN_DIR/gateway.log"; then
        echo "bench-soak: the gateway's log is kept in ${GGW_RUN_DIR#"$REPO_ROOT"/}/gateway.log, the per-minute rows in ${GGW_RUN_DIR#"$REPO_ROOT"/}/samples.csv" >&2
    fi
    rm -rf "$work"
}
trap finish EXIT
trap 'finish; exit 130' INT
trap 'finish; exit 143' TERM

servers=(bash scripts/with-rabbitmq.sh)
redis=()
if ((shared)); then
    servers+=(bash scripts/with-redis.sh)
    redis=(--with-redis)
fi
rm -rf "$GGW_RUN_DIR/rabbitmq" "$GGW_RUN_DIR/samples.csv" "$GGW_RUN_DIR/gateway.log"
# In the background, so that a signal to this script is handled at once (bash runs a trap only between commands).
"${servers[@]}" bash scripts/bench/pipeline-benchmark.sh ${redis[@]+"${redis[@]}"} \
    --soak-minutes "$minutes" --orgs "$tenants" --rate $((rate / tenants)) --latency-ms "$latency" --processes 1 \
    --pid-file "$work/gateway.pid" --samples-file "$GGW_RUN_DIR/samples.csv" ${warm_up[@]+"${warm_up[@]}"} &
child=$!
status=0
wait "$child" || status=$?
child=""
case "$status" in
    0) ;;
    1) echo "bench-soak: FAILED (a message lost, publishing failed, or the run could not be done: see above)" >&2 ;;
    124) echo "bench-soak: FAILED: the benchmark overran its bound of ${BENCH_TIMEOUT} s" >&2 ;;
    137) echo "bench-soak: FAILED: the benchmark was killed (SIGKILL: out of memory, or 30 s after its bound of ${BENCH_TIMEOUT} s)" >&2 ;;
    *) echo "bench-soak: FAILED (exit status $status)" >&2 ;;
esac
exit "$status"
