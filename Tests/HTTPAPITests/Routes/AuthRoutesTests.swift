import GatewayTestSupport
import Testing
@testable import HTTPAPI

/// Who may call what: every tenant route needs a valid key of an enabled tenant, `/health` and `/ready` need
/// none. In process (moved from `APIIntegrationTests/access`): the key check is the router's middleware, and
/// nothing about it needs RabbitMQ or Genesys.
@Suite(.timeLimit(.minutes(1))) struct AuthRoutesTests {
    @Test("every tenant route needs a valid, enabled tenant's key; health and ready need none")
    func access() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            #expect(try await api.call("GET", "/health").status == 200)
            let ready = try await api.call("GET", "/ready")
            #expect(ready.status == 200)
            #expect(ready.object["ready"] as? Bool == true)

            let missing = try await api.call("POST", "/v1/messages", json: Self.text(id: "m0"))
            #expect(missing.status == 401)
            #expect(missing.error["code"] as? String == "unauthorized")
            #expect(missing.header("WWW-Authenticate") == "Bearer")
            #expect((missing.error["requestId"] as? String)?.isEmpty == false)
            #expect(try await api.call("POST", "/v1/messages", key: "alpha-api-key-0002", json: Self.text(id: "m0")).status == 401)
            #expect(try await api.call("POST", "/v1/messages", key: TestOrg.alphaOne.apiKey + " ", json: Self.text(id: "m0")).status == 200)
            let disabled = try await api.call("POST", "/v1/messages", key: TestOrg.gamma.apiKey, json: Self.text(id: "m1"))
            #expect(disabled.status == 403)
            #expect(disabled.error["code"] as? String == "tenant_disabled")
        }
        #expect(fixture.genesys.received(integrationID: TestOrg.gamma.integrationID).isEmpty)
        #expect(fixture.genesys.received().compactMap(\.channelMessageId) == ["m0"], "only the keyed send reached Genesys")
    }

    @Test("each tenant route refuses a request without a key, a wrong key and a disabled tenant's key, before Genesys or the queue")
    func everyTenantRouteAsksForTheKey() async throws {
        let fixture = try RouteFixture()
        let routes: [(method: String, path: String, json: String?)] = [
            ("POST", "/v1/messages", Self.text(id: "k-1")),
            ("POST", "/v1/messages/async", Self.text(id: "k-2")),
            ("GET", "/v1/messages/k-1", nil),
            ("POST", "/v1/conversations", #"{"kind":"agentless","toAddress":"+15550009","text":"hi"}"#),
            ("GET", "/v1/conversations/c-1", nil),
            ("POST", "/v1/conversations/c-1/participants", #"{"participantId":"p","queueId":"q"}"#),
            ("POST", "/v1/conversations/c-1/close", nil),
        ]
        try await fixture.run { api in
            for route in routes {
                for key in [nil, "not-a-key"] {
                    let refused = try await api.call(route.method, route.path, key: key, json: route.json)
                    #expect(refused.status == 401, "\(route.method) \(route.path) with key \(key ?? "none")")
                    #expect(refused.header("WWW-Authenticate") == "Bearer")
                }
                let disabled = try await api.call(route.method, route.path, key: TestOrg.gamma.apiKey, json: route.json)
                #expect(disabled.status == 403, "\(route.method) \(route.path) as the disabled tenant")
            }
        }
        #expect(fixture.http.requests.isEmpty, "a refused request reached Genesys")
        #expect(fixture.broker.published.isEmpty, "a refused request was queued")
    }

    static func text(id: String, org: String? = nil, tenant: String? = nil) -> String {
        RouteFixture.text(id: id, org: org, tenant: tenant)
    }
}
