//
// ReceivedMessage.swift — GenesysSandbox
// One accepted inbound call, as tests see it through `/sandbox/received`.
//

import Foundation

/// One accepted Open Messaging inbound call (message, event, receipt or structured response).
public struct ReceivedMessage: Sendable, Equatable {
    /// Which inbound endpoint accepted it.
    public enum Kind: String, Sendable {
        case message, event, receipt, structuredResponse
    }

    /// Arrival order across the whole sandbox, starting at 1.
    public let sequence: Int
    /// Which endpoint accepted it.
    public let kind: Kind
    /// The integration in the path.
    public let integrationId: String
    /// The id the sandbox answered with (for receipts: the agent message id the receipt is about).
    public let id: String
    /// `channel.messageId` as sent (the provider's own id), if any.
    public let channelMessageId: String?
    /// The customer: `channel.from.id` (or `channel.to.id` for receipts).
    public let customerId: String
    /// The customer's conversation at arrival.
    public let conversationId: String?
    /// `text` of a message, `status` of a receipt, `buttonResponse.text` of a structured response.
    public let text: String?
    /// The OAuth client that sent it.
    public let clientId: String
    /// Arrival time (sandbox clock).
    public let receivedAt: Date

    var json: JSONValue {
        .compactObject([
            ("sequence", .int(sequence)), ("kind", .string(kind.rawValue)), ("integrationId", .string(integrationId)),
            ("id", .string(id)), ("channelMessageId", .optionalString(channelMessageId)),
            ("customerId", .string(customerId)), ("conversationId", .optionalString(conversationId)),
            ("text", .optionalString(text)), ("clientId", .string(clientId)),
            ("receivedAt", .string(DateTimeFormat.string(from: receivedAt))),
        ])
    }
}
