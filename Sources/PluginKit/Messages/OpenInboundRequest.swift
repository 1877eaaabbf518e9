import Foundation

/// Checks and request building shared by the Open Messaging senders.
public enum OpenInboundRequest {
    /// `channel.from.idType` values Genesys accepts.
    public static let idTypes = ["Email", "Phone", "Opaque"]

    /// The `channel` for a queued message: sender and time checked as Genesys will check them.
    public static func channel(for message: QueuedMessage) -> Result<OpenInboundMessageMessagingChannel, ValidationFailure> {
        guard let sender = message.sender else {
            return .failure(ValidationFailure(field: "sender", reason: "required field 'sender' is missing"))
        }
        guard !sender.id.isEmpty else {
            return .failure(ValidationFailure(field: "sender.id", reason: "'sender.id' must not be empty"))
        }
        guard idTypes.contains(sender.idType) else {
            return .failure(ValidationFailure(
                field: "sender.idType",
                reason: "'sender.idType' must be one of \(idTypes.joined(separator: ", ")), got '\(sender.idType)'"))
        }
        guard let createdAt = message.createdAt else {
            return .failure(ValidationFailure(field: "createdAt", reason: "required field 'createdAt' is missing"))
        }
        guard isDateTime(createdAt) else {
            return .failure(ValidationFailure(
                field: "createdAt", reason: "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got '\(createdAt)'"))
        }
        return .success(OpenInboundMessageMessagingChannel(
            messageId: message.id, from: OpenMessagingFromRecipient(sender), time: createdAt))
    }

    /// Refuses a message whose `type` this plugin does not handle (the host routes by type, so this only
    /// catches a message handed to the wrong plugin).
    public static func checkType(_ message: QueuedMessage, handled: [String]) -> ValidationFailure? {
        handled.contains(message.type)
            ? nil : ValidationFailure(field: "type", reason: "message type '\(message.type)' is not handled here")
    }

    /// `POST .../{integrationId}/inbound/open/message?prefetchConversationId=true` with `body` as JSON.
    ///
    /// The conversation id is prefetched so status updates can carry it.
    public static func message(_ body: OpenInboundNormalizedMessage, context: OrgContext) -> PluginRequest {
        PluginRequest(
            method: "POST", path: path(integrationID: context.integrationID, endpoint: "message?prefetchConversationId=true"),
            body: body.jsonBytes)
    }

    /// `POST .../{integrationId}/inbound/open/{endpoint}` with `body` as JSON.
    public static func post<Body: Encodable>(_ body: Body, endpoint: String, context: OrgContext) -> PluginRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain string/array structs cannot fail.
        let json = (try? encoder.encode(body)).map(Array.init) ?? []
        return PluginRequest(method: "POST", path: path(integrationID: context.integrationID, endpoint: endpoint), body: json)
    }

    /// RFC 3986 unreserved characters: everything else in an id is percent-encoded in the path.
    static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()

    static func path(integrationID: String, endpoint: String) -> String {
        // Integration ids are UUIDs: the check spares them Foundation's percent-encoding on every message.
        let encoded = integrationID.utf8.allSatisfy(isUnreserved)
            ? integrationID : integrationID.addingPercentEncoding(withAllowedCharacters: unreserved) ?? integrationID
        return "/api/v2/conversations/messages/\(encoded)/inbound/open/\(endpoint)"
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, with a day the month has and no leap second — the same rule
    /// as the C typing plugin and docs/openapi.yaml, so every sender takes the same times (``DateTimeText``).
    public static func isDateTime(_ text: String) -> Bool {
        DateTimeText.date(text) != nil
    }
}
