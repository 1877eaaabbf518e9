import Crypto
import Foundation
import GatewayTestSupport
import Testing
@testable import AMQPTransport
@testable import Broker
@testable import OrgServices

/// Issue 25: who may publish for a tenant, and who may read its agent messages, checked by RabbitMQ with real
/// users: a tenant's `publishers` against each message's `user_id` (which RabbitMQ checks against the publishing
/// connection), and topic permissions on `genesys.inbound` keeping each tenant's consumers to their own keys.
@Suite(.serialized) struct PublisherIntegrationTests {
    /// Two RabbitMQ users of this run: one the tenant names as its publisher, one it does not.
    struct Users {
        let named: String
        let other: String
        let password: String
        let port: Int

        func url(_ user: String) -> String { "amqp://\(user):\(password)@127.0.0.1:\(port)/%2F" }
    }

    /// Adds the users with one `rabbitmqctl import_definitions`, with the rights docs/security.md gives a tenant's
    /// publisher and consumer: publish to the org exchange only (topic keys `acme.*` for the named user, `acme.*` and
    /// `globex.*` for the other, a platform-wide user the tenant does not name); declare and bind queues of their own
    /// (`<prefix>.consumer.*`); bind them to `<prefix>.inbound` with `acme.*` keys (the named user) or `globex.*`.
    static func makeUsers(topology: QueueTopology) throws -> Users {
        let brokerURL = try BrokerProbe.url
        guard let port = brokerURL.split(separator: ":").last?.split(separator: "/").first.flatMap({ Int($0) }) else {
            throw BrokerProbe.ProbeError("no port in \(brokerURL)")
        }
        let tag = UUID().uuidString.prefix(8).lowercased()
        let users = Users(named: "ggw-team-a-\(tag)", other: "ggw-team-b-\(tag)", password: "pw-\(tag)", port: port)
        func exactly(_ name: String) -> String { "^" + NSRegularExpression.escapedPattern(for: name) + "$" }
        let consumerQueues = "^" + NSRegularExpression.escapedPattern(for: topology.outbound) + "\\.consumer\\..*"
        func user(_ name: String) -> [String: Any] {
            ["name": name, "password_hash": passwordHash(users.password), "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": [String]()]
        }
        func permissions(_ name: String) -> [String: Any] {
            [
                "user": name, "vhost": "/", "configure": consumerQueues, "write": exactly(topology.orgExchange) + "|" + consumerQueues,
                "read": exactly(topology.inboundExchange),
            ]
        }
        func topics(_ name: String, publishes: String, reads: String) -> [[String: Any]] {
            [
                ["user": name, "vhost": "/", "exchange": topology.orgExchange, "write": publishes, "read": "^$"],
                ["user": name, "vhost": "/", "exchange": topology.inboundExchange, "write": "^$", "read": reads],
            ]
        }
        let definitions: [String: Any] = [
            "users": [user(users.named), user(users.other)],
            "permissions": [permissions(users.named), permissions(users.other)],
            "topic_permissions": topics(users.named, publishes: "^acme\\.", reads: "^acme\\.")
                + topics(users.other, publishes: "^(acme|globex)\\.", reads: "^globex\\."),
        ]
        let file = NSTemporaryDirectory() + "ggw-definitions-\(tag).json"
        try JSONSerialization.data(withJSONObject: definitions).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try ScriptProcess.run(
            ["bash", "scripts/rabbitmq.sh", "ctl", "import_definitions", file], environment: ["GGW_RABBITMQ_PORT": "\(port)"])
        guard result.status == 0 else { throw BrokerProbe.ProbeError("import_definitions failed: \(result.output)") }
        return users
    }

    /// RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt ++ sha256(salt ++ password)), a 4-byte salt.
    static func passwordHash(_ password: String) -> String {
        let salt = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return Data(salt + SHA256.hash(data: salt + Array(password.utf8))).base64EncodedString()
    }

    /// A connection of `user`'s with a confirmed publish on channel 1.
    static func publish(_ message: AMQPMessage, as url: String) throws {
        let connection = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        try connection.confirmSelect(channel: 1)
        try connection.publish(message, channel: 1, tag: 1)
        while true {
            switch try connection.nextEvent(timeout: .seconds(5)) {
            case .confirm(_, _, let ok):
                guard ok else { throw BrokerProbe.ProbeError("the broker nacked the publish") }
                return
            case .timeout: throw BrokerProbe.ProbeError("no confirm within 5 s")
            default: continue
            }
        }
    }

    @Test func aTenantTakesMessagesFromItsPublishersAndTheGatewayAloneOnBothPaths() async throws {
        let topology = BrokerProbe.uniqueTopology("publishers")
        let users = try Self.makeUsers(topology: topology)
        let org = TestOrg(tenant: "acme", name: "main", tenantPublishers: [users.named])
        try await PipelineHarness.run("publishers", orgs: [org], topology: topology) { pipeline, gateway in
            let topology = pipeline.topology
            // The direct path: the org queue's own key. The router's: a key no queue is bound with, which the org
            // exchange's alternate exchange takes to `outbound`.
            func message(_ id: String, direct: Bool, userID: String?) -> AMQPMessage {
                AMQPMessage(
                    exchange: topology.orgExchange, routingKey: direct ? topology.directRoutingKey(for: org.key) : "acme.elsewhere",
                    body: GatewayHarness.textMessage(id: id, org: org), messageID: id, userID: userID)
            }
            for direct in [false, true] {
                let path = direct ? "direct" : "router"
                try Self.publish(message("named-\(path)", direct: direct, userID: users.named), as: users.url(users.named))
                try Self.publish(message("other-\(path)", direct: direct, userID: users.other), as: users.url(users.other))
                // RabbitMQ does not require the property: a message without one is the gateway's to refuse.
                try Self.publish(message("anonymous-\(path)", direct: direct, userID: nil), as: users.url(users.other))
            }
            // The API's message is published by the gateway itself, as its own user.
            try await pipeline.publish([GatewayHarness.textMessage(id: "gateway-copy", org: org)])

            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                dead += try pipeline.probe.drain(topology.deadLetterQueue)
                return dead.count >= 4
            }
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count >= 3 })
            try await Task.sleep(for: .milliseconds(500))
            dead += try pipeline.probe.drain(topology.deadLetterQueue)
            let reasons = Dictionary(uniqueKeysWithValues: dead.map { ($0.messageID ?? "?", $0.headers[QueueHeaders.reason]?.stringValue ?? "") })
            #expect(Set(reasons.keys) == ["other-router", "other-direct", "anonymous-router", "anonymous-direct"])
            for path in ["router", "direct"] {
                #expect(reasons["other-\(path)"] == "publisher refused: RabbitMQ user '\(users.other)' is not one of tenant 'acme''s publishers")
                #expect(reasons["anonymous-\(path)"]?.hasPrefix("publisher refused: the message has no user_id") == true)
            }
            #expect(Set(pipeline.sandbox.control.received().compactMap(\.channelMessageId)) == ["named-router", "named-direct", "gateway-copy"])
            let refusedEvents = try pipeline.probe.statusEvents(pipeline.statusCapture).filter { $0.publisherRefused == true }
            #expect(Set(refusedEvents.compactMap(\.messageId)) == Set(reasons.keys))
            let metrics = try PrometheusExposition(parsing: await gateway.metrics.exposition())
            #expect(metrics.value("genesys_gateway_messages_publisher_refused_total", ["tenant": "acme", "org": "main"]) == 4)
        }
    }

    @Test func rabbitMQRefusesAForgedUserIDAndAKeyOfAnotherTenant() throws {
        let topology = BrokerProbe.uniqueTopology("forged")
        let users = try Self.makeUsers(topology: topology)
        _ = try BrokerProbe(url: try BrokerProbe.url, topology: topology).declareWithStatusCapture()
        let forged = AMQPMessage(exchange: topology.orgExchange, routingKey: "acme.main", body: Array("{}".utf8), userID: users.named)
        #expect {
            try Self.publish(forged, as: users.url(users.other))
        } throws: { error in
            "\(error)".contains("PRECONDITION_FAILED") && "\(error)".contains(users.named)
        }
        // And a publisher's topic permission keeps it to its own tenant's keys.
        let foreign = AMQPMessage(exchange: topology.orgExchange, routingKey: "globex.main", body: Array("{}".utf8), userID: users.named)
        #expect {
            try Self.publish(foreign, as: users.url(users.named))
        } throws: { error in
            "\(error)".contains("ACCESS_REFUSED")
        }
    }

    @Test func topicPermissionsKeepATenantsConsumerToItsOwnAgentMessages() throws {
        let topology = BrokerProbe.uniqueTopology("topics")
        _ = try BrokerProbe(url: try BrokerProbe.url, topology: topology).declareWithStatusCapture()
        let users = try Self.makeUsers(topology: topology)
        let connection = try AMQPConnection(url: users.url(users.named), heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        let queue = topology.outbound + ".consumer.acme-agent-messages"
        _ = try connection.declareQueue(queue, arguments: [], channel: 1)
        try connection.bindQueue(queue, exchange: topology.inboundExchange, routingKey: "acme.#", channel: 1)
        try connection.bindQueue(queue, exchange: topology.inboundExchange, routingKey: "acme.main.text", channel: 1)
        // A refused bind closes its channel: each try on a channel of its own.
        for (channel, key) in zip(UInt16(2)..., ["#", "globex.#", "*.main.text"]) {
            try connection.openChannel(channel)
            #expect(throws: AMQPError.self, "binding with '\(key)' would read other tenants' agent messages") {
                try connection.bindQueue(queue, exchange: topology.inboundExchange, routingKey: key, channel: channel)
            }
        }
    }
}
