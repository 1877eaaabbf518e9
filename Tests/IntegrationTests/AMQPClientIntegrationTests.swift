import Foundation
import GatewayTestSupport
@testable import GatewayCore
@testable import AMQPTransport
import Logging
import Synchronization
import Testing
@testable import Broker

/// The AMQP client against a real RabbitMQ: mandatory publishes, subscriptions with their own prefetch.
@Suite(.timeLimit(.minutes(1))) struct AMQPClientIntegrationTests {
    /// Runs a connected client for `body`, then stops it; `configure` may change its settings first.
    func withClient<T: Sendable>(
        _ name: String, configure: (inout AMQPClient.Settings) -> Void = { _ in },
        _ body: @Sendable (AMQPClient, QueueTopology) async throws -> T
    ) async throws -> T {
        let topology = BrokerProbe.uniqueTopology(name)
        var settings = AMQPClient.Settings(url: try BrokerProbe.url, topology: topology, prefetch: 0, depthInterval: .milliseconds(200))
        configure(&settings)
        let client = AMQPClient(settings: settings, logger: .quiet(name))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { client.stop() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !client.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return try await body(client, topology)
        }
    }

    @Test func aMandatoryPublishThatReachesNoQueueFailsAndAPlainOneIsConfirmed() async throws {
        try await withClient("mandatory") { client, topology in
            let nowhere = topology.outbound + ".no-such-queue"
            await #expect(throws: AMQPError.self) {
                try await client.publish(AMQPMessage(routingKey: nowhere, body: [1], mandatory: true))
            }
            // Without mandatory the broker confirms what it dropped (why every copy the gateway makes is mandatory).
            try await client.publish(AMQPMessage(routingKey: nowhere, body: [2]))
            // The connection is still usable, and a routable mandatory publish is confirmed.
            try await client.publish(AMQPMessage(routingKey: topology.outbound, body: [3], mandatory: true))
        }
    }

    /// Issue 30: one broker address only. Given a cluster's nodes, the client moves to the next after a failed
    /// connection: here the first address answers nothing, and the client connects to the second.
    @Test func aClientGivenSeveralAddressesConnectsToTheNextWhenOneFails() async throws {
        let live = try BrokerProbe.url
        let dead = "amqp://guest:guest@127.0.0.1:\(try FreePort.pick())/%2F"
        let started = ContinuousClock.now
        try await withClient("failover", configure: { settings in
            settings.url = dead
            settings.fallbackURLs = [live]
            settings.connectTimeout = .seconds(1)
        }) { client, topology in
            #expect(client.isConnected, "not connected to the second address")
            #expect(ContinuousClock.now - started < .seconds(5))
            try await client.publish(AMQPMessage(routingKey: topology.outbound, body: [1], mandatory: true))
        }
    }

    /// Every publish carries the connection's user as `user_id` (RabbitMQ checks it), so a tenant's `publishers`
    /// can tell the gateway's own copies from a publisher's.
    @Test func everyPublishCarriesTheConnectionsUser() async throws {
        try await withClient("user-id") { client, topology in
            #expect(client.userID == "guest")
            // A classic queue of the test's own: `basic.get` is not for the quorum queues of the topology.
            let queue = topology.outbound + ".user-id"
            let connection = try AMQPConnection(url: try BrokerProbe.url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
            try connection.openChannel(1)
            _ = try connection.declareQueue(queue, arguments: [], channel: 1)
            try await client.publish(AMQPMessage(routingKey: queue, body: [1], mandatory: true))
            let received = try BrokerProbe(url: try BrokerProbe.url, topology: topology).drain(queue)
            #expect(received.map(\.userID) == ["guest"])
        }
    }

    /// Found by the fault matrix: a status event for a message claiming a 10,000-character org carried a
    /// routing key longer than AMQP's 255-byte short string; the broker closed the whole connection, and
    /// every tenant's in-flight messages with it.
    @Test func aPublishWithAnOverlongShortStringFailsAloneAndTheConnectionStays() async throws {
        try await withClient("shortstring") { client, topology in
            let generation = client.generation
            let tooLong = String(repeating: "o", count: 256)
            for message in [
                AMQPMessage(routingKey: tooLong, body: [1]),
                AMQPMessage(exchange: tooLong, routingKey: topology.outbound, body: [2]),
                AMQPMessage(routingKey: topology.outbound, body: [3], messageID: tooLong),
                AMQPMessage(routingKey: topology.outbound, body: [4], headers: [(tooLong, .int(1))]),
            ] {
                await #expect(throws: AMQPError.self) { try await client.publish(message) }
            }
            try await client.publish(AMQPMessage(routingKey: topology.outbound, body: [5], mandatory: true))
            #expect(client.generation == generation, "the connection was dropped")
        }
    }

    @Test func aSubscriptionHandsOverNoMoreThanItsPrefetchUntilAcked() async throws {
        try await withClient("subscription") { client, topology in
            let queue = topology.orgQueueDeclaration(for: OrgKey(tenantID: "acme", orgName: "us"))
            client.subscribe(AMQPSubscription(queue: queue, prefetch: 2))
            for number in 0..<10 {
                try await client.publish(AMQPMessage(routingKey: queue.name, body: [UInt8(number)], mandatory: true))
            }
            let received = Mutex<[BrokerDelivery]>([])
            let reader = Task {
                for await inbound in client.deliveries {
                    received.withLock { $0.append(inbound) }
                }
            }
            defer { reader.cancel() }
            try await Task.sleep(for: .milliseconds(500))
            let first = received.withLock { $0 }
            #expect(first.count == 2, "prefetch 2: two deliveries until one is acked")
            #expect(first.allSatisfy { $0.queue == queue.name })
            #expect(first.map(\.delivery.body) == [[0], [1]], "in queue order")
            #expect(client.queueDepths[queue.name] == 8, "the rest waits in the queue, and the client reads how many")

            first.forEach { client.ack($0) }
            let deadline = ContinuousClock.now + .seconds(5)
            while received.withLock({ $0.count }) < 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(received.withLock { $0.map(\.delivery.body) }.prefix(4) == [[0], [1], [2], [3]])

            client.unsubscribe(queue: queue.name)
            #expect(!client.subscribedQueues.contains(queue.name))
        }
    }

    /// How a replica letting go of an org queue knows it holds none of its messages: the client counts what it
    /// handed out until it is settled — also deliveries nobody has read from its stream yet — and says when the
    /// cancelled consumer can deliver no more.
    @Test func deliveriesHeldCountWhatWasHandedOutUntilSettledAndEndWithTheCancel() async throws {
        try await withClient("held") { client, topology in
            let queue = topology.orgQueueDeclaration(for: OrgKey(tenantID: "acme", orgName: "held"))
            #expect(client.deliveriesHeld(from: queue.name).isNone)
            client.subscribe(AMQPSubscription(queue: queue, prefetch: 3))
            for number in 0..<6 {
                try await client.publish(AMQPMessage(routingKey: queue.name, body: [UInt8(number)], mandatory: true))
            }
            func eventually(_ condition: () -> Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(5)
                while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                return condition()
            }
            // Nobody reads the stream: the three deliveries wait there, and count as held all the same.
            #expect(try await eventually { client.deliveriesHeld(from: queue.name) == HeldDeliveries(unsettled: 3, mayReceiveMore: true) })
            client.unsubscribe(queue: queue.name)
            #expect(
                try await eventually { client.deliveriesHeld(from: queue.name) == HeldDeliveries(unsettled: 3, mayReceiveMore: false) },
                "the cancel did not end the consumer's deliveries: \(client.deliveriesHeld(from: queue.name))")
            var iterator = client.deliveries.makeAsyncIterator()
            for expected in 0..<3 {
                let inbound = try #require(await iterator.next())
                #expect(inbound.delivery.body == [UInt8(expected)] && inbound.queue == queue.name)
                client.ack(inbound)
            }
            #expect(client.deliveriesHeld(from: queue.name).isNone)
        }
    }
}
