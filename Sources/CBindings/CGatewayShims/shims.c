/* pthread_setname_np is a GNU extension: Swift's Glibc module does not declare it. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include "CGatewayShims.h"

CURLcode cgs_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode cgs_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode cgs_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode cgs_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode cgs_curl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode cgs_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return curl_easy_getinfo(handle, info, out);
}

CURLcode cgs_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out) {
    return curl_easy_getinfo(handle, info, out);
}

CURLcode cgs_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out) {
    return curl_easy_getinfo(handle, info, out);
}

CURLMcode cgs_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLversion cgs_curl_version_now(void) {
    return CURLVERSION_NOW;
}

/* amqp_login_with_properties with the gateway's client capabilities; `password` is unused for EXTERNAL, whose one
   argument is the identity. */
static amqp_rpc_reply_t login_with_capabilities(amqp_connection_state_t state, const char *vhost, int channel_max,
                                                int frame_max, int heartbeat, amqp_sasl_method_enum method,
                                                const char *user, const char *password) {
    /* consumer_cancel_notify: without it RabbitMQ sends no basic.cancel when a consumed queue is deleted, and that
       consumer ends without the client knowing. rabbitmq-c merges these capabilities into its default ones. The
       tables only need to live for the call: rabbitmq-c copies them. */
    amqp_table_entry_t capability = {
        .key = amqp_cstring_bytes("consumer_cancel_notify"),
        .value = {.kind = AMQP_FIELD_KIND_BOOLEAN, .value = {.boolean = 1}},
    };
    amqp_table_entry_t property = {
        .key = amqp_cstring_bytes("capabilities"),
        .value = {.kind = AMQP_FIELD_KIND_TABLE, .value = {.table = {.num_entries = 1, .entries = &capability}}},
    };
    amqp_table_t properties = {.num_entries = 1, .entries = &property};
    if (method == AMQP_SASL_METHOD_EXTERNAL) {
        return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, &properties, method, user);
    }
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, &properties, method, user,
                                      password);
}

amqp_rpc_reply_t cgs_amqp_login_plain(amqp_connection_state_t state, const char *vhost, int channel_max,
                                      int frame_max, int heartbeat, const char *user, const char *password) {
    return login_with_capabilities(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user,
                                   password);
}

amqp_rpc_reply_t cgs_amqp_login_external(amqp_connection_state_t state, const char *vhost, int channel_max,
                                         int frame_max, int heartbeat, const char *identity) {
    return login_with_capabilities(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_EXTERNAL,
                                   identity, NULL);
}

void cgs_set_current_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

int cgs_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

int cgs_release_free_heap(void) {
    return malloc_trim(0);
}
