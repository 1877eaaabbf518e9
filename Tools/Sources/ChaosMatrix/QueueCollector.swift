import AMQPTransport
import Broker
import Logging
import Synchronization

/// Takes everything that arrives in some of a run's queues (acking it): what the gateway dead-letters or
/// parks, so the report can tell a message safely set aside from a lost one; and at the end what is left in
/// the queues the gateway consumed, to tell a late message from a spare copy of a delivered one.
final class QueueCollector: Sendable {
    private let client: AMQPClient
    private let bodies = Mutex<[[UInt8]]>([])

    /// Collects the run's dead-letter and parking queues.
    convenience init(setAsideIn topology: QueueTopology, url: String, logger: Logger) {
        self.init(
            queues: [topology.deadLetterQueue, topology.parkedQueue].map { AMQPQueueDeclaration(name: $0, arguments: []) },
            url: url, topology: topology, logger: logger)
    }

    /// Collects `queues`, declared exactly as the gateway declares them (or the broker refuses the consumer).
    init(queues: [AMQPQueueDeclaration], url: String, topology: QueueTopology, logger: Logger) {
        client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        for queue in queues {
            client.subscribe(AMQPSubscription(queue: queue, prefetch: 200))
        }
    }

    /// Consumes until ``stop()``; reconnects by itself when the broker goes away.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            for await inbound in client.deliveries {
                bodies.withLock { $0.append(inbound.delivery.body) }
                client.ack(inbound)
            }
        }
    }

    func stop() { client.stop() }

    /// Runs until nothing arrived for a second (at most 30 s), then stops; returns what it took.
    func collectUntilQuiet() async -> [[UInt8]] {
        async let running: Void = run()
        var seen = -1
        for _ in 0..<30 {
            try? await Task.sleep(for: .seconds(1))
            let count = collected.count
            if count == seen { break }
            seen = count
        }
        stop()
        await running
        return collected
    }

    var collected: [[UInt8]] { bodies.withLock { $0 } }
}
