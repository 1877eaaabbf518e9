/// One message handed to the gateway by the broker.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var routingKey: String
    public var body: [UInt8]
    public var headers: [String: AMQPFieldValue]
    public var messageID: String?

    public init(
        deliveryTag: UInt64, redelivered: Bool, routingKey: String, body: [UInt8], headers: [String: AMQPFieldValue],
        messageID: String?
    ) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.routingKey = routingKey
        self.body = body
        self.headers = headers
        self.messageID = messageID
    }
}
