import GatewayHost
import Logging
import Synchronization

/// Takes everything the gateway dead-letters or parks in one run (acking it), so the report can tell a
/// message safely set aside from one that is lost.
final class DeadLetterCollector: Sendable {
    private let client: AMQPClient
    private let bodies = Mutex<[[UInt8]]>([])

    init(url: String, topology: QueueTopology, logger: Logger) {
        client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        for queue in [topology.deadLetterQueue, topology.parkedQueue] {
            client.subscribe(AMQPSubscription(queue: AMQPQueueDeclaration(name: queue, arguments: []), prefetch: 200))
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

    var collected: [[UInt8]] { bodies.withLock { $0 } }
}
