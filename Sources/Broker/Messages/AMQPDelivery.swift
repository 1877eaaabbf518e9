/// One message handed to the gateway by the broker.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var routingKey: String
    public var body: [UInt8]
    public var headers: [String: AMQPFieldValue]
    public var messageID: String?
    /// The `user_id` property: the RabbitMQ user that published it (the broker refuses a publish whose `user_id` is
    /// not its connection's user), or nil when the publisher did not set it.
    public var userID: String?

    public init(
        deliveryTag: UInt64, redelivered: Bool, routingKey: String, body: [UInt8], headers: [String: AMQPFieldValue],
        messageID: String?, userID: String? = nil
    ) {
        self.userID = userID
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.routingKey = routingKey
        self.body = body
        self.headers = headers
        self.messageID = messageID
    }
}
