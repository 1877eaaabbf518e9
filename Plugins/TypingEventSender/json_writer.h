/*
 * json_writer.h — a growable byte buffer with JSON-string and URL-path escaping, private to the typing plugin.
 *
 * A failed allocation sets `failed` and makes every later append a no-op, so a caller checks once at the end.
 */
#ifndef GGW_TYPING_JSON_WRITER_H
#define GGW_TYPING_JSON_WRITER_H

#include <stddef.h>

#include "json_reader.h" /* GGW_TYPING_HIDDEN */

typedef struct ggw_typing_buffer {
    char *data; /* malloc'd; the caller takes it over or frees it with ggw_typing_buffer_free */
    size_t len;
    size_t capacity;
    int failed; /* nonzero after an allocation failure */
} ggw_typing_buffer;

/* Appends `len` raw bytes. */
GGW_TYPING_HIDDEN void ggw_typing_buffer_append(ggw_typing_buffer *buffer, const char *bytes, size_t len);

/* Appends a NUL-terminated string as raw bytes. */
GGW_TYPING_HIDDEN void ggw_typing_buffer_append_cstr(ggw_typing_buffer *buffer, const char *text);

/*
 * Appends `len` bytes of UTF-8 as a quoted JSON string: '"' and '\' are backslash-escaped, bytes below 0x20
 * become \u00XX, everything else (including multi-byte UTF-8) passes through unchanged.
 */
GGW_TYPING_HIDDEN void ggw_typing_buffer_append_json_string(ggw_typing_buffer *buffer, const char *text, size_t len);

/* Appends `len` bytes percent-encoded for one URL path segment: all but ALPHA / DIGIT / "-._~" become %XX. */
GGW_TYPING_HIDDEN void ggw_typing_buffer_append_path_segment(ggw_typing_buffer *buffer, const char *text, size_t len);

GGW_TYPING_HIDDEN void ggw_typing_buffer_free(ggw_typing_buffer *buffer);

#endif /* GGW_TYPING_JSON_WRITER_H */
