/*
 * CRedisShims: the few C helpers the Redis client needs that Swift cannot express directly.
 *
 * Kept apart from CGatewayShims so the RedisClient module depends on hiredis (and OpenSSL, through COpenSSL)
 * only, not on libcurl or rabbitmq-c. Every symbol is prefixed `crs_` so it cannot clash with the libraries'
 * own names.
 */
#ifndef CREDISSHIMS_H
#define CREDISSHIMS_H

#include <hiredis/hiredis.h>

/* The reply reader's error text. `errstr` is a fixed char array, which Swift imports as a 128-element tuple;
 * this hands it over as a C string instead. OWNERSHIP: points into the reader, valid until it is freed. */
const char *crs_reader_error(const redisReader *reader);

/* Names the calling thread (visible in `top -H`, perf and gdb); glibc's call needs _GNU_SOURCE. */
void crs_set_current_thread_name(const char *name);

/* Blocks SIGPIPE for the calling thread only. OpenSSL writes to its socket with write(2), which raises SIGPIPE
 * when the server has closed the connection, and SIGPIPE's default action ends the whole process. Blocked on the
 * Redis thread, the write fails with EPIPE instead and the client reconnects; the process' other threads and
 * its signal dispositions are left alone. Returns 0 on success. */
int crs_block_sigpipe_on_this_thread(void);

#endif
