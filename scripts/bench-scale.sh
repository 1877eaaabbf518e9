#!/usr/bin/env bash
# Scale and idle (issue 24, "Isolation without the bill"): what the whole system — the gateway process plus
# RabbitMQ's beam process, each one's CPU read from /proc — costs per message at 40 orgs and at 1,000 tenants, and
# what 1,000 tenants cost doing nothing, printed side by side with the goal's ratios at the end. Loads:
#   40     40 orgs x 50 msg/s for 10 s, sandbox latency 50 ms, the gateway and then the minimal baseline
#          (bench-cpu.sh's `paced`): ratio gateway / baseline whole-system CPU per message
#   1000   1,000 tenants (one org each, quorum queues) x 5 msg/s for 4 s (20,000 messages), latency 20 ms:
#          ratio of its whole-system CPU per message to the 40-org figure, and its msg/s
#   idle   after the 1,000-tenant load has drained (it runs that load): the gateway's and RabbitMQ's CPU in ms
#          per second of wall time over GGW_BENCH_IDLE_SECONDS (default 30), and the gateway's RSS
#   5000   5,000 tenants, 1 message each queued before the gateway starts, then idle: did every message arrive,
#          what idling costs, and whether the gateway's broker connection failed (RabbitMQ's channel_max is 2,047
#          and the gateway opens one channel per org queue). Bounded: a failure is reported, not waited out.
# Each load gets a fresh private RabbitMQ on 127.0.0.1:${GGW_RABBITMQ_PORT:-5695} (state in .run/bench-scale),
# always stopped afterwards. The figures come from one run on whatever else the machine is doing: read the
# "whole machine busy" figures before comparing runs.
#
# The gateway's load is published on the direct path (the org exchange, routing key <tenant>.<org>) with every
# status event; GGW_BENCH_SCALE_ARGS adds PipelineBenchmark options to every load, e.g. "--publish-path router" (the
# ingress queue and the router) or "--status-events outcomes".
#
# Usage: scripts/bench-scale.sh [40|1000|idle|5000 ...]   (default: 40 1000 idle)
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO_ROOT"

loads=("$@")
[[ ${#loads[@]} -gt 0 ]] || loads=(40 1000 idle)
for load in "${loads[@]}"; do
    case "$load" in
        40 | 1000 | idle | 5000) ;;
        *) echo "bench-scale: unknown load '$load' (40, 1000, idle, 5000)" >&2; exit 2 ;;
    esac
done
wants() { [[ " ${loads[*]} " == *" $1 "* ]]; }
idle_seconds="${GGW_BENCH_IDLE_SECONDS:-30}"
read -r -a extra_args <<< "${GGW_BENCH_SCALE_ARGS:-}"
[[ "$idle_seconds" =~ ^[0-9]+$ ]] || { echo "bench-scale: GGW_BENCH_IDLE_SECONDS must be whole seconds" >&2; exit 2; }

export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5695}"
export GGW_RUN_DIR="$REPO_ROOT/.run/bench-scale"
source scripts/bench/build-tools.sh release .build-bench

results="$GGW_RUN_DIR/results"
rm -rf "$results"
mkdir -p "$results"
failed=()

# run <name> <PipelineBenchmark arguments...>: one load on a fresh broker; its output also goes to
# $results/<name>.out and its figures to $results/<name>.figures.
run() {
    local name="$1"
    shift
    echo "== load: $name"
    rm -rf "$GGW_RUN_DIR/rabbitmq"
    # Bounded: the benchmark's own deadlines end each phase; timeout is the backstop.
    if ! bash scripts/with-rabbitmq.sh bash -c '
        case "$GGW_AMQP_URL" in *127.0.0.1*) ;; *) echo "bench-scale: refusing a non-loopback broker" >&2; exit 1 ;; esac
        GGW_BROKER_PID="$(tr -dc "0-9" < "$GGW_RUN_DIR/rabbitmq/rabbit.pid" 2>/dev/null || true)" \
            timeout 900 "$TOOLS_BIN"/PipelineBenchmark --amqp-url "$GGW_AMQP_URL" --processes 1 "$@"
    ' bench-scale "$@" ${extra_args[@]+"${extra_args[@]}"} --figures-file "$results/$name.figures" 2>&1 | tee "$results/$name.out"; then
        echo "bench-scale: load $name FAILED (its output is above and in $results/$name.out)"
        failed+=("$name")
    fi
}

if wants 40; then
    run 40 --mode both --orgs 40 --rate 50 --seconds 10 --latency-ms 50
fi
if wants 1000 || wants idle; then
    idle=0
    wants idle && idle="$idle_seconds"
    run 1000 --mode gateway --orgs 1000 --rate 5 --seconds 4 --latency-ms 20 --idle-seconds "$idle"
fi
if wants 5000; then
    run 5000 --mode gateway --flat-out --orgs 5000 --rate 1 --seconds 1 --latency-ms 20 --idle-seconds "$idle_seconds"
fi

# figure <load> <name>: a figure the load's run wrote, empty when it has none.
figure() { awk -v name="$2" '$1 == name { print $2 }' "$results/$1.figures" 2>/dev/null || true; }
# cost <load> <side> <label>: one line of the side-by-side table.
cost() {
    local process broker whole
    process="$(figure "$1" "$2.process_ms_per_message")"
    broker="$(figure "$1" "$2.broker_ms_per_message")"
    whole="$(figure "$1" "$2.whole_system_ms_per_message")"
    if [[ -z "$whole" ]]; then
        printf '%-40s no CPU per message: %.0f messages arrived\n' "$3" "$(figure "$1" "$2.arrived")"
        return 0
    fi
    printf '%-40s %9.3f %9.3f %9.3f %8.0f %7.0f MiB\n' "$3" "$process" "$broker" "$whole" \
        "$(figure "$1" "$2.msg_per_s")" "$(figure "$1" "$2.rss_mib")"
}
# ratio <numerator> <denominator>: empty unless both are numbers.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b }'; }

echo
echo "== scale and idle, side by side (issue 24; CPU per message in ms: the consumer's process, RabbitMQ, both)"
printf '%-40s %9s %9s %9s %8s %11s\n' "load" "process" "RabbitMQ" "whole" "msg/s" "RSS"
if wants 40; then
    cost 40 gateway "40 orgs x 50 msg/s, 50 ms: gateway"
    cost 40 baseline "40 orgs x 50 msg/s, 50 ms: baseline"
fi
if wants 1000 || wants idle; then
    cost 1000 gateway "1000 tenants x 5 msg/s, 20 ms: gateway"
fi
if wants 5000; then
    cost 5000 gateway "5000 tenants x 1 message: gateway"
fi
if wants 40; then
    at40="$(ratio "$(figure 40 gateway.whole_system_ms_per_message)" "$(figure 40 baseline.whole_system_ms_per_message)")"
    echo "ratio gateway/baseline whole system at 40: ${at40:-n/a} (goal <= 1.3)"
fi
if wants 40 && { wants 1000 || wants idle; }; then
    scale="$(ratio "$(figure 1000 gateway.whole_system_ms_per_message)" "$(figure 40 gateway.whole_system_ms_per_message)")"
    echo "ratio 1000/40 whole-system CPU per message: ${scale:-n/a} (goal <= 1.2)"
fi
if wants 1000 || wants idle; then
    printf 'throughput at 1000 tenants: %.0f msg/s (goal >= 2331: 3 x the 777 msg/s issue 24 started from)\n' \
        "$(figure 1000 gateway.msg_per_s)"
fi
for load in 1000 5000; do
    if [[ -s "$results/$load.out" ]]; then
        grep -h '^   idle (' "$results/$load.out" | sed 's/^   //' || true
    fi
done
if wants 5000; then
    arrived="$(figure 5000 gateway.arrived)"
    messages="$(figure 5000 messages)"
    if [[ -n "$arrived" && "$arrived" == "$messages" ]]; then verdict="every message arrived"; else verdict="FAILED: not every message arrived"; fi
    printf 'start with 5000 tenants: %.0f / %.0f messages arrived: %s\n' "${arrived:-0}" "${messages:-5000}" "$verdict"
    grep -h '^   gateway processes: RabbitMQ connection failed' "$results/5000.out" | sed 's/^   /start with 5000 tenants: /' \
        || echo "start with 5000 tenants: the gateway's broker connection never failed"
fi
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "bench-scale: loads that failed: ${failed[*]}"
    exit 1
fi
