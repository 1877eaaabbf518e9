#!/usr/bin/env bash
# The test command (README, docs/testing.md). On a fresh Debian machine it installs the system packages, builds the
# product and the tests (checking that every module imports only the modules it declares), then runs the lanes:
#
#   default  unit lane (in parallel, no servers: a unit test that needs one fails here), integration lane (a private
#            RabbitMQ and redis-server on 127.0.0.1, suites named *IntegrationTests, one at a time), and the short
#            HTTP contract check. About 15 minutes on a fresh 2-core machine.
#   --full   adds what needs a quiet machine or a long time: the timing scenarios (*TimingIntegrationTests), the
#            alert rules and the dashboard against a live gateway and Prometheus, the short fault matrix, and the
#            fuzz smoke (its own sanitizer build). What CI runs (.ci/run).
#
# Usage: scripts/test.sh [--full]
# Each lane prints its name and duration; the script stops at the first lane that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

full=0
case "${1:-}" in
    "") ;;
    --full) full=1 ;;
    *) sed -n 's/^# \{0,1\}//; /^Usage:/p' "$0" >&2; exit 2 ;;
esac

lane() {
    local name="$1"
    shift
    echo "== $name"
    local started=$SECONDS
    "$@"
    echo "== $name: passed in $((SECONDS - started)) s"
}

# Test names say what a test needs (docs/testing.md): a suite that needs RabbitMQ, redis-server or a gateway
# process ends in IntegrationTests; one that needs a quiet machine ends in TimingIntegrationTests.
integration='IntegrationTests/'
timing='TimingIntegrationTests/'

# with-redis.sh inside with-rabbitmq.sh: the tests see both GGW_AMQP_URL and GGW_REDIS_URL, and each script stops
# its own server whatever happens. RabbitMQ also listens for amqps:// (certificates made at its boot) for the TLS tests;
# the tests themselves do not inherit GGW_RABBITMQ_TLS_PORT, so the private nodes some of them start stay plain.
with_servers() {
    GGW_RABBITMQ_TLS_PORT="${GGW_RABBITMQ_TLS_PORT:-5674}" bash scripts/with-rabbitmq.sh \
        env -u GGW_RABBITMQ_TLS_PORT bash scripts/with-redis.sh "$@"
}

# Prometheus only for --full's observability check: its install pulls many packages.
lane "install" bash scripts/install-deps.sh $([ "$full" = 1 ] && echo --observability)
lane "build (debug, with tests; imports checked against declared dependencies)" \
    swift build --build-tests --explicit-target-dependency-import-check error
# Swift Testing runs a lane's suites in parallel unless told otherwise.
lane "unit tests (in parallel, no servers)" env -u GGW_AMQP_URL -u GGW_REDIS_URL swift test --skip-build --skip "$integration"
# One suite at a time: these start gateways, brokers and 1,000-message runs whose deadlines a neighbour would skew.
lane "integration tests (RabbitMQ, redis-server, the sandbox)" \
    with_servers swift test --skip-build --no-parallel --filter "$integration" --skip "$timing"
lane "HTTP contract (schemathesis against docs/openapi.yaml, short)" bash scripts/api-contract.sh --short

if [ "$full" = 1 ]; then
    lane "timing scenarios (quiet machine: rates, latencies, memory)" \
        with_servers swift test --skip-build --no-parallel --filter "$timing"
    lane "alert rules (promtool)" promtool test rules deploy/prometheus/alerts.test.yml
    lane "alerts and dashboard against a live gateway and Prometheus" bash scripts/check-observability.sh
    lane "fault matrix (short): one fault at a time against the gateway as its own process" bash scripts/chaos.sh --short
    lane "fuzz smoke (libFuzzer + AddressSanitizer, 15 s per target; its own sanitizer build in Fuzz/.build)" \
        bash scripts/fuzz.sh --smoke
fi
echo "== all lanes passed"
