/*
 * Loader fixture: a valid sender named "wrong-major" for type "wrong-major", except that its descriptor
 * claims ABI major GGW_ABI_VERSION_MAJOR + 1. The host must refuse it before calling anything else.
 */
#include "fixture_sender.h"

static const char *const message_types[] = {"wrong-major"};

GGW_PLUGIN_ENTRY {
    static ggw_type_plugin_descriptor descriptor;
    (void)host;
    descriptor = fixture_sender_descriptor("wrong-major", message_types);
    descriptor.abi_major = GGW_ABI_VERSION_MAJOR + 1;
    return &descriptor;
}
