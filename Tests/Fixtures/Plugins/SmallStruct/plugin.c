/*
 * Loader fixture: a descriptor named "small-struct" whose struct_size stops before on_instance_create, as if
 * compiled against a header that had no functions yet. The host must refuse it rather than read past it.
 * The fields after the claimed size are filled in anyway so that a host which ignores struct_size is caught
 * by its behaviour (a sender for type "small-struct"), not by a crash.
 */
#include <stddef.h>

#include "fixture_sender.h"

static const char *const message_types[] = {"small-struct"};

GGW_PLUGIN_ENTRY {
    static ggw_type_plugin_descriptor descriptor;
    (void)host;
    descriptor = fixture_sender_descriptor("small-struct", message_types);
    descriptor.struct_size = (uint32_t)offsetof(ggw_type_plugin_descriptor, on_instance_create);
    return &descriptor;
}
