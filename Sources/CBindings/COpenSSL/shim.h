#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
/*
 * OpenSSL 3 (Debian 12's libssl-dev) for the Redis client's TLS (`rediss://`).
 *
 * Swift imports OpenSSL's functions but not its function-like macros, so the few macros the client needs are
 * wrapped here as `static inline` functions. Every wrapper is prefixed `cossl_` and says why it exists.
 * OWNERSHIP: none of these functions takes or gives ownership of a handle; the caller keeps its `SSL_CTX *` and
 * `SSL *` and frees them with SSL_CTX_free / SSL_free.
 */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>

/* SSL_CTX_set_min_proto_version is a macro (SSL_CTX_ctrl). TLS 1.2 is the oldest version Redis' own TLS
 * build accepts by default, and older ones are broken. Returns 1 on success. */
static inline int cossl_ctx_require_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

/* Whether `host` is an IPv4 or IPv6 literal: such a host is verified against the certificate's IP SANs and
 * never sent as SNI (RFC 6066 allows only DNS names there). */
static inline int cossl_is_ip_literal(const char *host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
}

/* SNI: SSL_set_tlsext_host_name is a macro (SSL_ctrl). Only for DNS names (see above); returns 1 otherwise
 * too, as there is nothing to send. */
static inline int cossl_set_server_name(SSL *ssl, const char *host) {
    if (cossl_is_ip_literal(host)) return 1;
    return (int)SSL_set_tlsext_host_name(ssl, host);
}

/* Host name verification during the handshake: a DNS name is matched against the certificate's DNS SANs
 * (SSL_set1_host), an IP literal against its IP SANs (X509_VERIFY_PARAM_set1_ip_asc; SSL_set1_host would
 * compare it as a name). Returns 1 on success. */
static inline int cossl_verify_host(SSL *ssl, const char *host) {
    if (cossl_is_ip_literal(host)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    /* Wildcards only as the whole left-most label, as browsers do. */
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(ssl, host);
}

#endif
