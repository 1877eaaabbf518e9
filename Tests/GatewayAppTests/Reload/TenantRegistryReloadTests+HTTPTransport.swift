import Foundation
import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import OrgServices
@testable import GatewayApp

/// An org's `http:` CA file, client certificate and proxy across a reload (issue 25).
extension TenantRegistryReloadTests {
    static func tenantBehind(proxy: String?) -> String {
        TenantYAML(id: "acme", apiKeys: [.env("KEY_ACME")], orgs: [
            .init(
                name: "main", baseURL: "http://127.0.0.1:9410", clientID: "acme-client", clientSecret: .env("SECRET"),
                integrationID: "acme-integration", messageTypes: ["text"], errorPolicy: "default", rate: 50, burst: 50,
                breaker: .init(openSeconds: 30), retry: .init(maxAttempts: 5), http: proxy.map { TenantYAML.HTTP(proxy: $0) }),
        ]).text
    }

    /// The token store logs in through the org's proxy, so a new proxy is a new store; the limiter and breaker stay.
    @Test func aChangedProxyGetsANewTokenStoreButKeepsLimiterAndBreaker() async throws {
        let fixture = try ReloadFixture(["acme.yaml": Self.tenantBehind(proxy: nil)])
        let before = try #require(fixture.org("acme"))
        #expect(before.config.http.transport.isEmpty)
        fixture.configs.write("acme.yaml", Self.tenantBehind(proxy: "http://egress.example:3128"))

        let report = await fixture.reloader.reload()
        let after = try #require(fixture.org("acme"))
        #expect(report.orgsWithNewCredentials.map(\.org) == ["main"])
        #expect(after.config.http.transport.proxy == "http://egress.example:3128")
        #expect(after.tokens as AnyObject !== before.tokens as AnyObject)
        #expect(after.limiter as AnyObject === before.limiter as AnyObject)
        #expect(after.breaker === before.breaker)
    }
}
