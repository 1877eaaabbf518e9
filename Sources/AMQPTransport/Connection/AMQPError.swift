/// A broker or connection failure, with what the gateway was doing.
public struct AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done: "login", "declare queue genesys.outbound", ...
    public var operation: String
    public var message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "AMQP \(operation): \(message)" }
}

/// One message handed to the gateway by the broker.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var routingKey: String
    public var body: [UInt8]
    public var headers: [String: AMQPFieldValue]
    public var messageID: String?
}

/// A message to publish.
public struct AMQPMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var headers: [(String, AMQPFieldValue)]
    public var messageID: String?
    public var contentType: String
    /// Whether the broker must route it to a queue: an unroutable mandatory message is returned, and its
    /// publish fails instead of being confirmed as if stored.
    public var mandatory: Bool

    public init(
        exchange: String = "", routingKey: String, body: [UInt8], headers: [(String, AMQPFieldValue)] = [],
        messageID: String? = nil, contentType: String = "application/json", mandatory: Bool = false
    ) {
        self.mandatory = mandatory
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.headers = headers
        self.messageID = messageID
        self.contentType = contentType
    }
}
