#!/usr/bin/env bash
# Run a command against a private redis-server (GGW_REDIS_URL), then always stop it.
#
# Usage: scripts/with-redis.sh <command> [args...]
#   e.g. scripts/with-redis.sh swift test
#
# The server also serves TLS on GGW_REDIS_TLS_PORT (default: its port + 1, so 6391; 0 turns TLS off), with test
# certificates scripts/make-redis-test-certs.sh makes: the command sees GGW_REDIS_TLS_URL and GGW_REDIS_TLS_CERTS
# besides GGW_REDIS_URL (scripts/redis.sh env). GGW_REDIS_TLS_PORT itself is not passed on to the command, so a
# redis.sh a test starts for itself serves no TLS and takes no port of this one's.
#
# See scripts/with-server.sh for signals, exit status and output.
set -euo pipefail
export GGW_REDIS_TLS_PORT="${GGW_REDIS_TLS_PORT:-$((${GGW_REDIS_PORT:-6390} + 1))}"
exec bash "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/with-server.sh" redis env -u GGW_REDIS_TLS_PORT "$@"
