import Crypto
import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
import Testing
@testable import Broker

/// The webhook, admin, reload and metrics routes over real HTTP, with the gateway as `run` starts it.
@Suite("HTTP API operations (integration)")
struct APIOperationsIntegrationTests {
    static let alpha = APIIntegrationTests.alphaOne
    static let beta = APIIntegrationTests.beta
    static let orgs = APIIntegrationTests.orgs

    static func signature(_ body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(mac).base64EncodedString()
    }

    static func agentMessage(id: String, to customer: String = "+15550009") -> String {
        #"{"id":"\#(id)","channel":{"platform":"Open","type":"Private","to":{"id":"\#(customer)"},"from":{"id":"integration","idType":"Opaque","nickname":"Agent"},"time":"2026-11-25T10:00:00.000Z"},"type":"Text","text":"How can I help?","direction":"Outbound","conversationId":"conv-1"}"#
    }

    @Test("webhook: a signed agent message is published once, a replayed retry is not, bad or missing signatures publish nothing")
    func webhook() async throws {
        try await APIHarness.run("api-webhook", orgs: Self.orgs) { api in
            let inbound = try api.captureInbound()
            let path = "/webhooks/genesys/alpha/one"
            let body = Self.agentMessage(id: "agent-msg-1")
            let good = [("X-Hub-Signature-256", Self.signature(body, secret: Self.alpha.webhookSecret))]

            #expect(try await api.call("POST", path, json: body, headers: good).status == 200)
            #expect(try await api.call("POST", path, json: body, headers: good).status == 200)
            let wrongSecret = [("X-Hub-Signature-256", Self.signature(body, secret: Self.beta.webhookSecret))]
            let forged = try await api.call("POST", path, json: Self.agentMessage(id: "agent-msg-2"), headers: wrongSecret)
            #expect(forged.status == 401)
            #expect(forged.error["code"] as? String == "bad_signature")
            #expect(try await api.call("POST", path, json: Self.agentMessage(id: "agent-msg-3")).status == 401)
            // Signed for alpha/one, posted as beta: beta's secret does not match.
            #expect(try await api.call("POST", "/webhooks/genesys/beta/main", json: body, headers: good).status == 401)
            let unknown = try await api.call("POST", "/webhooks/genesys/alpha/mars", json: body, headers: good)
            #expect(unknown.status == 401)
            #expect(unknown.error["code"] as? String == "bad_signature")
            #expect(unknown.error["org"] is NSNull)

            var published: [AMQPDelivery] = []
            _ = try await api.eventually(timeout: .seconds(2)) {
                published += try api.probe.drain(inbound)
                return published.count > 1
            }
            #expect(published.count == 1)
            let message = try #require(published.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
            #expect(message["genesysMessageId"] as? String == "agent-msg-1")
            #expect(message["tenantId"] as? String == "alpha")
        }
    }

    @Test("webhook end to end: the sandbox's agent message, signed by the sandbox, reaches genesys.inbound")
    func webhookFromSandbox() async throws {
        try await APIHarness.run("api-webhook-e2e", orgs: Self.orgs) { api in
            let inbound = try api.captureInbound()
            let created = try await api.call(
                "POST", "/v1/conversations", key: Self.alpha.apiKey,
                json: #"{"kind":"open","message":{"id":"w-1","type":"text","textBody":"hi","sender":{"id":"+15550042","idType":"Phone"}}}"#)
            let conversation = try #require(created.object["conversationId"] as? String)
            let report = try await api.sandbox.control.sendAgentMessage(conversationId: conversation, text: "An agent here")
            #expect(report?.delivered == true)
            var published: [AMQPDelivery] = []
            #expect(try await api.eventually { published += try api.probe.drain(inbound); return !published.isEmpty })
            let message = try #require(published.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
            // Genesys' notification names the customer, not the conversation.
            #expect(message["customerId"] as? String == "+15550042")
            #expect(message["text"] as? String == "An agent here")
            #expect(published.first?.routingKey.hasPrefix("alpha.one.") == true)
        }
    }

    @Test("admin: only the admin key; lists orgs with breaker and limiter state; forces a breaker")
    func admin() async throws {
        try await APIHarness.run("api-admin", orgs: Self.orgs) { api in
            #expect(try await api.call("GET", "/admin/tenants").status == 401)
            #expect(try await api.call("GET", "/admin/tenants", key: Self.alpha.apiKey).status == 401)
            let listing = try await api.call("GET", "/admin/tenants", key: APIHarness.adminKey)
            #expect(listing.status == 200)
            let tenants = try #require(listing.object["tenants"] as? [[String: Any]])
            #expect(tenants.compactMap { $0["id"] as? String } == ["alpha", "beta", "gamma"])
            let alphaOrgs = try #require(tenants.first?["orgs"] as? [[String: Any]])
            #expect(alphaOrgs.compactMap { $0["name"] as? String } == ["one", "two"])
            #expect((alphaOrgs.first?["breaker"] as? [String: Any])?["state"] as? String == "closed")
            #expect((alphaOrgs.first?["limiter"] as? [String: Any])?["configuredRate"] as? Double == 1000)

            let forced = try await api.call("POST", "/admin/tenants/alpha/orgs/two/breaker", key: APIHarness.adminKey, json: #"{"state":"open"}"#)
            #expect((forced.object["breaker"] as? [String: Any])?["state"] as? String == "open")
            #expect(try await api.call("POST", "/admin/tenants/alpha/orgs/two/breaker", key: APIHarness.adminKey, json: #"{"state":"ajar"}"#).status == 400)
            #expect(try await api.call("POST", "/admin/tenants/alpha/orgs/six/breaker", key: APIHarness.adminKey, json: #"{"state":"open"}"#).status == 404)
        }
    }

    @Test("reload: a broken file keeps the old tenant, a new file adds a tenant whose key works at once")
    func reload() async throws {
        try await APIHarness.run("api-reload", orgs: Self.orgs) { api in
            let betaFile = api.configDirectory + "/beta.yaml"
            let original = try String(contentsOfFile: betaFile, encoding: .utf8)
            try (original + "\nnot: [valid").write(toFile: betaFile, atomically: true, encoding: .utf8)
            let report = try await api.call("POST", "/admin/reload", key: APIHarness.adminKey)
            #expect(report.status == 200)
            let failed = try #require(report.object["failedFiles"] as? [[String: Any]])
            #expect(failed.count == 1)
            #expect(try await api.call("POST", "/v1/messages", key: Self.beta.apiKey, json: APIHarness.text(id: "r-1")).status == 200)

            let delta = TestOrg(tenant: "delta", name: "main")
            // The secrets resolver is fixed at start: delta borrows secrets the test environment already has.
            var yaml = GatewayHarness.yaml(tenant: "delta", orgs: [delta], baseURL: api.sandbox.baseURL)
            yaml.apiKeys = [.env(Self.alpha.apiKeyVariable)]
            yaml.orgs[0].clientSecret = .env(Self.alpha.secretVariable)
            yaml.orgs[0].webhookSecret = .env(Self.alpha.webhookSecretVariable)
            let deltaFile = api.configDirectory + "/delta.yaml"
            try yaml.text.write(toFile: deltaFile, atomically: true, encoding: .utf8)
            // alpha's key is alpha's: the new file is refused, and alpha is not locked out.
            let refused = try await api.call("POST", "/admin/reload", key: APIHarness.adminKey)
            #expect((refused.object["tenantsAdded"] as? [String]) == [])
            let refusal = (refused.object["failedFiles"] as? [[String: Any]])?.first { ($0["path"] as? String)?.hasSuffix("delta.yaml") == true }
            #expect(((refusal?["errors"] as? [String])?.first ?? "").contains("already tenant 'alpha'"))
            #expect(try await api.call("POST", "/v1/messages", key: Self.alpha.apiKey, json: APIHarness.text(id: "r-2")).status == 200)

            // With a key of its own it is added, and its key works at once.
            let gamma = APIIntegrationTests.gamma
            yaml.apiKeys = [.env(gamma.webhookSecretVariable)]
            try yaml.text.write(toFile: deltaFile, atomically: true, encoding: .utf8)
            let added = try await api.call("POST", "/admin/reload", key: APIHarness.adminKey)
            #expect((added.object["tenantsAdded"] as? [String]) == ["delta"])
            let asDelta = try await api.call("GET", "/v1/messages/none", key: gamma.webhookSecret)
            #expect(asDelta.status == 404)
            #expect(asDelta.error["tenantId"] as? String == "delta")
        }
    }

    @Test("metrics: the exposition parses and per-org counters move with traffic")
    func metrics() async throws {
        try await APIHarness.run("api-metrics", orgs: Self.orgs) { api in
            func sent(_ org: TestOrg) async throws -> Double {
                let text = try await api.call("GET", "/metrics", key: APIHarness.adminKey).text
                var total = 0.0
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    let parts = line.split(separator: " ")
                    #expect(parts.count == 2, "not a sample line: \(line)")
                    #expect(Double(parts.last ?? "") != nil, "not a number: \(line)")
                    if line.hasPrefix("genesys_gateway_messages_sent"), line.contains(#"tenant="\#(org.tenant)""#),
                        line.contains(#"org="\#(org.name)""#)
                    {
                        total += Double(parts.last ?? "") ?? 0
                    }
                }
                return total
            }
            let before = try await sent(Self.alpha)
            for index in 0..<3 {
                #expect(try await api.call("POST", "/v1/messages", key: Self.alpha.apiKey, json: APIHarness.text(id: "metric-\(index)")).status == 200)
            }
            #expect(try await sent(Self.alpha) == before + 3)
            #expect(try await sent(Self.beta) == 0)
        }
    }
}
