#!/usr/bin/env bash
# scripts/sandbox-load.sh — measure how many valid Open Messaging inbound messages per second
# genesys-sandbox accepts (schema validation on), using wrk against 127.0.0.1 only.
#
# Builds the release binary, starts the sandbox on a free loopback port, drives valid inbound
# messages for a bounded time with several connections, prints messages/second and latency,
# cross-checks the count with /sandbox/stats, and stops the server.
#
# Environment: DURATION (default 10s), CONNECTIONS (default 32), THREADS (wrk threads, default 1).
set -euo pipefail

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk"
    SUDO=""
    [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq wrk >/dev/null
fi

echo "== building genesys-sandbox (release)"
(cd "$ROOT" && swift build -c release --product genesys-sandbox >/dev/null)
BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/genesys-sandbox"

echo "== starting the sandbox on 127.0.0.1 (free port)"
"$BIN" --host 127.0.0.1 --port 0 \
    --client load-client:load-secret:load-org --integration load-integration:load-org \
    --rate-per-minute 1000000000 --log-level info >"$WORK/sandbox.log" 2>&1 &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 100); do
    BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sandbox.log" | head -n 1 || true)"
    [[ -n "$BASE" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/sandbox.log"; exit 1; }
    sleep 0.1
done
[[ -n "$BASE" ]] || { echo "sandbox did not start"; cat "$WORK/sandbox.log"; exit 1; }
echo "   listening on $BASE"

TOKEN="$(curl -sf -u load-client:load-secret -d grant_type=client_credentials "$BASE/oauth/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
[[ -n "$TOKEN" ]] || { echo "no token"; exit 1; }

cat >"$WORK/inbound.lua" <<LUA
-- Each request: a valid OpenInboundNormalizedMessage with its own provider message id;
-- 500 customers, so conversations are reused as in real traffic.
local counter = 0
local thread_id = 0
local next_thread = 0
setup = function(thread)
    thread:set("thread_id", next_thread)
    next_thread = next_thread + 1
end
request = function()
    counter = counter + 1
    local body = string.format(
        '{"channel":{"from":{"id":"customer-%d","idType":"Opaque","nickname":"Load"},' ..
        '"time":"2026-01-01T00:00:00.000Z","messageId":"load-%d-%d"},"text":"load test message %d"}',
        counter % 500, thread_id, counter, counter)
    return wrk.format("POST", "/api/v2/conversations/messages/load-integration/inbound/open/message", {
        ["Authorization"] = "Bearer $TOKEN",
        ["Content-Type"] = "application/json",
    }, body)
end
LUA

echo "== wrk: $THREADS thread(s), $CONNECTIONS connections, $DURATION"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$WORK/inbound.lua" "$BASE" | tee "$WORK/wrk.txt"

STATS="$(curl -sf "$BASE/sandbox/stats")"
ACCEPTED="$(curl -sf "$BASE/sandbox/received/load-integration" | sed -E 's/^\{"count":([0-9]+).*/\1/')"
RPS="$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")"
NON2XX="$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt")"
echo "== result"
echo "   accepted valid messages (sandbox count): $ACCEPTED"
echo "   non-2xx responses: ${NON2XX:-0}"
echo "   status counters: $STATS"
echo "   throughput: $RPS messages/second (validation on, $CONNECTIONS connections, 2 cores shared with wrk)"
