//
// DeliveryReport.swift — GenesysSandbox
// What happened to one agent message sent to a webhook: every attempt and the outcome.
//

import Foundation

/// The delivery of one agent message to an integration's webhook.
public struct DeliveryReport: Sendable, Equatable {
    /// One POST to the webhook.
    public struct Attempt: Sendable, Equatable {
        /// The HTTP status answered, or `nil` when the attempt failed without one.
        public let statusCode: Int?
        /// Why there was no status (timeout, connection refused, ...).
        public let error: String?
        /// When the attempt ended (sandbox clock).
        public let at: Date
    }

    /// The agent message id (the payload `id`).
    public let messageId: String
    /// The conversation the message belongs to.
    public let conversationId: String
    /// The integration whose webhook was called.
    public let integrationId: String
    /// The webhook URL.
    public let url: String
    /// Every attempt, in order.
    public var attempts: [Attempt]
    /// `true` once the webhook answered 2xx.
    public var delivered: Bool

    var json: JSONValue {
        [
            "messageId": .string(messageId), "conversationId": .string(conversationId),
            "integrationId": .string(integrationId), "url": .string(url), "delivered": .bool(delivered),
            "attempts": .array(
                attempts.map {
                    .compactObject([
                        ("statusCode", $0.statusCode.map(JSONValue.int)), ("error", .optionalString($0.error)),
                        ("at", .string(DateTimeFormat.string(from: $0.at))),
                    ])
                }),
        ]
    }
}
