#define _GNU_SOURCE
#include <pthread.h>
#include "CRedisShims.h"

const char *crs_context_error(const redisContext *context) {
    return context->errstr;
}

void crs_set_current_thread_name(const char *name) {
    /* Linux limits names to 15 bytes plus NUL; a longer one is refused, so the caller keeps it short. */
    pthread_setname_np(pthread_self(), name);
}
