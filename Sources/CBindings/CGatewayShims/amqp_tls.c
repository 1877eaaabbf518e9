/* TLS for rabbitmq-c's OpenSSL socket (amqp_ssl_socket_new); AMQPConnection in AMQPTransport is the only caller.
 * See the declarations in CGatewayShims.h.
 *
 * Why not rabbitmq-c's own checks alone: rabbitmq-c 0.11 verifies the broker's certificate only after the handshake,
 * keeps OpenSSL's verify error to itself (the caller learns "SSL peer verify failed", not why), and matches the host
 * against DNS names and the CN only, so a certificate for IP 127.0.0.1 never matches. Here OpenSSL verifies during
 * the handshake (SSL_VERIFY_PEER, the expected host name or IP address in the context's verify parameters, which
 * each SSL_new inherits), and a verify callback writes the first failure into a report the caller owns. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#if __has_include(<rabbitmq-c/ssl_socket.h>)
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp_ssl_socket.h>
#endif
#include "CGatewayShims.h"

/* The report of the open call in progress hangs off the socket's SSL_CTX (one per rabbitmq-c SSL socket; rabbitmq-c
   itself keeps no application data there). NULL between opens: the callbacks then change nothing. */
static cgs_amqp_tls_report *report_of(const SSL *ssl) {
    return ssl == NULL ? NULL : SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

/* Records the first failure and leaves OpenSSL's verdict unchanged: a failure still ends the handshake. */
static int verify_callback(int preverify_ok, X509_STORE_CTX *store) {
    if (preverify_ok) {
        return preverify_ok;
    }
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    cgs_amqp_tls_report *report = report_of(ssl);
    if (report != NULL && report->verify_error == X509_V_OK) {
        report->verify_error = X509_STORE_CTX_get_error(store);
        report->verify_depth = X509_STORE_CTX_get_error_depth(store);
        X509 *certificate = X509_STORE_CTX_get_current_cert(store);
        if (certificate != NULL) {
            X509_NAME_oneline(X509_get_subject_name(certificate), report->subject, (int)sizeof report->subject);
        }
    }
    return preverify_ok;
}

/* rabbitmq-c sends the URL's host as SNI just before SSL_connect; server_name_indication replaces it here, at the
   start of the handshake and before the ClientHello is written. The broker's first alert is kept: with TLS 1.3 a
   refused client certificate is only told after the client's side of the handshake is done, during the login, where
   rabbitmq-c reports no more than "a SSL error occurred". */
static void info_callback(const SSL *ssl, int where, int ret) {
    cgs_amqp_tls_report *report = report_of(ssl);
    if (report == NULL) {
        return;
    }
    if ((where & SSL_CB_HANDSHAKE_START) && report->server_name[0] != '\0') {
        SSL_set_tlsext_host_name((SSL *)ssl, report->server_name);
    }
    if ((where & SSL_CB_READ_ALERT) && report->peer_alert[0] == '\0') {
        snprintf(report->peer_alert, sizeof report->peer_alert, "%s", SSL_alert_desc_string_long(ret));
    }
}

int cgs_amqp_tls_verify_in_handshake(amqp_socket_t *socket, const char *expected_host) {
    SSL_CTX *context = amqp_ssl_socket_get_context(socket);
    if (context == NULL) {
        return -1;
    }
    X509_VERIFY_PARAM *parameters = SSL_CTX_get0_param(context);
    X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    /* An IP address must match an IP SAN, a name a DNS SAN: set1_ip_asc refuses what is not an address. */
    if (X509_VERIFY_PARAM_set1_ip_asc(parameters, expected_host) != 1
        && X509_VERIFY_PARAM_set1_host(parameters, expected_host, 0) != 1) {
        return -1;
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, verify_callback);
    return 0;
}

int cgs_amqp_tls_use_default_trust_store(amqp_socket_t *socket) {
    SSL_CTX *context = amqp_ssl_socket_get_context(socket);
    return context != NULL && SSL_CTX_set_default_verify_paths(context) == 1 ? 0 : -1;
}

void cgs_amqp_tls_attach_report(amqp_socket_t *socket, cgs_amqp_tls_report *report) {
    SSL_CTX *context = amqp_ssl_socket_get_context(socket);
    if (context == NULL) {
        return;
    }
    SSL_CTX_set_app_data(context, report);
    SSL_CTX_set_info_callback(context, report == NULL ? NULL : info_callback);
}

const char *cgs_tls_verify_error_string(long code) {
    return X509_verify_cert_error_string(code);
}

int cgs_tls_verify_error_is_name_mismatch(long code) {
    return code == X509_V_ERR_HOSTNAME_MISMATCH || code == X509_V_ERR_IP_ADDRESS_MISMATCH;
}

void cgs_tls_take_errors(char *buffer, size_t length) {
    if (length == 0) {
        return;
    }
    buffer[0] = '\0';
    size_t used = 0;
    unsigned long code;
    while ((code = ERR_get_error()) != 0) {
        /* The reason alone ("tlsv1 alert unknown ca", "No such file or directory"): the library and function
           names around it say nothing to an operator. */
        const char *reason = ERR_SYSTEM_ERROR(code) ? strerror(ERR_GET_REASON(code)) : ERR_reason_error_string(code);
        char fallback[32];
        if (reason == NULL) {
            snprintf(fallback, sizeof fallback, "OpenSSL error %lx", code);
            reason = fallback;
        }
        if (used < length - 1 && strstr(buffer, reason) == NULL) {
            int written = snprintf(buffer + used, length - used, "%s%s", used == 0 ? "" : "; ", reason);
            if (written > 0) {
                used += (size_t)written < length - used ? (size_t)written : length - used - 1;
            }
        }
    }
}
