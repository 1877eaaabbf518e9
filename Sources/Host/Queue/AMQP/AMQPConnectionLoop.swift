import Foundation
import Logging

/// The body of ``AMQPClient``'s thread: connect, declare, consume, then serve the inbox and the socket
/// until stopped; on failure, reconnect with backoff (0.5 s doubling to 5 s).
struct AMQPConnectionLoop {
    let client: AMQPClient

    static let consumeChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2
    /// How long one wait on the socket lasts when idle: the most an ack or publish waits to go out.
    static let idleWait = Duration.milliseconds(2)

    func run() {
        var generation = 0
        var backoff = Duration.milliseconds(500)
        while !isStopping {
            do {
                let connection = try connect()
                generation += 1
                client.connectedGeneration.store(generation, ordering: .relaxed)
                client.logger.info("connected to RabbitMQ", metadata: ["amqp.generation": "\(generation)"])
                backoff = .milliseconds(500)
                try serve(connection, generation: generation)
                client.connectedGeneration.store(0, ordering: .relaxed)
                break
            } catch {
                client.connectedGeneration.store(0, ordering: .relaxed)
                client.logger.error("RabbitMQ connection failed", metadata: ["error": "\(error)", "retry.in.ms": "\(backoff.millisecondsRoundedUp)"])
                sleepUnlessStopping(backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        let leftovers = client.inbox.withLock { inbox -> [PendingPublish] in
            inbox.stopped = true
            defer { inbox.publishes = [] }
            return inbox.publishes
        }
        leftovers.forEach { $0.continuation.resume(throwing: AMQPError("publish", "the AMQP client stopped")) }
        client.continuation.finish()
    }

    private var isStopping: Bool { client.inbox.withLock { $0.stopping } }

    private func connect() throws(AMQPError) -> AMQPConnection {
        let settings = client.settings
        let connection = try AMQPConnection(
            url: settings.url, heartbeatSeconds: settings.heartbeatSeconds, connectTimeout: settings.connectTimeout)
        try connection.openChannel(Self.consumeChannel)
        try connection.openChannel(Self.publishChannel)
        try settings.topology.declare(on: connection, channel: Self.publishChannel)
        try connection.confirmSelect(channel: Self.publishChannel)
        if settings.prefetch > 0 {
            try connection.qos(prefetch: settings.prefetch, channel: Self.consumeChannel)
            try connection.consume(queue: settings.topology.outbound, channel: Self.consumeChannel)
        }
        return connection
    }

    /// Serves one connection until stopped (returns) or broken (throws).
    private func serve(_ connection: AMQPConnection, generation: Int) throws {
        var nextTag: UInt64 = 1
        var awaiting: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        do {
            while true {
                let (publishes, acks, stopping) = client.inbox.withLock { inbox in
                    defer { inbox.publishes = []; inbox.acks = [] }
                    return (inbox.publishes, inbox.acks, inbox.stopping)
                }
                for ack in acks where ack.generation == generation {
                    switch ack.kind {
                    case .ack: try connection.ack(ack.tag, channel: Self.consumeChannel)
                    case .requeue: try connection.reject(ack.tag, requeue: true, channel: Self.consumeChannel)
                    case .deadLetter: try connection.reject(ack.tag, requeue: false, channel: Self.consumeChannel)
                    }
                }
                for publish in publishes {
                    awaiting[nextTag] = publish.continuation
                    nextTag += 1
                    try connection.publish(publish.message, channel: Self.publishChannel)
                }
                if stopping, awaiting.isEmpty, publishes.isEmpty {
                    return  // closing the connection requeues whatever is still unacked
                }
                let busy = !publishes.isEmpty || !acks.isEmpty
                switch try connection.nextEvent(timeout: busy ? .zero : Self.idleWait) {
                case .delivery(let delivery):
                    if stopping {
                        try connection.reject(delivery.deliveryTag, requeue: true, channel: Self.consumeChannel)
                    } else {
                        client.continuation.yield(AMQPClient.Inbound(delivery: delivery, generation: generation))
                    }
                case .confirm(let tag, let multiple, let ok):
                    let confirmed = multiple ? awaiting.keys.filter { $0 <= tag } : [tag]
                    for confirmedTag in confirmed {
                        guard let waiting = awaiting.removeValue(forKey: confirmedTag) else { continue }
                        if ok { waiting.resume() } else { waiting.resume(throwing: AMQPError("publish", "the broker refused the message (nack)")) }
                    }
                case .consumerCancelled:
                    throw AMQPError("consume", "the broker cancelled the consumer of \(client.settings.topology.outbound)")
                case .timeout:
                    continue
                }
            }
        } catch {
            for waiting in awaiting.values {
                waiting.resume(throwing: AMQPError("publish", "connection lost before the broker confirmed: \(error)"))
            }
            throw error
        }
    }

    private func sleepUnlessStopping(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline, !isStopping {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
