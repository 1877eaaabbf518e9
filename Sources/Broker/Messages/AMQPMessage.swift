/// A message to publish.
public struct AMQPMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var headers: [(String, AMQPFieldValue)]
    public var messageID: String?
    /// The `user_id` property: the RabbitMQ user the message claims to come from, which the broker checks against
    /// the publishing connection's user. Nil: the connection's own user (``MessageBroker/userID``), when known.
    public var userID: String?
    public var contentType: String
    /// Whether the broker must route it to a queue: an unroutable mandatory message is returned, and its
    /// publish fails instead of being confirmed as if stored.
    public var mandatory: Bool

    public init(
        exchange: String = "", routingKey: String, body: [UInt8], headers: [(String, AMQPFieldValue)] = [],
        messageID: String? = nil, contentType: String = "application/json", mandatory: Bool = false, userID: String? = nil
    ) {
        self.mandatory = mandatory
        self.userID = userID
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.headers = headers
        self.messageID = messageID
        self.contentType = contentType
    }
}
