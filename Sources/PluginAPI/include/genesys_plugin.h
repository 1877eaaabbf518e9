/*
 * genesys_plugin.h — the C ABI between the Genesys gateway host and its plugins.
 *
 * One header, C99 and the C standard library only, so a plugin can be written in C, Rust or Swift and
 * built with any compiler version. Swift's own ABI is not promised stable on Linux; this one is.
 *
 * Naming (after Envoy's dynamic-module abi.h):
 *   ggw_type_*      data passed across the boundary;
 *   ggw_on_*        function pointers the PLUGIN implements and the host calls;
 *   ggw_callback_*  function pointers the HOST implements and the plugin calls.
 *
 * Versioning (after SQLite's sqlite3ext.h and PostgreSQL's PG_MODULE_MAGIC):
 *   - every struct starts with `struct_size` so either side can tell which fields the other knows;
 *   - fields are only ever appended; a field is never removed, reordered or retyped;
 *   - appending fields bumps GGW_ABI_VERSION_MINOR; anything else bumps GGW_ABI_VERSION_MAJOR, and the host
 *     refuses a plugin whose major differs from its own.
 *
 * Threading: the host may call ggw_on_sender_build, ggw_on_sender_release and ggw_on_policy_decide of one
 * instance from several threads at once (a release may run on another thread than its build), so a plugin
 * keeps no mutable state outside what its own functions lock. ggw_on_instance_destroy is called once, after
 * every other call on that instance has returned. Plugins are pure: no sockets, no threads, no I/O. The host
 * owns all I/O, tokens, rate limiters and circuit breakers.
 *
 * Strings are ggw_type_str (pointer + length, UTF-8, not NUL-terminated unless stated; `ptr` may be NULL
 * when `len` is 0). Text cut to fit a fixed buffer is cut on a UTF-8 character boundary. Every pointer
 * below carries an OWNERSHIP note saying who frees it and how long it stays valid.
 */
#ifndef GENESYS_PLUGIN_H
#define GENESYS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GGW_ABI_VERSION_MAJOR 1
#define GGW_ABI_VERSION_MINOR 0

/* The one symbol every plugin exports, of type ggw_on_plugin_entry. */
#define GGW_PLUGIN_ENTRY_SYMBOL "ggw_plugin_entry"

/*
 * A C plugin defines its entry as `GGW_PLUGIN_ENTRY { ... return &descriptor; }`: the right signature, and
 * exported even when the plugin is built with -fvisibility=hidden.
 */
#define GGW_PLUGIN_ENTRY                                                                                    \
    __attribute__((visibility("default"))) const struct ggw_type_plugin_descriptor *ggw_plugin_entry(      \
        const struct ggw_type_host_callbacks *host)

/* Size of the inline text buffers below; longer text is truncated by the writer. */
#define GGW_TEXT_CAPACITY 512

/* A UTF-8 string slice. OWNERSHIP: as stated where it is used. */
typedef struct ggw_type_str {
    const char *ptr;
    size_t len;
} ggw_type_str;

typedef enum ggw_type_plugin_kind {
    GGW_PLUGIN_KIND_SENDER = 1,       /* turns a queued message into a Genesys HTTP request */
    GGW_PLUGIN_KIND_ERROR_POLICY = 2, /* decides what a Genesys response means */
} ggw_type_plugin_kind;

typedef enum ggw_type_log_level {
    GGW_LOG_DEBUG = 1,
    GGW_LOG_INFO = 2,
    GGW_LOG_WARNING = 3,
    GGW_LOG_ERROR = 4,
} ggw_type_log_level;

/* ---------------------------------------------------------------------------------------------------------
 * Host callbacks: handed to the plugin at entry and at instance creation.
 * OWNERSHIP: the table and host_context belong to the host and stay valid for the life of the process.
 * ------------------------------------------------------------------------------------------------------- */
typedef struct ggw_type_host_callbacks {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *host_context; /* opaque; pass back unchanged */
    /* Log a line under the plugin's name; `level` is a ggw_type_log_level. Thread-safe.
     * OWNERSHIP: `message` is borrowed for the duration of the call. */
    void (*ggw_callback_log)(void *host_context, int32_t level, ggw_type_str message);
} ggw_type_host_callbacks;

/* ---------------------------------------------------------------------------------------------------------
 * Sender: message JSON + org context -> HTTP request, or a validation error.
 * ------------------------------------------------------------------------------------------------------- */

/* Who the message is for. OWNERSHIP: all strings borrowed from the host for the duration of the call. */
typedef struct ggw_type_org_context {
    uint32_t struct_size;
    ggw_type_str tenant_id;
    ggw_type_str org_name;
    ggw_type_str integration_id; /* the Open Messaging integration id */
} ggw_type_org_context;

/* Zero is deliberately not a status: a plugin that forgets to set one is caught, not taken as success. The
 * host treats any other value, and GGW_BUILD_OK without a method or path, as a broken plugin (dead-letter). */
typedef enum ggw_type_build_status {
    GGW_BUILD_OK = 1,      /* request fields are set */
    GGW_BUILD_INVALID = 2, /* the message can never be sent: error_field / error_reason say why */
} ggw_type_build_status;

/*
 * The outcome of ggw_on_sender_build. The host zeroes it and sets struct_size before the call.
 * OWNERSHIP: method, path and body are allocated by the plugin and stay valid until the host passes the same
 * struct to ggw_on_sender_release (which the host always does exactly once after a GGW_BUILD_OK).
 * `plugin_data` is the plugin's own handle for that release. error_field / error_reason are inline.
 */
typedef struct ggw_type_build_result {
    uint32_t struct_size;
    int32_t status;             /* ggw_type_build_status */
    ggw_type_str method;        /* "POST", "PATCH", ... */
    ggw_type_str path;          /* API path with query, e.g. /api/v2/conversations/messages/{id}/inbound/open/message */
    ggw_type_str body;          /* JSON */
    void *plugin_data;
    char error_field[GGW_TEXT_CAPACITY];  /* NUL-terminated JSON path of the bad field, or empty */
    char error_reason[GGW_TEXT_CAPACITY]; /* NUL-terminated human-readable reason */
} ggw_type_build_result;

/* ---------------------------------------------------------------------------------------------------------
 * Error policy: Genesys response -> decision.
 * ------------------------------------------------------------------------------------------------------- */

typedef enum ggw_type_transport_error {
    GGW_TRANSPORT_NONE = 0,       /* a response arrived; status_code is set */
    GGW_TRANSPORT_TIMEOUT = 1,
    GGW_TRANSPORT_CONNECT = 2,    /* could not connect, or the connection was reset */
    GGW_TRANSPORT_OTHER = 3,
} ggw_type_transport_error;

/* What came back. OWNERSHIP: all strings borrowed from the host for the duration of the call. */
typedef struct ggw_type_response {
    uint32_t struct_size;
    int32_t status_code;       /* HTTP status, 0 when transport_error != NONE */
    int32_t transport_error;   /* ggw_type_transport_error */
    uint32_t attempt;          /* 1 for the first try of this message */
    int64_t retry_after_ms;    /* the Retry-After header in ms, or -1 when absent */
    ggw_type_str correlation_id; /* ININ-Correlation-Id, may be empty */
    ggw_type_str body;           /* response body, may be empty */
} ggw_type_response;

typedef enum ggw_type_action {
    GGW_ACTION_DELIVERED = 1,               /* Genesys accepted the message */
    GGW_ACTION_RETRY = 2,                   /* try again after retry_after_ms */
    GGW_ACTION_REFRESH_TOKEN_AND_RETRY = 3, /* the token was refused: renew it, then retry at once */
    GGW_ACTION_DEAD_LETTER = 4,             /* never going to succeed */
} ggw_type_action;

/* The host zeroes it and sets struct_size before the call. All fields inline: nothing to free. An action the
 * host does not know dead-letters the message, so a broken policy can never make the host loop. */
typedef struct ggw_type_decision {
    uint32_t struct_size;
    int32_t action;             /* ggw_type_action */
    int64_t retry_after_ms;     /* with GGW_ACTION_RETRY: the delay, or -1 for the host's backoff with jitter */
    int32_t breaker_failure;    /* nonzero: counts as a failure for the org's circuit breaker */
    char reason[GGW_TEXT_CAPACITY]; /* NUL-terminated */
} ggw_type_decision;

/* ---------------------------------------------------------------------------------------------------------
 * Plugin functions.
 * ------------------------------------------------------------------------------------------------------- */

/*
 * Create an instance configured by `settings_json` (a JSON object from the tenant's YAML, "{}" when none).
 * Returns 0 and sets *out_instance on success; nonzero with a NUL-terminated message in error_buf otherwise.
 * OWNERSHIP: plugin_context is the descriptor's own field passed back; `host` lives for the process;
 * settings_json is borrowed for the call; *out_instance is owned by the plugin until ggw_on_instance_destroy.
 */
typedef int32_t (*ggw_on_instance_create)(void *plugin_context, const ggw_type_host_callbacks *host,
                                          ggw_type_str settings_json, void **out_instance, char *error_buf,
                                          size_t error_buf_len);
typedef void (*ggw_on_instance_destroy)(void *instance);

/* Sender. `message_json` is the queued message's bytes, borrowed for the call. */
typedef void (*ggw_on_sender_build)(void *instance, const ggw_type_org_context *context,
                                    ggw_type_str message_json, ggw_type_build_result *out);
typedef void (*ggw_on_sender_release)(void *instance, ggw_type_build_result *result);

/* Error policy. */
typedef void (*ggw_on_policy_decide)(void *instance, const ggw_type_response *response, ggw_type_decision *out);

/*
 * What the entry symbol returns. OWNERSHIP: the descriptor and everything it points to belong to the plugin
 * and stay valid for the life of the process (a static). `name`, `version` and each message type are
 * NUL-terminated. A sender sets the sender functions and leaves the policy one NULL; a policy the reverse.
 */
typedef struct ggw_type_plugin_descriptor {
    uint32_t struct_size;      /* sizeof(ggw_type_plugin_descriptor) as the plugin was compiled */
    uint16_t abi_major;        /* GGW_ABI_VERSION_MAJOR as the plugin was compiled */
    uint16_t abi_minor;
    const char *name;          /* unique among plugins, e.g. "text", "default" */
    const char *version;       /* the plugin's own version, e.g. "1.0.0" */
    int32_t kind;              /* ggw_type_plugin_kind */
    const char *const *message_types; /* senders: the message types handled; policies: NULL */
    size_t message_type_count;
    ggw_on_instance_create on_instance_create;
    ggw_on_instance_destroy on_instance_destroy;
    ggw_on_sender_build on_sender_build;
    ggw_on_sender_release on_sender_release;
    ggw_on_policy_decide on_policy_decide;
    void *plugin_context;      /* opaque to the host; passed back to on_instance_create */
} ggw_type_plugin_descriptor;

/*
 * The smallest descriptor an ABI 1.x host accepts: every field up to and including plugin_context. A
 * descriptor whose struct_size is smaller is refused, naming the file.
 */
#define GGW_DESCRIPTOR_MIN_SIZE_1_0 \
    (offsetof(ggw_type_plugin_descriptor, plugin_context) + sizeof(void *))

/* The entry symbol's type. Called once per process; returns NULL if the plugin cannot run with this host. */
typedef const ggw_type_plugin_descriptor *(*ggw_on_plugin_entry)(const ggw_type_host_callbacks *host);

#ifdef __cplusplus
}
#endif

#endif /* GENESYS_PLUGIN_H */
