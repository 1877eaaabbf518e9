#!/usr/bin/env bash
# Run a command against a private RabbitMQ node (GGW_AMQP_URL), then always stop it.
#
# Usage: scripts/with-rabbitmq.sh <command> [args...]
#   e.g. scripts/with-rabbitmq.sh swift test
#
# See scripts/with-server.sh for signals, exit status and output.
set -euo pipefail
exec bash "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/with-server.sh" rabbitmq "$@"
