/*
 * fuzz_typing_json.c — libFuzzer target for the typing plugin's JSON reader (Plugins/TypingEventSender).
 *
 * Built by scripts/fuzz.sh with `clang -fsanitize=fuzzer,address` together with the plugin's own C files.
 * It follows typing_sender_build: parse the queued message, validate it, write the Genesys request. Besides
 * what AddressSanitizer catches, it checks what the plugin relies on and a crash would not show:
 *   - the tree is consistent (child counts, keys on object members only, every text NUL-terminated,
 *     every string well-formed UTF-8) and every node is reachable from the root;
 *   - every object member is found again by ggw_typing_json_member;
 *   - a refusal names a field and reason that fit their buffers;
 *   - the request body the writer builds is JSON the reader itself accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"
#include "typing_message.h"
#include "utf8.h"

static void check_text(const char *text, size_t len, int must_be_utf8) {
    if (!text || text[len] != '\0') abort();
    for (size_t i = 0; must_be_utf8 && i < len;) {
        size_t n = ggw_typing_utf8_sequence((const unsigned char *)text + i, len - i);
        if (n == 0) abort();
        i += n;
    }
}

/* Checks `node` and everything below it; returns how many nodes that was. */
static size_t check_node(const ggw_typing_json_doc *doc, const ggw_typing_json_node *node, size_t depth) {
    if (depth > GGW_TYPING_JSON_MAX_DEPTH) abort();
    switch (node->type) {
    case GGW_TYPING_JSON_STRING: check_text(node->text, node->len, 1); return 1;
    case GGW_TYPING_JSON_NUMBER: check_text(node->text, node->len, 1); return 1;
    case GGW_TYPING_JSON_ARRAY:
    case GGW_TYPING_JSON_OBJECT: break;
    default: return 1;
    }
    size_t visited = 1, children = 0;
    for (const ggw_typing_json_node *child = ggw_typing_json_first(doc, node); child;
         child = ggw_typing_json_next(doc, child)) {
        children++;
        if (node->type == GGW_TYPING_JSON_OBJECT) {
            check_text(child->key, child->key_len, 1);
            size_t matches = 0;
            /* A key with a NUL inside cannot be asked for by its C string; the plugin never asks for one. */
            if (strlen(child->key) == child->key_len &&
                (!ggw_typing_json_member(doc, node, child->key, &matches) || matches == 0))
                abort();
        } else if (child->key) {
            abort();
        }
        visited += check_node(doc, child, depth + 1);
    }
    if (children != node->child_count) abort();
    return visited;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ggw_typing_json_doc doc;
    ggw_typing_json_error error;
    if (ggw_typing_json_parse((const char *)data, size, &doc, &error) != 0) {
        if (!error.message || error.offset > size || doc.nodes || doc.arena) abort();
        return 0;
    }
    const ggw_typing_json_node *root = ggw_typing_json_root(&doc);
    if (!root || check_node(&doc, root, 0) != doc.node_count) abort();

    ggw_typing_message message;
    char field[256], reason[256];
    if (ggw_typing_message_validate(&doc, &message, field, reason, sizeof(field)) != 0) {
        if (!memchr(field, '\0', sizeof(field)) || !memchr(reason, '\0', sizeof(reason))) abort();
        ggw_typing_json_free(&doc);
        return 0;
    }
    ggw_typing_buffer buffer = {NULL, 0, 0, 0};
    size_t method_len = 0, path_len = 0;
    static const char integration_id[] = "f00d/é d";
    ggw_typing_message_write_request(&buffer, integration_id, sizeof(integration_id) - 1, &message, &method_len,
                                     &path_len);
    ggw_typing_json_free(&doc);
    if (buffer.failed) abort();
    ggw_typing_json_doc body;
    if (ggw_typing_json_parse(buffer.data + method_len + path_len, buffer.len - method_len - path_len, &body,
                              &error) != 0)
        abort();
    ggw_typing_json_free(&body);
    ggw_typing_buffer_free(&buffer);
    return 0;
}
