/*
 * utf8.h — UTF-8 helpers private to the typing plugin.
 */
#ifndef GGW_TYPING_UTF8_H
#define GGW_TYPING_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define GGW_TYPING_HIDDEN __attribute__((visibility("hidden")))

/* Length of the well-formed UTF-8 sequence at `s` (Unicode table 3-7: no overlongs, no surrogates, nothing
 * above U+10FFFF), or 0 when the bytes are not one. `available` (>= 1) bounds how far it may read. */
GGW_TYPING_HIDDEN size_t ggw_typing_utf8_sequence(const unsigned char *s, size_t available);

/* Writes the code point (at most U+10FFFF, not a surrogate) as 1 to 4 bytes at `out`; returns the count. */
GGW_TYPING_HIDDEN size_t ggw_typing_utf8_encode(uint32_t code_point, char *out);

/* Copies at most capacity - 1 of `len` bytes NUL-terminated into dest, never cutting a sequence in half. */
GGW_TYPING_HIDDEN void ggw_typing_utf8_copy(char *dest, size_t capacity, const char *src, size_t len);

#endif /* GGW_TYPING_UTF8_H */
