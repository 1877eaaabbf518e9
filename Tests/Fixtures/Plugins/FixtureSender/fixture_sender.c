#include <stdio.h>

#include "fixture_sender.h"

/* Hidden: every fixture library links its own copy, and none may export it or resolve to another one. */
#define FIXTURE_INTERNAL __attribute__((visibility("hidden")))

static int32_t fixture_create(void *plugin_context, const ggw_type_host_callbacks *host, ggw_type_str settings_json,
                              void **out_instance, char *error_buf, size_t error_buf_len) {
    static int instance_token;
    (void)plugin_context;
    (void)host;
    (void)settings_json;
    (void)error_buf;
    (void)error_buf_len;
    if (!out_instance) return 1;
    *out_instance = &instance_token;
    return 0;
}

static void fixture_destroy(void *instance) { (void)instance; }

static void fixture_build(void *instance, const ggw_type_org_context *context, ggw_type_str message_json,
                          ggw_type_build_result *out) {
    (void)instance;
    (void)context;
    (void)message_json;
    if (!out) return;
    out->status = GGW_BUILD_INVALID;
    out->error_field[0] = '\0';
    snprintf(out->error_reason, sizeof(out->error_reason), "fixture");
}

static void fixture_release(void *instance, ggw_type_build_result *result) {
    (void)instance;
    (void)result; /* build never returns OK, so there is nothing to free */
}

FIXTURE_INTERNAL ggw_type_plugin_descriptor fixture_sender_descriptor(const char *name, const char *const *message_types) {
    ggw_type_plugin_descriptor descriptor = {
        .struct_size = sizeof(ggw_type_plugin_descriptor),
        .abi_major = GGW_ABI_VERSION_MAJOR,
        .abi_minor = GGW_ABI_VERSION_MINOR,
        .name = name,
        .version = "1.0.0",
        .kind = GGW_PLUGIN_KIND_SENDER,
        .message_types = message_types,
        .message_type_count = 1,
        .on_instance_create = fixture_create,
        .on_instance_destroy = fixture_destroy,
        .on_sender_build = fixture_build,
        .on_sender_release = fixture_release,
        .on_policy_decide = NULL,
        .plugin_context = NULL,
    };
    return descriptor;
}
