#!/usr/bin/env bash
# Run a command against a private server started by one of the project's scripts, then always stop it.
# with-rabbitmq.sh and with-redis.sh are this with their server filled in.
#
# Usage: scripts/with-server.sh <rabbitmq|redis> <command> [args...]
#   e.g. scripts/with-server.sh redis swift test
#
# Starts the server with scripts/<server>.sh (same GGW_* settings), exports the
# URL it prints (GGW_AMQP_URL or GGW_REDIS_URL), runs the command, stops the
# server on exit, Ctrl-C or SIGTERM, and exits with the command's status (130
# on SIGINT, 143 on SIGTERM). The server is stopped even if it was already
# running before. This script's own messages go to stderr; the command's
# stdout is untouched.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

if [[ $# -lt 2 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed '/^$/d' >&2
    exit 2
fi
SERVER="$1"
shift
case "$SERVER" in
    rabbitmq) URL_VARIABLE=GGW_AMQP_URL ;;
    redis) URL_VARIABLE=GGW_REDIS_URL ;;
    *) printf 'with-server: unknown server %s (rabbitmq or redis)\n' "$SERVER" >&2; exit 2 ;;
esac
SERVER_SH="${SCRIPT_DIR}/${SERVER}.sh"

child=""
stopped=0

# shellcheck disable=SC2317  # called from a trap
stop_server() {
    [[ "$stopped" -eq 0 ]] || return 0
    stopped=1
    bash "$SERVER_SH" stop </dev/null >&2 \
        || printf 'with-server: WARNING: stopping %s failed; see scripts/%s.sh status\n' "$SERVER" "$SERVER" >&2
}

# shellcheck disable=SC2317  # called from a trap
on_signal() { # <exit code>
    trap '' INT TERM
    if [[ -n "$child" ]]; then
        # The command runs in the background (so that this script can react to
        # signals at once), and background jobs ignore SIGINT: forward SIGTERM.
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    exit "$1"
}

trap stop_server EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# </dev/null: keep the caller's stdin for the command.
bash "$SERVER_SH" start </dev/null >&2
eval "$(bash "$SERVER_SH" env </dev/null)"
export "${URL_VARIABLE?}"

# Keep the caller's stdin (a background job would otherwise get /dev/null),
# unless there is none (fd 0 closed).
if [[ -e /dev/stdin ]]; then
    "$@" <&0 &
else
    "$@" </dev/null &
fi
child=$!
status=0
wait "$child" || status=$?
child=""
exit "$status"
