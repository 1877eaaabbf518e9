#!/usr/bin/env bash
# The fault matrix: one fault at a time against `genesys-gateway run` as its own process, a private RabbitMQ
# (its own port and state, started and stopped here) and the sandbox, under steady traffic from 4 orgs.
# Prints per fault: whether the fault took effect (with its evidence), published, delivered, lost, duplicated,
# dead-lettered, longest delay; exits 1 when a row failed: fault not seen, a confirmed message lost or late,
# duplicates beyond what was in flight, a publish unconfirmed, a gateway crash. See docs/chaos.md.
#
# Usage: scripts/chaos.sh [--short] [chaos-matrix options...]
#   --short   the test command's version: 8 s faults, 3 s calm, 20 msg/s per org (about 4 minutes)
#   default   the full run: 60 s faults, 10 s calm, 50 msg/s per org (about 20 minutes)
#   e.g. scripts/chaos.sh --fault sigkill-loop --fault broker-stopped
# Environment: GGW_CHAOS_RABBITMQ_PORT (default 5696), GGW_RUN_DIR (default <repo>/.run).
# The state-dir-full fault mounts a tmpfs and needs root; where it cannot, the row fails unless
# `--allow-skip state-dir-full` is given (then it is reported as "skipped (flag)").
set -euo pipefail
cd "$(dirname "$0")/.."

arguments=()
if [[ "${1:-}" == "--short" ]]; then
    shift
    arguments=(--window 8 --calm 3 --rate 20)
fi
run_dir="${GGW_RUN_DIR:-$PWD/.run}/chaos"
port="${GGW_CHAOS_RABBITMQ_PORT:-5696}"

echo "== build (debug): the gateway and its plugins, and the fault matrix in Tools/"
# shellcheck source=scripts/bench/build-tools.sh
source scripts/bench/build-tools.sh debug .build >/dev/null

cleanup() {
    # Whatever the matrix left behind if it was interrupted: its broker and any tmpfs it mounted.
    GGW_RABBITMQ_PORT="$port" GGW_RUN_DIR="$run_dir/broker" bash scripts/rabbitmq.sh stop >/dev/null 2>&1 || true
    # `|| true`: with pipefail, grep finding no mount would otherwise become the script's exit status.
    grep -o " $run_dir/state/[^ ]*" /proc/mounts 2>/dev/null | while read -r mounted; do umount -l "$mounted" || true; done || true
}
trap cleanup EXIT
"$TOOLS_BIN/ChaosMatrix" --broker-port "$port" --run-directory "$run_dir" "${arguments[@]}" "$@"
