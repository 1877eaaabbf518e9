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
# the Genesys sandbox and `genesys-gateway run` on one tenant (free ports), then runs schemathesis against the
# gateway, prints the figures, and stops everything it started — also on failure or Ctrl-C.
# Needs the debug build (`swift build`; GGW_BIN_DIR overrides .build/debug).
#
# The tool: schemathesis and every package it pulls in are pinned, versions and hashes, in
# scripts/requirements/api-contract.txt (generated from api-contract.in, see its header) and installed from
# wheels only into .run/venv. The venv keeps the file's sha256; it is made anew when the file changes or when
# what is installed is not exactly what the file pins (scripts/requirements/check-venv.py).
#
# Verdicts (read from schemathesis' JSON report, not from its exit status, which is 1 for both a failed check
# and an internal error), each with its own exit status and message:
#   0  passed: the run completed, every check passed, no error.
#   1  "CONTRACT FINDING": a check failed (server error, an answer the document does not allow, ...), a request
#      went unanswered (schemathesis' Network Error, Server Unavailable, Unhealthy API, Unresponsive Operation)
#      or the gateway exited. Reported at once, never retried.
#   3  "TOOL CRASH": schemathesis failed without any finding (an internal "Runtime Error", a run that did not
#      complete, no report). Run once more against the same gateway; a second crash ends with 3.
#   4  the run did not finish within its cap (170 s short, 1200 s long): neither verdict.
# Each attempt's log and reports (JUnit XML, JSON) are in .run/api-contract/attempt-N/. To see the tool-crash
# path, give schemathesis a hooks file that raises inside Hypothesis (SCHEMATHESIS_HOOKS=/path/to/file.py).
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
requirements="$repo/scripts/requirements/api-contract.txt"
bin="${GGW_BIN_DIR:-.build/debug}"
export GGW_RUN_DIR="$run_dir"
export GGW_RABBITMQ_PORT="${GGW_RABBITMQ_PORT:-5743}"

log() { printf 'api-contract: %s\n' "$*" >&2; }
# A port the kernel has just handed out on 127.0.0.1 (free now; nothing else of ours binds it meanwhile).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

[ -x "$bin/genesys-gateway" ] && [ -x "$bin/genesys-sandbox" ] || { log "no gateway build in $bin: run 'swift build' first"; exit 1; }

# ---- the tool, exactly as pinned
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$wanted" ] \
  || ! "$venv/bin/python" scripts/requirements/check-venv.py "$requirements" 2>/dev/null; then
  log "installing scripts/requirements/api-contract.txt (schemathesis $schemathesis_version, every dependency pinned by hash) into a new $venv"
  # Debian's python3 makes venvs only with python3-venv.
  python3 -c 'import ensurepip' 2>/dev/null || apt-get install -y -qq python3-venv >/dev/null
  rm -rf "$venv"
  python3 -m venv "$venv"
  # Wheels only: building an sdist would fetch build dependencies that no hash pins.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --require-hashes --only-binary :all: \
    -r "$requirements"
  "$venv/bin/python" scripts/requirements/check-venv.py "$requirements" \
    || { log "$venv does not hold what $requirements pins (above)"; exit 1; }
  echo "$wanted" >"$venv/requirements.sha256"
fi
"$venv/bin/schemathesis" --version | grep -q "$schemathesis_version" \
  || { log "$requirements does not pin schemathesis $schemathesis_version"; exit 1; }

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
rm -rf "$run_dir/state" "$run_dir/tenants" "$run_dir/report" "$run_dir"/attempt-*
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

"$bin/genesys-gateway" run --config-dir "$run_dir/tenants" --plugins-dir "$run_dir/plugins" --allow-genesys-host 127.0.0.1 \
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

# One schemathesis run into $run_dir/attempt-N; prints the figures and returns the verdict (0, 1, 3 or 4 as in
# the header).
attempt() {
  local n=$1 out="$run_dir/attempt-$1" status=0 verdict=0
  mkdir -p "$out"
  log "schemathesis ($mode, attempt $n): ${limits[*]}, at most $cap s"
  # Run from the state folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
  (cd "$run_dir" && timeout -k 10 "$cap" "$venv/bin/schemathesis" --config-file "$repo/scripts/api-contract.toml" \
    run "$repo/docs/openapi.yaml" --url "$base_url" --checks all --workers 2 --request-timeout 10 \
    --generation-database none --no-color "${limits[@]}" \
    --report junit,json --report-dir "$out" --report-junit-path "$out/junit.xml" --report-json-path "$out/report.json") \
    2>&1 | tee "$out/schemathesis.log" || status=${PIPESTATUS[0]}

  gateway_alive=yes
  kill -0 "$gateway_pid" 2>/dev/null || gateway_alive=no
  python3 - "$out/report.json" "$status" "$cap" "$gateway_alive" "$n" <<'PY' || verdict=$?
import json, sys

report, status, cap, gateway_alive, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "yes", sys.argv[5]
# Errors that mean the gateway did not answer (requests.RequestException and the engine's health verdicts):
# findings about the server. Every other error title ("Runtime Error", "Failed Health Check", "Schema Error",
# "Hook Error", ...) is schemathesis failing at its own job.
SERVER_SIDE = {"Network Error", "Server Unavailable", "Unhealthy API", "Unresponsive Operation"}
say = lambda line: print(f"api-contract: {line}", file=sys.stderr)

try:
    with open(report, encoding="utf-8") as file:
        doc = json.load(file)
except (OSError, ValueError) as problem:
    doc = None
    unreadable = problem

if doc is not None:
    failures = doc.get("failures") or []
    errors = doc.get("errors") or []
    server_errors = sum(group["count"] for group in failures if group["code"] == "ST101")
    mismatches = sum(group["count"] for group in failures if group["code"] != "ST101")
    unanswered = [group for group in errors if group["title"] in SERVER_SIDE]
    tool_errors = [group for group in errors if group["title"] not in SERVER_SIDE]
    generated = doc["test_cases"]["generated"]
    print(f"api-contract: {generated} cases, {server_errors} server errors, {mismatches} contract mismatches, "
          f"{sum(group['count'] for group in unanswered)} unanswered, "
          f"{sum(group['count'] for group in tool_errors)} tool errors")

if not gateway_alive or (doc is not None and (failures or unanswered)):
    if not gateway_alive:
        say("CONTRACT FINDING: the gateway exited during the run (see gateway.log)")
    else:
        say("CONTRACT FINDING: the gateway's answers contradict docs/openapi.yaml")
    if doc is None:
        sys.exit(1)
    for group in failures:
        say(f"  {group['code']} {group['title']}: {group['count']} ({', '.join(group['operations'])})")
    for group in unanswered:
        say(f"  {group['title']}: {group['count']} (requests the gateway did not answer)")
    for group in tool_errors:
        say(f"  also a tool error: {group['title']}: {group['count']}")
    sys.exit(1)
if status == 124:
    say(f"DID NOT FINISH: schemathesis did not finish within {cap} s (a hung tool or a slow gateway: see the logs)")
    sys.exit(4)
if doc is None:
    say(f"TOOL CRASH (attempt {n}): schemathesis exited with status {status} and wrote no readable report ({unreadable})")
    sys.exit(3)
problems = [f"{group['title']}: {group['count']}" for group in tool_errors]
if not doc.get("complete") or doc.get("stop_reason") != "completed":
    problems.append(f"the run did not complete (stop reason: {doc.get('stop_reason')})")
if generated == 0:
    problems.append("no test case was generated")
if status != doc.get("exit_code"):
    problems.append(f"the process exited with {status}, the report says {doc.get('exit_code')}")
if problems:
    say(f"TOOL CRASH (attempt {n}): schemathesis failed without a contract finding: " + "; ".join(problems))
    sys.exit(3)
if status != 0:
    # No failure, no error, a complete run, and still not 0: the run's warnings were configured to fail it.
    say(f"CONTRACT FINDING: schemathesis failed the run on its warnings: {doc.get('warnings')}")
    sys.exit(1)
sys.exit(0)
PY
  return "$verdict"
}

verdict=0
attempt 1 || verdict=$?
if [ "$verdict" -eq 3 ]; then
  log "a tool crash is no verdict on the gateway (log: $run_dir/attempt-1/schemathesis.log): running schemathesis once more"
  verdict=0
  attempt 2 || verdict=$?
  if [ "$verdict" -eq 3 ]; then
    log "TOOL CRASH: schemathesis failed twice without a contract finding: a fault of the test tool, not a verdict on the gateway (logs: $run_dir/attempt-1/, $run_dir/attempt-2/)"
  fi
fi
case "$verdict" in
  0) log "passed" ;;
  1) log "FAILED: contract finding (details above; log and reports in $run_dir/attempt-*/, gateway log $run_dir/gateway.log)" ;;
esac
exit "$verdict"
