#!/usr/bin/env bash
# A private redis-server for development and tests: loopback only, no persistence, state in one folder,
# never touches a system Redis.
#
# Usage: scripts/redis.sh start | stop | status | env
#   start    start the server (no-op if ours already runs); waits until it answers PING
#   stop     stop the server this script started (no-op if it is not running)
#   status   exit 0 if running, 3 if not
#   env      print `export GGW_REDIS_URL=...` (use: eval "$(scripts/redis.sh env)"), and with TLS on
#            GGW_REDIS_TLS_URL (rediss://localhost:TLS_PORT/0?ssl_ca_certs=...) and GGW_REDIS_TLS_CERTS (the folder
#            of the test certificates, scripts/make-redis-test-certs.sh lists them)
#
# Environment:
#   GGW_RUN_DIR               state root (default <repo>/.run); state in $GGW_RUN_DIR/redis
#   GGW_REDIS_PORT            port (default 6390, so a system Redis on 6379 is left alone)
#   GGW_REDIS_TLS_PORT        opt-in: also serve TLS on this port (unset or 0: no TLS), with test certificates made
#                             into $GGW_RUN_DIR/redis/tls-certs; client certificates are optional there (mutual TLS
#                             when the client sends one from the test CA; one from another CA is refused)
#   GGW_REDIS_START_TIMEOUT   seconds to wait for PING (default 10)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"

log() { printf 'redis: %s\n' "$*"; }
err() { printf 'redis: ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
usage() {
    sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed '/^$/d' >&2
    exit 2
}

PORT="${GGW_REDIS_PORT:-6390}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    die "GGW_REDIS_PORT must be a port number, got '${PORT}'"
fi
TLS_PORT="${GGW_REDIS_TLS_PORT:-0}"
if ! [[ "$TLS_PORT" =~ ^[0-9]+$ ]] || ((TLS_PORT > 65535)) || ((TLS_PORT == PORT && TLS_PORT != 0)); then
    die "GGW_REDIS_TLS_PORT must be a port number other than GGW_REDIS_PORT (or 0 for no TLS), got '${TLS_PORT}'"
fi
START_TIMEOUT="${GGW_REDIS_START_TIMEOUT:-10}"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "GGW_REDIS_START_TIMEOUT must be whole seconds"

RUN_DIR="${GGW_RUN_DIR:-${REPO_ROOT}/.run}"
[[ "$RUN_DIR" == /* ]] || RUN_DIR="${PWD}/${RUN_DIR}"
STATE_DIR="${RUN_DIR%/}/redis"
PID_FILE="${STATE_DIR}/redis-${PORT}.pid"
LOG_FILE="${STATE_DIR}/redis-${PORT}.log"
REDIS_URL="redis://127.0.0.1:${PORT}/0"
CERT_DIR="${STATE_DIR}/tls-certs"
# The host name is the one the server's test certificate is for; the CA is the test CA.
REDIS_TLS_URL="rediss://localhost:${TLS_PORT}/0?ssl_ca_certs=${CERT_DIR}/ca.pem"

cli() { timeout -k 2 5 redis-cli -h 127.0.0.1 -p "$PORT" "$@" </dev/null; }
tls_cli() {
    timeout -k 2 5 redis-cli -h localhost -p "$TLS_PORT" --tls --cacert "${CERT_DIR}/ca.pem" \
        --cert "${CERT_DIR}/client.pem" --key "${CERT_DIR}/client-key.pem" "$@" </dev/null
}

# True when TLS is off, or its port answers PING over TLS.
tls_ready() { ((TLS_PORT == 0)) || [[ "$(tls_cli ping 2>/dev/null)" == "PONG" ]]; }

# True if the process exists and is not a zombie.
pid_alive() {
    local pid="$1" state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/${pid}/status" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]]
}

# Print the pid of the server this script started (per its pid file); fail if there is none. Checks that
# the pid is a redis-server listening on our port, so a reused pid is never mistaken for ours.
server_pid() {
    local pid comm cmdline
    [[ -s "$PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    pid_alive "$pid" || return 1
    read -r comm 2>/dev/null <"/proc/${pid}/comm" || return 1
    [[ "$comm" == redis-server* ]] || return 1
    cmdline="$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *":${PORT}"* ]] || return 1
    printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_gone() { # <pid> <tenths of a second>
    local pid="$1" i
    for ((i = 0; i < $2; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

cmd_start() {
    local pid i
    command -v redis-server >/dev/null || die "redis-server not found (scripts/install-deps.sh installs it)"
    if pid="$(server_pid)"; then
        tls_ready || die "Redis already runs on 127.0.0.1:${PORT} (pid ${pid}) without TLS on ${TLS_PORT}: stop it first"
        log "already running on 127.0.0.1:${PORT} (pid ${pid})"
        return 0
    fi
    port_in_use "$PORT" && die "127.0.0.1:${PORT} is already in use by another process (see GGW_REDIS_PORT)"
    local tls=()
    if ((TLS_PORT != 0)); then
        port_in_use "$TLS_PORT" && die "127.0.0.1:${TLS_PORT} is already in use by another process (see GGW_REDIS_TLS_PORT)"
        bash "${SCRIPT_DIR}/make-redis-test-certs.sh" "$CERT_DIR" >&2 || die "making the test certificates failed"
        # Client certificates optional: a client without one is served (TLS only), one with a certificate must have
        # it from the test CA. Tests that need `yes` start a server of their own.
        tls=(--tls-port "$TLS_PORT" --tls-cert-file "${CERT_DIR}/server.pem" --tls-key-file "${CERT_DIR}/server-key.pem"
            --tls-ca-cert-file "${CERT_DIR}/ca.pem" --tls-auth-clients optional)
    fi
    mkdir -p -- "$STATE_DIR"
    rm -f -- "$PID_FILE"
    # No RDB snapshots, no AOF: test state never outlives the server.
    redis-server --port "$PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
        --dir "$STATE_DIR" --pidfile "$PID_FILE" --logfile "$LOG_FILE" "${tls[@]}" </dev/null \
        || die "redis-server failed to start (see ${LOG_FILE})"
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        if [[ "$(cli ping 2>/dev/null)" == "PONG" ]] && pid="$(server_pid)" && tls_ready; then
            log "Redis up on 127.0.0.1:${PORT}$( ((TLS_PORT == 0)) || printf ' and TLS on %s' "$TLS_PORT") (pid ${pid}, state ${STATE_DIR})"
            return 0
        fi
        sleep 0.1
    done
    err "Redis did not answer PING within ${START_TIMEOUT} s"
    [[ -s "$LOG_FILE" ]] && tail -n 20 -- "$LOG_FILE" >&2
    cmd_stop >&2 || true
    exit 1
}

cmd_stop() {
    local pid
    if ! pid="$(server_pid)"; then
        log "Redis (127.0.0.1:${PORT}, started by this script) is not running"
        rm -f -- "$PID_FILE"
        return 0
    fi
    log "stopping Redis on 127.0.0.1:${PORT} (pid ${pid})"
    cli shutdown nosave >/dev/null 2>&1 || true
    if ! wait_gone "$pid" 50; then
        err "redis-cli shutdown did not stop pid ${pid}; sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 50 || { kill -KILL "$pid" 2>/dev/null || true; }
    fi
    rm -f -- "$PID_FILE"
    log "Redis stopped"
}

cmd_status() {
    local pid
    if pid="$(server_pid)"; then
        log "Redis running on 127.0.0.1:${PORT} (pid ${pid}, state ${STATE_DIR})"
    else
        log "Redis (127.0.0.1:${PORT}) is not running"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env)
        printf 'export GGW_REDIS_URL=%s\n' "$REDIS_URL"
        if ((TLS_PORT != 0)); then
            printf 'export GGW_REDIS_TLS_URL=%q\n' "$REDIS_TLS_URL"
            printf 'export GGW_REDIS_TLS_CERTS=%q\n' "$CERT_DIR"
        fi
        ;;
    *) usage ;;
esac
