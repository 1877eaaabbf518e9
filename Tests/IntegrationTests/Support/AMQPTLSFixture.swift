import Foundation
@testable import AMQPTransport
@testable import Broker

/// RabbitMQ's TLS listener for the TLS tests: scripts/rabbitmq.sh starts it when GGW_RABBITMQ_TLS_PORT is set (the
/// integration lane of scripts/test.sh sets it) on 127.0.0.1 and 127.0.0.2, with certificates scripts/make-test-certs.sh
/// made at its boot, and exports where they are.
struct AMQPTLSFixture: Sendable {
    let port: Int
    /// The certificates' folder: ca.pem, server.pem, client.pem (CN ggw-tls-client), other-ca.pem, other-client.pem.
    let directory: String
    /// The same broker without TLS, to set up and look into queues whatever TLS does.
    let plainURL: String

    static func fromEnvironment() throws -> AMQPTLSFixture {
        let environment = ProcessInfo.processInfo.environment
        guard let port = environment["GGW_AMQP_TLS_PORT"].flatMap(Int.init), let directory = environment["GGW_AMQP_TLS_DIR"] else {
            throw BrokerProbe.ProbeError(
                "GGW_AMQP_TLS_PORT and GGW_AMQP_TLS_DIR are not set: run the suite with scripts/test.sh, or with GGW_RABBITMQ_TLS_PORT"
                    + " set for scripts/with-rabbitmq.sh, which then starts RabbitMQ's TLS listener")
        }
        return AMQPTLSFixture(port: port, directory: directory, plainURL: try BrokerProbe.url)
    }

    /// The path of one of the certificate files.
    func file(_ name: String) -> String { directory + "/" + name }

    /// An amqps:// URL to the listener on `host` with these query parameters (in this order).
    func url(host: String = "127.0.0.1", userInfo: String = "guest:guest", _ parameters: KeyValuePairs<String, String> = [:]) -> String {
        let query = parameters.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return "amqps://\(userInfo)@\(host):\(port)/%2F" + (query.isEmpty ? "" : "?" + query)
    }

    /// "host:port", as errors name the broker.
    func address(_ host: String = "127.0.0.1") -> String { "\(host):\(port)" }

    /// Declares a classic queue no other test uses and puts `count` messages in it, over the plain listener.
    func queueWithMessages(_ name: String, count: Int) throws -> String {
        let queue = BrokerProbe.uniquePrefix(name)
        let connection = try AMQPConnection(url: plainURL, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try connection.declareQueue(queue, arguments: [], channel: 1)
        try connection.confirmSelect(channel: 1)
        for number in 0..<count {
            try connection.publish(AMQPMessage(routingKey: queue, body: [UInt8(number)]), channel: 1, tag: UInt64(number + 1))
        }
        var confirmed: UInt64 = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while confirmed < UInt64(count), ContinuousClock.now < deadline {
            if case .confirm(let tag, _, let ok) = try connection.nextEvent(timeout: .milliseconds(100)), ok { confirmed = max(confirmed, tag) }
        }
        guard confirmed == UInt64(count) else { throw BrokerProbe.ProbeError("the broker did not confirm the messages for \(queue)") }
        return queue
    }

    /// The messages ready in `queue`, read over the plain listener.
    func readyCount(_ queue: String) throws -> Int {
        let connection = try AMQPConnection(url: plainURL, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        return try connection.readyCount(ofQueue: queue, channel: 1)
    }

    /// Deletes `queue`, over the plain listener.
    func delete(_ queue: String) throws {
        let connection = try AMQPConnection(url: plainURL, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try connection.deleteQueue(queue, channel: 1)
    }
}
