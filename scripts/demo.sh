#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is needed, builds, and runs the local demo —
# a private RabbitMQ on 127.0.0.1:5673, the Genesys sandbox on 127.0.0.1:9410 (globex's integration failing
# with 503 on purpose), a tenant service on 127.0.0.1:9420 (scripts/tenant-service.py serving
# examples/tenant-service/tenants.json: tenant umbrella), and the gateway on the example tenants in TenantConfigs/
# plus the tenant service's. It publishes the example messages in examples/messages/, shows what happened, then
# keeps running until Ctrl-C (GGW_DEMO_SECONDS=N stops it after N seconds instead).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== build"
swift build
plugins_dir=".build/plugins"
bash scripts/stage-plugins.sh .build/debug "$plugins_dir"
# shellcheck source=scripts/example-env.sh
. scripts/example-env.sh
export GGW_PLUGINS_DIR="$plugins_dir" GGW_STATE_DIR=".run/state"
gateway=.build/debug/genesys-gateway

cleanup() {
    [ -n "${gateway_pid:-}" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
    if [ -n "${tenant_service_pid:-}" ]; then
        kill "$tenant_service_pid" 2>/dev/null || true
        wait "$tenant_service_pid" 2>/dev/null || true  # it ends with 143, by our SIGTERM: not a failure
    fi
    bash scripts/sandbox.sh stop || true
    bash scripts/rabbitmq.sh stop || true
}
trap cleanup EXIT INT TERM

echo "== the tenant service (log: .run/tenant-service.log)"
mkdir -p .run
tenant_service_url="http://127.0.0.1:9420/tenants.json"
python3 scripts/tenant-service.py --port 9420 --file examples/tenant-service/tenants.json >.run/tenant-service.log 2>&1 &
tenant_service_pid=$!
for _ in $(seq 1 50); do
    curl -sf -o /dev/null "$tenant_service_url" && break
    sleep 0.1
done
curl -sf -o /dev/null "$tenant_service_url" || { cat .run/tenant-service.log; exit 1; }
echo "examples/tenant-service/tenants.json on $tenant_service_url"

echo "== plugins and tenants (TenantConfigs/ and the tenant service)"
"$gateway" plugins
"$gateway" check-config --tenant-service-url "$tenant_service_url"

echo "== RabbitMQ and the Genesys sandbox (fresh state every run)"
bash scripts/rabbitmq.sh reset >/dev/null
rm -rf .run/state
bash scripts/rabbitmq.sh start
eval "$(bash scripts/rabbitmq.sh env)"
bash scripts/sandbox.sh start --fault "integration:0b6e2d8a-3f4c-4e7b-8a1d-globex000001:failureRate=1,failureStatuses=503"

echo "== gateway (log: .run/gateway.log)"
# A short poll interval so that the demo's own minute shows the service answering 304 to the ETag.
"$gateway" run --tenant-service-url "$tenant_service_url" --tenant-service-interval 5 >.run/gateway.log 2>&1 &
gateway_pid=$!
sleep 2

echo "== publishing examples/messages/*.json"
for message in examples/messages/*.json; do
    "$gateway" publish --file "$message" 2>/dev/null
done
sleep 5

echo "== what the sandbox (Genesys) received"
curl -s http://127.0.0.1:9410/sandbox/received >.run/received.json
python3 - .run/received.json <<'PY'
import json, sys
for m in json.load(open(sys.argv[1]))["messages"]:
    print("  %-18s %-16s integration ...%s conversation %s %s" % (
        m["kind"], m.get("channelMessageId") or "-", m["integrationId"][-12:], m.get("conversationId") or "-", m.get("text") or ""))
PY
echo "== queues (dead-lettered and retrying messages wait here)"
bash scripts/rabbitmq.sh queues | grep -E "genesys" || true
echo "== the HTTP API on http://127.0.0.1:8480 (README 'HTTP API' has more)"
json='Content-Type: application/json'
acme="Authorization: Bearer $ACME_API_KEY"
admin="Authorization: Bearer $GGW_ADMIN_API_KEY"
echo "-- GET /ready";  curl -s localhost:8480/ready; echo
echo "-- POST /v1/messages (sent now)"
curl -s -X POST localhost:8480/v1/messages -H "$acme" -H "$json" \
    -d '{"id":"demo-api-1","type":"text","textBody":"Hello from the API","sender":{"id":"+15550100001","idType":"Phone"}}'; echo
echo "-- POST /v1/conversations (open) and an agent reply through the webhook"
conversation=$(curl -s -X POST localhost:8480/v1/conversations -H "$acme" -H "$json" \
    -d '{"kind":"open","message":{"id":"demo-api-2","type":"text","textBody":"I need help","sender":{"id":"+15550100002","idType":"Phone"}}}' \
    | sed -E 's/.*"conversationId":"([^"]+)".*/\1/')
echo "conversation $conversation"
curl -s -X POST "localhost:9410/sandbox/agent-messages?wait=true" -H "$json" \
    -d "{\"conversationId\":\"$conversation\",\"text\":\"An agent here\"}" \
    | sed -E 's/.*"attempts":\[([^]]*)\].*/webhook attempts: \1/'; echo
echo "-- GET /v1/messages/demo-text-1 (queued earlier)"
curl -s localhost:8480/v1/messages/demo-text-1 -H "$acme" | cut -c1-300; echo
echo "-- GET /admin/tenants (breaker state per org, and where each tenant came from)"
curl -s localhost:8480/admin/tenants -H "$admin" >.run/tenants.json
python3 - .run/tenants.json <<'PY'
import json, sys
for t in json.load(open(sys.argv[1]))["tenants"]:
    for o in t["orgs"]:
        print("  %-8s %-4s breaker %-9s limiter %5.1f/s  from %s" % (
            t["id"], o["name"], o["breaker"]["state"], o["limiter"]["currentRate"], t["source"]))
PY

echo "== the tenant service's tenant"
curl -s localhost:8480/v1/messages/demo-umbrella-1 -H "Authorization: Bearer $UMBRELLA_API_KEY" >.run/umbrella-message.json
python3 - .run/tenants.json .run/umbrella-message.json .run/received.json <<'PY'
import json, sys
tenants, message, received = (json.load(open(path)) for path in sys.argv[1:])
source = next((t["source"] for t in tenants["tenants"] if t["id"] == "umbrella"), None)
print("  umbrella: %s" % ("from the tenant service (source %s), not from a file" % source if source else "NOT LOADED"))
latest = message.get("latest", {})
received_by_umbrella = [m for m in received["messages"] if m["integrationId"].endswith("umbrella0001")]
print("  its message demo-umbrella-1: %s (Genesys message id %s); the sandbox received %d message(s) on umbrella's integration" % (
    latest.get("status", "unknown: %s" % message), latest.get("genesysMessageId", "-"), len(received_by_umbrella)))
PY
curl -s localhost:8480/metrics -H "$admin" | grep '^genesys_gateway_tenant_service' | sed 's/^/  /'

echo "== gateway decisions"
grep -E "dead_lettered|will retry|circuit" .run/gateway.log | sed -E 's/^[^ ]+ //' | cut -c1-220 | head -20 || true

if [ -n "${GGW_DEMO_SECONDS:-}" ]; then
    sleep "$GGW_DEMO_SECONDS"
else
    echo "== running; publish more with: $gateway publish --file examples/messages/01-text.json   (Ctrl-C stops)"
    wait "$gateway_pid"
fi
