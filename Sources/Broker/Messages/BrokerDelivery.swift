/// A delivery, the queue and channel it came from, and the connection generation.
public struct BrokerDelivery: Sendable {
    public var delivery: AMQPDelivery
    public var generation: Int
    public var channel: UInt16
    /// The queue it was consumed from (the ingress queue, or a subscription's).
    public var queue: String

    public init(delivery: AMQPDelivery, generation: Int, channel: UInt16, queue: String) {
        self.delivery = delivery
        self.generation = generation
        self.channel = channel
        self.queue = queue
    }
}
