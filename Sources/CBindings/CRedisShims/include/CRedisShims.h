/*
 * CRedisShims: the few C helpers the Redis client needs that Swift cannot express directly.
 *
 * Kept apart from CGatewayShims so the RedisClient module depends on hiredis only, not on libcurl or
 * rabbitmq-c. Every symbol is prefixed `crs_` so it cannot clash with the libraries' own names.
 */
#ifndef CREDISSHIMS_H
#define CREDISSHIMS_H

#include <hiredis/hiredis.h>

/* The context's error text. `errstr` is a fixed char array, which Swift imports as a 128-element tuple;
 * this hands it over as a C string instead. OWNERSHIP: points into the context, valid until it is freed. */
const char *crs_context_error(const redisContext *context);

/* Names the calling thread (visible in `top -H`, perf and gdb); glibc's call needs _GNU_SOURCE. */
void crs_set_current_thread_name(const char *name);

#endif
