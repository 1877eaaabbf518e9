/*
 * typing_event_sender.c — the "typing" sender plugin, written in C against genesys_plugin.h to show the ABI
 * is language-neutral. The message contract and the request shape are described in typing_message.c.
 *
 * Instances are immutable after creation and there is no global mutable state, so every function here may
 * run on many threads at once. Only ggw_plugin_entry is exported; everything else is static or hidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "genesys_plugin.h"
#include "json_reader.h"
#include "json_writer.h"
#include "typing_message.h"
#include "utf8.h"

#define FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

typedef struct typing_instance {
    const ggw_type_host_callbacks *host; /* lives for the process; may be NULL */
} typing_instance;

static void host_log(const ggw_type_host_callbacks *host, ggw_type_log_level level, const char *text) {
    if (!host || host->struct_size < FIELD_END(ggw_type_host_callbacks, ggw_callback_log) || !host->ggw_callback_log)
        return;
    ggw_type_str message = {text, strlen(text)};
    host->ggw_callback_log(host->host_context, (int32_t)level, message);
}

static void set_error(char *buffer, size_t capacity, const char *text) {
    ggw_typing_utf8_copy(buffer, capacity, text, strlen(text));
}

static void set_invalid(ggw_type_build_result *out, const char *field, const char *reason) {
    out->status = GGW_BUILD_INVALID;
    set_error(out->error_field, sizeof(out->error_field), field);
    set_error(out->error_reason, sizeof(out->error_reason), reason);
}

/*
 * Settings: none are defined, so only an empty object (whitespace allowed) is accepted. The wording follows
 * PluginKit's PluginSettings so Swift and C plugins fail alike: "<key>: unknown setting '<key>' (known: none)".
 */
static int check_settings(ggw_type_str settings, char *error_buf, size_t error_buf_len) {
    char message[GGW_TEXT_CAPACITY];
    ggw_typing_json_doc doc;
    ggw_typing_json_error error;
    if (settings.len == 0) return 0; /* the header promises "{}"; an empty string is taken to mean the same */
    if (ggw_typing_json_parse(settings.ptr, settings.len, &doc, &error) != 0) {
        snprintf(message, sizeof(message), "settings must be a JSON object (not valid JSON: %s at byte %zu)",
                 error.message, error.offset);
        set_error(error_buf, error_buf_len, message);
        return 1;
    }
    const ggw_typing_json_node *root = ggw_typing_json_root(&doc), *unknown = NULL;
    /* Report the smallest key, as PluginSettings reports the first of the sorted unknown keys. */
    const ggw_typing_json_node *m = root->type == GGW_TYPING_JSON_OBJECT ? ggw_typing_json_first(&doc, root) : NULL;
    for (; m; m = ggw_typing_json_next(&doc, m)) {
        if (!unknown) {
            unknown = m;
            continue;
        }
        size_t common = unknown->key_len < m->key_len ? unknown->key_len : m->key_len;
        int order = memcmp(m->key, unknown->key, common);
        if (order < 0 || (order == 0 && m->key_len < unknown->key_len)) unknown = m;
    }
    int rc = 1;
    if (root->type != GGW_TYPING_JSON_OBJECT) {
        set_error(error_buf, error_buf_len, "settings must be a JSON object");
    } else if (unknown) {
        char key[68];
        ggw_typing_utf8_copy(key, 65, unknown->key, unknown->key_len);
        if (strlen(key) < unknown->key_len) strcat(key, "...");
        snprintf(message, sizeof(message), "%s: unknown setting '%s' (known: none)", key, key);
        set_error(error_buf, error_buf_len, message);
    } else {
        rc = 0;
    }
    ggw_typing_json_free(&doc);
    return rc;
}

static int32_t typing_instance_create(void *plugin_context, const ggw_type_host_callbacks *host,
                                      ggw_type_str settings_json, void **out_instance, char *error_buf,
                                      size_t error_buf_len) {
    (void)plugin_context;
    if (!out_instance) {
        set_error(error_buf, error_buf_len, "out_instance is NULL");
        return 1;
    }
    *out_instance = NULL;
    if (check_settings(settings_json, error_buf, error_buf_len) != 0) return 1;
    typing_instance *instance = malloc(sizeof(*instance));
    if (!instance) {
        set_error(error_buf, error_buf_len, "out of memory");
        return 1;
    }
    instance->host = host;
    *out_instance = instance;
    host_log(host, GGW_LOG_DEBUG, "typing sender instance created");
    return 0;
}

static void typing_instance_destroy(void *instance) { free(instance); }

/* Refuses an org context the request cannot be addressed with; returns the reason or NULL. */
static const char *check_context(const ggw_type_org_context *context) {
    if (!context || context->struct_size < FIELD_END(ggw_type_org_context, integration_id))
        return "org context is missing or too old for this plugin";
    ggw_type_str id = context->integration_id;
    if (!id.ptr || id.len == 0) return "org context has no integration id";
    /* Percent-encoding leaves '.' alone, and "." or ".." as a path segment would change the path. */
    if ((id.len == 1 && id.ptr[0] == '.') || (id.len == 2 && memcmp(id.ptr, "..", 2) == 0))
        return "integration id must not be '.' or '..'";
    return NULL;
}

static void typing_sender_build(void *instance, const ggw_type_org_context *context, ggw_type_str message_json,
                                ggw_type_build_result *out) {
    (void)instance;
    if (!out) return;
    if (out->struct_size < sizeof(ggw_type_build_result)) {
        /* The host says the struct is smaller than ours: write nothing beyond what it says it has. */
        if (out->struct_size >= FIELD_END(ggw_type_build_result, status)) out->status = GGW_BUILD_INVALID;
        return;
    }
    const char *context_problem = check_context(context);
    if (context_problem) {
        set_invalid(out, "", context_problem);
        return;
    }

    ggw_typing_json_doc doc;
    ggw_typing_json_error error;
    if (ggw_typing_json_parse(message_json.ptr, message_json.len, &doc, &error) != 0) {
        char reason[GGW_TEXT_CAPACITY];
        snprintf(reason, sizeof(reason), "message is not valid JSON: %s at byte %zu", error.message, error.offset);
        set_invalid(out, "", reason);
        return;
    }
    ggw_typing_message message;
    if (ggw_typing_message_validate(&doc, &message, out->error_field, out->error_reason, GGW_TEXT_CAPACITY) != 0) {
        out->status = GGW_BUILD_INVALID;
        ggw_typing_json_free(&doc);
        return;
    }
    ggw_typing_buffer buffer = {NULL, 0, 0, 0};
    size_t method_len = 0, path_len = 0;
    ggw_typing_message_write_request(&buffer, context->integration_id.ptr, context->integration_id.len, &message,
                                     &method_len, &path_len);
    ggw_typing_json_free(&doc);
    if (buffer.failed) {
        ggw_typing_buffer_free(&buffer);
        set_invalid(out, "", "out of memory while building the request");
        return;
    }
    /* One malloc'd block holds method, path and body back to back; plugin_data owns it until release. */
    out->status = GGW_BUILD_OK;
    out->method.ptr = buffer.data;
    out->method.len = method_len;
    out->path.ptr = buffer.data + method_len;
    out->path.len = path_len;
    out->body.ptr = buffer.data + method_len + path_len;
    out->body.len = buffer.len - method_len - path_len;
    out->plugin_data = buffer.data;
}

static void typing_sender_release(void *instance, ggw_type_build_result *result) {
    (void)instance;
    if (!result || result->struct_size < sizeof(ggw_type_build_result)) return;
    free(result->plugin_data); /* NULL after an INVALID build or a second release: a no-op */
    result->plugin_data = NULL;
    result->method.ptr = result->path.ptr = result->body.ptr = NULL;
    result->method.len = result->path.len = result->body.len = 0;
}

static const char *const message_types[] = {"typing"};

static const ggw_type_plugin_descriptor descriptor = {
    .struct_size = sizeof(ggw_type_plugin_descriptor),
    .abi_major = GGW_ABI_VERSION_MAJOR,
    .abi_minor = GGW_ABI_VERSION_MINOR,
    .name = "typing",
    .version = "1.0.0",
    .kind = GGW_PLUGIN_KIND_SENDER,
    .message_types = message_types,
    .message_type_count = sizeof(message_types) / sizeof(message_types[0]),
    .on_instance_create = typing_instance_create,
    .on_instance_destroy = typing_instance_destroy,
    .on_sender_build = typing_sender_build,
    .on_sender_release = typing_sender_release,
    .on_policy_decide = NULL,
    .plugin_context = NULL,
};

GGW_PLUGIN_ENTRY {
    /* A host of another major version lays its structs out differently: refuse to run with it. */
    if (host && host->struct_size >= FIELD_END(ggw_type_host_callbacks, abi_major) &&
        host->abi_major != GGW_ABI_VERSION_MAJOR)
        return NULL;
    return &descriptor;
}
