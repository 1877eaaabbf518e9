#!/usr/bin/env bash
# Checks the alert rules (deploy/prometheus/alerts.yml) and the Grafana dashboard (deploy/grafana/gateway.json)
# against reality: a real Prometheus (Debian's package) scrapes a real gateway (`genesys-gateway run`, its own
# process) that talks to the Genesys sandbox through a private RabbitMQ and reads tenants from a tenant service
# (scripts/tenant-service.py), while this script sends traffic with failures injected. Then scripts/check-observability.py asks Prometheus' HTTP API whether every alert
# expression's inner series and every dashboard query return series, whether the rules load and evaluate, and
# whether the injected faults show up where they should (see that file's docstring).
#
# Usage: scripts/check-observability.sh            (build first: genesys-gateway, genesys-sandbox, plugins)
# Everything binds to 127.0.0.1 and lives under $GGW_RUN_DIR (default .run/alerts); everything started here is
# stopped on exit, whatever happens. Exit status: 0 when every check passed, 1 otherwise.
#
# Environment (defaults chosen not to collide with demo.sh or the test suite):
#   GGW_RUN_DIR=.run/alerts  GGW_RABBITMQ_PORT=5702  GGW_REDIS_PORT=6402 (not used: single-process mode)
#   GGW_SANDBOX_PORT=9711  GGW_API_PORT=8711  GGW_OPS_PORT=8712  GGW_PROMETHEUS_PORT=9712
#   GGW_TENANT_SERVICE_PORT=9713
#   GGW_BIN_DIR=.build/debug   GGW_CHECK_SECONDS=300 (the whole run is killed after this)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

export GGW_RUN_DIR="${GGW_RUN_DIR:-$repo/.run/alerts}"
export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5702}"
export GGW_REDIS_PORT="${GGW_REDIS_PORT:-6402}"
export GGW_SANDBOX_PORT="${GGW_SANDBOX_PORT:-9711}"
export GGW_API_PORT="${GGW_API_PORT:-8711}"   # sandbox.sh points the sandbox's webhooks here too
export GGW_OPS_PORT="${GGW_OPS_PORT:-8712}"
prometheus_port="${GGW_PROMETHEUS_PORT:-9712}"
tenant_service_port="${GGW_TENANT_SERVICE_PORT:-9713}"
bin_dir="${GGW_BIN_DIR:-.build/debug}"
export GGW_BIN_DIR="$bin_dir"
budget="${GGW_CHECK_SECONDS:-300}"
run_dir="$GGW_RUN_DIR"
gateway="$bin_dir/genesys-gateway"
started_at=$SECONDS

log() { printf 'check-observability: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in prometheus promtool curl python3; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh --observability installs prometheus)"
done
python3 -c 'import yaml' 2>/dev/null || die "python3 yaml module missing (apt-get install python3-yaml)"
[ -x "$gateway" ] && [ -x "$bin_dir/genesys-sandbox" ] \
    || die "build first: swift build --product genesys-gateway; swift build --product genesys-sandbox; the GenesysPlugin* products"
# A port already taken would make us scrape or drive someone else's process: refuse instead.
for port in "$GGW_SANDBOX_PORT" "$GGW_API_PORT" "$GGW_OPS_PORT" "$prometheus_port" "$GGW_RABBITMQ_PORT" "$tenant_service_port"; do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port on 127.0.0.1 is in use"; fi
done

# ---- cleanup: stop exactly what this script started, in reverse order.
gateway_pid="" prometheus_pid="" tenant_service_pid="" watchdog_pid=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e  # stop everything even if one step fails (the watchdog may be gone already, say)
    [ -n "$watchdog_pid" ] && kill "$watchdog_pid" 2>/dev/null
    if [ -n "$gateway_pid" ]; then kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null; fi
    if [ -n "$prometheus_pid" ]; then kill "$prometheus_pid" 2>/dev/null && wait "$prometheus_pid" 2>/dev/null; fi
    if [ -n "$tenant_service_pid" ]; then kill "$tenant_service_pid" 2>/dev/null && wait "$tenant_service_pid" 2>/dev/null; fi
    bash scripts/sandbox.sh stop >/dev/null 2>&1 || true
    bash scripts/rabbitmq.sh stop >/dev/null 2>&1 || true
    log "stopped everything; $((SECONDS - started_at)) s in all; logs in $run_dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Bounded: whatever hangs (a broker that does not boot, a stuck curl), the whole run ends after $budget s.
# (The watchdog's own sleep is ended with it, by the trap, so nothing is left behind.)
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$budget" &
    sleeper=$!
    wait "$sleeper"
    log "ERROR: time budget of $budget s exceeded"
    kill -TERM $$
) &
watchdog_pid=$!

# ---- the rules themselves first: no point in starting servers for a file promtool rejects.
promtool check rules deploy/prometheus/alerts.yml >/dev/null || die "promtool check rules failed"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' deploy/grafana/gateway.json || die "dashboard is not JSON"

# ---- fresh state: the private broker, plugins, tenant configs pointing at our sandbox port.
mkdir -p "$run_dir"
rm -rf "$run_dir/state" "$run_dir/prometheus" "$run_dir/tenants" "$run_dir/tenant-service"
bash scripts/rabbitmq.sh reset >/dev/null
bash scripts/stage-plugins.sh "$bin_dir" "$run_dir/plugins" >/dev/null
mkdir -p "$run_dir/tenants"
for file in TenantConfigs/*.yaml; do
    sed "s#http://127.0.0.1:9410#http://127.0.0.1:$GGW_SANDBOX_PORT#g" "$file" >"$run_dir/tenants/$(basename "$file")"
done
mkdir -p "$run_dir/tenant-service"
tenants_document="$run_dir/tenant-service/tenants.json"
sed "s#http://127.0.0.1:9410#http://127.0.0.1:$GGW_SANDBOX_PORT#g" examples/tenant-service/tenants.json >"$tenants_document"
# shellcheck source=scripts/example-env.sh
. scripts/example-env.sh
export GGW_CONFIG_DIR="$run_dir/tenants" GGW_PLUGINS_DIR="$run_dir/plugins" GGW_STATE_DIR="$run_dir/state"

# The tenant service's series exist only with --tenant-service-url: serve the example document (tenant
# umbrella) with ETags, polled every second so that a short run sees 304s, then garbage (below).
log "tenant service on 127.0.0.1:$tenant_service_port"
tenant_service_url="http://127.0.0.1:$tenant_service_port/tenants.json"
python3 scripts/tenant-service.py --port "$tenant_service_port" --file "$tenants_document" >"$run_dir/tenant-service.log" 2>&1 &
tenant_service_pid=$!
for _ in $(seq 1 50); do
    curl -sf --max-time 2 -o /dev/null "$tenant_service_url" && break
    sleep 0.1
done
curl -sf --max-time 2 -o /dev/null "$tenant_service_url" || { cat "$run_dir/tenant-service.log" >&2; die "tenant service not up"; }

log "RabbitMQ on 127.0.0.1:$GGW_RABBITMQ_PORT"
bash scripts/rabbitmq.sh start >/dev/null
eval "$(bash scripts/rabbitmq.sh env)"
# globex's integration always answers 503: failed sends, errors by code, retries, a breaker that opens.
log "sandbox on 127.0.0.1:$GGW_SANDBOX_PORT (globex failing with 503)"
bash scripts/sandbox.sh start --fault "integration:0b6e2d8a-3f4c-4e7b-8a1d-globex000001:failureRate=1,failureStatuses=503" >/dev/null
sandbox="http://127.0.0.1:$GGW_SANDBOX_PORT/sandbox"

log "gateway: API 127.0.0.1:$GGW_API_PORT, operations (/metrics) 127.0.0.1:$GGW_OPS_PORT"
"$gateway" check-config --tenant-service-url "$tenant_service_url" >"$run_dir/check-config.log" 2>&1 \
    || { cat "$run_dir/check-config.log" >&2; die "check-config failed"; }
"$gateway" run --api-port "$GGW_API_PORT" --ops-port "$GGW_OPS_PORT" \
    --tenant-service-url "$tenant_service_url" --tenant-service-interval 1 >"$run_dir/gateway.log" 2>&1 &
gateway_pid=$!
ops="http://127.0.0.1:$GGW_OPS_PORT"
for _ in $(seq 1 150); do
    curl -sf --max-time 2 "$ops/ready" >/dev/null && break
    kill -0 "$gateway_pid" 2>/dev/null || { tail -20 "$run_dir/gateway.log" >&2; die "gateway exited"; }
    sleep 0.2
done
curl -sf --max-time 2 "$ops/ready" >/dev/null || { tail -20 "$run_dir/gateway.log" >&2; die "gateway not ready after 30 s"; }

# An already expired message for globex/main (its own conversation, so it does not wait behind globex's
# failing sends): the expired counter's series only appears with an org's first expired message, and
# rate() needs it seen before the second one (sent with the traffic) to show an increase.
expired() {  # id
    printf '{"id":"%s","tenantId":"globex","org":"main","type":"text","textBody":"too late","sender":{"id":"+15550100010","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z","expiresAt":"2026-11-25T10:00:01Z"}' "$1"
}
expired obs-globex-expired-1 | "$gateway" publish --file - >/dev/null 2>>"$run_dir/publish.log"

# ---- Prometheus: scrape every second, evaluate the rules every second, so a short run has enough samples
# for rate()/increase() (two samples in the window) and the rules have been evaluated.
mkdir -p "$run_dir/prometheus"
cat >"$run_dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $repo/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: genesys-gateway
    static_configs:
      - targets: ["127.0.0.1:$GGW_OPS_PORT"]
EOF
promtool check config "$run_dir/prometheus.yml" >/dev/null || die "promtool check config failed"
log "Prometheus on 127.0.0.1:$prometheus_port"
prometheus --config.file="$run_dir/prometheus.yml" --storage.tsdb.path="$run_dir/prometheus" \
    --web.listen-address="127.0.0.1:$prometheus_port" --storage.tsdb.retention.time=1h \
    --log.level=warn >"$run_dir/prometheus.log" 2>&1 &
prometheus_pid=$!
prom="http://127.0.0.1:$prometheus_port"
for _ in $(seq 1 100); do
    curl -sf --max-time 2 "$prom/-/ready" >/dev/null && break
    kill -0 "$prometheus_pid" 2>/dev/null || { tail -20 "$run_dir/prometheus.log" >&2; die "prometheus exited"; }
    sleep 0.3
done
curl -sf --max-time 2 "$prom/-/ready" >/dev/null || die "prometheus not ready"
# Prometheus scrapes a new target only after its first target sync (about 5 s). increase() counts what
# happened between two samples, so the counters must have been seen at 0 before the traffic: wait for a
# first scrape (every org's series exist from the first one) before sending anything.
scraped() {
    local query
    for query in 'genesys_gateway_messages_dead_lettered_total{tenant="acme",org="us"}' \
        'genesys_gateway_messages_expired_total{tenant="globex",org="main"}'; do
        curl -s --max-time 2 "$prom/api/v1/query" --data-urlencode "query=$query" | grep -q '"value"' || return 1
    done
}
for _ in $(seq 1 60); do scraped && break; sleep 0.5; done
scraped || die "Prometheus has not scraped the gateway after 30 s (see $prom/targets while it runs)"

# ---- traffic
api="http://127.0.0.1:$GGW_API_PORT"
json='Content-Type: application/json'
message() {  # id tenant org text
    printf '{"id":"%s","tenantId":"%s","org":"%s","type":"text","textBody":"%s","sender":{"id":"+15550100009","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}' "$@"
}
# acme/eu: the next 3 message sends get 429 with Retry-After 2 s (throttled, rate cut, pause). An integration
# fault, not a client one: client faults also hit the token request, and a token 429 is no Genesys send.
curl -sf --max-time 5 -X PUT "$sandbox/faults/integrations/7f1a3c52-5a9e-4c41-9d3e-acme00000002" -H "$json" \
    -d '{"burst429Count":3,"burst429RetryAfterSeconds":2}' >/dev/null
log "traffic: acme through the API, globex and an invalid message through the queue"
for i in $(seq 1 12); do
    message "obs-globex-$i" globex main "hello $i" | "$gateway" publish --file - >/dev/null 2>>"$run_dir/publish.log"
done
"$gateway" publish --file examples/messages/05-invalid.json >/dev/null 2>>"$run_dir/publish.log"   # dead-lettered
for i in $(seq 1 15); do
    curl -s --max-time 5 -o /dev/null -X POST "$api/v1/messages" -H "Authorization: Bearer $ACME_API_KEY" -H "$json" \
        -d "$(message "obs-acme-us-$i" acme us "hi $i")"
done
for i in $(seq 1 6); do
    curl -s --max-time 5 -o /dev/null -X POST "$api/v1/messages" -H "Authorization: Bearer $ACME_API_KEY" -H "$json" \
        -d "$(message "obs-acme-eu-$i" acme eu "hi $i")"
done
# A revoked token: the next acme/us send gets 401, the gateway renews and resends (a token renewal).
curl -sf --max-time 5 -X POST "$sandbox/clients/acme-us-client/revoke-tokens" >/dev/null
curl -s --max-time 5 -o /dev/null -X POST "$api/v1/messages" -H "Authorization: Bearer $ACME_API_KEY" -H "$json" \
    -d "$(message "obs-acme-us-after-revoke" acme us "hi again")"
expired obs-globex-expired-2 | "$gateway" publish --file - >/dev/null 2>>"$run_dir/publish.log"
# The tenant service answers garbage from now on: failed fetches counted as invalid, up 0, umbrella kept.
echo '<html>maintenance</html>' >"$tenants_document.new"
mv "$tenants_document.new" "$tenants_document"

# ---- checks (each retried until it passes or 90 s pass; see check-observability.py)
log "checking (traffic sent after $((SECONDS - started_at)) s)"
python3 scripts/check-observability.py --prometheus "$prom" \
    --alerts deploy/prometheus/alerts.yml --dashboard deploy/grafana/gateway.json \
    --tenant globex --org main --deadline "${GGW_CHECK_DEADLINE:-90}" \
    --expect 'genesys_gateway_genesys_errors_total{tenant="globex",org="main",code="503"} > 0' \
    --expect 'genesys_gateway_circuit_breaker_trips_total{tenant="globex",org="main"} > 0' \
    --expect 'genesys_gateway_messages_retried_total{tenant="globex",org="main"} > 0' \
    --expect 'genesys_gateway_messages_dead_lettered_total{tenant="acme",org="us"} > 0' \
    --expect 'genesys_gateway_messages_sent_total{tenant="acme",org="us"} >= 15' \
    --expect 'genesys_gateway_genesys_throttled_total{tenant="acme",org="eu"} > 0' \
    --expect 'genesys_gateway_token_renewals_total{tenant="acme",org="us"} >= 2' \
    --expect 'genesys_gateway_messages_expired_total{tenant="globex",org="main",type="text"} >= 2' \
    --expect 'genesys_gateway_tenant_service_fetches_total{result="not_modified"} > 0' \
    --expect 'genesys_gateway_tenant_service_fetches_total{result="invalid"} > 0' \
    --expect 'genesys_gateway_ready == 1' \
    --expect 'up{job="genesys-gateway"} == 1' \
    --expect-alert 'GenesysGatewayCircuitOpen:globex/main' \
    --expect-alert 'GenesysGatewayDeadLettering:acme/us' \
    --expect-alert 'GenesysGatewayMessagesExpiring:globex/main' \
    --expect-alert 'GenesysGatewayTenantServiceFailing'
