import GatewayTestSupport
import OrgServices
import Testing
@testable import HTTPAPI

/// `/admin`: the admin key alone opens it; it lists every tenant's orgs with breaker and limiter state and forces
/// a breaker. In process (moved from `APIOperationsIntegrationTests/admin`): the listing reads the registry's org
/// state, which the fixture builds from real tenant files. `POST /admin/reload` reads files and stays end to end
/// (`APIOperationsIntegrationTests/reload`).
@Suite(.timeLimit(.minutes(1))) struct AdminRoutesTests {
    @Test("admin: only the admin key; lists orgs with breaker and limiter state; forces a breaker")
    func admin() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            #expect(try await api.call("GET", "/admin/tenants").status == 401)
            #expect(try await api.call("GET", "/admin/tenants", key: TestOrg.alphaOne.apiKey).status == 401)
            let listing = try await api.call("GET", "/admin/tenants", key: RouteFixture.adminKey)
            #expect(listing.status == 200)
            let tenants = try #require(listing.object["tenants"] as? [[String: Any]])
            #expect(tenants.compactMap { $0["id"] as? String } == ["alpha", "beta", "gamma"])
            let alphaOrgs = try #require(tenants.first?["orgs"] as? [[String: Any]])
            #expect(alphaOrgs.compactMap { $0["name"] as? String } == ["one", "two"])
            #expect((alphaOrgs.first?["breaker"] as? [String: Any])?["state"] as? String == "closed")
            #expect((alphaOrgs.first?["limiter"] as? [String: Any])?["configuredRate"] as? Double == 1000)

            let forced = try await api.call("POST", "/admin/tenants/alpha/orgs/two/breaker", key: RouteFixture.adminKey, json: #"{"state":"open"}"#)
            #expect((forced.object["breaker"] as? [String: Any])?["state"] as? String == "open")
            #expect(try await api.call("POST", "/admin/tenants/alpha/orgs/two/breaker", key: RouteFixture.adminKey, json: #"{"state":"ajar"}"#).status == 400)
            #expect(try await api.call("POST", "/admin/tenants/alpha/orgs/six/breaker", key: RouteFixture.adminKey, json: #"{"state":"open"}"#).status == 404)
        }
        #expect(await fixture.registry.tenant("alpha")?.orgs["two"]?.breaker.snapshot().state == .open, "the forced state is the org's own")
        #expect(await fixture.registry.tenant("alpha")?.orgs["one"]?.breaker.snapshot().state == .closed)
    }
}
