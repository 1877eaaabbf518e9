import Foundation
@testable import AMQPTransport
@testable import OrgServices
@testable import Broker

/// Looks into the real broker for tests: declares a test's topology, captures status events, drains queues.
/// Blocking (rabbitmq-c); each call opens its own short connection.
struct BrokerProbe: Sendable {
    let url: String
    let topology: QueueTopology

    /// The broker's URL from the test command (scripts/with-rabbitmq.sh exports it).
    static var url: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["GGW_AMQP_URL"] else {
                throw ProbeError("GGW_AMQP_URL is not set: run the suite with scripts/test.sh, which starts RabbitMQ")
            }
            return url
        }
    }

    /// A topology of queue names no other test uses, with short retry tiers.
    static func uniqueTopology(_ name: String) -> QueueTopology {
        var topology = QueueTopology(prefix: uniquePrefix(name))
        topology.retryTiers = [.seconds(1), .seconds(3)]
        return topology
    }

    static func uniquePrefix(_ name: String) -> String {
        "test.\(name).\(UUID().uuidString.prefix(8))"
    }

    /// Declares the topology and a queue collecting every status event; returns that queue's name.
    func declareWithStatusCapture() throws -> String {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try topology.declare(on: connection, channel: 1)
        let capture = topology.statusExchange + ".capture"
        try connection.declareQueue(capture, arguments: [], channel: 1)
        try connection.bindQueue(capture, exchange: topology.statusExchange, routingKey: "#", channel: 1)
        return capture
    }

    /// Takes every message now in `queue`.
    func drain(_ queue: String) throws -> [AMQPDelivery] {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        var messages: [AMQPDelivery] = []
        while let delivery = try connection.get(queue: queue, channel: 1) {
            try connection.ack(delivery.deliveryTag, channel: 1)
            messages.append(delivery)
        }
        return messages
    }

    /// The messages ready in each of `queues` (passive declares: a queue that does not exist is an error). Messages
    /// a consumer holds unacked are not counted.
    func readyCounts(_ queues: [String]) throws -> [String: Int] {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        var counts: [String: Int] = [:]
        for queue in queues { counts[queue] = try connection.readyCount(ofQueue: queue, channel: 1) }
        return counts
    }

    /// Status events captured so far, decoded.
    func statusEvents(_ capture: String) throws -> [StatusEvent] {
        try drain(capture).compactMap { try? JSONDecoder().decode(StatusEvent.self, from: Data($0.body)) }
    }

    struct ProbeError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
