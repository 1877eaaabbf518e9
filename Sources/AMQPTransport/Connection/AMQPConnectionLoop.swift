import Broker
import Foundation
import GatewayCore
import Logging
import Synchronization

/// The body of ``AMQPClient``'s thread: connect, declare, consume, then serve the inbox and the socket
/// until stopped; on failure, reconnect with backoff (0.5 s doubling to 5 s), to the next of the broker's addresses
/// when it has several (a cluster's nodes: the one that failed may be the one that is down).
///
/// Every publish taken from the inbox is answered on every path — confirmed, nacked, returned, or failed
/// because the connection broke or the client stopped — so no task waits for a confirm forever.
struct AMQPConnectionLoop {
    let client: AMQPClient

    static let consumeChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2
    /// Subscriptions get channels from here up, shared (``ConsumerChannels``), kept for the life of the connection.
    static let firstSubscriptionChannel: UInt16 = 3
    /// The ingress queue's consumer, alone on ``consumeChannel``.
    static let ingressConsumerTag = "ggw-ingress"
    /// How long one wait on the socket lasts when the inbox is empty: the most an ack or publish waits to go out
    /// while the connection is busy (an idle one sleeps instead, ``IdleSchedule``).
    static let idleWait = Duration.milliseconds(2)

    func run() {
        var generation = 0
        var backoff = Duration.milliseconds(500)
        let urls = client.settings.urls
        var address = 0
        while !isStopping {
            do {
                let connection = try connect(to: urls[address % urls.count])
                generation += 1
                client.held.connected(generation: generation)
                client.connectedGeneration.store(generation, ordering: .relaxed)
                client.logger.info("connected to RabbitMQ", metadata: ["amqp.generation": "\(generation)"])
                backoff = .milliseconds(500)
                var session = AMQPSession(client: client, connection: connection, generation: generation)
                try session.serve()
                client.connectedGeneration.store(0, ordering: .relaxed)
                client.held.connected(generation: 0)
                break
            } catch {
                client.connectedGeneration.store(0, ordering: .relaxed)
                client.held.connected(generation: 0)
                client.logger.error("RabbitMQ connection failed", metadata: ["error": "\(error)", "retry.in.ms": "\(backoff.millisecondsRoundedUp)"])
                address += 1
                sleepUnlessStopping(backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        let leftovers = client.inbox.withLock { inbox -> [AMQPInbox.Operation] in
            inbox.stopped = true
            defer { inbox.operations = [] }
            return inbox.operations
        }
        AMQPSession.fail(leftovers, AMQPError("publish", "the AMQP client stopped"))
        client.continuation.finish()
    }

    private var isStopping: Bool { client.inbox.withLock { $0.stopping } }

    private func connect(to url: String) throws(AMQPError) -> AMQPConnection {
        let settings = client.settings
        let connection = try AMQPConnection(
            url: url, heartbeatSeconds: settings.heartbeatSeconds, connectTimeout: settings.connectTimeout, logger: client.logger)
        try connection.openChannel(Self.consumeChannel)
        try connection.openChannel(Self.publishChannel)
        try settings.topology.declare(on: connection, channel: Self.publishChannel)
        try connection.confirmSelect(channel: Self.publishChannel)
        if settings.prefetch > 0 {
            try connection.qos(prefetch: settings.prefetch, channel: Self.consumeChannel)
            try connection.consume(queue: settings.topology.outbound, channel: Self.consumeChannel, consumerTag: Self.ingressConsumerTag)
        }
        return connection
    }

    private func sleepUnlessStopping(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline, !isStopping {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// One connection's life on the client's thread: its subscriptions' channels and its unconfirmed publishes.
struct AMQPSession {
    let client: AMQPClient
    let connection: AMQPConnection
    let generation: Int

    private var nextTag: UInt64 = 1
    private var awaiting: [UInt64: PublishConfirm] = [:]
    /// No publish older than this waits for its confirm.
    private var oldestAwaiting: UInt64 = 1
    /// Publishes the broker returned as unroutable; their confirm, which follows, fails them.
    private var returned: [UInt64: String] = [:]
    /// The channel and consumer tag of each queue consumed through a subscription, for this connection.
    private var consumers: ConsumerChannels
    /// The subscriptions being consumed now, by queue.
    private var consuming: [String: AMQPSubscription] = [:]
    /// Queues whose consumer was cancelled while deliveries it sent before the cancel may still wait in
    /// rabbitmq-c's frame queue (the cancel is a synchronous call that reads past them and keeps them).
    private var cancelledWithFramesPending: Set<String> = []
    private var subscriptionsVersion = -1
    /// Deliveries handed out and not yet settled, so that acks carried out together become `multiple` acks.
    private var unsettled = UnsettledDeliveries()
    /// Acks taken from the inbox in this turn, by channel, sent together at its end.
    private var acksDue: [UInt16: [UInt64]] = [:]
    private var nextDepthRead = ContinuousClock.now
    private var depthReads = DepthReadSchedule()
    private var idle: IdleSchedule

    init(client: AMQPClient, connection: AMQPConnection, generation: Int) {
        self.client = client
        self.connection = connection
        self.generation = generation
        consumers = ConsumerChannels(firstChannel: AMQPConnectionLoop.firstSubscriptionChannel, lastChannel: connection.channelMax)
        idle = IdleSchedule(heartbeatSeconds: connection.heartbeatSeconds)
    }

    /// Serves the connection until stopped (returns) or broken (throws, after failing what waits on it).
    mutating func serve() throws {
        // A local: the idle check below reads it in an autoclosure while `idle` (part of self) is being changed.
        let connection = connection
        var taken: [AMQPInbox.Operation] = []
        var carriedOut = 0
        do {
            while true {
                let (operations, subscriptions, version, stopping) = client.inbox.withLock { inbox in
                    defer { inbox.operations = [] }
                    return (inbox.operations, inbox.subscriptions, inbox.subscriptionsVersion, inbox.stopping)
                }
                taken = operations
                var active = !operations.isEmpty || stopping
                // Subscriptions first: a publish to a newly subscribed queue finds it declared.
                if version != subscriptionsVersion, !stopping {
                    try reconcile(subscriptions)
                    subscriptionsVersion = version
                    active = true
                }
                if !taken.isEmpty {
                    // Corking costs two setsockopt calls, skipped for a turn of one ack or reject (one frame). A
                    // publish is always corked: rabbitmq-c sends its frames with MSG_MORE, and for an empty body or
                    // one of a whole number of frames the last one too, which only the uncork pushes out.
                    if taken.count > 1 || taken.contains(where: \.isPublish) {
                        try connection.corked { () throws(AMQPError) in try carryOut(taken, counting: &carriedOut) }
                    } else {
                        try carryOut(taken, counting: &carriedOut)
                    }
                    taken = []
                    carriedOut = 0
                }
                if stopping, awaiting.isEmpty, operations.isEmpty {
                    return  // closing the connection requeues whatever is still unacked
                }
                if !stopping, ContinuousClock.now >= nextDepthRead {
                    try readDepths()
                }
                let event = try connection.nextEvent(timeout: operations.isEmpty ? AMQPConnectionLoop.idleWait : .zero)
                if case .timeout = event {} else { active = true }
                try handle(event, stopping: stopping)
                if !cancelledWithFramesPending.isEmpty || consumers.hasCancelled, !connection.holdsQueuedFrames {
                    client.held.stoppedConsuming(cancelledWithFramesPending)
                    cancelledWithFramesPending = []
                    consumers.forgetCancelled()
                }
                if active {
                    idle.active()
                } else if let length = idle.idleTurn(
                    now: ContinuousClock.now, nextDepthRead: nextDepthRead, buffered: connection.holdsBufferedInput)
                {
                    sleep(for: length)
                }
            }
        } catch {
            let lost = AMQPError("publish", "connection lost before the broker confirmed: \(error)")
            awaiting.values.forEach { $0.complete(.failure(lost)) }
            awaiting = [:]
            Self.fail(taken.dropFirst(carriedOut), lost)
            client.depths.withLock { $0 = [:] }
            throw error
        }
    }

    /// Sleeps in poll() on the socket and the client's eventfd for at most `length`. It says so under the inbox
    /// lock first, so that whoever hands work over next (and only then) signals the eventfd, and the busy path
    /// pays no system call for it; if work came in since this turn took the inbox, it does not sleep at all.
    private func sleep(for length: Duration) {
        guard let wakeup = client.wakeup else { return }
        let version = subscriptionsVersion
        let asleep = client.inbox.withLock { inbox in
            guard inbox.operations.isEmpty, inbox.subscriptionsVersion == version, !inbox.stopping else { return false }
            inbox.sleeping = true
            return true
        }
        guard asleep else { return }
        let reason = wakeup.wait(socket: connection.socket, timeout: length)
        client.inbox.withLock { $0.sleeping = false }
        // A signal that comes after the wait ended (the socket woke it) is drained by the next sleep, which it ends
        // at once: one turn too many, never a missed wakeup.
        if reason.contains(.signalled) { wakeup.drain() }
    }

    /// Answers every publish among `operations` with `error` (acks among them are moot: their connection is gone).
    static func fail(_ operations: some Sequence<AMQPInbox.Operation>, _ error: AMQPError) {
        for case .publish(_, let confirm) in operations {
            confirm.complete(.failure(error))
        }
    }

    /// Carries out `operations` in order, then this turn's acks; `carriedOut` counts those done, for failing
    /// the rest when the connection breaks.
    private mutating func carryOut(_ operations: [AMQPInbox.Operation], counting carriedOut: inout Int) throws(AMQPError) {
        for operation in operations {
            try carryOut(operation)
            carriedOut += 1
        }
        try sendAcksDue()
    }

    private mutating func carryOut(_ operation: AMQPInbox.Operation) throws(AMQPError) {
        switch operation {
        case .ack(let ack):
            guard ack.generation == generation else { return }
            switch ack.kind {
            case .ack:
                acksDue[ack.channel, default: []].append(ack.tag)
            case .requeue, .deadLetter:
                unsettled.settled(ack.tag, channel: ack.channel)
                try connection.reject(ack.tag, requeue: ack.kind == .requeue, channel: ack.channel)
            }
        case .publish(let message, let confirm):
            let tag = nextTag
            nextTag += 1
            awaiting[tag] = confirm
            try connection.publish(message, channel: AMQPConnectionLoop.publishChannel, tag: tag)
        }
    }

    /// Sends this turn's acks: per channel one `multiple` ack for those that settle its oldest deliveries.
    private mutating func sendAcksDue() throws(AMQPError) {
        let due = acksDue
        acksDue = [:]
        for (channel, tags) in due {
            for ack in unsettled.acks(for: tags, channel: channel) {
                try connection.ack(ack.tag, multiple: ack.multiple, channel: channel)
            }
        }
    }

    private mutating func handle(_ event: AMQPConnection.Event, stopping: Bool) throws(AMQPError) {
        switch event {
        case .delivery(let delivery, let channel, let consumerTag):
            if stopping {
                try connection.reject(delivery.deliveryTag, requeue: true, channel: channel)
                return
            }
            let queue =
                channel == AMQPConnectionLoop.consumeChannel
                ? client.settings.topology.outbound : consumers.queue(consumedBy: consumerTag)
            guard let queue else {
                try connection.reject(delivery.deliveryTag, requeue: true, channel: channel)
                return
            }
            unsettled.delivered(delivery.deliveryTag, channel: channel, queue: queue)
            depthReads.deliveryHandedOut(from: queue)
            client.held.handedOut(from: queue)
            client.continuation.yield(BrokerDelivery(delivery: delivery, generation: generation, channel: channel, queue: queue))
        case .confirm(let tag, let multiple, let ok):
            // Tags go up by one per publish, so a multiple confirm covers oldestAwaiting…tag (some already gone).
            let confirmed = multiple ? min(oldestAwaiting, tag)...tag : tag...tag
            if multiple || tag == oldestAwaiting { oldestAwaiting = max(oldestAwaiting, tag + 1) }
            for confirmedTag in confirmed {
                guard let waiting = awaiting.removeValue(forKey: confirmedTag) else { continue }
                if let reason = returned.removeValue(forKey: confirmedTag) {
                    waiting.complete(.failure(AMQPError("publish", "the broker could not route the message: \(reason)")))
                } else if ok {
                    waiting.complete(.success(()))
                } else {
                    waiting.complete(.failure(AMQPError("publish", "the broker refused the message (nack)")))
                }
            }
        case .returned(let publishTag, let replyText):
            if let publishTag, awaiting[publishTag] != nil {
                returned[publishTag] = replyText
            } else {
                client.logger.warning("broker returned a message the gateway cannot match", metadata: ["reason": "\(replyText)"])
            }
        case .consumerCancelled(let consumerTag, let channel):
            if channel == AMQPConnectionLoop.consumeChannel {
                throw AMQPError("consume", "the broker cancelled the consumer of \(client.settings.topology.outbound)")
            }
            // One org's queue (deleted, say): consume it again at the next turn's reconcile, which declares it
            // anew, rather than dropping the connection every other org's consumer shares. A tag that is no longer
            // live is a consumer the gateway cancelled itself meanwhile.
            guard let queue = consumers.liveQueue(consumedBy: consumerTag) else { return }
            client.logger.warning("the broker cancelled a consumer; consuming its queue again", metadata: ["amqp.queue": "\(queue)"])
            consumers.remove(queue)
            consuming[queue] = nil
            cancelledWithFramesPending.insert(queue)
            subscriptionsVersion = -1
        case .timeout:
            break
        }
    }

    /// Starts consuming what was subscribed, stops consuming what was unsubscribed. Each consumer's prefetch is
    /// set just before its consume: with global=false, basic.qos holds for each consumer started after it on the
    /// channel on its own, so the other consumers of a shared channel keep theirs.
    ///
    /// A queue's bindings outlive its consumer (another replica may consume it next): they are removed only when a
    /// changed subscription drops them.
    private mutating func reconcile(_ wanted: [String: AMQPSubscription]) throws(AMQPError) {
        for (queue, subscription) in consuming where wanted[queue] != subscription {
            if let consumer = consumers.remove(queue) {
                try connection.cancelConsumer(consumer.tag, channel: consumer.channel)
                for binding in subscription.bindings where wanted[queue].map({ !$0.bindings.contains(binding) }) ?? false {
                    try connection.unbindQueue(queue, exchange: binding.exchange, routingKey: binding.routingKey, channel: consumer.channel)
                }
            }
            consuming[queue] = nil
            cancelledWithFramesPending.insert(queue)
        }
        for (queue, subscription) in wanted.sorted(by: { $0.key < $1.key }) where consuming[queue] == nil {
            let channel = try channel(for: queue)
            let ready = try connection.declareQueue(queue, arguments: subscription.queue.table, channel: channel)
            for binding in subscription.bindings {
                try connection.bindQueue(queue, exchange: binding.exchange, routingKey: binding.routingKey, channel: channel)
            }
            try connection.qos(prefetch: subscription.prefetch, channel: channel)
            try connection.consume(queue: queue, channel: channel, consumerTag: try consumerTag(of: queue))
            consuming[queue] = subscription
            cancelledWithFramesPending.remove(queue)
            client.held.consuming(queue)
            depthReads.read(queue, depth: ready)
            client.depths.withLock { $0[queue] = ready }
        }
    }

    /// The channel of a new consumer of `queue`: one with room among those subscriptions share, opened if the
    /// consumer is its first.
    private mutating func channel(for queue: String) throws(AMQPError) -> UInt16 {
        guard let (consumer, opensChannel) = consumers.add(queue) else {
            throw AMQPError("consume \(queue)", "too many subscriptions on one connection (\(consuming.count))")
        }
        if opensChannel { try connection.openChannel(consumer.channel) }
        return consumer.channel
    }

    /// The tag of the consumer ``channel(for:)`` placed for `queue`.
    private func consumerTag(of queue: String) throws(AMQPError) -> String {
        guard let consumer = consumers.consumer(of: queue) else { throw AMQPError("consume \(queue)", "no consumer placed") }
        return consumer.tag
    }

    /// Reads how many messages wait in the consumed queues that may hold some (a redeclare answers with the
    /// count; ``DepthReadSchedule`` says which, so an idle org costs no round trip).
    private mutating func readDepths() throws(AMQPError) {
        let unsettled = unsettled
        for queue in depthReads.queuesToRead(of: consuming.keys, unsettled: { unsettled.count(from: $0) }) {
            guard let channel = consumers.consumer(of: queue)?.channel, let subscription = consuming[queue] else { continue }
            depthReads.read(queue, depth: try connection.declareQueue(queue, arguments: subscription.queue.table, channel: channel))
        }
        let counts = depthReads.roundDone(consumed: Set(consuming.keys))
        client.depths.withLock { $0 = counts }
        nextDepthRead = ContinuousClock.now + client.settings.depthInterval
    }
}
