import Foundation
@testable import AMQPTransport
import Synchronization
import Testing
@testable import Broker

/// The AMQP thread's idle sleep (``IdleSchedule``, ``AMQPWakeup``) against the real broker: it sleeps, work handed
/// over wakes it at once, and heartbeats still go out.
extension AMQPClientIntegrationTests {
    /// Waits until the client's thread sleeps (it has said so under the inbox lock).
    static func untilAsleep(_ client: AMQPClient) async throws -> Bool {
        try await eventually(within: .seconds(5)) { client.inbox.withLock { $0.sleeping } }
    }

    @Test func anAckHandedOverWhileTheThreadSleepsIsCarriedOutAtOnce() async throws {
        // Depth reads every 30 s and heartbeats of 30 s: nothing but the ack itself could end the sleep early.
        try await withClient("idlewake", configure: { $0.depthInterval = .seconds(30) }) { client, topology in
            let queue = Self.shortLivedQueue(topology.outbound + ".idle", prefetch: 1)
            client.subscribe(queue)
            #expect(try await Self.eventually { client.queueDepths.count == 1 })
            try await client.publish(AMQPMessage(routingKey: queue.queue.name, body: [1], mandatory: true))
            try await client.publish(AMQPMessage(routingKey: queue.queue.name, body: [2], mandatory: true))
            var iterator = client.deliveries.makeAsyncIterator()
            let first = try #require(await iterator.next())
            // Prefetch 1: the second message waits in the broker until the first is acked; meanwhile nothing happens.
            #expect(try await Self.untilAsleep(client), "the thread did not go to sleep")
            let handedOver = ContinuousClock.now
            client.ack(first)
            let second = try #require(await iterator.next())
            let took = ContinuousClock.now - handedOver
            #expect(second.delivery.body == [2])
            #expect(took < .milliseconds(250), "the ack waited \(took) for the sleeping thread")
            client.ack(second)
        }
    }

    /// rabbitmq-c sends heartbeats only from inside its calls: a thread asleep past two heartbeat intervals would
    /// have the broker close the connection (and the client reconnect, a new generation). (RabbitMQ's own
    /// heartbeats, every half interval, wake the thread too; the sleep's bound at half the interval is for a peer
    /// that sends none.)
    @Test func aSleepingConnectionKeepsItsHeartbeats() async throws {
        try await withClient("idleheartbeat", configure: { $0.heartbeatSeconds = 1; $0.depthInterval = .seconds(60) }) { client, topology in
            let generation = client.generation
            #expect(try await Self.untilAsleep(client), "the thread did not go to sleep")
            try await Task.sleep(for: .seconds(4))
            #expect(client.generation == generation, "the broker dropped the idle connection")
            try await client.publish(AMQPMessage(routingKey: topology.outbound, body: [1], mandatory: true))
        }
    }

    /// Issue 24: an idle gateway's AMQP thread woke 500 times a second (its 2 ms socket waits); asleep it wakes
    /// for the depth reads, the broker's heartbeats and work, here none of them within the window measured.
    @Test func anIdleConnectionsThreadWakesRarely() async throws {
        try await withClient("idlewakeups", configure: { $0.depthInterval = .seconds(30) }) { client, topology in
            for index in 0..<100 {
                client.subscribe(Self.shortLivedQueue(topology.outbound + ".org\(index)", prefetch: 2))
            }
            #expect(try await Self.eventually { client.queueDepths.count == 100 })
            #expect(try await Self.untilAsleep(client), "the thread did not go to sleep")
            let before = try #require(try Self.amqpThreadContextSwitches(), "no thread named amqp")
            try await Task.sleep(for: .milliseconds(1_500))
            let switches = try #require(try Self.amqpThreadContextSwitches()) - before
            #expect(switches < 75, "\(switches) wakeups in 1.5 s (2 ms waits: about 750)")
        }
    }

    /// Voluntary context switches of the threads named `amqp` in this process (each wait that blocks is one); nil
    /// if there is none.
    static func amqpThreadContextSwitches() throws -> Int? {
        let tasks = "/proc/self/task"
        var total: Int?
        for task in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            guard let name = try? String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8),
                name.trimmingCharacters(in: .whitespacesAndNewlines) == "amqp",
                let status = try? String(contentsOfFile: "\(tasks)/\(task)/status", encoding: .utf8)
            else { continue }
            for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                total = (total ?? 0) + (Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)
            }
        }
        return total
    }
}
