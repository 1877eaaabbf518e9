#!/usr/bin/env bash
# The HTTP contract: schemathesis generates requests from docs/openapi.yaml and checks the running gateway's
# answers against it (no server error, status codes, headers and bodies as documented, undocumented methods
# answered 405 with Allow, schema-violating requests refused).
#
# Usage: scripts/api-contract.sh [--short | --long]
#   --short  (default) a bounded run for the test command: few examples per operation, fixed seed, < 3 min
#   --long   more examples per operation, every phase (stateful too), random seed, up to 20 min
#
# Starts, on 127.0.0.1 only and in .run/api-contract: a private RabbitMQ (GGW_RABBITMQ_PORT, default 5743),
# the Genesys sandbox and `genesys-gateway run` on one tenant (free ports), then runs schemathesis
# (installed into .run/venv) against the gateway, prints the figures, and stops everything it started —
# also on failure or Ctrl-C. Exits non-zero on any server error or contract mismatch.
# Needs the debug build (`swift build`; GGW_BIN_DIR overrides .build/debug).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=short
case "${1:-}" in
  "" | --short) ;;
  --long) mode=long ;;
  *) sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "$0" >&2; exit 2 ;;
esac

schemathesis_version=4.32.5
repo="$PWD"
run_dir="$repo/.run/api-contract"
venv="$repo/.run/venv"
bin="${GGW_BIN_DIR:-.build/debug}"
export GGW_RUN_DIR="$run_dir"
export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5743}"

log() { printf 'api-contract: %s\n' "$*" >&2; }
# A port the kernel has just handed out on 127.0.0.1 (free now; nothing else of ours binds it meanwhile).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

[ -x "$bin/genesys-gateway" ] && [ -x "$bin/genesys-sandbox" ] || { log "no gateway build in $bin: run 'swift build' first"; exit 1; }

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  log "installing schemathesis $schemathesis_version into $venv"
  # Debian's python3 makes venvs only with python3-venv.
  python3 -c 'import ensurepip' 2>/dev/null || apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

# shellcheck source=scripts/example-env.sh
. scripts/example-env.sh
export GGW_CONTRACT_TENANT_KEY="$ACME_API_KEY"
api_port=$(free_port)
sandbox_port=$(free_port)
export GGW_SANDBOX_PORT="$sandbox_port" GGW_API_PORT="$api_port"
base_url="http://127.0.0.1:$api_port"

gateway_pid=""
# shellcheck disable=SC2317  # called from the trap
cleanup() {
  if [ -n "$gateway_pid" ]; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  bash scripts/sandbox.sh stop >/dev/null 2>&1 || true
  bash scripts/rabbitmq.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "RabbitMQ on 127.0.0.1:$GGW_RABBITMQ_PORT, sandbox on :$sandbox_port, gateway on :$api_port (state in $run_dir)"
bash scripts/rabbitmq.sh reset >/dev/null
rm -rf "$run_dir/state" "$run_dir/tenants" "$run_dir/report"
mkdir -p "$run_dir/tenants"
bash scripts/rabbitmq.sh start >/dev/null
eval "$(bash scripts/rabbitmq.sh env)"
GGW_BIN_DIR="$bin" bash scripts/sandbox.sh start >/dev/null
bash scripts/stage-plugins.sh "$bin" "$run_dir/plugins" >/dev/null

# One tenant with two orgs, acme's sandbox clients and integrations, every shipped message type switched on (the
# document cannot know which types an org enables); a rate limit high enough that generated
# requests are not throttled (throttling is the integration tests' subject, not the contract's).
cat >"$run_dir/tenants/acme.yaml" <<YAML
id: acme
displayName: Acme (contract run)
apiKeys: [env:ACME_API_KEY]
orgs:
  - name: us
    default: true
    apiBaseURL: http://127.0.0.1:$sandbox_port
    loginBaseURL: http://127.0.0.1:$sandbox_port
    clientId: acme-us-client
    clientSecret: env:ACME_US_CLIENT_SECRET
    integrationId: 7f1a3c52-5a9e-4c41-9d3e-acme00000001
    webhookSecret: env:ACME_US_WEBHOOK_SECRET
    messageTypes: [text, media, image, video, audio, file, typing, receipt, buttonResponse]
    rateLimit: {messagesPerSecond: 10000, burst: 10000}
  - name: eu
    apiBaseURL: http://127.0.0.1:$sandbox_port
    loginBaseURL: http://127.0.0.1:$sandbox_port
    clientId: acme-eu-client
    clientSecret: env:ACME_EU_CLIENT_SECRET
    integrationId: 7f1a3c52-5a9e-4c41-9d3e-acme00000002
    webhookSecret: env:ACME_EU_WEBHOOK_SECRET
    messageTypes: [text, media, image, video, audio, file, typing, receipt, buttonResponse]
    rateLimit: {messagesPerSecond: 10000, burst: 10000}
YAML

"$bin/genesys-gateway" run --config-dir "$run_dir/tenants" --plugins-dir "$run_dir/plugins" \
  --amqp-url "$GGW_AMQP_URL" --state-dir "$run_dir/state" --api-host 127.0.0.1 --api-port "$api_port" \
  --admin-key env:GGW_ADMIN_API_KEY >"$run_dir/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 150); do
  curl -fs "$base_url/ready" >/dev/null 2>&1 && break
  kill -0 "$gateway_pid" 2>/dev/null || { log "the gateway stopped; log:"; tail -20 "$run_dir/gateway.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs "$base_url/ready" >/dev/null || { log "the gateway is not ready after 30 s; log:"; tail -20 "$run_dir/gateway.log" >&2; exit 1; }

if [ "$mode" = short ]; then
  limits=(--max-examples 8 --phases examples,coverage,fuzzing --seed 1100)
  cap=170
else
  limits=(--max-examples 100)
  cap=1200
fi
log "schemathesis ($mode): ${limits[*]}, at most $cap s"
status=0
# Run from the state folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
(cd "$run_dir" && timeout -k 10 "$cap" "$venv/bin/schemathesis" --config-file "$repo/scripts/api-contract.toml" run "$repo/docs/openapi.yaml" \
  --url "$base_url" --checks all --workers 2 --request-timeout 10 --generation-database none \
  --report junit --report-dir "$run_dir/report" --no-color "${limits[@]}") 2>&1 | tee "$run_dir/schemathesis.log" \
  || status=${PIPESTATUS[0]}
[ "$status" -eq 124 ] && log "schemathesis did not finish within $cap s"

# The figures, from schemathesis' summary: "N generated" and one "❌ STnnn <title>: N" line per kind of failure
# (ST101 is a server error; every other code is a mismatch between the answers and the document).
python3 - "$run_dir/schemathesis.log" <<'PY2' || status=$((status == 0 ? 1 : status))
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
generated = re.findall(r"(\d+) generated", text)
failures = [(code, int(count)) for code, count in re.findall(r"❌ (ST\d+) [^\n]*: (\d+)\s*$", text, re.M)]
server_errors = sum(count for code, count in failures if code == "ST101")
mismatches = sum(count for code, count in failures if code != "ST101")
print(f"api-contract: {generated[-1] if generated else 'no'} cases, {server_errors} server errors, {mismatches} contract mismatches")
sys.exit(0 if generated and not failures else 1)
PY2
exit "$status"
