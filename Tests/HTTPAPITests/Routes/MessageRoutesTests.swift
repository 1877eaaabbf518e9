import BrokerTesting
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Broker
@testable import GatewayConfig
@testable import GatewayCore
@testable import GatewayDelivery
@testable import HTTPAPI
@testable import OrgServices

/// The message routes in process (HummingbirdTesting's router mode: no socket), on the in-memory broker and a
/// scripted Genesys: what a request publishes, what it answers when the broker cannot take it, what `/ready` says.
@Suite(.timeLimit(.minutes(1))) struct MessageRoutesTests {
    static let apiKey = "acme-route-key-0001"

    struct Setup {
        let broker = InMemoryBroker(ingressPrefetch: 0)  // nothing consumes here: what is published stays queued
        let http: ScriptedHTTPClient
        let registry: TenantRegistry
        let api: GatewayAPI
        private let tenant: ScriptedTenant

        init() throws {
            http = ScriptedHTTPClient { request in
                if request.url.hasSuffix("/oauth/token") {
                    return GatewayCore.HTTPResponse(status: 200, body: Array(#"{"access_token":"t","token_type":"bearer","expires_in":86400}"#.utf8))
                }
                return GatewayCore.HTTPResponse(status: 200, body: Array(#"{"id":"g-1","conversationId":"c-1"}"#.utf8))
            }
            let logger = Logger(label: "route-tests") { _ in SwiftLogNoOpLogHandler() }
            tenant = try ScriptedTenant(
                http: http, clock: SystemClock(), rate: 100, burst: 100, apiKey: MessageRoutesTests.apiKey, logger: logger)
            registry = tenant.registry
            let statuses = MessageStatusStore()
            api = GatewayAPI(services: APIServices(
                registry: registry, delivery: DeliveryService(registry: registry, http: http, clock: SystemClock(), logger: logger),
                amqp: broker, status: statuses, statuses: statuses, conversations: ConversationDirectory(), logger: logger))
        }

        func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            try await Application(router: api.makeRouter()).test(.router, body)
        }
    }

    static func text(_ id: String) -> ByteBuffer {
        ByteBuffer(string: #"{"id":"\#(id)","type":"text","textBody":"hi","sender":{"id":"+15550001","idType":"Phone"}}"#)
    }

    static let headers: HTTPFields = [.authorization: "Bearer \(apiKey)", .contentType: "application/json"]

    @Test func anAsyncSendIsPublishedToTheIngressQueueWithItsTenantAndAnswered202() async throws {
        let setup = try Setup()
        try await setup.test { client in
            try await client.execute(uri: "/v1/messages/async", method: .post, headers: Self.headers, body: Self.text("m-1")) { response in
                #expect(response.status == .accepted)
            }
        }
        let published = try #require(setup.broker.published.last)
        #expect(published.routingKey == setup.broker.topology.outbound && published.mandatory)
        #expect(published.headers.contains { $0.0 == QueueHeaders.tenant && $0.1 == .string("acme") })
        #expect(setup.broker.messages(in: setup.broker.topology.outbound).count == 1)
        #expect(setup.http.requests.isEmpty, "an async send reached Genesys")
    }

    @Test func anAsyncSendTheBrokerRefusesIsAnswered503AndNothingIsQueued() async throws {
        let setup = try Setup()
        setup.broker.refusePublishes(to: setup.broker.topology.outbound)
        try await setup.test { client in
            try await client.execute(uri: "/v1/messages/async", method: .post, headers: Self.headers, body: Self.text("m-1")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(String(buffer: response.body).contains("queue_unavailable"))
            }
        }
        #expect(setup.broker.messages(in: setup.broker.topology.outbound).isEmpty)
    }

    @Test func withTheBrokerDisconnectedAnAsyncSendIs503AndReadyIsNot() async throws {
        let setup = try Setup()
        let broker = setup.broker
        try await setup.test { client in
            try await client.execute(uri: "/ready", method: .get) { response in #expect(response.status == .ok) }
            broker.stop()
            try await client.execute(uri: "/v1/messages/async", method: .post, headers: Self.headers, body: Self.text("m-1")) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("RabbitMQ is not connected"))
            }
        }
        #expect(setup.broker.published.isEmpty)
    }

    @Test func aSendNowReachesGenesysOnceAndReadsAsSent() async throws {
        let setup = try Setup()
        try await setup.test { client in
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.headers, body: Self.text("m-1")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/messages", method: .post, headers: Self.headers, body: Self.text("m-1")) { response in
                #expect(response.status == .ok, "the same id again answers with its receipt")
            }
            try await client.execute(uri: "/v1/messages/m-1", method: .get, headers: Self.headers) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""sent""#))
            }
        }
        #expect(setup.http.requests.filter { !$0.url.hasSuffix("/oauth/token") }.count == 1)
        #expect(setup.broker.published.isEmpty, "a send now went through the queue")
    }

    @Test func aRequestWithoutTheTenantsKeyIsRefused() async throws {
        let setup = try Setup()
        try await setup.test { client in
            try await client.execute(uri: "/v1/messages/async", method: .post, body: Self.text("m-1")) { response in
                #expect(response.status == .unauthorized)
            }
            let wrong: HTTPFields = [.authorization: "Bearer not-a-key", .contentType: "application/json"]
            try await client.execute(uri: "/v1/messages/async", method: .post, headers: wrong, body: Self.text("m-1")) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(setup.broker.published.isEmpty)
    }
}
