import Foundation
import GatewayTestSupport
@testable import GatewayCore
@testable import AMQPTransport
import Logging
import Synchronization
import Testing
@testable import Broker

/// The direct path against a real RabbitMQ (docs/isolation.md): the org exchange routes `<tenant>.<org>` into the
/// bound org queue, sends what no queue is bound with through its alternate exchange to the ingress queue, and a
/// changed subscription that drops a binding removes it from the broker.
@Suite(.timeLimit(.minutes(1))) struct DirectPathIntegrationTests {
    static let org = OrgKey(tenantID: "acme", orgName: "us")

    /// Runs a client that consumes the ingress queue and one org queue bound as the default org, with the deliveries
    /// it received so far.
    func withBoundOrgQueue(
        _ name: String, _ body: @Sendable (AMQPClient, QueueTopology, _ received: @Sendable () -> [BrokerDelivery]) async throws -> Void
    ) async throws {
        let topology = BrokerProbe.uniqueTopology(name)
        let client = AMQPClient(settings: .init(url: try BrokerProbe.url, topology: topology, prefetch: 50), logger: .quiet(name))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { client.stop() }
            let received = ReceivedDeliveries()
            group.addTask {
                for await inbound in client.deliveries {
                    received.all.withLock { $0.append(inbound) }
                    client.ack(inbound)
                }
            }
            client.subscribe(AMQPSubscription(
                queue: topology.orgQueueDeclaration(for: Self.org), prefetch: 10,
                bindings: topology.directBindings(for: Self.org, isDefault: true)))
            _ = try await AMQPClientIntegrationTests.eventually(within: .seconds(10)) {
                client.isConnected && client.queueDepths[topology.orgQueue(for: Self.org)] != nil
            }
            try await body(client, topology) { received.all.withLock { $0 } }
        }
    }

    @Test func aKeyedMessageGoesStraightToItsOrgQueueAndAnUnboundKeyToTheIngressQueue() async throws {
        try await withBoundOrgQueue("direct") { client, topology, received in
            for (number, key) in ["acme.us", "acme", "acme.eu", "other.us", ""].enumerated() {
                try await client.publish(AMQPMessage(
                    exchange: topology.orgExchange, routingKey: key, body: [UInt8(number)], mandatory: true))
            }
            _ = try await AMQPClientIntegrationTests.eventually(within: .seconds(10)) { received().count == 5 }
            let byBody = Dictionary(uniqueKeysWithValues: received().map { ($0.delivery.body, $0.queue) })
            let orgQueue = topology.orgQueue(for: Self.org)
            #expect(byBody == [[0]: orgQueue, [1]: orgQueue, [2]: topology.outbound, [3]: topology.outbound, [4]: topology.outbound])
        }
    }

    @Test func aSubscriptionThatDropsABindingRemovesItFromTheBroker() async throws {
        try await withBoundOrgQueue("unbind") { client, topology, received in
            let orgQueue = topology.orgQueue(for: Self.org)
            // No longer the default org: the tenant-only key must stop leading to this queue.
            client.subscribe(AMQPSubscription(
                queue: topology.orgQueueDeclaration(for: Self.org), prefetch: 10,
                bindings: topology.directBindings(for: Self.org, isDefault: false)))
            try await Task.sleep(for: .milliseconds(300))  // the client's thread reconciles on its next turn
            try await client.publish(AMQPMessage(exchange: topology.orgExchange, routingKey: "acme", body: [1], mandatory: true))
            try await client.publish(AMQPMessage(exchange: topology.orgExchange, routingKey: "acme.us", body: [2], mandatory: true))
            _ = try await AMQPClientIntegrationTests.eventually(within: .seconds(10)) { received().count == 2 }
            let byBody = Dictionary(uniqueKeysWithValues: received().map { ($0.delivery.body, $0.queue) })
            #expect(byBody == [[1]: topology.outbound, [2]: orgQueue])
        }
    }

    private final class ReceivedDeliveries: Sendable {
        let all = Mutex<[BrokerDelivery]>([])
    }
}
