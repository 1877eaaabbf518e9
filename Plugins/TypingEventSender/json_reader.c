/*
 * json_reader.c — strict recursive-descent JSON parser for the typing plugin. See json_reader.h.
 */
#include "json_reader.h"

#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GGW_TYPING_STR2(x) #x
#define GGW_TYPING_STR(x) GGW_TYPING_STR2(x)

typedef struct parser {
    const unsigned char *in;
    size_t len;
    size_t pos;
    size_t arena_capacity;
    ggw_typing_json_doc *doc;
    ggw_typing_json_error *error;
} parser;

static int fail(parser *ps, size_t offset, const char *message) {
    ps->error->offset = offset;
    ps->error->message = message;
    return -1;
}

static void skip_whitespace(parser *ps) {
    while (ps->pos < ps->len) {
        unsigned char c = ps->in[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ps->pos++;
    }
}

static int is_digit(parser *ps) { return ps->pos < ps->len && ps->in[ps->pos] >= '0' && ps->in[ps->pos] <= '9'; }

/* Appends a zeroed node and returns its index through *index. */
static int new_node(parser *ps, ggw_typing_json_type type, size_t *index) {
    ggw_typing_json_doc *doc = ps->doc;
    if (doc->node_count == doc->node_capacity) {
        size_t capacity = doc->node_capacity ? doc->node_capacity * 2 : 16;
        if (capacity < doc->node_capacity || capacity > SIZE_MAX / sizeof(ggw_typing_json_node))
            return fail(ps, ps->pos, "out of memory");
        ggw_typing_json_node *grown = realloc(doc->nodes, capacity * sizeof(ggw_typing_json_node));
        if (!grown) return fail(ps, ps->pos, "out of memory");
        doc->nodes = grown;
        doc->node_capacity = capacity;
    }
    *index = doc->node_count++;
    memset(&doc->nodes[*index], 0, sizeof(ggw_typing_json_node));
    doc->nodes[*index].type = type;
    return 0;
}

/* Reserves `count` more bytes in the arena (the arena is sized so this cannot fail on valid input). */
static int arena_room(parser *ps, size_t count) {
    if (ps->arena_capacity - ps->doc->arena_used < count) return fail(ps, ps->pos, "internal error: arena full");
    return 0;
}

/* Reads the four hex digits of a \u escape whose backslash is at `at`. */
static int read_hex4(parser *ps, size_t at, uint32_t *out) {
    if (ps->len - at < 6 || ps->in[at] != '\\' || ps->in[at + 1] != 'u') return -1;
    uint32_t value = 0;
    for (size_t i = at + 2; i < at + 6; i++) {
        unsigned char c = ps->in[i];
        value <<= 4;
        if (c >= '0' && c <= '9') value |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') value |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') value |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = value;
    return 0;
}

/* Decodes the escape whose backslash is at ps->pos into `out`; sets *written and advances. */
static int parse_escape(parser *ps, char *out, size_t *written) {
    size_t start = ps->pos;
    if (ps->len - start < 2) return fail(ps, ps->len, "unterminated string");
    const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
    unsigned char c = ps->in[start + 1];
    if (c != 'u') {
        for (const char *s = simple; *s; s += 2) {
            if ((unsigned char)s[0] == c) {
                out[0] = s[1];
                *written = 1;
                ps->pos += 2;
                return 0;
            }
        }
        return fail(ps, start, "invalid escape sequence");
    }
    uint32_t cp;
    if (read_hex4(ps, start, &cp) != 0) return fail(ps, start, "invalid \\u escape: expected four hex digits");
    ps->pos += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(ps, start, "unpaired UTF-16 surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if (read_hex4(ps, ps->pos, &low) != 0 || low < 0xDC00 || low > 0xDFFF)
            return fail(ps, start, "unpaired UTF-16 surrogate in \\u escape");
        ps->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    *written = ggw_typing_utf8_encode(cp, out);
    return 0;
}

/* Parses the string whose opening quote is at ps->pos into the arena. */
static int parse_string(parser *ps, const char **text, size_t *text_len) {
    ggw_typing_json_doc *doc = ps->doc;
    char *start = doc->arena + doc->arena_used;
    size_t n = 0;
    ps->pos++; /* the opening quote */
    for (;;) {
        if (ps->pos >= ps->len) return fail(ps, ps->len, "unterminated string");
        unsigned char c = ps->in[ps->pos];
        if (c == '"') break;
        char buffer[4];
        size_t count;
        if (c == '\\') {
            if (parse_escape(ps, buffer, &count) != 0) return -1;
            if (arena_room(ps, n + count + 1) != 0) return -1;
            memcpy(start + n, buffer, count);
        } else if (c < 0x20) {
            return fail(ps, ps->pos, "control character in string must be escaped");
        } else {
            count = ggw_typing_utf8_sequence(ps->in + ps->pos, ps->len - ps->pos);
            if (count == 0) return fail(ps, ps->pos, "invalid UTF-8 in string");
            if (arena_room(ps, n + count + 1) != 0) return -1;
            memcpy(start + n, ps->in + ps->pos, count);
            ps->pos += count;
        }
        n += count;
    }
    if (arena_room(ps, n + 1) != 0) return -1;
    ps->pos++; /* the closing quote */
    start[n] = '\0';
    doc->arena_used += n + 1;
    *text = start;
    *text_len = n;
    return 0;
}

static int parse_number(parser *ps, size_t index) {
    size_t start = ps->pos;
    if (ps->in[ps->pos] == '-') ps->pos++;
    if (!is_digit(ps)) return fail(ps, start, "invalid number");
    if (ps->in[ps->pos++] != '0') {
        while (is_digit(ps)) ps->pos++;
    } else if (is_digit(ps)) {
        return fail(ps, start, "invalid number: leading zero");
    }
    if (ps->pos < ps->len && ps->in[ps->pos] == '.') {
        ps->pos++;
        if (!is_digit(ps)) return fail(ps, start, "invalid number: expected digits after '.'");
        while (is_digit(ps)) ps->pos++;
    }
    if (ps->pos < ps->len && (ps->in[ps->pos] == 'e' || ps->in[ps->pos] == 'E')) {
        ps->pos++;
        if (ps->pos < ps->len && (ps->in[ps->pos] == '+' || ps->in[ps->pos] == '-')) ps->pos++;
        if (!is_digit(ps)) return fail(ps, start, "invalid number: expected digits in exponent");
        while (is_digit(ps)) ps->pos++;
    }
    size_t n = ps->pos - start;
    if (arena_room(ps, n + 1) != 0) return -1;
    char *text = ps->doc->arena + ps->doc->arena_used;
    memcpy(text, ps->in + start, n);
    text[n] = '\0';
    ps->doc->arena_used += n + 1;
    ps->doc->nodes[index].text = text;
    ps->doc->nodes[index].len = n;
    return 0;
}

static int parse_value(parser *ps, size_t depth, size_t *index);

/* Parses an array or object whose opening bracket is at ps->pos into node `index`. */
static int parse_container(parser *ps, size_t depth, size_t index, int is_object) {
    const char close = is_object ? '}' : ']';
    if (depth >= GGW_TYPING_JSON_MAX_DEPTH)
        return fail(ps, ps->pos, "nesting deeper than " GGW_TYPING_STR(GGW_TYPING_JSON_MAX_DEPTH) " levels");
    ps->pos++;
    skip_whitespace(ps);
    if (ps->pos < ps->len && ps->in[ps->pos] == close) {
        ps->pos++;
        return 0;
    }
    size_t previous = 0;
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0, child;
        if (is_object) {
            skip_whitespace(ps);
            if (ps->pos >= ps->len) return fail(ps, ps->pos, "unexpected end of input");
            if (ps->in[ps->pos] != '"') return fail(ps, ps->pos, "expected a string key in object");
            if (parse_string(ps, &key, &key_len) != 0) return -1;
            skip_whitespace(ps);
            if (ps->pos >= ps->len) return fail(ps, ps->pos, "unexpected end of input");
            if (ps->in[ps->pos] != ':') return fail(ps, ps->pos, "expected ':' after object key");
            ps->pos++;
        }
        if (parse_value(ps, depth + 1, &child) != 0) return -1;
        ggw_typing_json_node *nodes = ps->doc->nodes; /* may have moved while parsing the child */
        nodes[child].key = key;
        nodes[child].key_len = key_len;
        if (previous == 0) nodes[index].first_child = child + 1;
        else nodes[previous - 1].next_sibling = child + 1;
        previous = child + 1;
        nodes[index].child_count++;
        skip_whitespace(ps);
        if (ps->pos >= ps->len) return fail(ps, ps->pos, "unexpected end of input");
        unsigned char c = ps->in[ps->pos++];
        if (c == (unsigned char)close) return 0;
        if (c != ',')
            return fail(ps, ps->pos - 1, is_object ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    }
}

static int parse_literal(parser *ps, const char *word, ggw_typing_json_type type, size_t *index) {
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->in + ps->pos, word, n) != 0) return fail(ps, ps->pos, "invalid literal");
    if (new_node(ps, type, index) != 0) return -1;
    ps->pos += n;
    return 0;
}

static int parse_value(parser *ps, size_t depth, size_t *index) {
    skip_whitespace(ps);
    if (ps->pos >= ps->len) return fail(ps, ps->pos, "unexpected end of input");
    unsigned char c = ps->in[ps->pos];
    switch (c) {
    case '{':
    case '[':
        if (new_node(ps, c == '{' ? GGW_TYPING_JSON_OBJECT : GGW_TYPING_JSON_ARRAY, index) != 0) return -1;
        return parse_container(ps, depth, *index, c == '{');
    case '"': {
        if (new_node(ps, GGW_TYPING_JSON_STRING, index) != 0) return -1;
        const char *text;
        size_t len;
        if (parse_string(ps, &text, &len) != 0) return -1;
        ps->doc->nodes[*index].text = text;
        ps->doc->nodes[*index].len = len;
        return 0;
    }
    case 't': return parse_literal(ps, "true", GGW_TYPING_JSON_TRUE, index);
    case 'f': return parse_literal(ps, "false", GGW_TYPING_JSON_FALSE, index);
    case 'n': return parse_literal(ps, "null", GGW_TYPING_JSON_NULL, index);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (new_node(ps, GGW_TYPING_JSON_NUMBER, index) != 0) return -1;
            return parse_number(ps, *index);
        }
        return fail(ps, ps->pos, "unexpected character");
    }
}

int ggw_typing_json_parse(const char *data, size_t len, ggw_typing_json_doc *doc, ggw_typing_json_error *error) {
    memset(doc, 0, sizeof(*doc));
    error->offset = 0;
    error->message = NULL;
    parser ps = {(const unsigned char *)data, data ? len : 0, 0, 0, doc, error};
    /* Decoded strings and numbers (each plus a NUL) never need more bytes than the input plus one. */
    if (ps.len == SIZE_MAX) return fail(&ps, 0, "out of memory");
    doc->arena = malloc(ps.len + 1);
    if (!doc->arena) return fail(&ps, 0, "out of memory");
    ps.arena_capacity = ps.len + 1;
    size_t root;
    int rc = parse_value(&ps, 0, &root);
    if (rc == 0) {
        skip_whitespace(&ps);
        if (ps.pos != ps.len) rc = fail(&ps, ps.pos, "unexpected data after the JSON value");
    }
    if (rc != 0) ggw_typing_json_free(doc);
    return rc;
}

void ggw_typing_json_free(ggw_typing_json_doc *doc) {
    free(doc->nodes);
    free(doc->arena);
    memset(doc, 0, sizeof(*doc));
}

const ggw_typing_json_node *ggw_typing_json_root(const ggw_typing_json_doc *doc) {
    return doc->node_count ? &doc->nodes[0] : NULL;
}

const ggw_typing_json_node *ggw_typing_json_first(const ggw_typing_json_doc *doc, const ggw_typing_json_node *node) {
    return node && node->first_child ? &doc->nodes[node->first_child - 1] : NULL;
}

const ggw_typing_json_node *ggw_typing_json_next(const ggw_typing_json_doc *doc, const ggw_typing_json_node *node) {
    return node && node->next_sibling ? &doc->nodes[node->next_sibling - 1] : NULL;
}

const ggw_typing_json_node *ggw_typing_json_member(const ggw_typing_json_doc *doc, const ggw_typing_json_node *object,
                                                   const char *key, size_t *matches) {
    const ggw_typing_json_node *found = NULL;
    size_t count = 0, key_len = strlen(key);
    if (object && object->type == GGW_TYPING_JSON_OBJECT) {
        for (const ggw_typing_json_node *m = ggw_typing_json_first(doc, object); m; m = ggw_typing_json_next(doc, m)) {
            if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
                if (!found) found = m;
                count++;
            }
        }
    }
    if (matches) *matches = count;
    return found;
}
