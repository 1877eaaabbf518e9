/*
 * typing_message.c — see typing_message.h.
 *
 * Queued message (the contract every sender shares; unknown fields are ignored, and the known ones this
 * sender does not use are still type-checked as PluginKit's QueuedMessage would):
 *   {"id": "...", "tenantId"?: "...", "org"?: "...", "type": "typing",
 *    "sender": {"id": "...", "idType": "Email"|"Phone"|"Opaque", "nickname"?, "firstName"?, "lastName"?},
 *    "createdAt": "2026-11-25T10:00:00Z", "conversationId"?: "...", "metadata"?: {"k": "v", ...}}
 * A null field counts as absent. Request (OpenInboundNormalizedEvent):
 *   POST /api/v2/conversations/messages/{integrationId}/inbound/open/event
 *   {"channel":{"from":{"id":...,"idType":...[,"nickname"][,"firstName"][,"lastName"]},"time":...},
 *    "events":[{"eventType":"Typing"}]}
 */
#include "typing_message.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const char *const name_keys[3] = {"nickname", "firstName", "lastName"};
static const char *const name_paths[3] = {"sender.nickname", "sender.firstName", "sender.lastName"};
static const char *const optional_keys[3] = {"tenantId", "org", "conversationId"};

typedef struct checker {
    const ggw_typing_json_doc *doc;
    char *field;
    char *reason;
    size_t capacity;
} checker;

/* A message value quoted in a reason: at most 64 bytes of it, cut on a character boundary. */
typedef struct excerpt {
    char text[72];
} excerpt;

static excerpt quote(const char *text, size_t len) {
    excerpt e;
    ggw_typing_utf8_copy(e.text, 65, text, len);
    if (strlen(e.text) < len) strcat(e.text, "...");
    return e;
}

__attribute__((format(printf, 3, 4))) static int reject(checker *c, const char *path, const char *format, ...) {
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    ggw_typing_utf8_copy(c->field, c->capacity, path, strlen(path));
    ggw_typing_utf8_copy(c->reason, c->capacity, text, strlen(text));
    return 1;
}

static int equals(const ggw_typing_json_node *node, const char *text) {
    size_t len = strlen(text);
    return node->len == len && memcmp(node->text, text, len) == 0;
}

/*
 * Looks up member `key` of `object` (whose path is `path`). Null counts as absent. Fails when the key appears
 * twice, when a required member is absent, or when it is present but not of `type`. *out is NULL if absent.
 */
static int member(checker *c, const ggw_typing_json_node *object, const char *key, const char *path, int required,
                  ggw_typing_json_type type, const ggw_typing_json_node **out) {
    size_t matches;
    const ggw_typing_json_node *node = ggw_typing_json_member(c->doc, object, key, &matches);
    const char *type_name = type == GGW_TYPING_JSON_STRING ? "a string" : "an object";
    *out = NULL;
    if (matches > 1) return reject(c, path, "'%s' appears more than once", path);
    if (node && node->type == GGW_TYPING_JSON_NULL) node = NULL;
    if (!node) return required ? reject(c, path, "required field '%s' is missing", path) : 0;
    if (node->type != type) return reject(c, path, "'%s' must be %s", path, type_name);
    *out = node;
    return 0;
}

static int two_digits(const char *s, int *value) {
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return 0;
    *value = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.1-9 digits](Z|+HH:MM|-HH:MM), with calendar-correct days. */
static int is_date_time(const char *s, size_t len) {
    static const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int century, yy, month, day, hour, minute, second, zone_hour, zone_minute;
    if (len < 20 || !two_digits(s, &century) || !two_digits(s + 2, &yy) || s[4] != '-' ||
        !two_digits(s + 5, &month) || s[7] != '-' || !two_digits(s + 8, &day) || s[10] != 'T' ||
        !two_digits(s + 11, &hour) || s[13] != ':' || !two_digits(s + 14, &minute) || s[16] != ':' ||
        !two_digits(s + 17, &second))
        return 0;
    int year = century * 100 + yy;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month[month - 1] + (month == 2 && leap) ||
        hour > 23 || minute > 59 || second > 59)
        return 0;
    size_t pos = 19;
    if (s[pos] == '.') {
        size_t start = ++pos;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9') pos++;
        if (pos == start || pos - start > 9) return 0;
    }
    if (pos + 1 == len && s[pos] == 'Z') return 1;
    if (pos + 6 != len || (s[pos] != '+' && s[pos] != '-') || !two_digits(s + pos + 1, &zone_hour) ||
        s[pos + 3] != ':' || !two_digits(s + pos + 4, &zone_minute))
        return 0;
    return zone_hour <= 23 && zone_minute <= 59;
}

/* The message fields this sender does not use still have to have the contract's types. */
static int check_other_fields(checker *c, const ggw_typing_json_node *root) {
    const ggw_typing_json_node *node, *metadata;
    if (member(c, root, "id", "id", 1, GGW_TYPING_JSON_STRING, &node)) return 1;
    for (int i = 0; i < 3; i++)
        if (member(c, root, optional_keys[i], optional_keys[i], 0, GGW_TYPING_JSON_STRING, &node)) return 1;
    if (member(c, root, "metadata", "metadata", 0, GGW_TYPING_JSON_OBJECT, &metadata)) return 1;
    for (node = ggw_typing_json_first(c->doc, metadata); node; node = ggw_typing_json_next(c->doc, node)) {
        if (node->type == GGW_TYPING_JSON_STRING) continue;
        char path[96];
        snprintf(path, sizeof(path), "metadata.%s", quote(node->key, node->key_len).text);
        return reject(c, path, "'%s' must be a string", path);
    }
    return 0;
}

int ggw_typing_message_validate(const ggw_typing_json_doc *doc, ggw_typing_message *message, char *field,
                                char *reason, size_t capacity) {
    checker c = {doc, field, reason, capacity};
    const ggw_typing_json_node *root = ggw_typing_json_root(doc), *type, *sender;
    memset(message, 0, sizeof(*message));
    if (!root || root->type != GGW_TYPING_JSON_OBJECT) return reject(&c, "", "message must be a JSON object");
    if (check_other_fields(&c, root)) return 1;
    /* The host routes by type, so another type here means the message reached the wrong plugin. */
    if (member(&c, root, "type", "type", 1, GGW_TYPING_JSON_STRING, &type)) return 1;
    if (!equals(type, "typing"))
        return reject(&c, "type", "message type '%s' is not handled here", quote(type->text, type->len).text);

    if (member(&c, root, "sender", "sender", 1, GGW_TYPING_JSON_OBJECT, &sender)) return 1;
    if (member(&c, sender, "id", "sender.id", 1, GGW_TYPING_JSON_STRING, &message->sender_id)) return 1;
    if (message->sender_id->len == 0) return reject(&c, "sender.id", "'sender.id' must not be empty");
    if (member(&c, sender, "idType", "sender.idType", 1, GGW_TYPING_JSON_STRING, &message->id_type)) return 1;
    const ggw_typing_json_node *id_type = message->id_type;
    if (!equals(id_type, "Email") && !equals(id_type, "Phone") && !equals(id_type, "Opaque"))
        return reject(&c, "sender.idType", "'sender.idType' must be one of Email, Phone, Opaque, got '%s'",
                      quote(id_type->text, id_type->len).text);
    for (int i = 0; i < 3; i++)
        if (member(&c, sender, name_keys[i], name_paths[i], 0, GGW_TYPING_JSON_STRING, &message->names[i])) return 1;

    if (member(&c, root, "createdAt", "createdAt", 1, GGW_TYPING_JSON_STRING, &message->created_at)) return 1;
    const ggw_typing_json_node *created_at = message->created_at;
    if (!is_date_time(created_at->text, created_at->len))
        return reject(&c, "createdAt", "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got '%s'",
                      quote(created_at->text, created_at->len).text);
    return 0;
}

void ggw_typing_message_write_request(ggw_typing_buffer *buffer, const char *integration_id,
                                      size_t integration_id_len, const ggw_typing_message *message,
                                      size_t *method_len, size_t *path_len) {
    ggw_typing_buffer_append_cstr(buffer, "POST");
    *method_len = buffer->len;
    ggw_typing_buffer_append_cstr(buffer, "/api/v2/conversations/messages/");
    ggw_typing_buffer_append_path_segment(buffer, integration_id, integration_id_len);
    ggw_typing_buffer_append_cstr(buffer, "/inbound/open/event");
    *path_len = buffer->len - *method_len;

    ggw_typing_buffer_append_cstr(buffer, "{\"channel\":{\"from\":{\"id\":");
    ggw_typing_buffer_append_json_string(buffer, message->sender_id->text, message->sender_id->len);
    ggw_typing_buffer_append_cstr(buffer, ",\"idType\":");
    ggw_typing_buffer_append_json_string(buffer, message->id_type->text, message->id_type->len);
    for (int i = 0; i < 3; i++) {
        if (!message->names[i]) continue;
        ggw_typing_buffer_append_cstr(buffer, ",\"");
        ggw_typing_buffer_append_cstr(buffer, name_keys[i]);
        ggw_typing_buffer_append_cstr(buffer, "\":");
        ggw_typing_buffer_append_json_string(buffer, message->names[i]->text, message->names[i]->len);
    }
    ggw_typing_buffer_append_cstr(buffer, "},\"time\":");
    ggw_typing_buffer_append_json_string(buffer, message->created_at->text, message->created_at->len);
    ggw_typing_buffer_append_cstr(buffer, "},\"events\":[{\"eventType\":\"Typing\"}]}");
}
