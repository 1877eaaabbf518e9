#include "genesys_plugin.h"
