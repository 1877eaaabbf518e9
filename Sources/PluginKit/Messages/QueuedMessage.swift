import Foundation

/// A message from `genesys.outbound`, as the gateway's message contract defines it (README, "Message
/// contract", and `schemas/outbound-message.schema.json`). Field names are the JSON names.
public struct QueuedMessage: Codable, Sendable, Equatable {
    /// Our message id: the idempotency key, and `channel.messageId` at Genesys.
    public var id: String
    public var tenantId: String?
    /// The tenant's org to send through; the tenant's default org when absent.
    public var org: String?
    /// The message type: which sender plugin handles it.
    public var type: String
    public var sender: Sender?
    public var textBody: String?
    public var content: [Content]?
    public var conversationId: String?
    public var metadata: [String: String]?
    /// When the customer sent it, ISO-8601 (becomes `channel.time`).
    public var createdAt: String?
    /// After this instant (RFC 3339, like `createdAt`) the message is no longer worth sending: the gateway
    /// reports it expired instead. Wins over the org's default expiry for the message type.
    public var expiresAt: String?

    /// The customer the message comes from (becomes `channel.from`).
    public struct Sender: Codable, Sendable, Equatable {
        public var id: String
        public var idType: String
        public var nickname: String?
        public var firstName: String?
        public var lastName: String?
        public var email: String?
        public var image: String?
    }

    public struct Content: Codable, Sendable, Equatable {
        public var contentType: String
        public var attachment: Attachment?
    }

    public struct Attachment: Codable, Sendable, Equatable {
        public var id: String?
        public var mediaType: String
        public var url: String
        public var mime: String
        public var filename: String?
        public var text: String?
        public var sha256: String?
    }

    /// Decodes a queued message, naming the field that is missing or has the wrong type.
    ///
    /// Read with ``JSONReader`` rather than `JSONDecoder`: the host and the sender plugin each decode every
    /// message, and Foundation's decoder was a tenth of the gateway's CPU. The fuzz target holds the two to the
    /// same result.
    public static func decode(_ bytes: [UInt8]) -> Result<QueuedMessage, ValidationFailure> {
        do throws(ValidationFailure) {
            let document: JSONValue
            do {
                document = try JSONReader.read(bytes)
            } catch {
                throw ValidationFailure(field: "", reason: "message is not valid JSON: \(error)")
            }
            return .success(try QueuedMessage(JSONFields(document: document)))
        } catch {
            return .failure(error)
        }
    }

    /// The longest `id`, in UTF-8 bytes: the id travels as the AMQP message-id property of every copy the gateway
    /// makes (retry, dead-letter, status event), and AMQP holds 255 bytes there. A longer id made each of those
    /// publishes fail, so the message was redelivered and sent again, endlessly: it is refused at intake instead.
    public static let maxIDBytes = 255

    init(_ fields: JSONFields) throws(ValidationFailure) {
        id = try fields.string("id")
        guard (1...Self.maxIDBytes).contains(id.utf8.count) else {
            throw ValidationFailure(
                field: "id", reason: "'id' must be 1 to \(Self.maxIDBytes) bytes (UTF-8), got \(id.utf8.count)")
        }
        tenantId = try fields.optionalString("tenantId")
        org = try fields.optionalString("org")
        type = try fields.string("type")
        sender = try fields.optionalObject("sender").map { (sender) throws(ValidationFailure) in try Sender(sender) }
        textBody = try fields.optionalString("textBody")
        content = try fields.optionalList("content") { (value, path) throws(ValidationFailure) in
            try Content(JSONFields.object(value, at: path))
        }
        conversationId = try fields.optionalString("conversationId")
        metadata = try fields.optionalStringMap("metadata")
        createdAt = try fields.optionalString("createdAt")
        expiresAt = try fields.optionalString("expiresAt")
    }
}

extension QueuedMessage.Sender {
    init(_ fields: JSONFields) throws(ValidationFailure) {
        id = try fields.string("id")
        idType = try fields.string("idType")
        nickname = try fields.optionalString("nickname")
        firstName = try fields.optionalString("firstName")
        lastName = try fields.optionalString("lastName")
        email = try fields.optionalString("email")
        image = try fields.optionalString("image")
    }
}

extension QueuedMessage.Content {
    init(_ fields: JSONFields) throws(ValidationFailure) {
        contentType = try fields.string("contentType")
        attachment = try fields.optionalObject("attachment").map { (attachment) throws(ValidationFailure) in
            try QueuedMessage.Attachment(attachment)
        }
    }
}

extension QueuedMessage.Attachment {
    init(_ fields: JSONFields) throws(ValidationFailure) {
        id = try fields.optionalString("id")
        mediaType = try fields.string("mediaType")
        url = try fields.string("url")
        mime = try fields.string("mime")
        filename = try fields.optionalString("filename")
        text = try fields.optionalString("text")
        sha256 = try fields.optionalString("sha256")
    }
}

/// Decoding for a sender whose message type adds fields to the contract: its own `Decodable` type gets the same
/// field-naming failures as ``QueuedMessage``.
public enum QueuedJSON {
    /// Decodes `bytes` as `type`, naming the field that is missing or has the wrong type.
    public static func decode<Message: Decodable>(_ type: Message.Type, from bytes: [UInt8]) -> Result<Message, ValidationFailure> {
        do {
            return .success(try JSONDecoder().decode(type, from: Data(bytes)))
        } catch let error as DecodingError {
            return .failure(ValidationFailure(decodingError: error))
        } catch {
            return .failure(ValidationFailure(field: "", reason: "message is not valid JSON"))
        }
    }
}

extension ValidationFailure {
    /// Names the field a `DecodingError` is about, as a JSON path (`content[0].attachment.url`).
    public init(decodingError: DecodingError) {
        func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            var text = ""
            for component in codingPath + (key.map { [$0] } ?? []) {
                if let index = component.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? component.stringValue : ".\(component.stringValue)"
                }
            }
            return text
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, appending: key)
            self.init(field: field, reason: "required field '\(field)' is missing")
        case .typeMismatch(let type, let context):
            self.init(field: path(context.codingPath), reason: "'\(path(context.codingPath))' must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(field: path(context.codingPath), reason: "'\(path(context.codingPath))' must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            self.init(field: path(context.codingPath), reason: "message is not valid JSON" + (underlying.map { ": \($0)" } ?? ""))
        @unknown default:
            self.init(field: "", reason: "message could not be decoded")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is [String: String].Type: return "an object of strings"
        case is Array<Any>.Type: return "a list"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : (name.hasPrefix("Dictionary") ? "an object" : "of type \(name)")
        }
    }
}
