/*
 * utf8.c — see utf8.h.
 */
#include "utf8.h"

#include <string.h>

size_t ggw_typing_utf8_sequence(const unsigned char *s, size_t available) {
    unsigned char c = s[0], low = 0x80, high = 0xBF;
    size_t n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) low = 0xA0;  /* overlong */
        if (c == 0xED) high = 0x9F; /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) low = 0x90;  /* overlong */
        if (c == 0xF4) high = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (available < n || s[1] < low || s[1] > high) return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

size_t ggw_typing_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void ggw_typing_utf8_copy(char *dest, size_t capacity, const char *src, size_t len) {
    if (!dest || capacity == 0) return;
    size_t count = len < capacity - 1 ? len : capacity - 1;
    /* Step back while the first byte left out continues a sequence. */
    while (count > 0 && count < len && ((unsigned char)src[count] & 0xC0) == 0x80) count--;
    if (count > 0) memcpy(dest, src, count);
    dest[count] = '\0';
}
