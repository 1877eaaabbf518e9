import Foundation
import PluginAPI
import PluginKit

/// Sends a customer's text message as an Open Messaging inbound message.
struct TextSender: SenderPlugin {
    static let name = "text"
    static let version = "1.0.0"
    static let messageTypes = ["text"]

    struct Settings: Decodable {
        /// Longest `textBody` accepted, in characters.
        var maxTextLength: Int?
    }

    let maxTextLength: Int

    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure) {
        let settings = try PluginSettings.decode(Settings.self, from: settingsJSON, knownKeys: ["maxTextLength"])
        maxTextLength = settings.maxTextLength ?? 10_000
        guard maxTextLength > 0 else {
            throw ValidationFailure(field: "maxTextLength", reason: "maxTextLength must be greater than 0")
        }
    }

    func buildRequest(message bytes: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure> {
        QueuedMessage.decode(bytes).flatMap { message in
            if let wrongType = OpenInboundRequest.checkType(message, handled: Self.messageTypes) {
                return .failure(wrongType)
            }
            // Scalar checks rather than trimming or counting the whole text: both were visible per message. Blank
            // is Foundation's `.whitespacesAndNewlines`: Unicode's White_Space and U+200B ZERO WIDTH SPACE.
            guard let text = message.textBody, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace && $0 != "\u{200B}" }) else {
                return .failure(ValidationFailure(field: "textBody", reason: "a text message needs a non-empty 'textBody'"))
            }
            guard text.utf8.count <= maxTextLength || text.count <= maxTextLength else {
                return .failure(ValidationFailure(
                    field: "textBody", reason: "'textBody' has \(text.count) characters, more than \(maxTextLength)"))
            }
            guard message.content?.isEmpty ?? true else {
                return .failure(ValidationFailure(
                    field: "content", reason: "a text message carries no attachments; send it as type 'media'"))
            }
            return OpenInboundRequest.channel(for: message).map { channel in
                OpenInboundRequest.message(
                    OpenInboundNormalizedMessage(channel: channel, text: text, metadata: message.metadata), context: context)
            }
        }
    }
}

@_cdecl("ggw_plugin_entry")
public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
    PluginExport.sender(TextSender.self, host: host)
}
