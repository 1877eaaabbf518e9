#!/usr/bin/env bash
# scripts/bench-api.sh — throughput, latency and cost of the gateway's HTTP API (docs/benchmarks.md,
# "HTTP API: scripts/bench-api.sh"). Everything runs on 127.0.0.1 and stops by itself.
#
# Builds release into .build-benchapi, starts a private RabbitMQ (127.0.0.1:5691, state in .run-benchapi),
# the Genesys sandbox (127.0.0.1:9491) and `genesys-gateway run` (API on 127.0.0.1:8491) on one private
# tenant whose org has a rate limit far above the load, then drives each phase with wrk (scripts/bench/api.lua):
#
#   health        GET /health                                   the HTTP server's own ceiling
#   sandbox-L     straight to the sandbox, L ms added latency     the no-gateway baseline for "added latency"
#   send-0        POST /v1/messages, sandbox latency 0 ms        send-now capacity
#   send-L        POST /v1/messages, sandbox latency L ms        latency the gateway adds over the sandbox's
#   async         POST /v1/messages/async (publisher confirm)    accepted/s; then waits for the pipeline to deliver
#
# The sandbox latency is set per phase through its fault API (PUT /sandbox/faults/clients/<client>
# {"latencyMs": L}: the same setting as `--fault client:<client>:latencyMs=L`), after POST /sandbox/reset.
# Every message has its own id (the idempotency record would otherwise answer without sending). The sandbox's
# own count of accepted inbound calls is checked against wrk's 2xx count. CPU (user+sys from /proc/<pid>/stat)
# of the gateway, the sandbox, RabbitMQ and wrk (bash `times`), the rest of the machine (/proc/stat), and the
# gateway's RSS are taken around each phase. A figures table ends the run.
#
# Environment: DURATION (wrk time per phase, default 10s), CONNECTIONS (default 32), THREADS (wrk threads,
# default 1), LATENCY_MS (sandbox latency for sandbox-L and send-L, default 20), DRAIN_TIMEOUT (seconds to
# wait for the async phase's deliveries, default 60), PHASES (default "health sandbox send-0 send-L async"),
# SKIP_BUILD=1 (use the binaries already in .build-benchapi/release).
# Ports: BENCHAPI_RABBITMQ_PORT (5691), BENCHAPI_SANDBOX_PORT (9491), BENCHAPI_API_PORT (8491).
set -euo pipefail

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
LATENCY_MS="${LATENCY_MS:-20}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-60}"
PHASES="${PHASES:-health sandbox send-0 send-L async}"
RABBIT_PORT="${BENCHAPI_RABBITMQ_PORT:-5691}"
SANDBOX_PORT="${BENCHAPI_SANDBOX_PORT:-9491}"
API_PORT="${BENCHAPI_API_PORT:-8491}"

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
SCRATCH="$ROOT/.build-benchapi"
BIN="$SCRATCH/release"
RUN_DIR="$ROOT/.run-benchapi"
LUA="$ROOT/scripts/bench/api.lua"
mkdir -p "$RUN_DIR"
WORK="$(mktemp -d "$RUN_DIR/run.XXXXXX")"
SANDBOX="http://127.0.0.1:$SANDBOX_PORT"
API="http://127.0.0.1:$API_PORT"
TENANT=bench ORG=main CLIENT=bench-client SANDBOX_ORG=bench-org INTEGRATION=bench-integration
# Private throwaway secrets, given to the gateway by reference (env:) like every secret.
export BENCHAPI_API_KEY="bench-api-key-$RANDOM$RANDOM"
export BENCHAPI_CLIENT_SECRET="bench-client-secret-$RANDOM$RANDOM"
RESULTS="$WORK/results.tsv"
CLK_TCK="$(getconf CLK_TCK)"

GATEWAY_PID="" SANDBOX_PID="" WRK_PID="" RABBIT_STARTED=0
rabbit() { GGW_RUN_DIR="$RUN_DIR" GGW_RABBITMQ_PORT="$RABBIT_PORT" bash scripts/rabbitmq.sh "$@"; }

stop_pid() { # <pid> <seconds>: SIGTERM, wait, then SIGKILL
    local pid="$1" limit=$(($2 * 10))
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((limit-- > 0)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_pid "$WRK_PID" 2
    stop_pid "$GATEWAY_PID" 15
    stop_pid "$SANDBOX_PID" 5
    if ((RABBIT_STARTED)); then rabbit stop >/dev/null 2>&1 || echo "bench-api: could not stop RabbitMQ on $RABBIT_PORT" >&2; fi
    rm -rf "$WORK/plugins" "$WORK/state"   # copies and the idempotency record; the logs stay
    [[ $status -eq 0 ]] || echo "bench-api: stopped (status $status); logs in $WORK" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$SANDBOX_PORT" "$API_PORT"; do
    port_in_use "$port" && { echo "bench-api: 127.0.0.1:$port is already in use" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench-api: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

# ------------------------------------------------------------------ build and start
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== build (release, $SCRATCH)"
    swift build -c release --scratch-path "$SCRATCH" 2>&1 | tail -n 1
fi
bash scripts/stage-plugins.sh "$BIN" "$WORK/plugins" >/dev/null

echo "== RabbitMQ on 127.0.0.1:$RABBIT_PORT (fresh state)"
rabbit reset >/dev/null
RABBIT_STARTED=1
rabbit start >/dev/null
eval "$(rabbit env)"
case "$GGW_AMQP_URL" in *127.0.0.1*) ;; *) echo "bench-api: refusing non-loopback broker $GGW_AMQP_URL" >&2; exit 1 ;; esac
RABBIT_PID="$(tr -dc '0-9' <"$RUN_DIR/rabbitmq/rabbit.pid" 2>/dev/null || true)"

echo "== sandbox on $SANDBOX"
"$BIN/genesys-sandbox" --host 127.0.0.1 --port "$SANDBOX_PORT" \
    --client "$CLIENT:$BENCHAPI_CLIENT_SECRET:$SANDBOX_ORG" --integration "$INTEGRATION:$SANDBOX_ORG" \
    --rate-per-minute 1000000000 --max-recorded-messages 100 --log-level warning \
    >"$WORK/sandbox.log" 2>&1 &
SANDBOX_PID=$!

mkdir -p "$WORK/config" "$WORK/state"
cat >"$WORK/config/bench.yaml" <<YAML
# Written by scripts/bench-api.sh: one tenant, one org, a rate limit far above the load.
id: $TENANT
displayName: API benchmark
enabled: true
apiKeys:
  - env:BENCHAPI_API_KEY
orgs:
  - name: $ORG
    default: true
    apiBaseURL: $SANDBOX
    loginBaseURL: $SANDBOX
    clientId: $CLIENT
    clientSecret: env:BENCHAPI_CLIENT_SECRET
    integrationId: $INTEGRATION
    messageTypes: [text]
    rateLimit:
      messagesPerSecond: 100000
      burst: 100000
YAML

echo "== gateway, HTTP API on $API"
"$BIN/genesys-gateway" run --config-dir "$WORK/config" --plugins-dir "$WORK/plugins" --allow-genesys-host 127.0.0.1 \
    --amqp-url "$GGW_AMQP_URL" \
    --state-dir "$WORK/state" --api-host 127.0.0.1 --api-port "$API_PORT" --admin-key env:BENCHAPI_NO_ADMIN_KEY \
    >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!

for _ in $(seq 1 300); do
    ready="$(curl -s -o /dev/null -w '%{http_code}' "$API/ready" || true)"
    [[ "$ready" == 200 ]] && break
    kill -0 "$GATEWAY_PID" 2>/dev/null || { echo "bench-api: gateway exited"; tail -20 "$WORK/gateway.log"; exit 1; }
    sleep 0.1
done
[[ "$ready" == 200 ]] || { echo "bench-api: gateway not ready"; tail -20 "$WORK/gateway.log"; exit 1; }
kill -0 "$SANDBOX_PID" 2>/dev/null || { echo "bench-api: sandbox exited"; cat "$WORK/sandbox.log"; exit 1; }

# Warm-up: token, plugin, limiter, breaker and libcurl connections used once; fails loudly if the setup is wrong.
warm="$(curl -s -w ' %{http_code}' -X POST "$API/v1/messages" -H "Authorization: Bearer $BENCHAPI_API_KEY" \
    -H 'Content-Type: application/json' \
    -d '{"id":"warm-up-1","type":"text","textBody":"warm-up","sender":{"id":"customer-0","idType":"Opaque"}}')"
[[ "$warm" == *" 200" ]] || { echo "bench-api: warm-up send failed: $warm"; tail -20 "$WORK/gateway.log"; exit 1; }
TOKEN="$(curl -sf -u "$CLIENT:$BENCHAPI_CLIENT_SECRET" -d grant_type=client_credentials "$SANDBOX/oauth/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"

# ------------------------------------------------------------------ measuring helpers
proc_ticks() { # user+sys clock ticks of a pid (fields 14+15 of /proc/<pid>/stat; comm may hold spaces)
    local stat
    [[ -n "${1:-}" ]] && stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
    stat="${stat##*) }"
    awk '{print $12 + $13}' <<<"$stat"
}
machine_ticks() { awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "-"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "-"; }
now_s() { date +%s.%N; }
# Accepted inbound calls since the last reset: the sandbox keeps the newest 100 (a small answer to poll),
# count + dropped is the total.
sandbox_accepted() {
    curl -sf "$SANDBOX/sandbox/received/$INTEGRATION" \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["count"] + d["dropped"])' 2>/dev/null \
        || { echo "bench-api: the sandbox did not answer /sandbox/received" >&2; return 1; }
}
sandbox_errors() { # the sandbox's answers other than 200 since the reset (whose own 204 is left out)
    curl -sf "$SANDBOX/sandbox/stats" | python3 -c '
import json, sys
d = json.load(sys.stdin)["statusCounts"]
d["204"] = d.get("204", 1) - 1
print(", ".join(f"{k}: {v}" for k, v in sorted(d.items()) if k != "200" and v) or "none")'
}
children_ticks() { # <file>: CPU of this shell's reaped children (bash `times`, second line), in clock ticks
    awk -v t="$CLK_TCK" 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * t }' "$1"
}
sandbox_setup() { # <latency ms>: forget counters and faults, then set the client's latency
    curl -sf -X POST "$SANDBOX/sandbox/reset" >/dev/null
    if (($1 > 0)); then
        curl -sf -X PUT "$SANDBOX/sandbox/faults/clients/$CLIENT" -H 'Content-Type: application/json' \
            -d "{\"latencyMs\":$1}" >/dev/null
    fi
}
# Waits until the sandbox count has reached <target> and stopped moving for <stable> seconds, at most <seconds>
# after <start>; prints the count and when it last moved, in seconds after <start>.
wait_count() { # <target> <seconds> <stable seconds> <start>
    local target="$1" limit="$2" stable="$3" start="$4" last="" count same_since now
    same_since="$start"
    while :; do
        count="$(sandbox_accepted)"; now="$(now_s)"
        [[ "$count" != "$last" ]] && { last="$count"; same_since="$now"; }
        if ((count >= target)) && awk -v a="$now" -v b="$same_since" -v s="$stable" 'BEGIN{exit !(a - b >= s)}'; then break; fi
        awk -v a="$now" -v b="$start" -v l="$limit" 'BEGIN{exit !(a - b >= l)}' && break
        sleep 0.1
    done
    echo "$count $(awk -v a="$same_since" -v b="$start" 'BEGIN{printf "%.1f", a - b}')"
}

# run_phase <name> <wrk mode> <url> <auth> <sandbox latency ms>
run_phase() {
    local name="$1" mode="$2" url="$3" auth="$4" latency="$5"
    local g0 s0 r0 m0 g1 s1 r1 m1 line wall0 wall1 accepted="-" drain="-" extra="" ok
    sandbox_setup "$latency"
    echo
    echo "== $name: wrk -t $THREADS -c $CONNECTIONS -d $DURATION ($mode, sandbox latency ${latency} ms)"
    g0="$(proc_ticks "$GATEWAY_PID")"; s0="$(proc_ticks "$SANDBOX_PID")"; r0="$(proc_ticks "$RABBIT_PID")"
    read -r m0 mt0 < <(machine_ticks)
    times >"$WORK/times0"   # in this shell: a $(...) subshell would report its own children
    wall0="$(now_s)"
    BENCH_MODE="$mode" BENCH_PREFIX="$name-$$" BENCH_AUTH="$auth" BENCH_INTEGRATION="$INTEGRATION" \
        timeout -k 5 600 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s -s "$LUA" "$url" \
        >"$WORK/wrk-$name.txt" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { cat "$WORK/wrk-$name.txt"; echo "bench-api: wrk failed in $name" >&2; exit 1; }
    WRK_PID=""
    times >"$WORK/times1"
    w0="$(children_ticks "$WORK/times0")"; w1="$(children_ticks "$WORK/times1")"
    wall1="$(now_s)"
    g1="$(proc_ticks "$GATEWAY_PID")"; s1="$(proc_ticks "$SANDBOX_PID")"; r1="$(proc_ticks "$RABBIT_PID")"
    read -r m1 mt1 < <(machine_ticks)
    line="$(grep '^BENCH ' "$WORK/wrk-$name.txt")"
    grep -E 'Latency|Req/Sec|requests in|Non-2xx|Socket errors' "$WORK/wrk-$name.txt" | sed 's/^/   /'
    field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$line"; }
    local requests rps non2xx connect read write timeout p50_ms p90_ms p99_ms max_ms
    requests="$(field requests)"; rps="$(field rps)"; non2xx="$(field non2xx)"
    connect="$(field connect)"; read="$(field read)"; write="$(field write)"; timeout="$(field timeout)"
    p50_ms="$(field p50_ms)"; p90_ms="$(field p90_ms)"; p99_ms="$(field p99_ms)"; max_ms="$(field max_ms)"
    ok=$((requests - non2xx))
    local gw_rss gw_hwm
    gw_rss="$(rss_mib "$GATEWAY_PID")"; gw_hwm="$(hwm_mib "$GATEWAY_PID")"
    local secs cpu_gw cpu_sb cpu_mq cpu_machine cpu_per cpu_wrk cpu_others
    secs="$(awk -v a="$wall1" -v b="$wall0" 'BEGIN{printf "%.3f", a - b}')"
    cpu_gw="$(awk -v d=$((g1 - g0)) -v t="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.2f", d / t / s}')"
    cpu_sb="$(awk -v d=$((s1 - s0)) -v t="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.2f", d / t / s}')"
    cpu_mq="$(awk -v d=$((r1 - r0)) -v t="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.2f", d / t / s}')"
    cpu_machine="$(awk -v b=$((m1 - m0)) -v t=$((mt1 - mt0)) -v n="$(nproc)" 'BEGIN{printf "%.2f", t ? b / t * n : 0}')"
    cpu_wrk="$(awk -v d=$((w1 - w0)) -v t="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.2f", d / t / s}')"
    cpu_others="$(awk -v a="$cpu_machine" -v g="$cpu_gw" -v b="$cpu_sb" -v r="$cpu_mq" -v w="$cpu_wrk" \
        'BEGIN{o = a - g - b - r - w; printf "%.2f", o < 0 ? 0 : o}')"
    cpu_per="$(awk -v d=$((g1 - g0)) -v t="$CLK_TCK" -v n="$ok" 'BEGIN{printf "%.3f", n ? d / t / n * 1000 : 0}')"
    case "$mode" in
        send | sandbox)
            # Requests still in flight when wrk stopped may arrive after its count: at most CONNECTIONS more.
            read -r accepted _ < <(wait_count "$ok" 5 0.5 "$wall1")
            extra="sandbox accepted $accepted for wrk's $ok 2xx (difference $((accepted - ok)), at most $CONNECTIONS in flight); sandbox non-200: $(sandbox_errors)"
            ;;
        async)
            # (RabbitMQ's own queue length is not used: list_queues shows quorum-queue counts seconds late.)
            local delivered_at_stop
            delivered_at_stop="$(sandbox_accepted)"
            read -r accepted drain < <(wait_count "$ok" "$DRAIN_TIMEOUT" 1 "$wall1")
            extra="delivered when wrk stopped: $delivered_at_stop (backlog about $((ok > delivered_at_stop ? ok - delivered_at_stop : 0))); all delivered: $accepted for wrk's $ok 202, the last ${drain} s after wrk stopped (limit ${DRAIN_TIMEOUT} s; difference $((accepted - ok)), at most $CONNECTIONS in flight); sandbox non-200: $(sandbox_errors)"
            ((accepted >= ok)) || extra="$extra — NOT ALL DELIVERED"
            ;;
    esac
    echo "   $name: $rps req/s, 2xx $ok, non-2xx $non2xx, socket errors c/r/w/t $connect/$read/$write/$timeout"
    echo "   latency p50 / p90 / p99 / max: $p50_ms / $p90_ms / $p99_ms / $max_ms ms"
    echo "   CPU over ${secs} s (cores): gateway $cpu_gw, sandbox $cpu_sb, RabbitMQ $cpu_mq, wrk $cpu_wrk, other processes $cpu_others; machine busy $cpu_machine of $(nproc)"
    echo "   gateway CPU per 2xx request: $cpu_per ms; gateway RSS $gw_rss MiB (peak $gw_hwm MiB)"
    [[ -z "$extra" ]] || echo "   $extra"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$latency" "$rps" "$ok" "$non2xx" \
        "$p50_ms" "$p90_ms" "$p99_ms" "$cpu_gw" "$cpu_sb" "$cpu_mq" "$cpu_wrk" "$cpu_others" "$cpu_per" "$gw_rss" "$accepted" >>"$RESULTS"
    [[ "$mode" != async ]] || printf 'drain\t%s\n' "$drain" >>"$WORK/drain.txt"
}

# ------------------------------------------------------------------ phases
echo
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk shares the cores with everything measured"
for phase in $PHASES; do
    case "$phase" in
        health) run_phase health health "$API" "" 0 ;;
        sandbox) run_phase "sandbox-$LATENCY_MS" sandbox "$SANDBOX" "Bearer $TOKEN" "$LATENCY_MS" ;;
        send-0) run_phase send-0 send "$API" "Bearer $BENCHAPI_API_KEY" 0 ;;
        send-L) run_phase "send-$LATENCY_MS" send "$API" "Bearer $BENCHAPI_API_KEY" "$LATENCY_MS" ;;
        async) run_phase async async "$API" "Bearer $BENCHAPI_API_KEY" 0 ;;
        *) echo "bench-api: unknown phase '$phase'" >&2; exit 2 ;;
    esac
done

# ------------------------------------------------------------------ figures
echo
echo "== figures ($(nproc) cores, wrk -t $THREADS -c $CONNECTIONS -d $DURATION; CPU in cores; gateway RSS after the phase)"
python3 - "$RESULTS" "$LATENCY_MS" "$WORK/drain.txt" <<'PY'
import sys, os
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
latency = sys.argv[2]
drain = dict(l.split("\t") for l in open(sys.argv[3]).read().split("\n") if l) if os.path.exists(sys.argv[3]) else {}
head = ("phase", "lat ms", "req/s", "2xx", "non-2xx", "p50 ms", "p90 ms", "p99 ms",
        "CPU gw", "CPU sbx", "CPU mq", "CPU wrk", "CPU other", "gw ms/req", "RSS MiB", "sandbox")
print(" ".join(f"{h:>10}" for h in head))
for r in rows:
    print(" ".join(f"{c:>10}" for c in r))
by = {r[0]: r for r in rows}
base, send = by.get(f"sandbox-{latency}"), by.get(f"send-{latency}")
if base and send:
    added = [float(send[i]) - float(base[i]) for i in (5, 6, 7)]
    print(f"gateway's added latency at {latency} ms sandbox latency (send-{latency} minus sandbox-{latency}, same connections):"
          f" p50 {added[0]:+.2f} / p90 {added[1]:+.2f} / p99 {added[2]:+.2f} ms")
    print(f"  over the sandbox's fixed {latency} ms: p50 {float(send[5]) - float(latency):+.2f} ms")
if "async" in by and "drain" in drain:
    print(f"async: {by['async'][3]} accepted, sandbox {by['async'][15]} delivered, the last {drain['drain']} s after wrk stopped")
PY
echo "logs: $WORK"
