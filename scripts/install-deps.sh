#!/usr/bin/env bash
# Install the system packages the gateway needs to build and test (Debian 12).
#
# Usage: scripts/install-deps.sh [--observability]
#   --observability  also Prometheus (prometheus, promtool: about a minute more), for `scripts/test.sh --full`
#   FORCE_APT=1  run apt-get update + install even if everything is installed
#   CI=true      always run apt-get update first (install only what is missing)
#
# Idempotent: when every package is already installed (per dpkg-query) and
# neither FORCE_APT=1 nor CI=true is set, it does no apt work at all.
# Needs root (or password-less sudo). Never prompts; fails loudly on error.
set -euo pipefail

# curl and python3 drive the demo and the scripts (python3 also serves the demo's tenant service);
# python3-yaml reads the alert rules in scripts/check-observability.py. libssl-dev: TLS to RabbitMQ and Redis;
# openssl makes the tests' certificates.
PACKAGES=(
    curl
    libcurl4-openssl-dev
    libhiredis-dev
    librabbitmq-dev
    libssl-dev
    libyaml-dev
    openssl
    python3
    python3-yaml
    rabbitmq-server
    redis-server
)

case "${1:-}" in
    "") ;;
    --observability) PACKAGES+=(prometheus) ;;
    *) printf 'install-deps: unknown option %s (usage: scripts/install-deps.sh [--observability])\n' "$1" >&2; exit 2 ;;
esac

log() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

on_exit() {
    local rc=$?
    [[ "$rc" -eq 0 ]] || printf 'install-deps: FAILED (exit %s)\n' "$rc" >&2
}
trap on_exit EXIT

export DEBIAN_FRONTEND=noninteractive

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

# Which packages are not fully installed?
missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

force="${FORCE_APT:-0}"
in_ci=0
[[ "${CI:-}" == "true" ]] && in_ci=1

if [[ ${#missing[@]} -eq 0 && "$force" != "1" && "$in_ci" -eq 0 ]]; then
    log "all packages already installed, nothing to do: ${PACKAGES[*]}"
    log "(set FORCE_APT=1 to run apt-get anyway)"
    exit 0
fi

# Run apt as root; fall back to non-interactive sudo.
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available"
    SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
fi

apt_opts=(-y -q -o Dpkg::Use-Pty=0)

log "apt-get update"
"${SUDO[@]}" apt-get "${apt_opts[@]}" update </dev/null

if [[ "$force" == "1" ]]; then
    to_install=("${PACKAGES[@]}")
    log "FORCE_APT=1: installing all packages: ${to_install[*]}"
else
    to_install=("${missing[@]}")
fi

if [[ ${#to_install[@]} -eq 0 ]]; then
    log "all packages already installed: ${PACKAGES[*]}"
else
    log "apt-get install --no-install-recommends ${to_install[*]}"
    "${SUDO[@]}" apt-get "${apt_opts[@]}" install --no-install-recommends "${to_install[@]}" </dev/null
fi

# Verify: every package must now be installed.
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || die "$pkg is not installed after apt-get (status: '${status:-unknown}')"
done
log "done: ${PACKAGES[*]} installed"
