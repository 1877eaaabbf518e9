#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include "CRedisShims.h"

const char *crs_reader_error(const redisReader *reader) {
    return reader->errstr;
}

void crs_set_current_thread_name(const char *name) {
    /* Linux limits names to 15 bytes plus NUL; a longer one is refused, so the caller keeps it short. */
    pthread_setname_np(pthread_self(), name);
}

int crs_block_sigpipe_on_this_thread(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}
