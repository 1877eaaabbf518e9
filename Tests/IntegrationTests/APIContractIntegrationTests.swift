import Foundation
import GatewayTestSupport
import Testing

/// What docs/openapi.yaml promises across routes (issue 11): who can reach `/metrics` and `/admin`, 405 with
/// `Allow` for a method a known path does not serve, and request ids — over real HTTP, with the gateway as `run`
/// starts it.
@Suite("HTTP API contract (integration)")
struct APIContractIntegrationTests {
    static let orgs = APIIntegrationTests.orgs
    static let tenantKey = APIIntegrationTests.alphaOne.apiKey

    @Test("one listener: /metrics needs the admin key (401 without, 401 with a tenant key), unless --public-metrics")
    func metricsNeedTheAdminKeyOnTheOnlyListener() async throws {
        try await APIHarness.run("listener-single", orgs: Self.orgs) { api in
            let anonymous = try await api.call("GET", "/metrics")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate") == "Bearer")
            #expect(!anonymous.text.contains("tenant="), "the refusal must not list tenants")
            #expect(try await api.call("GET", "/metrics", key: Self.tenantKey).status == 401)
            let scraped = try await api.call("GET", "/metrics", key: APIHarness.adminKey)
            #expect(scraped.status == 200)
            #expect(scraped.text.contains(#"tenant="alpha""#))
        }
        try await APIHarness.run("listener-open", orgs: Self.orgs, publicMetrics: true) { (api: APIHarness) async throws in
            #expect(try await api.call("GET", "/metrics").status == 200)
            #expect(try await api.call("GET", "/admin/tenants").status == 401, "--public-metrics opens /metrics only")
        }
    }

    @Test("operations listener: /metrics and /admin answer there and 404 on the public listener; /health and /ready on both")
    func operationsListenerTakesMetricsAndAdmin() async throws {
        try await APIHarness.run("listener-ops", orgs: Self.orgs, operationsListener: true) { api in
            let ops = try #require(api.opsBaseURL)
            let scraped = try await api.call("GET", "/metrics", base: ops)
            #expect(scraped.status == 200)
            #expect(scraped.text.contains(#"tenant="alpha""#))
            #expect(try await api.call("GET", "/admin/tenants", key: APIHarness.adminKey, base: ops).status == 200)
            #expect(try await api.call("GET", "/admin/tenants", base: ops).status == 401, "the admin key is still needed there")

            #expect(try await api.call("GET", "/metrics").status == 404)
            #expect(try await api.call("GET", "/metrics", key: APIHarness.adminKey).status == 404)
            #expect(try await api.call("GET", "/admin/tenants", key: APIHarness.adminKey).status == 404)
            #expect(try await api.call("POST", "/admin/reload", key: APIHarness.adminKey).status == 404)

            for base in [api.baseURL, ops] {
                #expect(try await api.call("GET", "/health", base: base).status == 200)
                #expect(try await api.call("GET", "/ready", base: base).status == 200)
            }
            #expect(try await api.call("POST", "/v1/messages", key: Self.tenantKey, json: APIHarness.text(id: "ops-1")).status == 200)
            #expect(try await api.call("POST", "/v1/messages", key: Self.tenantKey, json: APIHarness.text(id: "ops-2"), base: ops).status == 404)
        }
    }

    @Test("a known path with a method it does not serve: 405 with Allow, before any key is asked; an unknown path: 404")
    func undeclaredMethodsAnswer405WithAllow() async throws {
        try await APIHarness.run("listener-405", orgs: Self.orgs) { api in
            let cases: [(method: String, path: String, allow: String)] = [
                ("DELETE", "/v1/messages", "POST"),
                ("GET", "/v1/messages/async", "POST"),
                ("PUT", "/v1/messages/some-id", "GET, HEAD"),
                ("PATCH", "/v1/conversations/c-1/close", "POST"),
                ("POST", "/health", "GET, HEAD"),
                ("DELETE", "/admin/tenants", "GET, HEAD"),
                ("GET", "/webhooks/genesys/alpha/one", "POST"),
            ]
            for (method, path, allow) in cases {
                let answer = try await api.call(method, path, headers: [("X-Request-Id", "probe-405")])
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.header("Allow") == allow, "\(method) \(path)")
                #expect(answer.error["code"] as? String == "method_not_allowed", "\(method) \(path)")
                #expect(answer.header("X-Request-Id") == "probe-405")
            }
            #expect(try await api.call("GET", "/v1/nothing-here", key: Self.tenantKey).status == 404)
        }
    }

    @Test("X-Request-Id: a usable one is echoed; an empty, over-long or spaced one is replaced, never refused")
    func requestIdsAreEchoedOrReplaced() async throws {
        try await APIHarness.run("request-id", orgs: Self.orgs) { api in
            #expect(try await api.call("GET", "/health", headers: [("X-Request-Id", "trace-1")]).header("X-Request-Id") == "trace-1")
            for offered in ["", String(repeating: "x", count: 129), "has space"] {
                let answer = try await api.call("GET", "/v1/messages/none", key: Self.tenantKey, headers: [("X-Request-Id", offered)])
                #expect(answer.status == 404, "'\(offered)'")
                let replaced = try #require(answer.header("X-Request-Id"))
                #expect(replaced != offered && UUID(uuidString: replaced) != nil, "'\(offered)' became '\(replaced)'")
                #expect(answer.error["requestId"] as? String == replaced)
            }
        }
    }

    @Test("open conversation: a receipt or typing event opens none, so it is refused (400 message.type) before anything is sent")
    func onlyAMessageOpensAConversation() async throws {
        try await APIHarness.run("open-kind", orgs: Self.orgs) { api in
            let receipt = #"{"id":"r-1","type":"receipt","genesysMessageId":"g-1","customerId":"+15550001","status":"Delivered"}"#
            let typing = #"{"id":"t-1","type":"typing","sender":{"id":"+15550001","idType":"Phone"}}"#
            for first in [receipt, typing] {
                let answer = try await api.call(
                    "POST", "/v1/conversations", key: Self.tenantKey, json: #"{"kind":"open","message":\#(first)}"#)
                #expect(answer.status == 400, "\(answer.text)")
                #expect(answer.error["field"] as? String == "message.type")
            }
            #expect(api.sandbox.control.received().isEmpty, "nothing may reach Genesys")
        }
    }
}
