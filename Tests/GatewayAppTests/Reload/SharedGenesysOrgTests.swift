import GatewayTestSupport
import Testing
@testable import OrgServices

/// Issue 25: tenants that send through one Genesys org (one API host, one OAuth client) cannot be told apart by
/// Genesys, so the conversation routes show such a tenant only the conversations the gateway saw for it. The
/// client was compared by its reference: `acme-client` written plainly and `env:CLIENT_OF_ACME` holding the same
/// id were taken for two clients.
@Suite struct SharedGenesysOrgTests {
    static func tenant(_ id: String, clientID: String, baseURL: String = "http://127.0.0.1:9410") -> String {
        TenantYAML(id: id, apiKeys: [.env("KEY_\(id.uppercased())")], orgs: [
            .init(
                name: "main", baseURL: baseURL, clientID: clientID, clientSecret: .env("SECRET"), integrationID: "\(id)-integration",
                messageTypes: ["text"], errorPolicy: "default", rate: 50, burst: 50, breaker: .init(), retry: .init()),
        ]).text
    }

    @Test func twoReferencesToOneClientIDAreOneGenesysOrg() throws {
        let fixture = try ReloadFixture([
            "acme.yaml": Self.tenant("acme", clientID: "acme-client"),
            "beta.yaml": Self.tenant("beta", clientID: "env:CLIENT_OF_ACME"),
        ])
        let acme = try #require(fixture.org("acme"))
        let beta = try #require(fixture.org("beta"))
        #expect(fixture.registry.sharesGenesysOrg(acme))
        #expect(fixture.registry.sharesGenesysOrg(beta))
    }

    @Test func anotherClientOrAnotherHostIsAnotherGenesysOrg() throws {
        let fixture = try ReloadFixture([
            "acme.yaml": Self.tenant("acme", clientID: "acme-client"),
            "beta.yaml": Self.tenant("beta", clientID: "beta-client"),
            "gamma.yaml": Self.tenant("gamma", clientID: "env:CLIENT_OF_ACME", baseURL: "http://127.0.0.1:9411"),
        ])
        for tenant in ["acme", "beta", "gamma"] {
            let org = try #require(fixture.org(tenant))
            #expect(!fixture.registry.sharesGenesysOrg(org), "\(tenant)")
        }
    }
}
