import GatewayTestSupport
import Broker
import Testing
@testable import HTTPAPI

/// One tenant's key never reaches another tenant's messages, conversations, orgs or admin state. In process
/// (moved from `APIIntegrationTests/crossTenant`): every refusal is the gateway's own (the key picks the tenant,
/// the conversation directory its owner), answered before Genesys or the queue is asked.
@Suite(.timeLimit(.minutes(1))) struct TenantIsolationRoutesTests {
    @Test("cross-tenant attempts are all refused: messages, conversations, orgs and bodies of another tenant")
    func crossTenant() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let alpha = TestOrg.alphaOne.apiKey
            let beta = TestOrg.beta.apiKey
            let created = try await api.call(
                "POST", "/v1/conversations", key: beta,
                json: #"{"kind":"open","message":{"id":"x-1","type":"text","textBody":"hi","sender":{"id":"+15550077","idType":"Phone"}}}"#)
            let conversation = try #require(created.object["conversationId"] as? String)
            #expect(try await api.call("POST", "/v1/messages/async", key: beta, json: RouteFixture.text(id: "x-2")).status == 202)

            // beta's org name "main" is not alpha's.
            #expect(try await api.call("POST", "/v1/messages?org=main", key: alpha, json: RouteFixture.text(id: "x-3")).status == 404)
            #expect(try await api.call("POST", "/v1/messages", key: alpha, json: RouteFixture.text(id: "x-4", org: "main")).status == 404)
            #expect(try await api.call("POST", "/v1/messages", key: alpha, json: RouteFixture.text(id: "x-5", tenant: "beta")).status == 400)
            #expect(try await api.call("GET", "/v1/messages/x-1", key: alpha).status == 404)
            #expect(try await api.call("GET", "/v1/messages/x-2", key: alpha).status == 404)
            #expect(try await api.call("GET", "/v1/conversations/\(conversation)", key: alpha).status == 404)
            #expect(try await api.call("GET", "/v1/conversations/\(conversation)?org=two", key: alpha).status == 404)
            #expect(try await api.call("POST", "/v1/conversations/\(conversation)/close", key: alpha).status == 404)
            let transfer = try await api.call(
                "POST", "/v1/conversations/\(conversation)/participants", key: alpha, json: #"{"participantId":"p","queueId":"q"}"#)
            #expect(transfer.status == 404)
            #expect(try await api.call("GET", "/admin/tenants", key: beta).status == 401)
            // Nothing of alpha's reached Genesys, and beta's conversation is still open.
            #expect(fixture.genesys.received(integrationID: TestOrg.alphaOne.integrationID).isEmpty)
            #expect(fixture.genesys.received(integrationID: TestOrg.alphaTwo.integrationID).isEmpty)
            let still = try await api.call("GET", "/v1/conversations/\(conversation)", key: beta)
            let states = ((still.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states?.contains("connected") == true)
        }
        // Not even a question about the conversation went to alpha's Genesys hosts.
        #expect(!fixture.http.requests.contains { $0.url.hasPrefix(TestOrg.alphaOne.baseURL) || $0.url.hasPrefix(TestOrg.alphaTwo.baseURL) })
        // Only beta's own message was queued, as beta's.
        #expect(fixture.broker.published.count == 1)
        #expect(fixture.broker.published.first?.headers.contains { $0.0 == QueueHeaders.tenant && $0.1 == .string("beta") } == true)
    }
}
