import GatewayTestSupport
import Broker
import Testing
@testable import HTTPAPI

/// The message routes in process (HummingbirdTesting's router mode: no socket), on the in-memory broker and a
/// scripted Genesys (``RouteFixture``): what a request publishes, what it answers when the broker cannot take it,
/// what `/ready` says.
@Suite(.timeLimit(.minutes(1))) struct MessageRoutesTests {
    static let key = TestOrg.alphaOne.apiKey

    static func text(_ id: String) -> String { RouteFixture.text(id: id, text: "hi") }

    @Test func anAsyncSendIsPublishedOnTheDirectPathWithItsTenantAndAnswered202() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { (api: RouteClient) async throws in
            #expect(try await api.call("POST", "/v1/messages/async", key: Self.key, json: Self.text("m-1")).status == 202)
        }
        let published = try #require(fixture.broker.published.last)
        let topology = fixture.broker.topology
        #expect(published.exchange == topology.orgExchange && published.routingKey == "alpha.one" && published.mandatory)
        #expect(published.headers.contains { $0.0 == QueueHeaders.tenant && $0.1 == .string("alpha") })
        // No org queue is bound with the key yet: the org exchange's alternate leads to the router's ingress queue.
        #expect(fixture.broker.messages(in: topology.outbound).count == 1)
        #expect(fixture.http.requests.isEmpty, "an async send reached Genesys")
    }

    @Test func anAsyncSendForAnOrgWhoseQueueIsBoundGoesStraightIntoIt() async throws {
        let fixture = try RouteFixture()
        let topology = fixture.broker.topology
        let org = TestOrg.alphaOne.key
        fixture.broker.subscribe(AMQPSubscription(
            queue: topology.orgQueueDeclaration(for: org), prefetch: 1, bindings: topology.directBindings(for: org, isDefault: false)))
        try await fixture.run { (api: RouteClient) async throws in
            #expect(try await api.call("POST", "/v1/messages/async", key: Self.key, json: Self.text("m-1")).status == 202)
        }
        #expect(fixture.broker.unackedCount(in: topology.orgQueue(for: org)) == 1)
        #expect(fixture.broker.messages(in: topology.outbound).isEmpty, "the message went through the router")
    }

    @Test func anAsyncSendTheBrokerRefusesIsAnswered503AndNothingIsQueued() async throws {
        let fixture = try RouteFixture()
        fixture.broker.refusePublishes(to: fixture.broker.topology.outbound)
        try await fixture.run { api in
            let answer = try await api.call("POST", "/v1/messages/async", key: Self.key, json: Self.text("m-1"))
            #expect(answer.status == 503)
            #expect(answer.header("Retry-After") == "1")
            #expect(answer.text.contains("queue_unavailable"))
        }
        #expect(fixture.broker.messages(in: fixture.broker.topology.outbound).isEmpty)
    }

    @Test func withTheBrokerDisconnectedAnAsyncSendIs503AndReadyIsNot() async throws {
        let fixture = try RouteFixture()
        let broker = fixture.broker
        try await fixture.run { api in
            #expect(try await api.call("GET", "/ready").status == 200)
            broker.stop()
            #expect(try await api.call("POST", "/v1/messages/async", key: Self.key, json: Self.text("m-1")).status == 503)
            let ready = try await api.call("GET", "/ready")
            #expect(ready.status == 503)
            #expect(ready.text.contains("RabbitMQ is not connected"))
        }
        #expect(fixture.broker.published.isEmpty)
    }

    @Test func aSendNowReachesGenesysOnceAndReadsAsSent() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            #expect(try await api.call("POST", "/v1/messages", key: Self.key, json: Self.text("m-1")).status == 200)
            #expect(
                try await api.call("POST", "/v1/messages", key: Self.key, json: Self.text("m-1")).status == 200,
                "the same id again answers with its receipt")
            let status = try await api.call("GET", "/v1/messages/m-1", key: Self.key)
            #expect(status.status == 200)
            #expect(status.text.contains(#""sent""#))
        }
        #expect(fixture.genesysCalls.count == 1)
        #expect(fixture.broker.published.isEmpty, "a send now went through the queue")
    }

    @Test func aRequestWithoutTheTenantsKeyIsRefused() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { (api: RouteClient) async throws in
            #expect(try await api.call("POST", "/v1/messages/async", json: Self.text("m-1")).status == 401)
            #expect(try await api.call("POST", "/v1/messages/async", key: "not-a-key", json: Self.text("m-1")).status == 401)
        }
        #expect(fixture.broker.published.isEmpty)
    }
}
