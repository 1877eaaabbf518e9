#!/usr/bin/env bash
# Makes the certificates the TLS tests use, with the openssl command line, into one folder. Test material only:
# short-lived, unencrypted keys, made at test time and never committed.
#
# Usage: scripts/make-test-certs.sh <dir>
#
# Files written (PEM; each *-key.pem is the key of the certificate of the same name):
#   ca.pem                   the test CA that signs the server and client certificates
#   server.pem               the broker: CN localhost, SAN DNS:localhost and IP:127.0.0.1 (not 127.0.0.2, so
#                            that a connection to 127.0.0.2 meets a certificate for another host)
#   client.pem               a client: CN ggw-tls-client (the AMQP user SASL EXTERNAL logs in as)
#   other-ca.pem             a second CA nobody trusts: "the wrong CA"
#   other-client.pem         a client certificate signed by the wrong CA (CN ggw-tls-client as well)
#
# EC P-256 keys: made in milliseconds, where RSA keys would make every test run wait.
set -euo pipefail

if [[ $# -ne 1 || "$1" == -* ]]; then
    sed -n 's/^# \{0,1\}//; /^Usage:/p' "${BASH_SOURCE[0]}" >&2
    exit 2
fi
DIR="$1"
DAYS=7
CLIENT_CN=ggw-tls-client

command -v openssl >/dev/null || { echo "make-test-certs: openssl is not installed (scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p -- "$DIR"
chmod 700 -- "$DIR"
WORK="$(mktemp -d "${DIR%/}/.work.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT

key() { # <name>: an EC key in $WORK/<name>-key.pem
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "${WORK}/$1-key.pem" 2>/dev/null
}

ca() { # <name> <subject>
    key "$1"
    openssl req -x509 -new -key "${WORK}/$1-key.pem" -subj "$2" -days "$DAYS" -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "${WORK}/$1.pem"
}

leaf() { # <name> <issuer> <subject> <extendedKeyUsage> [subjectAltName]
    local name="$1" issuer="$2" subject="$3" usage="$4" san="${5:-}"
    key "$name"
    openssl req -new -key "${WORK}/${name}-key.pem" -subj "$subject" -out "${WORK}/${name}.csr"
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=${usage}"
        [[ -z "$san" ]] || echo "subjectAltName=${san}"
    } >"${WORK}/${name}.ext"
    openssl x509 -req -in "${WORK}/${name}.csr" -CA "${WORK}/${issuer}.pem" -CAkey "${WORK}/${issuer}-key.pem" \
        -CAcreateserial -days "$DAYS" -sha256 -extfile "${WORK}/${name}.ext" -out "${WORK}/${name}.pem" 2>/dev/null
}

ca ca "/CN=genesys-gateway test CA"
ca other-ca "/CN=genesys-gateway other test CA"
leaf server ca "/CN=localhost" serverAuth "DNS:localhost,IP:127.0.0.1"
leaf client ca "/CN=${CLIENT_CN}" clientAuth
leaf other-client other-ca "/CN=${CLIENT_CN}" clientAuth

for name in ca other-ca server client other-client; do
    # The broker runs as this user and reads its key; nobody else may.
    install -m 600 -- "${WORK}/${name}-key.pem" "${DIR%/}/${name}-key.pem"
    install -m 644 -- "${WORK}/${name}.pem" "${DIR%/}/${name}.pem"
done
printf 'make-test-certs: CA, server (127.0.0.1, localhost), client (CN %s), and the wrong CA in %s\n' \
    "$CLIENT_CN" "$DIR" >&2
