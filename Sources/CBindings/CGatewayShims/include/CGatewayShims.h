/*
 * CGatewayShims: non-variadic wrappers for the C calls Swift cannot make.
 *
 * Swift does not import C variadic functions. libcurl's setopt/getinfo family and rabbitmq-c's
 * amqp_login are variadic, so each gets one wrapper per argument type the gateway passes.
 * Every symbol is prefixed `cgs_` so it cannot clash with the libraries' own names.
 */
#ifndef CGATEWAYSHIMS_H
#define CGATEWAYSHIMS_H

#include <stddef.h>
#include <curl/curl.h>
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#else
#include <amqp.h>
#endif

/* CURLOPT_* taking a long (timeouts, flags, HTTP version). */
CURLcode cgs_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
/* CURLOPT_* taking a NUL-terminated string; libcurl copies it (since 7.17). */
CURLcode cgs_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
/* CURLOPT_* taking an opaque pointer (WRITEDATA, PRIVATE, HTTPHEADER list, POSTFIELDS). */
CURLcode cgs_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
/* CURLOPT_* taking a curl_off_t (POSTFIELDSIZE_LARGE). */
CURLcode cgs_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/* CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION: both have the curl_write_callback shape. */
CURLcode cgs_curl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);

/* CURLINFO_* answering a long (response code). */
CURLcode cgs_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
/* CURLINFO_* answering a pointer (PRIVATE). */
CURLcode cgs_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out);
/* CURLINFO_* answering a double (TOTAL_TIME). */
CURLcode cgs_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);

/* CURLMOPT_* taking a long (MAX_HOST_CONNECTIONS, PIPELINING). */
CURLMcode cgs_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/*
 * A libcurl multi handle driven by epoll through curl_multi_socket_action, so each wakeup touches only the
 * transfers whose sockets are ready: curl_multi_perform walks every transfer and polls each one's socket
 * (Curl_readwrite's zero-timeout check), O(transfers in flight) system calls per wakeup.
 * The struct lives at a stable address (libcurl keeps a pointer to it) and belongs to one CurlMultiLoop.
 */
typedef struct {
    int epoll_fd;
    /* An eventfd in the epoll set: other threads write it to wake the loop. */
    int wake_fd;
    /* When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT), in CLOCK_MONOTONIC milliseconds; -1: no timer. */
    long long deadline_ms;
} cgs_curl_events;

/* Creates the epoll set and eventfd and installs the socket and timer callbacks. 0, or an errno. */
int cgs_curl_events_open(CURLM *multi, cgs_curl_events *events);
/* Closes the descriptors; the multi handle must be cleaned up first or no longer driven. */
void cgs_curl_events_close(cgs_curl_events *events);
/* Wakes a waiting cgs_curl_events_run_once (any thread). */
void cgs_curl_events_wake(const cgs_curl_events *events);
/* Waits at most max_wait_ms (less when libcurl's timer is due) for ready sockets or a wakeup, hands each ready
   socket to curl_multi_socket_action, and fires libcurl's timer when due. Returns how many sockets were ready. */
int cgs_curl_events_run_once(CURLM *multi, cgs_curl_events *events, int max_wait_ms);

/* CURLVERSION_NOW is a macro Swift does not import. */
CURLversion cgs_curl_version_now(void);

/* amqp_login with SASL PLAIN (the only method the gateway uses): user and password as C strings. Announces the
   consumer_cancel_notify capability, so that the broker tells of a consumer it cancels (basic.cancel). */
amqp_rpc_reply_t cgs_amqp_login_plain(amqp_connection_state_t state, const char *vhost, int channel_max,
                                      int frame_max, int heartbeat, const char *user, const char *password);

/* amqp_login with SASL EXTERNAL: the broker takes the user from the client certificate of the TLS connection (RabbitMQ:
   plugin rabbitmq_auth_mechanism_ssl, which ignores `identity`). `identity` must not be empty: rabbitmq-c 0.11 fails
   an empty SASL response with AMQP_STATUS_NO_MEMORY. Same capabilities as cgs_amqp_login_plain. */
amqp_rpc_reply_t cgs_amqp_login_external(amqp_connection_state_t state, const char *vhost, int channel_max,
                                         int frame_max, int heartbeat, const char *identity);

/*
 * TLS to RabbitMQ over rabbitmq-c's OpenSSL socket (amqp_tls.c): OpenSSL verifies the broker during the handshake, and
 * what failed is reported. AMQPConnection in AMQPTransport owns the socket (through its connection state).
 */
typedef struct {
    /* X509_V_OK (0), or the first verification error of the handshake (cgs_tls_verify_error_string names it). */
    long verify_error;
    /* Where in the chain that error was: 0 is the broker's own certificate. */
    int verify_depth;
    /* That certificate's subject, one line ("/CN=localhost"). */
    char subject[256];
    /* Sent as SNI instead of the URL's host when not empty (the URL's server_name_indication). */
    char server_name[256];
    /* The first alert the broker sent ("unknown CA", "certificate required"); "" if none. */
    char peer_alert[64];
} cgs_amqp_tls_report;

/* Makes OpenSSL verify the broker's certificate chain and `expected_host` (a DNS name, or an IP address that must be
   in an IP SAN) during the handshake of `socket` (from amqp_ssl_socket_new, not yet opened). 0, or -1. */
int cgs_amqp_tls_verify_in_handshake(amqp_socket_t *socket, const char *expected_host);
/* Trusts the system's CA certificates (when no cacertfile is given). 0, or -1. */
int cgs_amqp_tls_use_default_trust_store(amqp_socket_t *socket);
/* Points the socket's verify and handshake callbacks at `report` for the open and the login; NULL detaches it.
   OWNERSHIP: the caller's; it must live until detached. */
void cgs_amqp_tls_attach_report(amqp_socket_t *socket, cgs_amqp_tls_report *report);
/* OpenSSL's text for a verification error ("unable to get local issuer certificate"). Static storage. */
const char *cgs_tls_verify_error_string(long code);
/* 1 if the verification error says the certificate is for another host name or IP address. */
int cgs_tls_verify_error_is_name_mismatch(long code);
/* Takes the calling thread's queued OpenSSL errors, their reasons joined by "; ", into `buffer` ("" when none). */
void cgs_tls_take_errors(char *buffer, size_t length);

/*
 * The AMQP thread's idle sleep (AMQPWakeup in AMQPTransport owns the descriptor). Swift's Glibc module does not
 * import <sys/eventfd.h>.
 */
/* A non-blocking, close-on-exec eventfd; or -errno. */
int cgs_wakeup_open(void);
/* Makes the eventfd readable (any thread). */
void cgs_wakeup_signal(int wake_fd);
/* Resets the eventfd to unreadable (non-blocking: returns at once if it was not signalled). */
void cgs_wakeup_drain(int wake_fd);
#define CGS_WAKEUP_SOCKET 1
#define CGS_WAKEUP_SIGNALLED 2
/* Waits up to timeout_ms (-1: no limit) for `socket` to be readable (or in error) or `wake_fd` to be signalled.
   Returns CGS_WAKEUP_SOCKET | CGS_WAKEUP_SIGNALLED for what is ready, 0 on timeout or a signal, or -errno. */
int cgs_wakeup_wait(int socket, int wake_fd, int timeout_ms);

/* Names the calling thread (shown in /proc, top, gdb): pthread_setname_np needs _GNU_SOURCE. */
void cgs_set_current_thread_name(const char *name);

/* Caps glibc's malloc arenas (mallopt M_ARENA_MAX: <malloc.h> is not in Swift's Glibc module). Returns 1 on success. */
int cgs_limit_malloc_arenas(int count);
/* Gives the free memory of every malloc arena back to the system (malloc_trim(0)). Returns 1 when some was. */
int cgs_release_free_heap(void);

#endif
