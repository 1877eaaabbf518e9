import GatewayTestSupport
import GatewayCore

/// One org as a route test wants it: its tenant file's settings and the names the scripted Genesys knows it by.
/// The same shape and names as the integration tests' `TestOrg`, so a test moved from there reads the same.
struct RouteOrg: Sendable {
    var tenant: String
    var name: String
    var rate: Double = 1000
    var burst: Int = 1000
    var breaker = TenantYAML.Breaker(failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 20, openSeconds: 30, halfOpenProbes: 3)
    var retry = TenantYAML.Retry(maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 500, retryAfterCapSeconds: 10)
    /// The tenant's `enabled` flag.
    var tenantEnabled = true
    var messageTypes = ["text", "media", "typing", "receipt"]
    var expiry: TenantYAML.Expiry?

    /// Each org has a Genesys host of its own, so the scripted Genesys knows which org a request came from.
    var baseURL: String { "http://\(tenant)-\(name).genesys.test" }
    var clientID: String { "\(tenant)-\(name)-client" }
    var integrationID: String { "\(tenant)-\(name)-integration" }
    /// The tenant's API key (one per tenant, whichever org asks).
    var apiKey: String { "\(tenant)-api-key-0001" }
    var webhookSecret: String { "\(tenant)-\(name)-webhook-secret" }
    var key: OrgKey { OrgKey(tenantID: tenant, orgName: name) }

    var secretVariable: String { "SECRET_\(tenant)_\(name)".uppercased() }
    var apiKeyVariable: String { "APIKEY_\(tenant)".uppercased() }
    var webhookSecretVariable: String { "WEBHOOK_\(tenant)_\(name)".uppercased() }

    /// The org in its tenant's file.
    func yaml(isDefault: Bool) -> TenantYAML.Org {
        TenantYAML.Org(
            name: name, isDefault: isDefault, baseURL: baseURL, clientID: clientID, clientSecret: .env(secretVariable),
            integrationID: integrationID, webhookSecret: .env(webhookSecretVariable), messageTypes: messageTypes,
            rate: rate, burst: burst, breaker: breaker, retry: retry, expiry: expiry)
    }

    // The tenants the moved API tests use: alpha with two orgs, beta, and a disabled gamma.
    static let alphaOne = RouteOrg(tenant: "alpha", name: "one")
    static let alphaTwo = RouteOrg(tenant: "alpha", name: "two")
    static let beta = RouteOrg(tenant: "beta", name: "main")
    static let gamma = RouteOrg(tenant: "gamma", name: "main", tenantEnabled: false)
    static let standard = [alphaOne, alphaTwo, beta, gamma]
}
