import CGatewayShims
import Foundation
import Logging
import Synchronization

/// The gateway's RabbitMQ connection: one thread owns it (rabbitmq-c is blocking and not thread-safe) and
/// does everything on it — consume, ack, publish with confirms, heartbeats — while async callers hand it
/// work through a locked inbox.
///
/// On any connection failure it fails pending publishes, forgets in-flight deliveries (the broker
/// redelivers what was not acked), and reconnects with backoff, re-declaring the topology. Deliveries
/// carry the connection generation they came from; an ack for an older generation is dropped.
public final class AMQPClient: Sendable {
    public struct Settings: Sendable {
        public var url: String
        public var topology: QueueTopology
        /// Unacked deliveries the broker sends at once (0: do not consume; publish only).
        public var prefetch: UInt16
        public var heartbeatSeconds: Int
        public var connectTimeout: Duration

        public init(url: String, topology: QueueTopology = QueueTopology(), prefetch: UInt16 = 200, heartbeatSeconds: Int = 30, connectTimeout: Duration = .seconds(5)) {
            self.url = url
            self.topology = topology
            self.prefetch = prefetch
            self.heartbeatSeconds = heartbeatSeconds
            self.connectTimeout = connectTimeout
        }
    }

    /// A delivery and the connection it came from.
    public struct Inbound: Sendable {
        public var delivery: AMQPDelivery
        public var generation: Int
    }

    let settings: Settings
    let logger: Logger
    let inbox = Mutex(AMQPInbox())
    private let stream: AsyncStream<Inbound>
    let continuation: AsyncStream<Inbound>.Continuation
    let connectedGeneration = Atomic<Int>(0)

    /// Messages from `genesys.outbound` (only when `prefetch > 0`).
    public var deliveries: AsyncStream<Inbound> { stream }

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// True while connected (for readiness).
    public var isConnected: Bool { connectedGeneration.load(ordering: .relaxed) > 0 }

    /// Publishes `message` and returns once the broker confirmed it (persisted). Throws ``AMQPError`` when
    /// the broker refuses it or the connection breaks first.
    public func publish(_ message: AMQPMessage) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = inbox.withLock { inbox -> Bool in
                guard !inbox.stopped else { return false }
                inbox.publishes.append(PendingPublish(message: message, continuation: continuation))
                return true
            }
            if !accepted { continuation.resume(throwing: AMQPError("publish", "the AMQP client is stopped")) }
        }
    }

    /// Acknowledges a delivery (done with it). Dropped if the connection it came from is gone.
    public func ack(_ inbound: Inbound) {
        inbox.withLock { $0.acks.append(.init(tag: inbound.delivery.deliveryTag, generation: inbound.generation, kind: .ack)) }
    }

    /// Hands a delivery back to the broker (`requeue`) or lets it dead-letter to the DLX.
    public func reject(_ inbound: Inbound, requeue: Bool) {
        inbox.withLock {
            $0.acks.append(.init(tag: inbound.delivery.deliveryTag, generation: inbound.generation, kind: requeue ? .requeue : .deadLetter))
        }
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
        inbox.withLock { $0.stopping = true }
    }
}

/// Work handed to the connection thread.
struct AMQPInbox {
    var publishes: [PendingPublish] = []
    var acks: [PendingAck] = []
    var stopping = false
    var stopped = false
}

struct PendingPublish {
    var message: AMQPMessage
    var continuation: CheckedContinuation<Void, any Error>
}

struct PendingAck {
    enum Kind { case ack, requeue, deadLetter }
    var tag: UInt64
    var generation: Int
    var kind: Kind
}
