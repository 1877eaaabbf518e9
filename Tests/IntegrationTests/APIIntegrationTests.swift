import Foundation
import GatewayTestSupport
import GenesysSandbox
import Testing

/// The HTTP API over real HTTP, with the gateway as `run` starts it, the real sandbox and a real RabbitMQ: the
/// end-to-end few. What each route answers is tested in process (`HTTPAPITests`, `RouteFixture`); what stays here
/// needs the real servers: a message sent now through libcurl to the real sandbox (one smoke test of the whole
/// send path), and the three that need the queue pipeline consuming from RabbitMQ — an async send delivered, the same
/// id sent by the API while the pipeline holds it (409), and one id from two tenants through both paths (the
/// pipeline's own per-tenant receipt check).
@Suite("HTTP API (integration)")
struct APIIntegrationTests {
    static let alphaOne = TestOrg(tenant: "alpha", name: "one")
    static let alphaTwo = TestOrg(tenant: "alpha", name: "two")
    static let beta = TestOrg(tenant: "beta", name: "main")
    static let gamma = TestOrg(tenant: "gamma", name: "main", tenantEnabled: false)
    static let orgs = [alphaOne, alphaTwo, beta, gamma]

    @Test("a message sent now reaches Genesys through the default or the named org, and its status reads as sent")
    func sendNow() async throws {
        try await APIHarness.run("api-send", orgs: Self.orgs) { api in
            let sent = try await api.call("POST", "/v1/messages", key: Self.alphaOne.apiKey, json: APIHarness.text(id: "now-1"))
            #expect(sent.status == 200, "\(sent.text)")
            #expect(sent.object["org"] as? String == "one")
            #expect(sent.object["status"] as? String == "sent")
            let genesysID = try #require(sent.object["genesysMessageId"] as? String)
            #expect(api.sandbox.control.received(integrationId: Self.alphaOne.integrationID).map(\.id) == [genesysID])

            // Our id is the idempotency key: the same message again is answered from the record, not sent twice.
            let again = try await api.call("POST", "/v1/messages", key: Self.alphaOne.apiKey, json: APIHarness.text(id: "now-1"))
            #expect(again.status == 200)
            #expect(again.object["genesysMessageId"] as? String == genesysID)
            #expect(api.sandbox.control.received(integrationId: Self.alphaOne.integrationID).count == 1)

            let second = try await api.call("POST", "/v1/messages?org=two", key: Self.alphaOne.apiKey, json: APIHarness.text(id: "now-2"))
            #expect(second.status == 200)
            #expect(second.object["org"] as? String == "two")
            #expect(api.sandbox.control.received(integrationId: Self.alphaTwo.integrationID).count == 1)

            let status = try await api.call("GET", "/v1/messages/now-1", key: Self.alphaOne.apiKey)
            #expect(status.status == 200)
            #expect((status.object["latest"] as? [String: Any])?["status"] as? String == "sent")
            #expect((status.object["latest"] as? [String: Any])?["genesysMessageId"] as? String == genesysID)
            // Another tenant's key never sees it.
            #expect(try await api.call("GET", "/v1/messages/now-1", key: Self.beta.apiKey).status == 404)
            #expect(try await api.call("GET", "/v1/messages/never-sent", key: Self.alphaOne.apiKey).status == 404)
        }
    }

    @Test("a message accepted for later is queued (202) and then delivered by the pipeline")
    func sendLater() async throws {
        try await APIHarness.run("api-async", orgs: Self.orgs) { api in
            let accepted = try await api.call("POST", "/v1/messages/async", key: Self.beta.apiKey, json: APIHarness.text(id: "later-1"))
            #expect(accepted.status == 202, "\(accepted.text)")
            #expect(accepted.object["statusUrl"] as? String == "/v1/messages/later-1")
            let delivered = await api.eventually { await Self.latestStatus("later-1", api) == "sent" }
            #expect(delivered)
            #expect(api.sandbox.control.received(integrationId: Self.beta.integrationID).count == 1)
            // A bad message is refused before it is queued.
            let refused = try await api.call("POST", "/v1/messages/async", key: Self.beta.apiKey, json: #"{"id":"later-2","type":"text"}"#)
            #expect(refused.status == 400)
        }
    }

    /// Issue 11, item 7: the API and the queue consumer used separate in-flight sets, so the same id sent
    /// through both at once reached Genesys twice.
    @Test("a message the queue is sending right now is not sent again by POST /v1/messages")
    func sameIdFromQueueAndAPI() async throws {
        try await APIHarness.run("api-queue-race", orgs: Self.orgs) { api in
            try api.sandbox.control.setFaults(FaultSettings(latencyMs: 1_500), for: .integration(Self.beta.integrationID))
            let queued = try await api.call("POST", "/v1/messages/async", key: Self.beta.apiKey, json: APIHarness.text(id: "race-1"))
            #expect(queued.status == 202, "\(queued.text)")
            // The consumer announces `accepted` once it holds the id, then waits 1.5 s on Genesys.
            let sending = await api.eventually { await Self.latestStatus("race-1", api) == "accepted" }
            #expect(sending)
            let now = try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "race-1"))
            #expect(now.status == 409, "\(now.text)")
            #expect(now.error["code"] as? String == "in_progress")
            let delivered = await api.eventually { await Self.latestStatus("race-1", api) == "sent" }
            #expect(delivered)
            // Once sent, the API answers from the idempotency record instead of sending.
            let again = try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "race-1"))
            #expect(again.status == 200, "\(again.text)")
            #expect(api.sandbox.control.received(integrationId: Self.beta.integrationID).count == 1)
        }
    }

    /// The latest status `GET /v1/messages/{id}` reports for one of beta's messages.
    static func latestStatus(_ id: String, _ api: APIHarness) async -> String? {
        let status = try? await api.call("GET", "/v1/messages/\(id)", key: beta.apiKey)
        return (status?.object["latest"] as? [String: Any])?["status"] as? String
    }

    @Test("message ids are each tenant's own: the same id from two tenants is two messages, each with its own status")
    func sameIdTwoTenants() async throws {
        try await APIHarness.run("api-same-id", orgs: Self.orgs) { api in
            #expect(try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "shared-1")).status == 200)
            #expect(try await api.call("POST", "/v1/messages/async", key: Self.alphaOne.apiKey, json: APIHarness.text(id: "shared-1")).status == 202)
            let delivered = await api.eventually {
                let status = try? await api.call("GET", "/v1/messages/shared-1", key: Self.alphaOne.apiKey)
                return (status?.object["latest"] as? [String: Any])?["status"] as? String == "sent"
            }
            #expect(delivered)
            #expect(api.sandbox.control.received(integrationId: Self.alphaOne.integrationID).count == 1)
            #expect(api.sandbox.control.received(integrationId: Self.beta.integrationID).count == 1)
            let beta = try await api.call("GET", "/v1/messages/shared-1", key: Self.beta.apiKey)
            let tenants = ((beta.object["history"] as? [[String: Any]]) ?? []) + [beta.object["latest"] as? [String: Any] ?? [:]]
            #expect(tenants.allSatisfy { $0["tenantId"] as? String == "beta" })
        }
    }
}
