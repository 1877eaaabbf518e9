/*
 * Loader fixture: a fully valid sender named "duplicate-text" that claims message type "text". The host must
 * refuse it because the shipped "text" plugin already handles that type. Its build refuses every message.
 */
#include "fixture_sender.h"

static const char *const message_types[] = {"text"};

GGW_PLUGIN_ENTRY {
    static ggw_type_plugin_descriptor descriptor;
    (void)host;
    descriptor = fixture_sender_descriptor("duplicate-text", message_types);
    return &descriptor;
}
