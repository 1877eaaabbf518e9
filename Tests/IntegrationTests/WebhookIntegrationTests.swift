import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import GatewayCore
@testable import AMQPTransport
@testable import GatewayConfig
@testable import OrgServices
@testable import HTTPAPI
import Logging
import Testing
@testable import Broker

/// The webhook handler publishing to a real RabbitMQ: a queue bound to the inbound exchange, as the channel
/// side would bind one, sees each agent message once. Bodies are signed by the sandbox's own signer.
@Suite(.timeLimit(.minutes(1))) struct WebhookIntegrationTests {
    static let secret = "acme-us-webhook-secret-0123"

    /// An agent message shaped as Genesys' webhook sends it.
    static func agentMessage(id: String, text: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","conversationId":"conv-9","channel":{"id":"acme-us-integration","platform":"Open","type":"Private","to":{"id":"+15550100001"},"from":{"id":"acme-us-integration","idType":"Opaque","nickname":"Agent Smith"},"time":"2026-11-25T10:00:00.000Z"},"type":"Text","text":"\#(text)","direction":"Outbound"}"#.utf8)
    }

    static func signature(_ body: [UInt8], secret: String = Self.secret) -> String {
        GenesysSandbox.WebhookSignature.headerValue(body: body, secret: secret)
    }

    @Test func aMessagePostedTwiceIsPublishedOnceAndABadSignatureNotAtAll() async throws {
        let url = try BrokerProbe.url
        let topology = BrokerProbe.uniqueTopology("webhook")
        let channelQueue = topology.inboundExchange + ".channel"
        let setup = try AMQPConnection(url: url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try setup.openChannel(1)
        try topology.declare(on: setup, channel: 1)
        try setup.declareQueue(channelQueue, arguments: [], channel: 1)
        try setup.bindQueue(channelQueue, exchange: topology.inboundExchange, routingKey: "acme.us.*", channel: 1)

        let registry = try Self.registry()
        let logger = Logger.quiet("webhook")
        let client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        let handler = WebhookHandler(
            registry: registry, publisher: InboundPublisher(client: client, exchange: topology.inboundExchange),
            deduplicator: WebhookDeduplicator(clock: GatewayCore.SystemClock()), undelivered: NoReports(),
            jobs: MessageJobs(), clock: GatewayCore.SystemClock(), logger: logger)
        let probe = BrokerProbe(url: url, topology: topology)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { client.stop() }
            let body = Self.agentMessage(id: "8f14e45fceea167a5a36dedd4bea2543", text: "Your order ships today")
            let forged = Self.agentMessage(id: "c9f0f895fb98ab9159f51fd0297e236d", text: "Send me your password")
            // The publisher refuses at once while disconnected (Genesys then gets a Failed receipt): connect first.
            let deadline = ContinuousClock.now + .seconds(10)
            while !client.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try #require(client.isConnected, "the publisher did not connect to RabbitMQ within 10 s")

            #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: Self.signature(body), body: body)
                == .accepted(genesysMessageID: "8f14e45fceea167a5a36dedd4bea2543"))
            // Genesys' retry of the same message (its answer was lost, say).
            #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: Self.signature(body), body: body)
                == .duplicate(genesysMessageID: "8f14e45fceea167a5a36dedd4bea2543"))
            #expect(await handler.handle(
                tenantID: "acme", orgName: "us", signature: Self.signature(forged, secret: "not-the-org-secret-123"), body: forged)
                == .unauthorized(.mismatch))
            #expect(await handler.handle(tenantID: "acme", orgName: "us", signature: nil, body: forged) == .unauthorized(.missingHeader))

            // Publishes are confirmed before `handle` returns, so whatever the queue holds is there now.
            let delivered = try probe.drain(channelQueue)
            #expect(delivered.count == 1)
            let first = try #require(delivered.first)
            #expect(first.routingKey == "acme.us.text")
            #expect(first.messageID == "8f14e45fceea167a5a36dedd4bea2543")
            #expect(first.headers[QueueHeaders.tenant]?.stringValue == "acme")
            let message = try JSONDecoder().decode(InboundAgentMessage.self, from: Data(first.body))
            #expect(message.customerId == "+15550100001")
            #expect(message.text == "Your order ships today")
            #expect(message.conversationId == "conv-9")
            #expect(message.agent?.nickname == "Agent Smith")
        }
    }

    /// The broker confirms a message it routed nowhere; published mandatory, it comes back instead, and
    /// Genesys gets a Failed receipt rather than an agent believing the customer got the message.
    @Test func withNoQueueBoundToTheInboundExchangeTheMessageIsReportedUndelivered() async throws {
        let url = try BrokerProbe.url
        let topology = BrokerProbe.uniqueTopology("webhook-unbound")
        let registry = try Self.registry()
        let logger = Logger.quiet("webhook")
        let client = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: logger)
        let reports = Collected<String>()
        let handler = WebhookHandler(
            registry: registry, publisher: InboundPublisher(client: client, exchange: topology.inboundExchange),
            deduplicator: WebhookDeduplicator(clock: GatewayCore.SystemClock()), undelivered: CollectingReports(ids: reports),
            jobs: MessageJobs(), clock: GatewayCore.SystemClock(), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { client.stop() }
            let deadline = ContinuousClock.now + .seconds(10)
            while !client.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            // A publisher that is not connected refuses at once with the same `.forwardFailed`: only a connected
            // one shows the broker's mandatory return.
            try #require(client.isConnected, "the publisher did not connect to RabbitMQ within 10 s")
            let body = Self.agentMessage(id: "d3d9446802a44259755d38e6d163e820", text: "Anyone there?")
            let result = await handler.handle(tenantID: "acme", orgName: "us", signature: Self.signature(body), body: body)
            guard case .forwardFailed = result else {
                Issue.record("an unroutable agent message was taken as delivered: \(result)")
                return
            }
            #expect(reports.all == ["d3d9446802a44259755d38e6d163e820"])
        }
    }

    @Test func withRabbitMQUnreachableTheWebhookAnswersAtOnceAndReportsTheFailure() async throws {
        let registry = try Self.registry()
        let logger = Logger.quiet("webhook")
        // A client that never connected (as when the broker is down): nothing may wait for it.
        let client = AMQPClient(settings: .init(url: "amqp://guest:guest@127.0.0.1:1/%2F", topology: QueueTopology()), logger: logger)
        let reports = Collected<String>()
        let handler = WebhookHandler(
            registry: registry, publisher: InboundPublisher(client: client, exchange: "genesys.inbound"),
            deduplicator: WebhookDeduplicator(clock: GatewayCore.SystemClock()), undelivered: CollectingReports(ids: reports),
            jobs: MessageJobs(), clock: GatewayCore.SystemClock(), logger: logger, publishTimeout: .seconds(5))
        let body = Self.agentMessage(id: "45c48cce2e2d7fbdea1afc51c7c6ad26", text: "Hello?")
        let started = ContinuousClock.now
        let result = await handler.handle(tenantID: "acme", orgName: "us", signature: Self.signature(body), body: body)
        guard case .forwardFailed = result else {
            Issue.record("\(result)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(1), "answered without waiting for the publish bound")
        #expect(reports.all == ["45c48cce2e2d7fbdea1afc51c7c6ad26"])
    }

    struct CollectingReports: UndeliveredMessageReporting {
        let ids: Collected<String>
        func reportUndelivered(_ message: InboundAgentMessage, reason: String) {
            ids.append(message.genesysMessageId)
        }
    }

    /// The webhook test needs no failure reports: every publish here reaches the broker.
    struct NoReports: UndeliveredMessageReporting {
        func reportUndelivered(_ message: InboundAgentMessage, reason: String) {
            Issue.record("unexpected failure report for \(message.genesysMessageId): \(reason)")
        }
    }

    /// Tenant `acme`, org `us`, with a webhook secret; nothing in it talks HTTP. (The temporary folders may
    /// go once loaded: the plugins are mapped already.)
    static func registry() throws -> TenantRegistry {
        let configs = TemporaryDirectory()
        configs.write("acme.yaml", TenantYAML(id: "acme", orgs: [
            .init(
                name: "us", baseURL: "http://127.0.0.1:9", clientID: "acme-us-client", clientSecret: .env("CLIENT_SECRET"),
                integrationID: "acme-us-integration", webhookSecret: .env("WEBHOOK_SECRET"), messageTypes: ["text", "receipt"]),
        ]).text)
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let secrets = SecretResolver(environment: ["CLIENT_SECRET": "s", "WEBHOOK_SECRET": secret])
        let logger = Logger.quiet("webhook")
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        return try TenantRegistry.build(
            configuration: configuration, secrets: secrets, http: ScriptedHTTPClient { _ in throw CancellationError() },
            clock: GatewayCore.SystemClock(), logger: logger)
    }
}
