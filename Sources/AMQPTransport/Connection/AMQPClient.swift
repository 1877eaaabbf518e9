public import Broker
import CGatewayShims
import Foundation
public import Logging
import Synchronization

/// The gateway's RabbitMQ connection: one thread owns it (rabbitmq-c is blocking and not thread-safe) and
/// does everything on it — consume, ack, publish with confirms, heartbeats — while async callers hand it
/// work through a locked inbox.
///
/// It consumes the ingress queue (`genesys.outbound`, when `prefetch > 0`) and any number of further queues
/// (``subscribe(_:)``), each with its own prefetch, so that one queue's unacked window never holds back
/// another's; their consumers share channels (``ConsumerChannels``), so that their number is not capped by the
/// connection's `channel_max`. Work handed to the inbox is carried out in the order it was handed over:
/// publishes made one after another reach the broker in that order.
///
/// While deliveries, acks or publishes flow, the thread waits on the socket 2 ms at a time, which batches acks;
/// once the connection has been idle a while it sleeps until the socket is readable or a caller hands it work
/// (``IdleSchedule``, ``AMQPWakeup``).
///
/// On any connection failure it fails pending publishes, forgets in-flight deliveries (the broker
/// redelivers what was not acked), and reconnects with backoff, re-declaring the topology and every
/// subscription. Deliveries carry the connection generation they came from; an ack for an older
/// generation is dropped.
public final class AMQPClient: MessageBroker {
    public struct Settings: Sendable {
        public var url: String
        /// More addresses of the same broker (a cluster's other nodes), tried after `url` in order: the connection
        /// moves to the next after each failed or lost connection, as RabbitMQ's client libraries do with a list.
        public var fallbackURLs: [String]
        public var topology: QueueTopology
        /// Unacked deliveries of the ingress queue the broker sends at once (0: do not consume it).
        public var prefetch: UInt16
        public var heartbeatSeconds: Int
        public var connectTimeout: Duration
        /// How often the message counts of subscribed queues are read (``queueDepths``).
        public var depthInterval: Duration

        public init(
            url: String, fallbackURLs: [String] = [], topology: QueueTopology = QueueTopology(), prefetch: UInt16 = 200,
            heartbeatSeconds: Int = 30, connectTimeout: Duration = .seconds(5), depthInterval: Duration = .seconds(2)
        ) {
            self.url = url
            self.fallbackURLs = fallbackURLs
            self.topology = topology
            self.prefetch = prefetch
            self.heartbeatSeconds = heartbeatSeconds
            self.connectTimeout = connectTimeout
            self.depthInterval = depthInterval
        }

        /// Every address, in the order they are tried.
        public var urls: [String] { [url] + fallbackURLs }
    }

    package let settings: Settings
    /// The user the connection logs in as, when the URL says (``AMQPURL/userName``): every publish without a
    /// `userID` of its own carries it.
    public let userID: String?

    public var topology: QueueTopology { settings.topology }
    let logger: Logger
    let inbox = Mutex(AMQPInbox())
    private let stream: AsyncStream<BrokerDelivery>
    let continuation: AsyncStream<BrokerDelivery>.Continuation
    let connectedGeneration = Atomic<Int>(0)
    let depths = Mutex<[String: Int]>([:])
    let held = HeldDeliveryLedger()
    /// Wakes the thread from its idle sleep; nil if no eventfd could be made, and the thread then never sleeps.
    let wakeup: AMQPWakeup?

    /// Messages from the ingress queue and every subscription.
    public var deliveries: AsyncStream<BrokerDelivery> { stream }

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        userID = (try? AMQPURL(parsing: settings.url))?.userName
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        wakeup = AMQPWakeup()
        if wakeup == nil {
            logger.warning("no eventfd for the AMQP thread: it will wait on the socket every 2 ms even when idle")
        }
    }

    /// The connection deliveries come from now (0 while disconnected): a delivery of another generation can
    /// no longer be acked, and the broker hands it out again.
    public var generation: Int { connectedGeneration.load(ordering: .relaxed) }

    /// Hands `message` to the connection thread now, behind everything handed over before it, and returns
    /// the confirm to wait for. Publishes submitted one after another reach the broker in that order.
    public func submit(_ message: AMQPMessage) -> PublishConfirm {
        let confirm = PublishConfirm()
        var message = message
        if message.userID == nil { message.userID = userID }
        if let problem = message.shortStringProblem {
            confirm.complete(.failure(AMQPError("publish", problem)))
            return confirm
        }
        let (accepted, wake) = inbox.withLock { inbox -> (Bool, Bool) in
            guard !inbox.stopped else { return (false, false) }
            inbox.operations.append(.publish(message, confirm))
            return (true, inbox.wakeSleeper())
        }
        if wake { wakeup?.signal() }
        if !accepted { confirm.complete(.failure(AMQPError("publish", "the AMQP client is stopped"))) }
        return confirm
    }

    /// Acknowledges a delivery (done with it). Dropped if the connection it came from is gone.
    public func ack(_ inbound: BrokerDelivery) {
        settle(inbound, .ack)
    }

    /// Hands a delivery back to the broker (`requeue`) or lets it dead-letter to the DLX.
    public func reject(_ inbound: BrokerDelivery, requeue: Bool) {
        settle(inbound, requeue ? .requeue : .deadLetter)
    }

    private func settle(_ inbound: BrokerDelivery, _ kind: PendingAck.Kind) {
        held.settled(from: inbound.queue, generation: inbound.generation)
        let wake = inbox.withLock { inbox in
            inbox.operations.append(.ack(PendingAck(
                tag: inbound.delivery.deliveryTag, channel: inbound.channel, generation: inbound.generation, kind: kind)))
            return inbox.wakeSleeper()
        }
        if wake { wakeup?.signal() }
    }

    /// Declares `subscription.queue` (if needed) and consumes it with its own prefetch (on a channel it may
    /// share with other subscriptions), now and after every reconnect, until ``unsubscribe(queue:)``. Repeating
    /// it is cheap.
    public func subscribe(_ subscription: AMQPSubscription) {
        let wake = inbox.withLock { inbox in
            guard inbox.subscriptions[subscription.queue.name] != subscription else { return false }
            inbox.subscriptions[subscription.queue.name] = subscription
            inbox.subscriptionsVersion += 1
            return inbox.wakeSleeper()
        }
        if wake { wakeup?.signal() }
    }

    /// Stops consuming `queue` (deliveries already handed out stay valid: ack them as usual).
    public func unsubscribe(queue: String) {
        let wake = inbox.withLock { inbox in
            guard inbox.subscriptions.removeValue(forKey: queue) != nil else { return false }
            inbox.subscriptionsVersion += 1
            return inbox.wakeSleeper()
        }
        if wake { wakeup?.signal() }
        _ = depths.withLock { $0.removeValue(forKey: queue) }
    }

    /// The queues consumed through ``subscribe(_:)``, by name.
    public var subscribedQueues: Set<String> {
        inbox.withLock { Set($0.subscriptions.keys) }
    }

    /// Messages waiting in each subscribed queue (ready, not yet handed to the gateway), as last read.
    public var queueDepths: [String: Int] {
        depths.withLock { $0 }
    }

    public func deliveriesHeld(from queue: String) -> HeldDeliveries {
        held.held(from: queue)
    }

    /// Runs the connection thread until ``stop()``; returns when the connection is closed.
    public func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                cgs_set_current_thread_name("amqp")
                AMQPConnectionLoop(client: self).run()
                done.resume()
            }
            thread.start()
        }
    }

    /// Stops consuming; deliveries not yet handed out are requeued, pending acks and publishes are flushed,
    /// then the connection closes and ``run()`` returns.
    public func stop() {
        let wake = inbox.withLock { inbox in
            inbox.stopping = true
            return inbox.wakeSleeper()
        }
        if wake { wakeup?.signal() }
    }
}

/// Work handed to the connection thread, carried out in order.
struct AMQPInbox {
    enum Operation {
        case publish(AMQPMessage, PublishConfirm)
        case ack(PendingAck)

        var isPublish: Bool {
            if case .publish = self { return true }
            return false
        }
    }

    var operations: [Operation] = []
    var subscriptions: [String: AMQPSubscription] = [:]
    /// Bumped on every change of `subscriptions`, so the thread reconciles only when something changed.
    var subscriptionsVersion = 0
    var stopping = false
    var stopped = false
    /// The connection thread sleeps (``AMQPWakeup``): whoever hands it work must wake it.
    var sleeping = false

    /// Whether what was just handed over must wake the thread; true once per sleep, so one signal wakes it.
    mutating func wakeSleeper() -> Bool {
        defer { sleeping = false }
        return sleeping
    }
}

struct PendingAck {
    enum Kind { case ack, requeue, deadLetter }
    var tag: UInt64
    var channel: UInt16
    var generation: Int
    var kind: Kind
}
