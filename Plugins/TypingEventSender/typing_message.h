/*
 * typing_message.h — validation of a queued typing message and the Genesys request built from it.
 */
#ifndef GGW_TYPING_MESSAGE_H
#define GGW_TYPING_MESSAGE_H

#include <stddef.h>

#include "json_reader.h"
#include "json_writer.h"

/* The fields the request needs, pointing into the parsed document (valid while it is). */
typedef struct ggw_typing_message {
    const ggw_typing_json_node *sender_id;
    const ggw_typing_json_node *id_type;
    const ggw_typing_json_node *created_at;
    const ggw_typing_json_node *names[3]; /* sender.nickname, sender.firstName, sender.lastName; NULL if absent */
} ggw_typing_message;

/*
 * Checks the parsed queued message and fills *message. Returns 0 when it is valid; otherwise nonzero with
 * `field` set to the JSON path of the first bad field ("" for the message as a whole) and `reason` to why,
 * both NUL-terminated within `capacity` bytes. The reasons follow PluginKit's wording for Swift senders.
 */
GGW_TYPING_HIDDEN int ggw_typing_message_validate(const ggw_typing_json_doc *doc, ggw_typing_message *message,
                                                  char *field, char *reason, size_t capacity);

/*
 * Appends "POST", then the path (integration id percent-encoded), then the JSON body, back to back.
 * *method_len and *path_len receive the lengths of the first two parts; the body is the rest.
 */
GGW_TYPING_HIDDEN void ggw_typing_message_write_request(ggw_typing_buffer *buffer, const char *integration_id,
                                                        size_t integration_id_len, const ggw_typing_message *message,
                                                        size_t *method_len, size_t *path_len);

#endif /* GGW_TYPING_MESSAGE_H */
