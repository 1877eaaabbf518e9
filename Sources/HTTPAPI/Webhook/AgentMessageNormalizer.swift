public import Foundation
public import GatewayCore
import OrgServices
import PluginKit

/// Turns the body Genesys POSTs to the webhook (OpenMessageNormalizedMessage, `direction: "Outbound"`)
/// into the ``InboundAgentMessage`` the channel side reads.
///
/// Checks what the channel side relies on — an id to deduplicate by, the customer (`channel.to.id`), a time,
/// and something to show for the message's type — and names the field when one is missing or wrong.
/// Anything else Genesys adds is ignored or passed through, so a new Genesys field never fails a chat.
public struct AgentMessageNormalizer: Sendable {
    public init() {}

    /// - Parameters:
    ///   - body: the raw request body.
    ///   - org: the tenant and org whose webhook received it.
    ///   - receivedAt: when it arrived (becomes `receivedAt`).
    public func normalize(_ body: [UInt8], org: OrgKey, receivedAt: Date) throws(WebhookBodyError) -> InboundAgentMessage {
        let message: GenesysOutboundMessage
        do {
            message = try JSONDecoder().decode(GenesysOutboundMessage.self, from: Data(body))
        } catch let error as DecodingError {
            throw WebhookBodyError(ValidationFailure(decodingError: error))
        } catch {
            throw WebhookBodyError(field: "", reason: "body is not valid JSON")
        }
        try check(message)
        let kind = message.type.lowercased()
        let content = message.content ?? []
        let attachments = content.compactMap(\.attachment)
        let otherContent = content.filter { $0.contentType != "Attachment" }.map(\.raw)
        return InboundAgentMessage(
            tenantId: org.tenantID, org: org.orgName, genesysMessageId: message.id, conversationId: message.conversationId,
            integrationId: message.channel.id, kind: kind, genesysType: message.type,
            customerId: message.channel.to.id, customerIdType: message.channel.to.idType,
            agent: message.channel.from.map {
                InboundAgentMessage.Agent(id: $0.id, nickname: $0.nickname, firstName: $0.firstName, lastName: $0.lastName, image: $0.image)
            },
            text: message.text.flatMap { $0.isEmpty ? nil : $0 },
            attachments: attachments.isEmpty ? nil : attachments,
            content: otherContent.isEmpty ? nil : otherContent,
            events: (message.events?.isEmpty ?? true) ? nil : message.events,
            receipt: message.status.map {
                InboundAgentMessage.Receipt(status: $0, reasons: message.reasons, isFinalReceipt: message.isFinalReceipt)
            },
            metadata: message.metadata, time: message.channel.time, receivedAt: StatusEvent.format(receivedAt))
    }

    private func check(_ message: GenesysOutboundMessage) throws(WebhookBodyError) {
        guard !message.id.isEmpty else { throw WebhookBodyError(field: "id", reason: "'id' must not be empty") }
        if let direction = message.direction, direction != "Outbound" {
            throw WebhookBodyError(field: "direction", reason: "the webhook takes Genesys' outbound messages, got direction '\(direction)'")
        }
        guard !message.type.isEmpty, message.type.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw WebhookBodyError(field: "type", reason: "'type' must be a word such as Text or Structured, got '\(message.type)'")
        }
        guard !message.channel.to.id.isEmpty else {
            throw WebhookBodyError(field: "channel.to.id", reason: "'channel.to.id' (the customer) must not be empty")
        }
        guard OpenInboundRequest.isDateTime(message.channel.time) else {
            throw WebhookBodyError(
                field: "channel.time", reason: "'channel.time' must be an ISO-8601 date-time, got '\(message.channel.time)'")
        }
        let hasText = !(message.text ?? "").isEmpty
        let hasContent = !(message.content ?? []).isEmpty
        switch message.type {
        case "Text", "Structured":
            guard hasText || hasContent else {
                throw WebhookBodyError(field: "text", reason: "a \(message.type) message needs 'text' or 'content'")
            }
        case "Event":
            guard !(message.events ?? []).isEmpty else {
                throw WebhookBodyError(field: "events", reason: "an Event message needs at least one entry in 'events'")
            }
        case "Receipt":
            guard message.status != nil else {
                throw WebhookBodyError(field: "status", reason: "a Receipt needs 'status'")
            }
        default:
            break
        }
    }
}
