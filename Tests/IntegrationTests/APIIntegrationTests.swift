import Foundation
import GatewayTestSupport
import GenesysSandbox
import Testing

/// The HTTP API over real HTTP, with the gateway as `run` starts it, the real sandbox and a real RabbitMQ.
@Suite("HTTP API (integration)")
struct APIIntegrationTests {
    static let alphaOne = TestOrg(tenant: "alpha", name: "one")
    static let alphaTwo = TestOrg(tenant: "alpha", name: "two")
    static let beta = TestOrg(tenant: "beta", name: "main")
    static let gamma = TestOrg(tenant: "gamma", name: "main", tenantEnabled: false)
    static let orgs = [alphaOne, alphaTwo, beta, gamma]

    @Test("every tenant route needs a valid, enabled tenant's key; health and ready need none")
    func access() async throws {
        try await APIHarness.run("api-access", orgs: Self.orgs) { api in
            #expect(try await api.call("GET", "/health").status == 200)
            let ready = try await api.call("GET", "/ready")
            #expect(ready.status == 200)
            #expect(ready.object["ready"] as? Bool == true)

            let missing = try await api.call("POST", "/v1/messages", json: APIHarness.text(id: "m0"))
            #expect(missing.status == 401)
            #expect(missing.error["code"] as? String == "unauthorized")
            #expect(missing.header("WWW-Authenticate") == "Bearer")
            #expect((missing.error["requestId"] as? String)?.isEmpty == false)
            #expect(try await api.call("POST", "/v1/messages", key: "alpha-api-key-0002", json: APIHarness.text(id: "m0")).status == 401)
            #expect(try await api.call("POST", "/v1/messages", key: Self.alphaOne.apiKey + " ", json: APIHarness.text(id: "m0")).status == 200)
            let disabled = try await api.call("POST", "/v1/messages", key: Self.gamma.apiKey, json: APIHarness.text(id: "m1"))
            #expect(disabled.status == 403)
            #expect(disabled.error["code"] as? String == "tenant_disabled")
            #expect(api.sandbox.control.received(integrationId: Self.gamma.integrationID).isEmpty)
        }
    }

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

    @Test("bad requests are refused with the field named, and nothing reaches Genesys")
    func badRequests() async throws {
        try await APIHarness.run("api-bad", orgs: Self.orgs) { api in
            let key = Self.alphaOne.apiKey
            let malformed = try await api.call("POST", "/v1/messages", key: key, json: #"{"id": "x", "type": "text", "#)
            #expect(malformed.status == 400)
            #expect(malformed.error["code"] as? String == "invalid_body")

            let wrongType = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"text","textBody":"a","sender":{"id":5,"idType":"Phone"}}"#)
            #expect(wrongType.status == 400)
            #expect(wrongType.error["field"] as? String == "sender.id")

            let missingText = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"text","sender":{"id":"1","idType":"Phone"}}"#)
            #expect(missingText.status == 400)
            #expect(missingText.error["code"] as? String == "invalid_message")

            let unknownType = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"carrier-pigeon","textBody":"a","sender":{"id":"1","idType":"Phone"}}"#)
            #expect(unknownType.status == 400)
            #expect(unknownType.error["field"] as? String == "type")

            let otherTenant = try await api.call("POST", "/v1/messages", key: key, json: APIHarness.text(id: "x", tenant: "beta"))
            #expect(otherTenant.status == 400)
            #expect(otherTenant.error["field"] as? String == "tenantId")

            let unknownOrg = try await api.call("POST", "/v1/messages?org=mars", key: key, json: APIHarness.text(id: "x"))
            #expect(unknownOrg.status == 404)
            #expect(unknownOrg.error["code"] as? String == "org_not_found")

            let notJSON = try await api.call("POST", "/v1/messages", key: key, headers: [("Content-Type", "text/plain")])
            #expect(notJSON.status == 415)

            let badKind = try await api.call("POST", "/v1/conversations", key: key, json: #"{"kind":"telepathy"}"#)
            #expect(badKind.status == 400)
            #expect(badKind.error["field"] as? String == "kind")

            let noRoute = try await api.call("GET", "/v1/nowhere", key: key)
            #expect(noRoute.status == 404)
            #expect(noRoute.error["code"] as? String == "no_such_route")
            #expect(noRoute.header("X-Request-Id") != nil)
            #expect(api.sandbox.control.received().isEmpty)
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

    @Test("conversations: create, get, transfer, close; another tenant's key gets 404; Genesys' 404 keeps its code")
    func conversations() async throws {
        try await APIHarness.run("api-conversations", orgs: Self.orgs) { api in
            let key = Self.alphaOne.apiKey
            let created = try await api.call(
                "POST", "/v1/conversations", key: key,
                json: #"{"kind":"open","message":{"id":"c-1","type":"text","textBody":"hi","sender":{"id":"+15550009","idType":"Phone"}}}"#)
            #expect(created.status == 201, "\(created.text)")
            let conversation = try #require(created.object["conversationId"] as? String)

            let fetched = try await api.call("GET", "/v1/conversations/\(conversation)", key: key)
            #expect(fetched.status == 200)
            let participants = try #require((fetched.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])
            let agent = try #require(participants.first { $0["purpose"] as? String == "agent" }?["id"] as? String)

            #expect(try await api.call("GET", "/v1/conversations/\(conversation)", key: Self.beta.apiKey).status == 404)
            #expect(try await api.call("POST", "/v1/conversations/\(conversation)/close", key: Self.beta.apiKey).status == 404)

            let transfer = try await api.call(
                "POST", "/v1/conversations/\(conversation)/participants", key: key, json: #"{"participantId":"\#(agent)","queueId":"queue-7"}"#)
            #expect(transfer.status == 202, "\(transfer.text)")
            let twoTargets = try await api.call(
                "POST", "/v1/conversations/\(conversation)/participants", key: key, json: #"{"participantId":"\#(agent)","queueId":"q","userId":"u"}"#)
            #expect(twoTargets.status == 400)

            let closed = try await api.call("POST", "/v1/conversations/\(conversation)/close", key: key)
            #expect(closed.status == 200)
            let states = ((closed.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states?.allSatisfy { $0 == "disconnected" } == true)

            let unknown = try await api.call("GET", "/v1/conversations/00000000-0000-0000-0000-000000000000", key: key)
            #expect(unknown.status == 404)
            #expect(unknown.error["code"] as? String == "genesys.not_found")
            let genesys = unknown.error["genesys"] as? [String: Any]
            #expect(genesys?["code"] as? String == "not.found")
            #expect((genesys?["correlationId"] as? String)?.isEmpty == false)

            let agentless = try await api.call(
                "POST", "/v1/conversations", key: key, json: #"{"kind":"agentless","toAddress":"+15550009","text":"Your order shipped"}"#)
            #expect(agentless.status == 201, "\(agentless.text)")
            let outbound = try await api.call(
                "POST", "/v1/conversations?org=two", key: key, json: #"{"kind":"outbound","queueId":"queue-1","toAddress":"+15550010"}"#)
            #expect(outbound.status == 201, "\(outbound.text)")
            #expect(outbound.object["org"] as? String == "two")
            let missingQueue = try await api.call("POST", "/v1/conversations", key: key, json: #"{"kind":"outbound","toAddress":"+1"}"#)
            #expect(missingQueue.status == 400)
            #expect(missingQueue.error["field"] as? String == "queueId")
        }
    }

    @Test("an open breaker answers 503 with Retry-After; a busy org answers 429 with Retry-After after the bounded wait")
    func refusals() async throws {
        let slow = TestOrg(tenant: "slow", name: "main", rate: 1, burst: 1)
        try await APIHarness.run("api-refusals", orgs: Self.orgs + [slow], maxLimiterWait: .milliseconds(200)) { api in
            let admin = APIHarness.adminKey
            let forced = try await api.call("POST", "/admin/tenants/beta/orgs/main/breaker", key: admin, json: #"{"state":"open"}"#)
            #expect(forced.status == 200)
            let open = try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "b-1"))
            #expect(open.status == 503)
            #expect(open.error["code"] as? String == "circuit_open")
            #expect(Int(open.header("Retry-After") ?? "") ?? 0 >= 1)
            // The other tenant is not affected.
            #expect(try await api.call("POST", "/v1/messages", key: Self.alphaOne.apiKey, json: APIHarness.text(id: "a-1")).status == 200)
            _ = try await api.call("POST", "/admin/tenants/beta/orgs/main/breaker", key: admin, json: #"{"state":"closed"}"#)
            #expect(try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "b-2")).status == 200)

            #expect(try await api.call("POST", "/v1/messages", key: slow.apiKey, json: APIHarness.text(id: "s-1")).status == 200)
            let limited = try await api.call("POST", "/v1/messages", key: slow.apiKey, json: APIHarness.text(id: "s-2"))
            #expect(limited.status == 429)
            #expect(limited.error["code"] as? String == "rate_limited")
            #expect(limited.header("Retry-After") == "1")
            #expect(api.sandbox.control.received(integrationId: slow.integrationID).count == 1)
        }
    }

    @Test("cross-tenant attempts are all refused: messages, conversations, orgs and bodies of another tenant")
    func crossTenant() async throws {
        try await APIHarness.run("api-cross-tenant", orgs: Self.orgs) { api in
            let alpha = Self.alphaOne.apiKey
            let beta = Self.beta.apiKey
            let created = try await api.call(
                "POST", "/v1/conversations", key: beta,
                json: #"{"kind":"open","message":{"id":"x-1","type":"text","textBody":"hi","sender":{"id":"+15550077","idType":"Phone"}}}"#)
            let conversation = try #require(created.object["conversationId"] as? String)
            #expect(try await api.call("POST", "/v1/messages/async", key: beta, json: APIHarness.text(id: "x-2")).status == 202)

            // beta's org name "main" is not alpha's.
            #expect(try await api.call("POST", "/v1/messages?org=main", key: alpha, json: APIHarness.text(id: "x-3")).status == 404)
            #expect(try await api.call("POST", "/v1/messages", key: alpha, json: APIHarness.text(id: "x-4", org: "main")).status == 404)
            #expect(try await api.call("POST", "/v1/messages", key: alpha, json: APIHarness.text(id: "x-5", tenant: "beta")).status == 400)
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
            #expect(api.sandbox.control.received(integrationId: Self.alphaOne.integrationID).isEmpty)
            #expect(api.sandbox.control.received(integrationId: Self.alphaTwo.integrationID).isEmpty)
            let still = try await api.call("GET", "/v1/conversations/\(conversation)", key: beta)
            let states = ((still.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states?.contains("connected") == true)
        }
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

    /// The breaker lets `halfOpenProbes` (3) sends through while half-open. Genesys answers beta 500 ms late here,
    /// so the probes are still out when the other nine ask: those must be turned away, and only as 503.
    @Test("a half-open breaker turning sends away answers 503 circuit_open with Retry-After, never anything else")
    func halfOpen() async throws {
        try await APIHarness.run("api-half-open", orgs: Self.orgs) { api in
            try api.sandbox.control.setFaults(FaultSettings(latencyMs: 500), for: .integration(Self.beta.integrationID))
            #expect(try await api.call("POST", "/admin/tenants/beta/orgs/main/breaker", key: APIHarness.adminKey, json: #"{"state":"half-open"}"#).status == 200)
            let answers = try await withThrowingTaskGroup(of: APIHarness.Answer.self) { group in
                for index in 0..<12 {
                    group.addTask { try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "h-\(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refused = answers.filter { $0.status != 200 }
            // Without this, a breaker that let every send through would pass the check below with nothing to check.
            #expect(!refused.isEmpty, "no send was turned away: \(answers.map(\.status))")
            #expect(refused.allSatisfy { $0.status == 503 && $0.error["code"] as? String == "circuit_open" && $0.header("Retry-After") != nil })
            #expect(answers.count - refused.count == api.sandbox.control.received(integrationId: Self.beta.integrationID).count)
        }
    }
}
