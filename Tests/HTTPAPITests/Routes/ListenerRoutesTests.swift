import GatewayTestSupport
import Testing
@testable import HTTPAPI

/// Which listener serves what (docs/openapi.yaml, issue 11 item 10): on the only listener `/metrics` needs the
/// admin key unless opened on purpose; with an operations listener, `/metrics` and `/admin` answer there and 404 on
/// the public one. In process (moved from `APIContractIntegrationTests`): each listener is a router the API makes;
/// that `run --ops-port` and `--public-metrics` pick these listeners and bind them stays end to end
/// (`APIOperationsIntegrationTests/listenerSettings`).
@Suite(.timeLimit(.minutes(1))) struct ListenerRoutesTests {
    @Test("one listener: /metrics needs the admin key (401 without, 401 with a tenant key), unless opened")
    func metricsNeedTheAdminKeyOnTheOnlyListener() async throws {
        let fixture = try RouteFixture()
        try await fixture.run(.single(openMetrics: false)) { api in
            let anonymous = try await api.call("GET", "/metrics")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate") == "Bearer")
            #expect(!anonymous.text.contains("tenant="), "the refusal must not list tenants")
            #expect(try await api.call("GET", "/metrics", key: TestOrg.alphaOne.apiKey).status == 401)
            let scraped = try await api.call("GET", "/metrics", key: RouteFixture.adminKey)
            #expect(scraped.status == 200)
            #expect(scraped.text.contains(#"tenant="alpha""#))
        }
        try await fixture.run(.single(openMetrics: true)) { (api: RouteClient) async throws in
            #expect(try await api.call("GET", "/metrics").status == 200)
            #expect(try await api.call("GET", "/admin/tenants").status == 401, "--public-metrics opens /metrics only")
        }
    }

    @Test("operations listener: /metrics and /admin answer there and 404 on the public listener; /health and /ready on both")
    func operationsListenerTakesMetricsAndAdmin() async throws {
        let fixture = try RouteFixture()
        try await fixture.run(.publicOnly) { api in
            try await fixture.run(.operations) { ops in
                let scraped = try await ops.call("GET", "/metrics")
                #expect(scraped.status == 200)
                #expect(scraped.text.contains(#"tenant="alpha""#))
                #expect(try await ops.call("GET", "/admin/tenants", key: RouteFixture.adminKey).status == 200)
                #expect(try await ops.call("GET", "/admin/tenants").status == 401, "the admin key is still needed there")

                #expect(try await api.call("GET", "/metrics").status == 404)
                #expect(try await api.call("GET", "/metrics", key: RouteFixture.adminKey).status == 404)
                #expect(try await api.call("GET", "/admin/tenants", key: RouteFixture.adminKey).status == 404)
                #expect(try await api.call("POST", "/admin/reload", key: RouteFixture.adminKey).status == 404)

                for listener in [api, ops] {
                    #expect(try await listener.call("GET", "/health").status == 200)
                    #expect(try await listener.call("GET", "/ready").status == 200)
                }
                #expect(try await api.call("POST", "/v1/messages", key: TestOrg.alphaOne.apiKey, json: RouteFixture.text(id: "ops-1")).status == 200)
                #expect(try await ops.call("POST", "/v1/messages", key: TestOrg.alphaOne.apiKey, json: RouteFixture.text(id: "ops-2")).status == 404)
            }
        }
        #expect(fixture.genesys.received().compactMap(\.channelMessageId) == ["ops-1"])
    }
}
