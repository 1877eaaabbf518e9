#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs system packages, builds everything (plugins and
# broken test plugins included), starts a private RabbitMQ on 127.0.0.1, runs `swift test`, stops RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== build (debug, with tests)"
time swift build --build-tests
echo "== test"
bash scripts/with-rabbitmq.sh swift test --skip-build
