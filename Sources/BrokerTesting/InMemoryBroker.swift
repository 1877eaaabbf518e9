public import Broker
import Synchronization

/// A broker in memory, for unit tests of what talks to a ``MessageBroker``: queues with prefetch, publisher
/// confirms, acks, rejects and redeliveries as RabbitMQ does them, deterministic and without a server.
///
/// - Publishing to the default exchange routes by queue name; a `mandatory` message for a queue that does not
///   exist is refused, as RabbitMQ returns it. The topology's org exchange routes by the bindings subscriptions
///   made, and what no binding takes to the ingress queue (its alternate exchange); its dead-letter exchange
///   routes to its dead-letter queue. Publishes to other exchanges are recorded (``published``).
/// - Each consumed queue (the ingress queue when `ingressPrefetch > 0`, and every subscription) hands out its
///   messages in order, up to its prefetch unacked at once; an ack frees a slot.
/// - A reject with `requeue` puts the message back at the head of its queue, marked redelivered; without it, the
///   message is dead-lettered.
/// - ``dropConnection()`` does what a lost connection does: the generation moves on, every unacked message goes back
///   to its queue (redelivered), and later acks of the old generation are dropped.
/// - ``refusePublishes(to:)`` makes the broker nack publishes to a queue, as a full or missing queue would.
///
/// Every settlement is recorded in order (``events``), so a test can assert what was acked, requeued or
/// dead-lettered, and in which order.
public final class InMemoryBroker: MessageBroker {
    /// What happened to a message, in the order it happened.
    public enum Event: Sendable, Equatable {
        /// Confirmed into `queue` (or to `exchange`, for a publish not routed by queue name).
        case published(queue: String, messageID: String?)
        case acked(queue: String, messageID: String?)
        case requeued(queue: String, messageID: String?)
        case deadLettered(queue: String, messageID: String?)
        /// A publish the broker refused (`reason`), or an ack or reject dropped because its connection had gone.
        case refused(queue: String, messageID: String?, reason: String)
        case droppedSettlement(queue: String, messageID: String?)
    }

    /// A message as it sits in a queue.
    public struct StoredMessage: Sendable {
        public var body: [UInt8]
        public var headers: [String: AMQPFieldValue]
        public var messageID: String?
        public var routingKey: String
        /// The publisher's user (`user_id`).
        public var userID: String?
        public var redelivered = false
    }

    private struct Unacked {
        var queue: String
        var message: StoredMessage
        var generation: Int
    }

    private struct State {
        var queues: [String: [StoredMessage]] = [:]
        /// Per queue, how many messages at its head were returned (requeued, or unacked when the connection went):
        /// a returned message goes behind the ones returned before it, ahead of those never handed out.
        var returnedAtHead: [String: Int] = [:]
        var unacked: [UInt64: Unacked] = [:]
        var subscriptions: [String: AMQPSubscription] = [:]
        /// The org exchange's bindings: routing key to queue. They outlive a subscription, as RabbitMQ's do.
        var orgBindings: [String: String] = [:]
        var refused: [String: String] = [:]
        var generation = 1
        var nextTag: UInt64 = 0
        var events: [Event] = []
        var published: [AMQPMessage] = []
        var stopped = false
        var runners: [CheckedContinuation<Void, Never>] = []
    }

    public let topology: QueueTopology
    /// The user this connection publishes as: a message submitted without a `userID` gets it, as ``AMQPClient``'s
    /// do. A test publishes as another user by setting the message's (the real broker would check it).
    public let userID: String?
    private let ingressPrefetch: Int
    private let state = Mutex(State())
    private let stream: AsyncStream<BrokerDelivery>
    private let continuation: AsyncStream<BrokerDelivery>.Continuation

    /// - Parameters:
    ///   - topology: the queues that exist from the start (ingress, dead-letter, parked, retry tiers).
    ///   - ingressPrefetch: unacked ingress messages handed out at once (0: the ingress queue is not consumed).
    ///   - userID: the user the gateway's connection publishes as.
    public init(topology: QueueTopology = QueueTopology(), ingressPrefetch: Int = 200, userID: String? = "gateway") {
        self.topology = topology
        self.userID = userID
        self.ingressPrefetch = ingressPrefetch
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        state.withLock { state in
            for queue in [topology.outbound, topology.deadLetterQueue, topology.parkedQueue]
                + topology.retryTiers.map(topology.retryQueue(for:)) {
                state.queues[queue] = []
            }
        }
    }

    // MARK: MessageBroker

    public var deliveries: AsyncStream<BrokerDelivery> { stream }

    public var generation: Int { state.withLock { $0.stopped ? 0 : $0.generation } }

    public func submit(_ message: AMQPMessage) -> PublishConfirm {
        publish(message, as: message.userID ?? userID)
    }

    /// Stores `message` as published by `publisher` (its `user_id`).
    private func publish(_ message: AMQPMessage, as publisher: String?) -> PublishConfirm {
        let confirm = PublishConfirm()
        let outcome = state.withLock { state -> Result<Void, AMQPError> in
            let queue = switch message.exchange {
            case topology.deadLetterExchange: topology.deadLetterQueue
            case topology.orgExchange: state.orgBindings[message.routingKey] ?? topology.outbound
            default: message.routingKey
            }
            // As ``AMQPClient`` does: a field longer than an AMQP short string fails that publish alone.
            if let problem = message.shortStringProblem {
                state.events.append(.refused(queue: queue, messageID: nil, reason: problem))
                return .failure(AMQPError("publish to \(queue)", problem))
            }
            if let reason = state.refused[queue] {
                state.events.append(.refused(queue: queue, messageID: message.messageID, reason: reason))
                return .failure(AMQPError("publish to \(queue)", reason))
            }
            state.published.append(message)
            guard [topology.deadLetterExchange, topology.orgExchange, ""].contains(message.exchange) else {
                state.events.append(.published(queue: message.exchange, messageID: message.messageID))
                return .success(())
            }
            guard state.queues[queue] != nil else {
                guard message.mandatory else { return .success(()) }
                state.events.append(.refused(queue: queue, messageID: message.messageID, reason: "NO_ROUTE"))
                return .failure(AMQPError("publish to \(queue)", "returned: NO_ROUTE"))
            }
            state.queues[queue, default: []].append(StoredMessage(
                body: message.body, headers: Dictionary(message.headers, uniquingKeysWith: { _, last in last }),
                messageID: message.messageID, routingKey: message.routingKey, userID: publisher))
            state.events.append(.published(queue: queue, messageID: message.messageID))
            return .success(())
        }
        confirm.complete(outcome)
        deliverWhatFits()
        return confirm
    }

    public func ack(_ delivery: BrokerDelivery) {
        settle(delivery) { state, unacked in
            state.events.append(.acked(queue: unacked.queue, messageID: unacked.message.messageID))
        }
    }

    public func reject(_ delivery: BrokerDelivery, requeue: Bool) {
        settle(delivery) { [topology] state, unacked in
            var message = unacked.message
            if requeue {
                Self.putBack(message, into: unacked.queue, in: &state)
                state.events.append(.requeued(queue: unacked.queue, messageID: message.messageID))
            } else {
                message.redelivered = false
                state.queues[topology.deadLetterQueue, default: []].append(message)
                state.events.append(.deadLettered(queue: unacked.queue, messageID: message.messageID))
            }
        }
    }

    public func subscribe(_ subscription: AMQPSubscription) {
        state.withLock { [topology] state in
            let queue = subscription.queue.name
            for binding in state.subscriptions[queue]?.bindings ?? [] where !subscription.bindings.contains(binding) {
                state.orgBindings[binding.routingKey] = nil
            }
            for binding in subscription.bindings where binding.exchange == topology.orgExchange {
                state.orgBindings[binding.routingKey] = queue
            }
            state.subscriptions[queue] = subscription
            if state.queues[subscription.queue.name] == nil { state.queues[subscription.queue.name] = [] }
        }
        deliverWhatFits()
    }

    public func unsubscribe(queue: String) {
        _ = state.withLock { $0.subscriptions.removeValue(forKey: queue) }
    }

    public var subscribedQueues: Set<String> { state.withLock { Set($0.subscriptions.keys) } }

    public var queueDepths: [String: Int] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.subscriptions.keys.map { ($0, state.queues[$0]?.count ?? 0) })
        }
    }

    public func deliveriesHeld(from queue: String) -> HeldDeliveries {
        state.withLock { state in
            let unsettled = state.unacked.values.filter { $0.queue == queue && $0.generation == state.generation }.count
            return HeldDeliveries(unsettled: unsettled, mayReceiveMore: state.subscriptions[queue] != nil)
        }
    }

    public func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { state -> Bool in
                if !state.stopped { state.runners.append(done) }
                return state.stopped
            }
            if stopped { done.resume() }
        }
    }

    public func stop() {
        let runners = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.runners = [] }
            return state.runners
        }
        continuation.finish()
        for runner in runners { runner.resume() }
    }

    // MARK: What a test does to the broker, and reads from it

    /// What the platform does: a message into `queue` (the ingress queue by default), published by RabbitMQ user
    /// `publisher` (its `user_id`; nil sets none).
    @discardableResult
    public func enqueue(
        _ body: [UInt8], messageID: String? = nil, headers: [(String, AMQPFieldValue)] = [], queue: String? = nil,
        publisher: String? = nil
    ) -> PublishConfirm {
        publish(AMQPMessage(routingKey: queue ?? topology.outbound, body: body, headers: headers, messageID: messageID), as: publisher)
    }

    /// Declares `queue` (empty), as a consumer declares the queue it reads.
    public func declare(_ queue: String) {
        state.withLock { state in
            if state.queues[queue] == nil { state.queues[queue] = [] }
        }
    }

    /// Hands out the head of `queue` now, as a consumer would get it, for a test that drives one component with a
    /// delivery (a queue nobody consumes: one the broker hands out by itself would race this). Nil when it is empty.
    public func take(from queue: String) -> BrokerDelivery? {
        state.withLock { state in
            guard var waiting = state.queues[queue], !waiting.isEmpty else { return nil }
            let message = waiting.removeFirst()
            state.queues[queue] = waiting
            return handOut(message, from: queue, in: &state)
        }
    }

    /// The connection breaks and comes back: unacked messages return to their queues, redelivered, in the order they
    /// were handed out, and are handed out again under the next generation.
    public func dropConnection() {
        state.withLock { state in
            for tag in state.unacked.keys.sorted() {
                guard let unacked = state.unacked.removeValue(forKey: tag) else { continue }
                Self.putBack(unacked.message, into: unacked.queue, in: &state)
            }
            state.generation += 1
        }
        deliverWhatFits()
    }

    /// From now on the broker refuses publishes to `queue` with `reason`, until ``acceptPublishes(to:)``.
    public func refusePublishes(to queue: String, reason: String = "NACK") {
        state.withLock { $0.refused[queue] = reason }
    }

    public func acceptPublishes(to queue: String) {
        _ = state.withLock { $0.refused.removeValue(forKey: queue) }
    }

    /// Every settlement and publish so far, in order.
    public var events: [Event] { state.withLock { $0.events } }

    /// Every message confirmed so far, in order, whatever its exchange.
    public var published: [AMQPMessage] { state.withLock { $0.published } }

    /// The messages waiting in `queue`, not handed out.
    public func messages(in queue: String) -> [StoredMessage] { state.withLock { $0.queues[queue] ?? [] } }

    /// How many of `queue`'s messages are handed out and not yet acked or rejected.
    public func unackedCount(in queue: String) -> Int { state.withLock { $0.unacked.values.count { $0.queue == queue } } }

    // MARK: Internals

    private func settle(_ delivery: BrokerDelivery, _ body: (inout State, Unacked) -> Void) {
        state.withLock { state in
            guard delivery.generation == state.generation,
                  let unacked = state.unacked.removeValue(forKey: delivery.delivery.deliveryTag)
            else {
                state.events.append(.droppedSettlement(queue: delivery.queue, messageID: delivery.delivery.messageID))
                return
            }
            body(&state, unacked)
        }
        deliverWhatFits()
    }

    /// Hands out what each consumed queue's prefetch allows, in queue order. The deliveries are yielded under the
    /// lock (the stream buffers without bound and calls nothing back), so two settlements at once cannot reorder them.
    private func deliverWhatFits() {
        state.withLock { state in
            guard !state.stopped else { return }
            var consumed = state.subscriptions.mapValues { Int($0.prefetch) }
            if ingressPrefetch > 0 { consumed[topology.outbound] = ingressPrefetch }
            for (queue, prefetch) in consumed.sorted(by: { $0.key < $1.key }) {
                var outstanding = state.unacked.values.count { $0.queue == queue }
                while outstanding < prefetch, var waiting = state.queues[queue], !waiting.isEmpty {
                    let message = waiting.removeFirst()
                    state.queues[queue] = waiting
                    outstanding += 1
                    continuation.yield(handOut(message, from: queue, in: &state))
                }
            }
        }
    }

    private static func putBack(_ message: StoredMessage, into queue: String, in state: inout State) {
        var message = message
        message.redelivered = true
        let position = state.returnedAtHead[queue, default: 0]
        state.queues[queue, default: []].insert(message, at: position)
        state.returnedAtHead[queue] = position + 1
    }

    /// Records `message` (just removed from the head of `queue`) as handed out under the current generation.
    private func handOut(_ message: StoredMessage, from queue: String, in state: inout State) -> BrokerDelivery {
        if let returned = state.returnedAtHead[queue], returned > 0 { state.returnedAtHead[queue] = returned - 1 }
        state.nextTag += 1
        state.unacked[state.nextTag] = Unacked(queue: queue, message: message, generation: state.generation)
        let delivery = AMQPDelivery(
            deliveryTag: state.nextTag, redelivered: message.redelivered, routingKey: message.routingKey, body: message.body,
            headers: message.headers, messageID: message.messageID, userID: message.userID)
        return BrokerDelivery(delivery: delivery, generation: state.generation, channel: 1, queue: queue)
    }
}
