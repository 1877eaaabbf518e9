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
        post(body, endpoint: "message?prefetchConversationId=true", context: context)
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
        let encoded = integrationID.addingPercentEncoding(withAllowedCharacters: unreserved) ?? integrationID
        return "/api/v2/conversations/messages/\(encoded)/inbound/open/\(endpoint)"
    }

    /// `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, with a day the month has and no leap second — the same rule
    /// as the C typing plugin and docs/openapi.yaml, so every sender takes the same times. Checked by hand: it runs
    /// for every message, and a regex literal was the biggest cost on the send path (docs/benchmarks.md).
    public static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, _ expected: Character) -> Bool {
            index < bytes.count && bytes[index] == expected.asciiValue
        }
        guard let year = number(0..<4), byte(4, "-"), let month = number(5..<7), byte(7, "-"), let day = number(8..<10),
              byte(10, "T"), let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"),
              let second = number(17..<19),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23, minute <= 59, second <= 59
        else { return false }
        var index = 19
        if byte(index, ".") {
            let start = index + 1
            index = start
            while index < bytes.count, index - start < 9, number(index..<(index + 1)) != nil { index += 1 }
            guard index > start else { return false }
        }
        if byte(index, "Z") { return index + 1 == bytes.count }
        guard byte(index, "+") || byte(index, "-"), let zoneHour = number((index + 1)..<(index + 3)), byte(index + 3, ":"),
              let zoneMinute = number((index + 4)..<(index + 6))
        else { return false }
        return index + 6 == bytes.count && zoneHour <= 23 && zoneMinute <= 59
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
