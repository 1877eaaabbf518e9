#!/usr/bin/env bash
# Starts or stops the Genesys sandbox for the example tenants in TenantConfigs/ and the tenant service's example
# (examples/tenant-service/tenants.json) on 127.0.0.1:9410
# (clients, secrets and integrations match the tenants; secrets come from scripts/example-env.sh).
# Usage: scripts/sandbox.sh start|stop [extra genesys-sandbox flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir="${GGW_RUN_DIR:-$PWD/.run}"
pid_file="$run_dir/sandbox.pid"
log_file="$run_dir/sandbox.log"
bin="${GGW_BIN_DIR:-.build/debug}/genesys-sandbox"
port="${GGW_SANDBOX_PORT:-9410}"
# Agent messages go to the gateway's webhook (the HTTP API of `genesys-gateway run`).
api="http://127.0.0.1:${GGW_API_PORT:-8480}"
mkdir -p "$run_dir"

case "${1:-}" in
  start)
    shift
    # shellcheck source=scripts/example-env.sh
    . scripts/example-env.sh
    if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "sandbox: already running (pid $(cat "$pid_file"))"
      exit 0
    fi
    "$bin" --host 127.0.0.1 --port "$port" --rate-per-minute 100000 \
      --client "acme-us-client:$ACME_US_CLIENT_SECRET:acme-us" \
      --client "acme-eu-client:$ACME_EU_CLIENT_SECRET:acme-eu" \
      --client "globex-client:$GLOBEX_CLIENT_SECRET:globex" \
      --client "initech-client:$INITECH_CLIENT_SECRET:initech" \
      --client "umbrella-client:$UMBRELLA_CLIENT_SECRET:umbrella" \
      --integration "7f1a3c52-5a9e-4c41-9d3e-acme00000001:acme-us" \
      --integration "7f1a3c52-5a9e-4c41-9d3e-acme00000002:acme-eu" \
      --integration "0b6e2d8a-3f4c-4e7b-8a1d-globex000001:globex" \
      --integration "5c9d1e7f-2b3a-4d6e-9f8a-initech00001:initech" \
      --integration "9e2f4a61-7c3b-4d5e-8f90-umbrella0001:umbrella" \
      --webhook "7f1a3c52-5a9e-4c41-9d3e-acme00000001=$api/webhooks/genesys/acme/us" \
      --webhook-secret "7f1a3c52-5a9e-4c41-9d3e-acme00000001=$ACME_US_WEBHOOK_SECRET" \
      --webhook "7f1a3c52-5a9e-4c41-9d3e-acme00000002=$api/webhooks/genesys/acme/eu" \
      --webhook-secret "7f1a3c52-5a9e-4c41-9d3e-acme00000002=$ACME_EU_WEBHOOK_SECRET" \
      --webhook "0b6e2d8a-3f4c-4e7b-8a1d-globex000001=$api/webhooks/genesys/globex/main" \
      --webhook-secret "0b6e2d8a-3f4c-4e7b-8a1d-globex000001=$GLOBEX_WEBHOOK_SECRET" \
      --webhook "5c9d1e7f-2b3a-4d6e-9f8a-initech00001=$api/webhooks/genesys/initech/main" \
      --webhook-secret "5c9d1e7f-2b3a-4d6e-9f8a-initech00001=$INITECH_WEBHOOK_SECRET" \
      "$@" >"$log_file" 2>&1 &
    echo $! >"$pid_file"
    for _ in $(seq 1 100); do
      if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "sandbox: up on http://127.0.0.1:$port (pid $(cat "$pid_file"), log $log_file)"
        exit 0
      fi
      sleep 0.1
    done
    echo "sandbox: did not start; log:" >&2
    tail -20 "$log_file" >&2
    exit 1
    ;;
  stop)
    if [ -f "$pid_file" ]; then
      kill "$(cat "$pid_file")" 2>/dev/null || true
      rm -f "$pid_file"
      echo "sandbox: stopped"
    fi
    ;;
  *)
    echo "usage: scripts/sandbox.sh start|stop [genesys-sandbox flags...]" >&2
    exit 2
    ;;
esac
