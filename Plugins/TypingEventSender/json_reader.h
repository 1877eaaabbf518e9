/*
 * json_reader.h — a small, strict JSON reader (RFC 8259) private to the typing plugin.
 *
 * The parser builds a read-only tree in two heap blocks owned by the document: an array of nodes and one
 * arena holding every decoded string (NUL-terminated, UTF-8) and number text. No global state: any number
 * of threads may parse their own documents at once.
 *
 * Strict means: one value with only JSON whitespace around it; no comments, trailing commas, single quotes,
 * NaN/Infinity, leading zeros or BOM; strings must be valid UTF-8 without raw control characters; \u escapes
 * must pair surrogates correctly; nesting is capped at GGW_TYPING_JSON_MAX_DEPTH.
 *
 * Every symbol is hidden so it cannot clash with another plugin loaded into the same process.
 */
#ifndef GGW_TYPING_JSON_READER_H
#define GGW_TYPING_JSON_READER_H

#include <stddef.h>

#include "utf8.h" /* GGW_TYPING_HIDDEN */

/* Objects and arrays nested deeper than this are rejected. */
#define GGW_TYPING_JSON_MAX_DEPTH 64

typedef enum ggw_typing_json_type {
    GGW_TYPING_JSON_NULL = 0,
    GGW_TYPING_JSON_FALSE,
    GGW_TYPING_JSON_TRUE,
    GGW_TYPING_JSON_NUMBER,
    GGW_TYPING_JSON_STRING,
    GGW_TYPING_JSON_ARRAY,
    GGW_TYPING_JSON_OBJECT,
} ggw_typing_json_type;

/* One value. Links are node indices plus one (0 = none) so the node array may grow while parsing. */
typedef struct ggw_typing_json_node {
    ggw_typing_json_type type;
    const char *text;    /* STRING: decoded UTF-8 (may contain NUL); NUMBER: its literal text. In the arena. */
    size_t len;          /* byte length of text */
    const char *key;     /* for a member of an object: its decoded key, else NULL */
    size_t key_len;
    size_t first_child;  /* ARRAY / OBJECT: index + 1 of the first element, 0 when empty */
    size_t next_sibling; /* index + 1 of the next element of the same parent, 0 when last */
    size_t child_count;  /* ARRAY / OBJECT: number of elements */
} ggw_typing_json_node;

typedef struct ggw_typing_json_doc {
    ggw_typing_json_node *nodes; /* nodes[0] is the root once parsing succeeded */
    size_t node_count;
    size_t node_capacity;
    char *arena;
    size_t arena_used;
} ggw_typing_json_doc;

/* Where and why parsing failed. `offset` is the 0-based byte offset into the input. */
typedef struct ggw_typing_json_error {
    size_t offset;
    const char *message; /* a static string */
} ggw_typing_json_error;

/*
 * Parses `len` bytes at `data` (need not be NUL-terminated; may be NULL when len is 0).
 * Returns 0 and fills *doc on success (free it with ggw_typing_json_free); nonzero and fills *error on
 * failure, leaving *doc empty (freeing it anyway is harmless).
 */
GGW_TYPING_HIDDEN int ggw_typing_json_parse(const char *data, size_t len, ggw_typing_json_doc *doc,
                                            ggw_typing_json_error *error);

GGW_TYPING_HIDDEN void ggw_typing_json_free(ggw_typing_json_doc *doc);

/* The root value, or NULL for an empty document. */
GGW_TYPING_HIDDEN const ggw_typing_json_node *ggw_typing_json_root(const ggw_typing_json_doc *doc);

/* The first child of an array or object, and the element after `node`; NULL when there is none. */
GGW_TYPING_HIDDEN const ggw_typing_json_node *ggw_typing_json_first(const ggw_typing_json_doc *doc,
                                                                    const ggw_typing_json_node *node);
GGW_TYPING_HIDDEN const ggw_typing_json_node *ggw_typing_json_next(const ggw_typing_json_doc *doc,
                                                                   const ggw_typing_json_node *node);

/*
 * The member of `object` whose key equals the NUL-terminated `key`, or NULL when absent or when `object`
 * is not an object. When `matches` is not NULL it receives how many members carry that key, so a caller can
 * refuse an ambiguous duplicate.
 */
GGW_TYPING_HIDDEN const ggw_typing_json_node *ggw_typing_json_member(const ggw_typing_json_doc *doc,
                                                                     const ggw_typing_json_node *object,
                                                                     const char *key, size_t *matches);

#endif /* GGW_TYPING_JSON_READER_H */
