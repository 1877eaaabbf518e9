#!/usr/bin/env bash
# A private RabbitMQ node for development and tests: loopback only, all state
# in one folder, no systemd, never touches a system RabbitMQ.
#
# Usage: scripts/rabbitmq.sh start | stop | status [-v] | env | queues | consumers | reset
#   start    start the node (no-op if it already runs); waits until it is ready
#   stop     stop the node (no-op if it is not running)
#   status   exit 0 if running, 3 if not; -v prints `rabbitmqctl status`
#   env      print `export GGW_AMQP_URL=...` (use: eval "$(scripts/rabbitmq.sh env)"); with TLS also
#            GGW_AMQPS_URL, GGW_AMQP_TLS_PORT and GGW_AMQP_TLS_DIR
#   queues   list queues with their message counts
#   consumers list consumers: queue name and prefetch count, tab-separated, no header
#   reset    stop, then delete the node's state folder
#   ctl ARGS rabbitmqctl ARGS against the node (tests add users and permissions: `ctl import_definitions FILE`)
#
# Environment:
#   GGW_RUN_DIR                  state root (default <repo>/.run); state in $GGW_RUN_DIR/rabbitmq
#   GGW_RABBITMQ_PORT            AMQP port (default 5673); Erlang dist port = port + 20000
#   GGW_RABBITMQ_MANAGEMENT=1    enable the management plugin (HTTP on 127.0.0.1)
#   GGW_RABBITMQ_MANAGEMENT_PORT management HTTP port (default port + 10000, i.e. 15673)
#   GGW_RABBITMQ_START_TIMEOUT   seconds to wait for boot (default 60)
#   GGW_RABBITMQ_STOP_TIMEOUT    seconds to wait for shutdown (default 30)
#   GGW_RABBITMQ_TLS_PORT        also listen for amqps:// on this port (off when unset or empty), on 127.0.0.1
#                                and on 127.0.0.2, where the certificate names another host (host-name tests).
#                                Certificates are made at each boot by scripts/make-test-certs.sh into
#                                $GGW_RUN_DIR/rabbitmq/tls. The broker asks for a client certificate and
#                                verifies one that is given (not required), and takes SASL EXTERNAL (plugin
#                                rabbitmq_auth_mechanism_ssl) for the user ggw-tls-client, the client
#                                certificate's CN, which the node loads at boot with no password.
#
# See shared notes platform.md, "Starting RabbitMQ without systemd": the server and
# rabbitmqctl must see exactly the same variables on every call (same HOME = same
# Erlang cookie), so every rabbit command goes through rmq() below.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"

RABBIT_BIN=/usr/lib/rabbitmq/bin

log() { printf 'rabbitmq: %s\n' "$*"; }
err() { printf 'rabbitmq: ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
usage() {
    sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed '/^$/d' >&2
    exit 2
}

# ---------------------------------------------------------------- settings
# Forget any RABBITMQ_* the caller has in its environment: only ours count.
mapfile -t _inherited < <(compgen -e)
for _v in "${_inherited[@]}"; do
    [[ "$_v" == RABBITMQ_* ]] && unset "$_v"
done
unset _inherited _v

PORT="${GGW_RABBITMQ_PORT:-5673}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 45535)); then
    die "GGW_RABBITMQ_PORT must be a number in 1..45535 (dist port = port + 20000), got '${PORT}'"
fi
DIST_PORT=$((PORT + 20000))
MGMT_PORT="${GGW_RABBITMQ_MANAGEMENT_PORT:-$((PORT + 10000))}"
if ! [[ "$MGMT_PORT" =~ ^[0-9]+$ ]] || ((MGMT_PORT < 1 || MGMT_PORT > 65535)); then
    die "GGW_RABBITMQ_MANAGEMENT_PORT must be a port number, got '${MGMT_PORT}'"
fi
MANAGEMENT="${GGW_RABBITMQ_MANAGEMENT:-0}"
TLS_PORT="${GGW_RABBITMQ_TLS_PORT:-}"
if [[ -n "$TLS_PORT" ]] && { ! [[ "$TLS_PORT" =~ ^[0-9]+$ ]] || ((TLS_PORT < 1 || TLS_PORT > 65535 || TLS_PORT == PORT)); }; then
    die "GGW_RABBITMQ_TLS_PORT must be a port number other than GGW_RABBITMQ_PORT, got '${TLS_PORT}'"
fi
START_TIMEOUT="${GGW_RABBITMQ_START_TIMEOUT:-60}"
STOP_TIMEOUT="${GGW_RABBITMQ_STOP_TIMEOUT:-30}"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ && "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] \
    || die "GGW_RABBITMQ_START_TIMEOUT / GGW_RABBITMQ_STOP_TIMEOUT must be whole seconds"

RUN_DIR="${GGW_RUN_DIR:-${REPO_ROOT}/.run}"
[[ "$RUN_DIR" == /* ]] || RUN_DIR="${PWD}/${RUN_DIR}"
STATE_DIR="${RUN_DIR%/}/rabbitmq"
HOME_DIR="${STATE_DIR}/home"
MNESIA_BASE="${STATE_DIR}/mnesia"
LOG_DIR="${STATE_DIR}/log"
PID_FILE="${STATE_DIR}/rabbit.pid"
CONF_FILE="${STATE_DIR}/rabbitmq.conf"
PLUGINS_FILE="${STATE_DIR}/enabled_plugins"
ENV_CONF_FILE="${STATE_DIR}/rabbitmq-env.conf"
EPMD_MARKER="${STATE_DIR}/epmd.started-by-us"
TLS_DIR="${STATE_DIR}/tls"
# The user SASL EXTERNAL logs in as: the CN of scripts/make-test-certs.sh's client certificate.
TLS_CLIENT_USER=ggw-tls-client

NODENAME="ggw-${PORT}@localhost"
AMQP_URL="amqp://guest:guest@127.0.0.1:${PORT}/%2F"
AMQPS_URL="amqps://guest:guest@127.0.0.1:${TLS_PORT}/%2F?cacertfile=${TLS_DIR}/ca.pem"

# The exact same environment for the server and every CLI call.
RMQ_ENV=(
    "HOME=${HOME_DIR}"
    "LANG=C.UTF-8"
    "LC_ALL=C.UTF-8"
    "RABBITMQ_NODENAME=${NODENAME}"
    "RABBITMQ_CONFIG_FILE=${CONF_FILE}"
    "RABBITMQ_ADVANCED_CONFIG_FILE=${STATE_DIR}/advanced.config"
    "RABBITMQ_CONF_ENV_FILE=${ENV_CONF_FILE}"
    "RABBITMQ_MNESIA_BASE=${MNESIA_BASE}"
    "RABBITMQ_LOG_BASE=${LOG_DIR}"
    "RABBITMQ_PID_FILE=${PID_FILE}"
    "RABBITMQ_ENABLED_PLUGINS_FILE=${PLUGINS_FILE}"
    "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
    "RABBITMQ_NODE_PORT=${PORT}"
    "RABBITMQ_DIST_PORT=${DIST_PORT}"
    "ERL_EPMD_ADDRESS=127.0.0.1"
    "ERL_CRASH_DUMP=${LOG_DIR}/erl_crash.dump"
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
    "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
)
rmq() { env "${RMQ_ENV[@]}" "$@"; }
# rabbitmqctl, bounded in time. Only call it while our node's process exists:
# with no epmd running, any rabbitmqctl call starts an epmd that nobody owns.
rmqctl() {
    local limit="$1"
    shift
    # </dev/null: the Erlang CLI would otherwise eat the caller's stdin.
    rmq timeout -k 5 "$limit" "${RABBIT_BIN}/rabbitmqctl" "$@" </dev/null
}

# ---------------------------------------------------------------- helpers
now_ms() { local t="${EPOCHREALTIME//[!0-9]/}"; printf '%s' "$((t / 1000))"; }
secs_since() { # <start_ms> -> "3.4"
    local d=$(($(now_ms) - $1))
    printf '%d.%d' "$((d / 1000))" "$(((d % 1000) / 100))"
}

# True if the process exists and is not a zombie (kill -0 succeeds on zombies,
# and orphaned daemons can stay zombies for a while when PID 1 reaps slowly).
pid_alive() {
    local pid="$1" state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/${pid}/status" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]]
}

# PIDs of the processes whose name is exactly $1 (no pgrep: procps is not
# installed on a fresh Debian image and rabbitmq-server does not pull it in).
pids_named() {
    local d comm
    for d in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"${d}/comm" || continue
        [[ "$comm" == "$1" ]] && printf '%s\n' "${d#/proc/}"
    done
    return 0
}

# True if pid is the RabbitMQ server of THIS state folder (not a CLI tool, not another node).
is_our_server() {
    local pid="$1" cmdline
    pid_alive "$pid" || return 1
    grep -Fxqz -- "RABBITMQ_MNESIA_BASE=${MNESIA_BASE}" "/proc/${pid}/environ" 2>/dev/null || return 1
    cmdline="$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *" -s rabbit boot "* ]]
}

# Print our server's OS pid; fail if it is not running.
server_pid() {
    local pid
    if [[ -s "$PID_FILE" ]]; then
        pid="$(tr -dc '0-9' <"$PID_FILE")"
        if [[ -n "$pid" ]] && is_our_server "$pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    fi
    # No (valid) pid file yet, e.g. early in boot: look at every beam.
    for pid in $(pids_named beam.smp); do
        if is_our_server "$pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
    return 1
}

epmd_running() { epmd -names >/dev/null 2>&1; }

# Wait until pid is gone (or a zombie); return 1 on timeout.
wait_gone() {
    local pid="$1" limit_ms=$(($2 * 1000)) t0
    t0="$(now_ms)"
    while pid_alive "$pid"; do
        (($(now_ms) - t0 < limit_ms)) || return 1
        sleep 0.2
    done
}

port_in_use() { # any listener on 127.0.0.1:<port>?
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

show_log_tail() {
    local log="${LOG_DIR}/${NODENAME}.log" dump="${LOG_DIR}/erl_crash.dump"
    if [[ -s "$log" ]]; then
        if grep -qF '[error]' "$log"; then
            printf -- '----- first errors in %s -----\n' "$log" >&2
            grep -m 25 -F '[error]' "$log" >&2 || true
        fi
        printf -- '----- last 30 lines of %s -----\n' "$log" >&2
        tail -n 30 -- "$log" >&2
    else
        printf -- '----- no log written yet in %s -----\n' "$LOG_DIR" >&2
    fi
    if [[ -s "$dump" ]]; then
        printf -- '----- %s -----\n' "$dump" >&2
        grep -m 1 '^Slogan:' "$dump" >&2 || true
    fi
}

write_config() {
    mkdir -p -- "$HOME_DIR" "$MNESIA_BASE" "$LOG_DIR"
    chmod 700 -- "$HOME_DIR"
    cat >"$CONF_FILE" <<EOF
# Generated by scripts/rabbitmq.sh on every start; edits are overwritten.
listeners.tcp.1 = 127.0.0.1:${PORT}
loopback_users.guest = true
management.tcp.ip = 127.0.0.1
management.tcp.port = ${MGMT_PORT}
EOF
    local plugins=()
    [[ "$MANAGEMENT" != "1" ]] || plugins+=(rabbitmq_management)
    if [[ -n "$TLS_PORT" ]]; then
        write_tls_config
        plugins+=(rabbitmq_auth_mechanism_ssl)
    fi
    # The enabled_plugins file is what `rabbitmq-plugins enable` writes: an Erlang list.
    local IFS=,
    printf '[%s].\n' "${plugins[*]}" >"$PLUGINS_FILE"
    # Empty on purpose: keeps /etc/rabbitmq/rabbitmq-env.conf out of our node.
    : >"$ENV_CONF_FILE"
}

# The TLS listener (GGW_RABBITMQ_TLS_PORT): fresh certificates at each boot, so that none outlives its tests.
write_tls_config() {
    local out
    out="$(bash "${SCRIPT_DIR}/make-test-certs.sh" "$TLS_DIR" 2>&1)" || die "making the test certificates failed: ${out}"
    cat >>"$CONF_FILE" <<EOF
listeners.ssl.1 = 127.0.0.1:${TLS_PORT}
# The same certificate on an address it does not name: what a client meets at the wrong host.
listeners.ssl.2 = 127.0.0.2:${TLS_PORT}
ssl_options.cacertfile = ${TLS_DIR}/ca.pem
ssl_options.certfile = ${TLS_DIR}/server.pem
ssl_options.keyfile = ${TLS_DIR}/server-key.pem
# Ask every client for a certificate and verify the one it gives; clients without one log in with a password.
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
auth_mechanisms.1 = PLAIN
auth_mechanisms.2 = AMQPLAIN
auth_mechanisms.3 = EXTERNAL
ssl_cert_login_from = common_name
load_definitions = ${STATE_DIR}/definitions.json
EOF
    write_tls_definitions
}

# Definitions the node loads at boot, instead of rabbitmqctl calls that each start an Erlang VM: the user EXTERNAL
# logs in as, with no password (only its certificate lets it in). A node that loads definitions at boot does not
# create its default user and vhost, so guest (password guest, loopback only) and / are in them too.
write_tls_definitions() {
    local salt="${TLS_DIR}/.guest-salt" guest_hash
    # RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), with a 4-byte salt.
    openssl rand -out "$salt" 4
    guest_hash="$({ cat -- "$salt"; printf guest | cat -- "$salt" - | openssl dgst -sha256 -binary; } | base64 -w0)"
    rm -f -- "$salt"
    cat >"${STATE_DIR}/definitions.json" <<EOF
{
  "vhosts": [{"name": "/"}],
  "users": [
    {"name": "guest", "password_hash": "${guest_hash}", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "${TLS_CLIENT_USER}", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
  ],
  "permissions": [
    {"user": "guest", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "${TLS_CLIENT_USER}", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
  ]
}
EOF
}

# Start epmd (loopback only) unless one is running; remember that we did.
ensure_epmd() {
    local i pid
    if epmd_running; then
        return 0
    fi
    log "starting epmd on 127.0.0.1"
    ERL_EPMD_ADDRESS=127.0.0.1 epmd -daemon </dev/null >/dev/null 2>&1
    for ((i = 0; i < 50; i++)); do
        epmd_running && break
        sleep 0.1
    done
    epmd_running || die "epmd did not start"
    pid="$(pids_named epmd | sort -n | tail -n 1)"
    printf '%s\n' "${pid:-unknown}" >"$EPMD_MARKER"
}

# Kill epmd if this script started it and no other node uses it.
stop_epmd_if_ours() {
    local pid out
    [[ -f "$EPMD_MARKER" ]] || return 0
    pid="$(tr -dc '0-9' <"$EPMD_MARKER")"
    if ! epmd_running; then
        rm -f -- "$EPMD_MARKER"
        return 0
    fi
    # epmd itself refuses to die while nodes are registered ("Killing not allowed").
    if out="$(epmd -kill 2>&1)" && [[ "$out" == *Killed* ]]; then
        [[ -z "$pid" ]] || wait_gone "$pid" 10 || err "epmd (pid ${pid}) still running after epmd -kill"
        rm -f -- "$EPMD_MARKER"
        log "stopped epmd (we had started it)"
    else
        log "epmd left running: other Erlang nodes still use it (${out//$'\n'/ })"
    fi
}

# ---------------------------------------------------------------- commands
cmd_start() {
    local t0 pid deadline_ms remaining launched=0 out="" f
    t0="$(now_ms)"
    deadline_ms=$((t0 + START_TIMEOUT * 1000))

    if pid="$(server_pid)"; then
        if rmqctl 30 -q status >/dev/null 2>&1; then
            log "RabbitMQ already running on 127.0.0.1:${PORT} (node ${NODENAME}, pid ${pid})"
            return 0
        fi
        log "node process ${pid} exists but does not answer yet; waiting for it"
    else
        port_in_use "$PORT" && die "127.0.0.1:${PORT} is already in use by another process (not our node; see GGW_RABBITMQ_PORT)"
        port_in_use "$DIST_PORT" && die "127.0.0.1:${DIST_PORT} (Erlang distribution port) is already in use"
        if [[ "$MANAGEMENT" == "1" ]] && port_in_use "$MGMT_PORT"; then
            die "127.0.0.1:${MGMT_PORT} (management) is already in use (see GGW_RABBITMQ_MANAGEMENT_PORT)"
        fi
        if [[ -n "$TLS_PORT" ]] && port_in_use "$TLS_PORT"; then
            die "127.0.0.1:${TLS_PORT} (TLS) is already in use (see GGW_RABBITMQ_TLS_PORT)"
        fi
        write_config
        rm -f -- "$PID_FILE"
        # RabbitMQ appends to its log: keep one previous boot, so that a failure
        # report shows only this boot.
        for f in "${NODENAME}.log" erl_crash.dump; do
            if [[ -f "${LOG_DIR}/${f}" ]]; then
                mv -f -- "${LOG_DIR}/${f}" "${LOG_DIR}/previous-${f}"
            fi
        done
        ensure_epmd
        if grep -q "^name ggw-${PORT} at port" <<<"$(epmd -names 2>/dev/null || true)"; then
            die "another Erlang node named ggw-${PORT} is registered in epmd (a node from another checkout?)"
        fi
        log "starting node ${NODENAME} on 127.0.0.1:${PORT} (state: ${STATE_DIR})"
        # cd: the VM's working directory is the state folder, not the caller's.
        (cd -- "$STATE_DIR" && rmq "${RABBIT_BIN}/rabbitmq-server" -detached </dev/null) \
            || die "rabbitmq-server -detached failed"
        launched=1
    fi

    # await_startup fails until the node has registered: retry until the deadline.
    while :; do
        remaining=$(((deadline_ms - $(now_ms)) / 1000))
        ((remaining >= 1)) || break
        if server_pid >/dev/null; then
            if out="$(rmqctl "$((remaining + 1))" -q await_startup --timeout "$remaining" 2>&1)"; then
                if [[ -n "$TLS_PORT" ]]; then
                    log "RabbitMQ up on 127.0.0.1:${PORT}, TLS on 127.0.0.1:${TLS_PORT} and 127.0.0.2:${TLS_PORT} ($(secs_since "$t0") s)"
                else
                    log "RabbitMQ up on 127.0.0.1:${PORT} ($(secs_since "$t0") s)"
                fi
                return 0
            fi
        elif [[ "$launched" -eq 0 ]] || (($(now_ms) - t0 > 10000)) || [[ -s "${LOG_DIR}/erl_crash.dump" ]]; then
            # -detached returns at once; give the VM a moment to appear, then give up.
            out="gone"
            break
        fi
        sleep 0.5
    done

    if [[ "$out" == "gone" ]]; then
        err "RabbitMQ exited during boot (after $(secs_since "$t0") s)"
    else
        out="${out%%$'\n'*}"
        err "RabbitMQ did not start within ${START_TIMEOUT} s${out:+ (last await_startup: ${out})}"
    fi
    show_log_tail
    if [[ "$launched" -eq 1 ]]; then
        cmd_stop >&2 || true
    fi
    exit 1
}

cmd_stop() {
    local pid out
    if ! pid="$(server_pid)"; then
        log "RabbitMQ (node ${NODENAME}) is not running"
        rm -f -- "$PID_FILE"
        stop_epmd_if_ours
        return 0
    fi
    log "stopping node ${NODENAME} (pid ${pid})"
    if out="$(rmqctl "$STOP_TIMEOUT" -q stop 2>&1)"; then
        wait_gone "$pid" "$STOP_TIMEOUT" || err "node pid ${pid} still running ${STOP_TIMEOUT} s after rabbitmqctl stop"
    else
        # E.g. stopped while still booting, before it is reachable: the VM
        # shuts down cleanly on SIGTERM too.
        log "rabbitmqctl stop failed (${out%%$'\n'*}); sending SIGTERM to pid ${pid}"
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" "$STOP_TIMEOUT" || true
    fi
    if pid_alive "$pid"; then
        err "sending SIGKILL to pid ${pid}"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || die "could not stop pid ${pid}"
    fi
    rm -f -- "$PID_FILE"
    stop_epmd_if_ours
    log "RabbitMQ stopped"
}

cmd_status() {
    local pid verbose=0
    [[ "${1:-}" == "-v" || "${1:-}" == "--verbose" ]] && verbose=1
    if ! pid="$(server_pid)"; then
        log "RabbitMQ (node ${NODENAME}, 127.0.0.1:${PORT}) is not running"
        return 3
    fi
    if [[ "$verbose" -eq 1 ]]; then
        rmqctl 30 status || { err "node process ${pid} exists but rabbitmqctl status failed"; return 1; }
    elif ! rmqctl 30 -q status >/dev/null 2>&1; then
        err "node process ${pid} exists but rabbitmqctl status failed (still booting?)"
        return 1
    fi
    log "RabbitMQ running on 127.0.0.1:${PORT} (node ${NODENAME}, pid ${pid}, state ${STATE_DIR})"
    if grep -q rabbitmq_management "$PLUGINS_FILE" 2>/dev/null; then
        log "management UI: http://127.0.0.1:${MGMT_PORT}/ (guest/guest)"
    fi
}

cmd_env() {
    printf 'export GGW_AMQP_URL=%s\n' "$AMQP_URL"
    if [[ -n "$TLS_PORT" ]]; then
        printf 'export GGW_AMQPS_URL=%q\n' "$AMQPS_URL"
        printf 'export GGW_AMQP_TLS_PORT=%s\n' "$TLS_PORT"
        printf 'export GGW_AMQP_TLS_DIR=%q\n' "$TLS_DIR"
    fi
}

cmd_reset() {
    cmd_stop
    # Guard against ever deleting something that is not our state folder.
    [[ "$STATE_DIR" == /*/rabbitmq && "$STATE_DIR" != "/rabbitmq" ]] || die "refusing to delete '${STATE_DIR}'"
    if [[ -e "$STATE_DIR" ]]; then
        rm -rf -- "$STATE_DIR"
        log "deleted ${STATE_DIR}"
    else
        log "nothing to delete at ${STATE_DIR}"
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status "${2:-}" ;;
    env) cmd_env ;;
    queues) server_pid >/dev/null || die "RabbitMQ is not running"; rmqctl 30 -q list_queues name messages ;;
    consumers) server_pid >/dev/null || die "RabbitMQ is not running"; rmqctl 30 -q list_consumers --no-table-headers queue_name prefetch_count ;;
    reset) cmd_reset ;;
    ctl) server_pid >/dev/null || die "RabbitMQ is not running"; shift; rmqctl 60 "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
