import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
import Testing
@testable import Broker

/// The operations side over real HTTP, with the gateway as `run` starts it: the end-to-end few. The routes themselves
/// (webhook signatures, admin, listeners, metrics behind the admin key) are tested in process (`HTTPAPITests`);
/// what stays here needs the real servers or the wiring of `run`: the sandbox's own signed webhook reaching
/// RabbitMQ, a reload reading tenant files, the metrics exposition moving with real traffic, and the listener
/// settings (`--ops-port`, `--public-metrics`) choosing and binding the listeners.
@Suite("HTTP API operations (integration)")
struct APIOperationsIntegrationTests {
    static let alpha = APIIntegrationTests.alphaOne
    static let beta = APIIntegrationTests.beta
    static let orgs = APIIntegrationTests.orgs

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

    /// What each listener serves is `ListenerRoutesTests`' (in process); this checks only that `run`'s settings pick
    /// those listeners and bind the operations port.
    @Test("listener settings: --ops-port moves /metrics and /admin to their own port; --public-metrics opens /metrics")
    func listenerSettings() async throws {
        try await APIHarness.run("listener-ops", orgs: Self.orgs, operationsListener: true) { api in
            let ops = try #require(api.opsBaseURL)
            #expect(try await api.call("GET", "/metrics", base: ops).status == 200)
            #expect(try await api.call("GET", "/admin/tenants", key: APIHarness.adminKey, base: ops).status == 200)
            #expect(try await api.call("GET", "/metrics", key: APIHarness.adminKey).status == 404)
            #expect(try await api.call("POST", "/v1/messages", key: Self.alpha.apiKey, json: APIHarness.text(id: "ops-1")).status == 200)
        }
        try await APIHarness.run("listener-open", orgs: Self.orgs, publicMetrics: true) { (api: APIHarness) async throws in
            #expect(try await api.call("GET", "/metrics").status == 200)
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
