import GatewayTestSupport
import GatewayCore

/// The route tests' orgs: the integration tests' `TestOrg`, each with a Genesys host of its own so the scripted
/// Genesys knows which org a request came from.
extension TestOrg {
    var baseURL: String { "http://\(tenant)-\(name).genesys.test" }

    /// The org in its tenant's file, at its scripted Genesys host.
    func yaml(isDefault: Bool) -> TenantYAML.Org { yaml(isDefault: isDefault, baseURL: baseURL) }

    // The tenants the moved API tests use: alpha with two orgs, beta, and a disabled gamma.
    static let alphaOne = TestOrg(tenant: "alpha", name: "one")
    static let alphaTwo = TestOrg(tenant: "alpha", name: "two")
    static let beta = TestOrg(tenant: "beta", name: "main")
    static let gamma = TestOrg(tenant: "gamma", name: "main", tenantEnabled: false)
    static let standard = [alphaOne, alphaTwo, beta, gamma]
}
