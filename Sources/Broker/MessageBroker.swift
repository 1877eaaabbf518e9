/// What the gateway needs from its message broker: deliveries from the ingress queue and the queues it subscribes
/// to, publishes the broker confirms, and acks and rejects for what it was handed.
///
/// ``AMQPClient`` (module AMQPTransport) is the RabbitMQ implementation; `InMemoryBroker` (module BrokerTesting)
/// is the deterministic double the pipeline's unit tests drive. The queue pipeline, the status sink and the HTTP API
/// know only this protocol, so the compiler keeps rabbitmq-c out of them.
///
/// Deliveries carry the connection ``generation`` they came from: when the connection goes, the broker takes back
/// every unacked delivery and hands it out again, so an ack or reject for an older generation is dropped.
public protocol MessageBroker: AnyObject, Sendable {
    /// The queues and exchanges the broker holds for the gateway (declared by the broker at connect).
    var topology: QueueTopology { get }

    /// Messages from the ingress queue and every subscription, in the order the broker handed them over.
    var deliveries: AsyncStream<BrokerDelivery> { get }

    /// The connection deliveries come from now (0 while disconnected).
    var generation: Int { get }

    /// The RabbitMQ user this broker connection publishes as: every message it publishes carries it as `user_id`
    /// (which RabbitMQ checks), so the gateway tells its own copies (org queues, retries, the API's messages) from
    /// a publisher's. Nil when the URL does not say (an EXTERNAL login without a user name): nothing is stamped.
    var userID: String? { get }

    /// Hands `message` over now, behind everything handed over before it, and returns the broker's answer to wait
    /// for: messages submitted one after another reach the broker in that order.
    func submit(_ message: AMQPMessage) -> PublishConfirm

    /// Done with a delivery: the broker forgets it. Dropped if its connection is gone.
    func ack(_ delivery: BrokerDelivery)

    /// Hands a delivery back to its queue (`requeue`) or lets the broker dead-letter it.
    func reject(_ delivery: BrokerDelivery, requeue: Bool)

    /// Declares `subscription.queue` if needed and consumes it with its own prefetch until
    /// ``unsubscribe(queue:)``; repeating it is cheap.
    func subscribe(_ subscription: AMQPSubscription)

    /// Stops consuming `queue` (deliveries already handed out stay valid).
    func unsubscribe(queue: String)

    /// The queues consumed through ``subscribe(_:)``.
    var subscribedQueues: Set<String> { get }

    /// Messages waiting in each subscribed queue (ready, not yet handed over), as last read.
    var queueDepths: [String: Int] { get }

    /// The deliveries of `queue` handed out on the current connection and not yet acked or rejected, and whether
    /// more may still come: how a replica letting go of a queue knows it holds none of its messages any more,
    /// however long its deliveries wait between the connection and the code that settles them.
    func deliveriesHeld(from queue: String) -> HeldDeliveries

    /// Runs the connection until ``stop()``.
    func run() async

    /// Stops consuming; what was not handed out stays in the broker, pending acks and publishes are flushed, then
    /// ``run()`` returns.
    func stop()
}

extension MessageBroker {
    /// True while connected.
    public var isConnected: Bool { generation > 0 }

    /// Publishes `message` and returns once the broker confirmed it (persisted, and routed to a queue when it is
    /// `mandatory`). Throws ``AMQPError`` when the broker refuses or returns it, or the connection breaks first.
    public func publish(_ message: AMQPMessage) async throws {
        try await submit(message).confirmed()
    }
}

/// A queue's deliveries a consumer still holds (``MessageBroker/deliveriesHeld(from:)``).
public struct HeldDeliveries: Sendable, Equatable {
    /// Handed out on the current connection, not yet acked or rejected.
    public var unsettled: Int
    /// False once the queue's consumer is cancelled and every delivery the broker sent before the cancel took
    /// effect has been handed out (or the connection is gone): `unsettled` can then only go down.
    public var mayReceiveMore: Bool

    public init(unsettled: Int, mayReceiveMore: Bool) {
        self.unsettled = unsettled
        self.mayReceiveMore = mayReceiveMore
    }

    /// Nothing held and nothing more to come.
    public var isNone: Bool { unsettled == 0 && !mayReceiveMore }
}
