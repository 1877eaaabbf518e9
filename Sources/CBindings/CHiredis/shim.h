#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
/* hiredis 0.14 (Debian 12's libhiredis-dev). Swift calls only its non-variadic functions:
 * redisCommandArgv / redisAppendCommandArgv, never redisCommand. */
#include <hiredis/hiredis.h>
#endif
