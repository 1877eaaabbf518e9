#!/usr/bin/env bash
# Certificates for the TLS tests against redis-server (rediss://): made fresh by the tests' scripts, never committed.
#
# Usage: scripts/make-redis-test-certs.sh <directory>
#   Makes, in <directory> (created if needed; files already there and valid for another day are kept):
#     ca.pem                      the test CA (what ssl_ca_certs names)
#     server.pem server-key.pem   redis-server's certificate from that CA: CN localhost, SAN DNS:localhost, IP:127.0.0.1
#     client.pem client-key.pem   a client certificate from that CA (mutual TLS)
#     client-combined.pem         the same certificate and its key in one file (ssl_certfile alone)
#     wrong-ca.pem                another CA, which signed none of the above
#     wrong-host.pem wrong-host-key.pem   a server certificate from the test CA for another host (wrong.example)
#     stranger.pem stranger-key.pem       a client certificate from the wrong CA
#   EC P-256 keys (instant to make), valid 30 days.
set -euo pipefail

log() { printf 'make-redis-test-certs: %s\n' "$*" >&2; }
die() { printf 'make-redis-test-certs: ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n "$1" ]] || { sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "${BASH_SOURCE[0]}" | sed '/^$/d' >&2; exit 2; }
command -v openssl >/dev/null || die "openssl not found (scripts/install-deps.sh installs it)"
DIR="$1"
mkdir -p -- "$DIR"
cd -- "$DIR"

FILES=(ca.pem server.pem server-key.pem client.pem client-key.pem client-combined.pem wrong-ca.pem wrong-host.pem
    wrong-host-key.pem stranger.pem stranger-key.pem)
complete=1
for file in "${FILES[@]}"; do [[ -s "$file" ]] || complete=0; done
if ((complete)) && openssl x509 -in server.pem -noout -checkend 86400 >/dev/null 2>&1 \
    && openssl x509 -in ca.pem -noout -checkend 86400 >/dev/null 2>&1; then
    log "certificates in ${DIR} are complete and valid for another day: kept"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A CA: <name> <subject>
make_ca() {
    new_key "$work/$1-key.pem"
    openssl req -x509 -new -key "$work/$1-key.pem" -sha256 -days 30 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$work/$1.pem" 2>/dev/null
}

# A leaf signed by a CA: <name> <ca name> <subject> <extensions>
make_leaf() {
    new_key "$work/$1-key.pem"
    openssl req -new -key "$work/$1-key.pem" -subj "$3" -out "$work/$1.csr" 2>/dev/null
    printf '%s\n' "$4" >"$work/$1.ext"
    openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2-key.pem" -CAcreateserial \
        -sha256 -days 30 -extfile "$work/$1.ext" -out "$work/$1.pem" 2>/dev/null
}

SERVER_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth'
CLIENT_EXT=$'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'

make_ca ca "/CN=ggw Redis test CA"
make_ca wrong-ca "/CN=ggw Redis wrong CA"
make_leaf server ca "/CN=localhost" "${SERVER_EXT}"$'\nsubjectAltName=DNS:localhost,IP:127.0.0.1'
make_leaf wrong-host ca "/CN=wrong.example" "${SERVER_EXT}"$'\nsubjectAltName=DNS:wrong.example'
make_leaf client ca "/CN=ggw-test-client" "${CLIENT_EXT}"
make_leaf stranger wrong-ca "/CN=ggw-stranger" "${CLIENT_EXT}"
cat "$work/client.pem" "$work/client-key.pem" >"$work/client-combined.pem"

for file in "${FILES[@]}"; do cp -- "$work/$file" "$file"; done
# redis-server and the tests run as the same user; nothing here protects anything real.
chmod 600 -- *-key.pem client-combined.pem
chmod 644 -- ca.pem server.pem client.pem wrong-ca.pem wrong-host.pem stranger.pem
log "made test certificates in ${DIR}"
