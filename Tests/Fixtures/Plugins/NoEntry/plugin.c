/*
 * Loader fixture: a well-formed shared library that exports a function, but not GGW_PLUGIN_ENTRY_SYMBOL.
 * The host must refuse it with a "missing entry symbol" error instead of crashing.
 */
#include "genesys_plugin.h"

__attribute__((visibility("default"))) int ggw_not_the_plugin_entry(void);

int ggw_not_the_plugin_entry(void) { return GGW_ABI_VERSION_MAJOR; }
