#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs system packages, builds everything (plugins and
# broken test plugins included), starts a private RabbitMQ and a private redis-server on 127.0.0.1, runs
# `swift test`, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== build (debug, with tests)"
time swift build --build-tests
echo "== test"
# One test at a time: several suites measure rates and latencies, and on 2 cores a parallel neighbour (a second
# RabbitMQ booting for the crash tests, 1,000 messages end to end) would skew them.
# with-redis.sh inside with-rabbitmq.sh: the tests see both GGW_AMQP_URL and GGW_REDIS_URL, and each script
# stops its own server whatever happens.
bash scripts/with-rabbitmq.sh bash scripts/with-redis.sh swift test --skip-build --no-parallel
echo "== alert rules (promtool)"
promtool test rules deploy/prometheus/alerts.test.yml
echo "== alerts and dashboard against a live gateway and Prometheus"
bash scripts/check-observability.sh
echo "== HTTP contract (schemathesis against docs/openapi.yaml)"
bash scripts/api-contract.sh --short
echo "== fault matrix (short): one fault at a time against the gateway as its own process"
bash scripts/chaos.sh --short
echo "== fuzz smoke (libFuzzer + AddressSanitizer, 15 s per target; its own sanitizer build in Fuzz/.build)"
bash scripts/fuzz.sh --smoke
