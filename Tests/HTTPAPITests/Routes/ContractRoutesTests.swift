import GatewayTestSupport
import Foundation
import Testing
@testable import HTTPAPI

/// What docs/openapi.yaml promises across routes (issue 11): 405 with `Allow` for a method a known path does not
/// serve, 404 for an unknown path, and request ids echoed or replaced. In process (moved from
/// `APIContractIntegrationTests`): all of it is the router's middleware.
@Suite(.timeLimit(.minutes(1))) struct ContractRoutesTests {
    @Test("a known path with a method it does not serve: 405 with Allow, before any key is asked; an unknown path: 404")
    func undeclaredMethodsAnswer405WithAllow() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
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
            #expect(try await api.call("GET", "/v1/nothing-here", key: TestOrg.alphaOne.apiKey).status == 404)
        }
    }

    @Test("X-Request-Id: a usable one is echoed; an empty, over-long or spaced one is replaced, never refused")
    func requestIdsAreEchoedOrReplaced() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            #expect(try await api.call("GET", "/health", headers: [("X-Request-Id", "trace-1")]).header("X-Request-Id") == "trace-1")
            for offered in ["", String(repeating: "x", count: 129), "has space"] {
                let answer = try await api.call("GET", "/v1/messages/none", key: TestOrg.alphaOne.apiKey, headers: [("X-Request-Id", offered)])
                #expect(answer.status == 404, "'\(offered)'")
                let replaced = try #require(answer.header("X-Request-Id"))
                #expect(replaced != offered && UUID(uuidString: replaced) != nil, "'\(offered)' became '\(replaced)'")
                #expect(answer.error["requestId"] as? String == replaced)
            }
        }
    }
}
