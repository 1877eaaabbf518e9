import Foundation
@testable import AMQPTransport
import Synchronization
import Testing
@testable import Broker

/// Subscriptions' consumers sharing channels (``ConsumerChannels``) against the real broker: each keeps its own
/// prefetch, acks interleave safely, and their number is no longer capped by `channel_max`.
extension AMQPClientIntegrationTests {
    /// A classic queue the broker deletes a minute after its consumer is gone, so that a test of thousands of
    /// queues leaves nothing behind.
    static func shortLivedQueue(_ name: String, prefetch: UInt16) -> AMQPSubscription {
        AMQPSubscription(
            queue: AMQPQueueDeclaration(name: name, arguments: [AMQPArgument("x-expires", .int(60_000))]), prefetch: prefetch)
    }

    static func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return condition()
    }

    @Test func consumersSharingAChannelKeepTheirOwnPrefetchAndTheirAcksInterleave() async throws {
        try await withClient("sharedchannel") { client, topology in
            let a = Self.shortLivedQueue(topology.outbound + ".a", prefetch: 2)
            let b = Self.shortLivedQueue(topology.outbound + ".b", prefetch: 3)
            client.subscribe(a)
            client.subscribe(b)
            #expect(try await Self.eventually { client.queueDepths.count == 2 })
            let generation = client.generation
            for number in 0..<10 {
                try await client.publish(AMQPMessage(routingKey: a.queue.name, body: [UInt8(number)], mandatory: true))
                try await client.publish(AMQPMessage(routingKey: b.queue.name, body: [UInt8(number)], mandatory: true))
            }
            let received = Mutex<[BrokerDelivery]>([])
            let reader = Task {
                for await inbound in client.deliveries { received.withLock { $0.append(inbound) } }
            }
            defer { reader.cancel() }
            try await Task.sleep(for: .milliseconds(500))
            let first = received.withLock { $0 }
            #expect(first.filter { $0.queue == a.queue.name }.count == 2, "a's prefetch is 2 on the shared channel")
            #expect(first.filter { $0.queue == b.queue.name }.count == 3, "b's prefetch is 3, not a's")
            #expect(Set(first.map(\.channel)).count == 1, "both consumers on one channel")

            // Each window acked newest first, across the two consumers: a wrong `multiple` ack would settle a
            // delivery twice, and the broker would close the channel (an unknown delivery tag).
            var acked = 0
            let deadline = ContinuousClock.now + .seconds(5)
            while acked < 20, ContinuousClock.now < deadline {
                let window = received.withLock { $0 }.dropFirst(acked)
                window.reversed().forEach { client.ack($0) }
                acked += window.count
                try await Task.sleep(for: .milliseconds(20))
            }
            let all = received.withLock { $0 }
            #expect(all.filter { $0.queue == a.queue.name }.map(\.delivery.body) == (0..<10).map { [UInt8($0)] })
            #expect(all.filter { $0.queue == b.queue.name }.map(\.delivery.body) == (0..<10).map { [UInt8($0)] })
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.generation == generation, "the connection was dropped")
        }
    }

    /// Issue 24: with a channel per subscription the broker closed the connection at its 2,048th channel, and the
    /// gateway reconnected forever. 2,100 subscriptions now share 33 channels of one connection.
    @Test(.timeLimit(.minutes(2))) func moreSubscriptionsThanChannelMaxAllowFitOnOneConnection() async throws {
        try await withClient("channelmax") { client, topology in
            let names = (0..<2_100).map { topology.outbound + ".org" + String(format: "%04d", $0) }
            for name in names { client.subscribe(Self.shortLivedQueue(name, prefetch: 2)) }
            let generation = client.generation
            #expect(
                try await Self.eventually(within: .seconds(90)) { client.queueDepths.count == names.count },
                "subscribed: \(client.queueDepths.count) of \(names.count)")
            guard let last = names.last else { return }
            try await client.publish(AMQPMessage(routingKey: last, body: [42], mandatory: true))
            var iterator = client.deliveries.makeAsyncIterator()
            let inbound = try #require(await iterator.next())
            #expect(inbound.queue == last && inbound.delivery.body == [42])
            #expect(inbound.channel < 100, "a shared channel (one each would be channel 2,102, past channel_max)")
            #expect(client.deliveriesHeld(from: last) == HeldDeliveries(unsettled: 1, mayReceiveMore: true))
            client.ack(inbound)
            #expect(client.generation == generation, "the connection was dropped")
        }
    }

    /// A deleted org queue (an operator's mistake, say): the broker cancels its consumer, and the client declares
    /// and consumes that queue again on its own, leaving the connection, which every other org shares, alone.
    @Test func aQueueDeletedUnderItsConsumerIsDeclaredAndConsumedAgain() async throws {
        try await withClient("cancelled") { client, topology in
            let deleted = Self.shortLivedQueue(topology.outbound + ".deleted", prefetch: 2)
            let neighbour = Self.shortLivedQueue(topology.outbound + ".neighbour", prefetch: 2)
            client.subscribe(deleted)
            client.subscribe(neighbour)
            #expect(try await Self.eventually { client.queueDepths.count == 2 })
            let generation = client.generation
            let url = try BrokerProbe.url
            try await Task.detached {
                let probe = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
                try probe.openChannel(1)
                try probe.deleteQueue(deleted.queue.name, channel: 1)
            }.value
            let probe = BrokerProbe(url: url, topology: topology)
            #expect(
                try await Self.eventually { (try? probe.readyCounts([deleted.queue.name])) != nil },
                "the queue was not declared again")
            try await client.publish(AMQPMessage(routingKey: deleted.queue.name, body: [1], mandatory: true))
            try await client.publish(AMQPMessage(routingKey: neighbour.queue.name, body: [2], mandatory: true))
            var iterator = client.deliveries.makeAsyncIterator()
            var queues: Set<String> = []
            for _ in 0..<2 {
                let inbound = try #require(await iterator.next())
                queues.insert(inbound.queue)
                client.ack(inbound)
            }
            #expect(queues == [deleted.queue.name, neighbour.queue.name])
            #expect(client.generation == generation, "the whole connection was dropped for one queue")
        }
    }
}
