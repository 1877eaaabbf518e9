/*
 * json_writer.c — see json_writer.h.
 */
#include "json_writer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char hex_digits[] = "0123456789ABCDEF";

/* Makes room for `extra` more bytes; returns nonzero (and marks the buffer failed) when it cannot. */
static int reserve(ggw_typing_buffer *buffer, size_t extra) {
    if (buffer->failed) return -1;
    if (buffer->capacity - buffer->len >= extra) return 0;
    if (extra > SIZE_MAX / 2 - buffer->len) {
        buffer->failed = 1;
        return -1;
    }
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity - buffer->len < extra) capacity *= 2;
    char *grown = realloc(buffer->data, capacity);
    if (!grown) {
        buffer->failed = 1;
        return -1;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
    return 0;
}

void ggw_typing_buffer_append(ggw_typing_buffer *buffer, const char *bytes, size_t len) {
    if (len == 0 || reserve(buffer, len) != 0) return;
    memcpy(buffer->data + buffer->len, bytes, len);
    buffer->len += len;
}

void ggw_typing_buffer_append_cstr(ggw_typing_buffer *buffer, const char *text) {
    ggw_typing_buffer_append(buffer, text, strlen(text));
}

void ggw_typing_buffer_append_json_string(ggw_typing_buffer *buffer, const char *text, size_t len) {
    /* Worst case every byte becomes \u00XX: six bytes each, plus the quotes. */
    if (len > (SIZE_MAX - 2) / 6 || reserve(buffer, len * 6 + 2) != 0) {
        buffer->failed = 1;
        return;
    }
    char *out = buffer->data + buffer->len;
    *out++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        } else if (c < 0x20) {
            memcpy(out, "\\u00", 4);
            out[4] = hex_digits[c >> 4];
            out[5] = hex_digits[c & 0x0F];
            out += 6;
        } else {
            *out++ = (char)c;
        }
    }
    *out++ = '"';
    buffer->len = (size_t)(out - buffer->data);
}

void ggw_typing_buffer_append_path_segment(ggw_typing_buffer *buffer, const char *text, size_t len) {
    if (len > SIZE_MAX / 3 || reserve(buffer, len * 3) != 0) {
        buffer->failed = 1;
        return;
    }
    char *out = buffer->data + buffer->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex_digits[c >> 4];
            *out++ = hex_digits[c & 0x0F];
        }
    }
    buffer->len = (size_t)(out - buffer->data);
}

void ggw_typing_buffer_free(ggw_typing_buffer *buffer) {
    free(buffer->data);
    memset(buffer, 0, sizeof(*buffer));
}
