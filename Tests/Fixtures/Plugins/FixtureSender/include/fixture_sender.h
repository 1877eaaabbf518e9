/*
 * The valid sender the broken loader fixtures start from: each fixture takes this descriptor and breaks exactly
 * one thing (ABI major, struct size, a type another plugin owns), so a refusal can only come from that defect.
 */
#ifndef FIXTURE_SENDER_H
#define FIXTURE_SENDER_H

#include "genesys_plugin.h"

/*
 * A complete, valid descriptor for a sender called `name` handling the one type `message_types[0]`; its
 * instances build nothing (every message is refused as invalid). Both strings must outlive the plugin
 * (string literals / static arrays).
 */
ggw_type_plugin_descriptor fixture_sender_descriptor(const char *name, const char *const *message_types);

#endif
