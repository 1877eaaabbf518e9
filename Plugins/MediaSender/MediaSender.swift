import Foundation
import PluginAPI
import PluginKit

/// Sends one attachment (image, video, audio, file), with optional text, as an Open Messaging inbound message.
///
/// Genesys takes exactly one attachment per message, by URL; the mime type must fit the media type.
struct MediaSender: SenderPlugin {
    static let name = "media"
    static let version = "1.0.0"
    /// `media` takes the media type from the attachment; the others pin it.
    static let messageTypes = ["media", "image", "video", "audio", "file"]

    static let mediaTypes = ["Image", "Video", "Audio", "File"]

    struct Settings: Decodable {
        /// When set, only these mime types are accepted.
        var allowedMimeTypes: [String]?
    }

    let allowedMimeTypes: Set<String>?

    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure) {
        let settings = try PluginSettings.decode(Settings.self, from: settingsJSON, knownKeys: ["allowedMimeTypes"])
        allowedMimeTypes = settings.allowedMimeTypes.map { Set($0.map { $0.lowercased() }) }
    }

    func buildRequest(message bytes: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure> {
        QueuedMessage.decode(bytes).flatMap { message in
            if let wrongType = OpenInboundRequest.checkType(message, handled: Self.messageTypes) {
                return .failure(wrongType)
            }
            return attachment(of: message).flatMap { attachment in
                OpenInboundRequest.channel(for: message).map { channel in
                    let text = message.textBody.flatMap { $0.isEmpty ? nil : $0 }
                    return OpenInboundRequest.message(
                        OpenInboundNormalizedMessage(
                            channel: channel, text: text,
                            content: [OpenInboundMessageContent(attachment: OpenContentAttachment(attachment))],
                            metadata: message.metadata),
                        context: context)
                }
            }
        }
    }

    private func attachment(of message: QueuedMessage) -> Result<QueuedMessage.Attachment, ValidationFailure> {
        guard let content = message.content, !content.isEmpty else {
            return .failure(ValidationFailure(field: "content", reason: "a media message needs one attachment in 'content'"))
        }
        guard content.count == 1 else {
            return .failure(ValidationFailure(
                field: "content", reason: "Genesys accepts one attachment per message, got \(content.count)"))
        }
        let item = content[0]
        guard item.contentType == "Attachment" else {
            return .failure(ValidationFailure(
                field: "content[0].contentType", reason: "'contentType' must be 'Attachment', got '\(item.contentType)'"))
        }
        guard let attachment = item.attachment else {
            return .failure(ValidationFailure(field: "content[0].attachment", reason: "required field 'attachment' is missing"))
        }
        guard Self.mediaTypes.contains(attachment.mediaType) else {
            return .failure(ValidationFailure(
                field: "content[0].attachment.mediaType",
                reason: "'mediaType' must be one of \(Self.mediaTypes.joined(separator: ", ")), got '\(attachment.mediaType)'"))
        }
        if message.type != "media", attachment.mediaType.lowercased() != message.type {
            return .failure(ValidationFailure(
                field: "content[0].attachment.mediaType",
                reason: "message type '\(message.type)' needs mediaType '\(message.type.capitalized)', got '\(attachment.mediaType)'"))
        }
        return checkURLAndMime(attachment).map { attachment }
    }

    private func checkURLAndMime(_ attachment: QueuedMessage.Attachment) -> Result<Void, ValidationFailure> {
        let lowerURL = attachment.url.lowercased()
        guard lowerURL.hasPrefix("https://") || lowerURL.hasPrefix("http://"), !attachment.url.contains(" ") else {
            return .failure(ValidationFailure(
                field: "content[0].attachment.url", reason: "'url' must be an http(s) URL Genesys can fetch"))
        }
        let mime = attachment.mime.lowercased()
        // Exactly one slash with text on both sides (docs/openapi.yaml): `image//png` or `/png` is no mime type.
        let parts = mime.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(ValidationFailure(
                field: "content[0].attachment.mime", reason: "'mime' must look like type/subtype, got '\(attachment.mime)'"))
        }
        let expectedTop = ["Image": "image", "Video": "video", "Audio": "audio"][attachment.mediaType]
        if let expectedTop, parts[0] != expectedTop {
            return .failure(ValidationFailure(
                field: "content[0].attachment.mime",
                reason: "mediaType '\(attachment.mediaType)' needs a \(expectedTop)/* mime, got '\(attachment.mime)'"))
        }
        if let allowedMimeTypes, !allowedMimeTypes.contains(mime) {
            return .failure(ValidationFailure(
                field: "content[0].attachment.mime", reason: "mime '\(attachment.mime)' is not allowed for this tenant"))
        }
        return .success(())
    }
}

@_cdecl("ggw_plugin_entry")
public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
    PluginExport.sender(MediaSender.self, host: host)
}
