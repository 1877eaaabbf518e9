import Foundation
import PluginAPI
import PluginKit

/// Sends a customer's tap on an agent's quick reply, button or date picker (message type `buttonResponse`) to
/// Genesys as an Open Messaging structured response, tied to the agent message it answers.
struct ButtonResponseSender: SenderPlugin {
    static let name = "buttonResponse"
    static let version = "1.0.0"
    static let messageTypes = ["buttonResponse"]

    /// ContentButtonResponse `type` values.
    static let buttonTypes = ["Button", "QuickReply", "DatePicker"]

    struct Settings: Decodable {
        /// Longest `buttonResponse.text` accepted, in characters.
        var maxTextLength: Int?
        /// Longest `buttonResponse.payload` accepted, in characters.
        var maxPayloadLength: Int?
    }

    let maxTextLength: Int
    let maxPayloadLength: Int

    init(settingsJSON: [UInt8], log: PluginLogger) throws(ValidationFailure) {
        let settings = try PluginSettings.decode(
            Settings.self, from: settingsJSON, knownKeys: ["maxTextLength", "maxPayloadLength"])
        // The model gives these strings no length limit; the default caps them as the text plugin caps a typed text.
        maxTextLength = settings.maxTextLength ?? 10_000
        maxPayloadLength = settings.maxPayloadLength ?? 10_000
        guard maxTextLength > 0 else {
            throw ValidationFailure(field: "maxTextLength", reason: "maxTextLength must be greater than 0")
        }
        guard maxPayloadLength > 0 else {
            throw ValidationFailure(field: "maxPayloadLength", reason: "maxPayloadLength must be greater than 0")
        }
    }

    func buildRequest(message bytes: [UInt8], context: OrgContext) -> Result<PluginRequest, ValidationFailure> {
        QueuedJSON.decode(QueuedButtonResponse.self, from: bytes).flatMap { queued in
            if let failure = OpenInboundRequest.checkType(queued.message, handled: Self.messageTypes) ?? check(queued) {
                return .failure(failure)
            }
            return OpenInboundRequest.channel(for: queued.message).map { channel in
                let button = queued.buttonResponse
                let body = OpenInboundStructuredResponseMessage(
                    channel: channel,
                    buttonResponse: .init(id: button.id, type: button.type, text: button.text, payload: button.payload),
                    originatingMessageId: queued.originatingMessageId)
                return OpenInboundRequest.post(body, endpoint: "structured/response", context: context)
            }
        }
    }

    private func check(_ queued: QueuedButtonResponse) -> ValidationFailure? {
        let button = queued.buttonResponse
        guard Self.buttonTypes.contains(button.type) else {
            return ValidationFailure(
                field: "buttonResponse.type",
                reason: "'buttonResponse.type' must be one of \(Self.buttonTypes.joined(separator: ", ")), got '\(button.type)'")
        }
        guard !button.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return ValidationFailure(
                field: "buttonResponse.text", reason: "'buttonResponse.text' (the label the customer chose) must not be empty")
        }
        guard button.text.count <= maxTextLength else {
            return ValidationFailure(
                field: "buttonResponse.text",
                reason: "'buttonResponse.text' has \(button.text.count) characters, more than \(maxTextLength)")
        }
        guard !button.payload.isEmpty else {
            return ValidationFailure(field: "buttonResponse.payload", reason: "'buttonResponse.payload' must not be empty")
        }
        guard button.payload.count <= maxPayloadLength else {
            return ValidationFailure(
                field: "buttonResponse.payload",
                reason: "'buttonResponse.payload' has \(button.payload.count) characters, more than \(maxPayloadLength)")
        }
        guard !queued.originatingMessageId.isEmpty else {
            return ValidationFailure(
                field: "originatingMessageId",
                reason: "'originatingMessageId' (Genesys' id of the agent message answered) must not be empty")
        }
        return unsendableField(queued.message)
    }

    /// Genesys' structured response has no text, attachments or metadata: refused rather than silently dropped.
    private func unsendableField(_ message: QueuedMessage) -> ValidationFailure? {
        if let text = message.textBody, !text.isEmpty {
            return ValidationFailure(
                field: "textBody", reason: "a buttonResponse carries no 'textBody'; the chosen label goes in 'buttonResponse.text'")
        }
        if let content = message.content, !content.isEmpty {
            return ValidationFailure(field: "content", reason: "a buttonResponse carries no attachments")
        }
        if let metadata = message.metadata, !metadata.isEmpty {
            return ValidationFailure(
                field: "metadata", reason: "a buttonResponse carries no 'metadata' (Genesys' structured response has none)")
        }
        return nil
    }
}

@_cdecl("ggw_plugin_entry")
public func ggwPluginEntry(_ host: UnsafePointer<ggw_type_host_callbacks>?) -> UnsafeRawPointer? {
    PluginExport.sender(ButtonResponseSender.self, host: host)
}
