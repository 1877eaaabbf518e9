/*
 * Compile-time checks on the ABI's layout. A change that moves a field breaks every plugin already built,
 * so the offsets of the leading fields are pinned here: appending is fine, moving is a build error.
 */
#include "genesys_plugin.h"

_Static_assert(offsetof(ggw_type_plugin_descriptor, struct_size) == 0, "struct_size must lead the descriptor");
_Static_assert(offsetof(ggw_type_plugin_descriptor, abi_major) == 4, "abi_major must follow struct_size");
_Static_assert(offsetof(ggw_type_plugin_descriptor, abi_minor) == 6, "abi_minor must follow abi_major");
_Static_assert(offsetof(ggw_type_host_callbacks, struct_size) == 0, "struct_size must lead the callbacks");
_Static_assert(offsetof(ggw_type_build_result, struct_size) == 0, "struct_size must lead the build result");
_Static_assert(offsetof(ggw_type_response, struct_size) == 0, "struct_size must lead the response");
_Static_assert(offsetof(ggw_type_decision, struct_size) == 0, "struct_size must lead the decision");
_Static_assert(sizeof(ggw_type_str) == 2 * sizeof(void *), "ggw_type_str is pointer + length");
_Static_assert(offsetof(ggw_type_response, retry_after_ms) == 16, "no hidden padding before retry_after_ms");
_Static_assert(GGW_DESCRIPTOR_MIN_SIZE_1_0 == sizeof(ggw_type_plugin_descriptor),
               "ABI 1.0's minimum is the whole 1.0 descriptor; appended fields must not change it");
