import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import Broker

// Helpers for IsolationTimingIntegrationTests (issue 10). They only publish to the outbound queue and look at what
// the sandbox received and what sits in the broker's queues: nothing here knows how the gateway moves a message
// from `<prefix>.outbound` to Genesys.

extension AMQPClient {
    /// Publishes `rounds` one after another; the messages of one round go out concurrently (one broker round trip
    /// for the lot) and are all confirmed before the next round starts. Messages of one conversation therefore
    /// keep their order as long as each round holds at most one message of each conversation.
    func publishRounds(_ rounds: [[[UInt8]]], to queue: String) async throws {
        for round in rounds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for body in round {
                    group.addTask { try await self.publish(AMQPMessage(routingKey: queue, body: body)) }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Publishes `messages` in rounds of `window` (confirmed), for volume where order does not matter.
    func publishAll(_ messages: [[UInt8]], to queue: String, window: Int = 500) async throws {
        try await publishRounds(stride(from: 0, to: messages.count, by: window).map { Array(messages[$0..<min($0 + window, messages.count)]) }, to: queue)
    }
}

extension PipelineHarness {
    /// `perCustomer` messages for each of `customers` customers of `org` (ids `<tag>-<customer>-<n>`, text `n`),
    /// one round per `n`, so each customer's messages are queued in order.
    func publishConversations(of org: TestOrg, tag: String, customers: Int, perCustomer: Int) async throws {
        try await publishRounds((0..<perCustomer).map { sequence in
            (0..<customers).map { customer in
                GatewayHarness.textMessage(id: "\(tag)-\(customer)-\(sequence)", org: org, customer: "\(tag)-c\(customer)", text: "\(sequence)")
            }
        })
    }

    /// ``AMQPClient/publishRounds(_:to:)`` to the outbound queue.
    func publishRounds(_ rounds: [[[UInt8]]]) async throws {
        try await publisher.publishRounds(rounds, to: topology.outbound)
    }

    /// ``AMQPClient/publishAll(_:to:window:)`` to the outbound queue.
    func publishAll(_ messages: [[UInt8]], window: Int = 500) async throws {
        try await publisher.publishAll(messages, to: topology.outbound, window: window)
    }
}

extension BrokerProbe {
    /// Every message now in `queue`, left where it is: fetched without ack on a connection of its own, whose
    /// close hands them all back to the queue.
    func peek(_ queue: String) throws -> [AMQPDelivery] {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        var messages: [AMQPDelivery] = []
        while let delivery = try connection.get(queue: queue, channel: 1) {
            messages.append(delivery)
        }
        return messages
    }
}

/// What the tests measure on the sandbox's side.
enum Isolation {
    /// The `id` field of a message body in our contract (what the sandbox records as `channelMessageId`).
    static func messageID(_ body: [UInt8]) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["id"] as? String
    }

    /// Messages per second from arrival times: (n − 1) / (last − first); nil for fewer than two or no span.
    static func rate(_ times: [Date]) -> Double? {
        guard times.count >= 2, let first = times.min(), let last = times.max(), last > first else { return nil }
        return Double(times.count - 1) / last.timeIntervalSince(first)
    }

    /// |measured − target| / target, or nil when nothing was measured.
    static func deviation(_ measured: Double?, from target: Double) -> Double? {
        measured.map { abs($0 - target) / target }
    }

    /// `12.34/s (+1.2 %)`, or `n/a` when nothing was measured.
    static func describe(_ measured: Double?, target: Double) -> String {
        guard let measured else { return "n/a" }
        return String(format: "%.3f/s (%+.2f %% of %g/s)", measured, (measured - target) / target * 100, target)
    }

    static func seconds(_ interval: TimeInterval?) -> String {
        interval.map { String(format: "%.2f s", $0) } ?? "n/a"
    }

    /// One figure line, printed on purpose so a run's numbers can be read off the test log.
    static func figure(_ test: String, _ line: String) {
        print("isolation[\(test)]: \(line)")
    }

    /// Whether each conversation's messages reached the sandbox in publish order: the messages' `text` is their
    /// index within the conversation; returns the conversations that are out of order (customer → texts as received).
    static func outOfOrder(_ received: [ReceivedMessage]) -> [String: [Int]] {
        var wrong: [String: [Int]] = [:]
        for (customer, messages) in Dictionary(grouping: received, by: \.customerId) {
            let order = messages.sorted { $0.sequence < $1.sequence }.compactMap { $0.text.flatMap(Int.init) }
            if order != order.sorted() { wrong[customer] = order }
        }
        return wrong
    }

    /// Waits until `org` has `count` messages at the sandbox, at most `seconds` after `start` (its publishes
    /// began then); returns whether they came in time, what came, its arrival times, and its rate past the
    /// first five (the first token and connections are not the org's rate).
    static func watch(
        _ org: TestOrg, expecting count: Int, on sandbox: SandboxControl, within seconds: Double, since start: Date
    ) async -> (inTime: Bool, received: [ReceivedMessage], times: [Date], rate: Double?) {
        let inTime = await eventually(timeout: .seconds(seconds) - .seconds(Date().timeIntervalSince(start))) {
            sandbox.received(integrationId: org.integrationID).count >= count
        }
        let received = sandbox.received(integrationId: org.integrationID)
        let times = received.map(\.receivedAt).sorted()
        return (inTime, received, times, rate(Array(times.dropFirst(5))))
    }

    /// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
    static func eventually(
        timeout: Duration, interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
