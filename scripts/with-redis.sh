#!/usr/bin/env bash
# Run a command against a private redis-server (GGW_REDIS_URL), then always stop it.
#
# Usage: scripts/with-redis.sh <command> [args...]
#   e.g. scripts/with-redis.sh swift test
#
# See scripts/with-server.sh for signals, exit status and output.
set -euo pipefail
exec bash "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/with-server.sh" redis "$@"
