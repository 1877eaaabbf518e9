public import Broker
import Foundation

/// Where the webhook hands a normalized agent message. The production publisher is ``InboundPublisher``;
/// tests may collect or fail.
public protocol InboundPublishing: Sendable {
    /// Publishes `message`; returns once it is safely stored (for RabbitMQ: confirmed by the broker).
    func publish(_ message: InboundAgentMessage) async throws
}

/// Publishes agent messages to the `genesys.inbound` topic exchange with routing key
/// `<tenant>.<org>.<kind>`, persistent and with publisher confirms, the AMQP `message-id` being Genesys'
/// message id (the channel side's key for deduplicating).
public struct InboundPublisher: InboundPublishing {
    private let client: any MessageBroker
    private let exchange: String

    /// - Parameters:
    ///   - client: the gateway's AMQP client (publishes with confirms).
    ///   - exchange: the inbound exchange, ``QueueTopology/inboundExchange``.
    public init(client: any MessageBroker, exchange: String) {
        self.client = client
        self.exchange = exchange
    }

    public func publish(_ message: InboundAgentMessage) async throws {
        // While disconnected a publish would wait in memory for the reconnect, past the webhook's answer and
        // across a restart; failing now sends Genesys a `Failed` receipt instead.
        guard client.isConnected else { throw AMQPError("publish to \(exchange)", "not connected to RabbitMQ") }
        try await client.publish(AMQPMessage(
            exchange: exchange, routingKey: Self.routingKey(for: message), body: Self.encode(message),
            headers: [(QueueHeaders.tenant, .string(message.tenantId)), (QueueHeaders.org, .string(message.org))],
            messageID: AMQPMessage.messageIDProperty(message.genesysMessageId), mandatory: true))  // routed to no queue: not delivered, report it
    }

    /// `<tenant>.<org>.<kind>`, with dots in names replaced so the topic stays three words.
    public static func routingKey(for message: InboundAgentMessage) -> String {
        [message.tenantId, message.org, message.kind].map { $0.replacingOccurrences(of: ".", with: "_") }.joined(separator: ".")
    }

    static func encode(_ message: InboundAgentMessage) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings, numbers and nested values of the same: encoding cannot fail.
        return (try? encoder.encode(message)).map(Array.init) ?? []
    }
}
