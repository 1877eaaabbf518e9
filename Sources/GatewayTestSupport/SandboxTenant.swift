import Foundation
public import GatewayCore
import GenesysSandbox

/// One org that is a tenant of its own (`<prefix>-01`, org `main`), on both sides: the sandbox's client and
/// integration, and the gateway's tenant file. The benchmarks and the fault matrix run many of them side by
/// side, each with its own client, so the sandbox's per-client faults hit one org at a time.
public struct SandboxTenant: Sendable, Hashable {
    /// Names the family (`pb`, `fb`, `chaos`): tenant ids and secret variables are derived from it.
    public let prefix: String
    public let index: Int

    public init(prefix: String, index: Int) {
        self.prefix = prefix
        self.index = index
    }

    public var tenant: String { "\(prefix)-\(index + 1 < 10 ? "0" : "")\(index + 1)" }
    /// The tenant's one org, `main`, its default.
    public var key: OrgKey { OrgKey(tenantID: tenant, orgName: "main") }
    public var clientID: String { "\(tenant)-client" }
    public var secret: String { "\(tenant)-secret-value" }
    public var secretVariable: String { "\(prefix.uppercased())_SECRET_\(index + 1)" }
    public var integrationID: String { "\(tenant)-integration" }

    /// The sandbox's side: one client (its token lifetime and Genesys-side request budget) and one integration.
    public func sandboxOrg(tokenLifetimeSeconds: Int = 86_400, ratePerMinute: Int = 100_000_000) -> SandboxConfiguration.Org {
        SandboxConfiguration.Org(
            id: tenant,
            clients: [.init(id: clientID, secret: secret, tokenLifetimeSeconds: tokenLifetimeSeconds, ratePerMinute: ratePerMinute)],
            integrations: [.init(id: integrationID)])
    }

    /// The gateway's side: the tenant file with its one org, text messages only.
    public func tenantYAML(baseURL: String, rate: Double, burst: Int, retry: TenantYAML.Retry? = nil) -> String {
        TenantYAML(id: tenant, orgs: [
            .init(
                name: "main", isDefault: true, baseURL: baseURL, clientID: clientID, clientSecret: .env(secretVariable),
                integrationID: integrationID, messageTypes: ["text"], rate: rate, burst: burst, retry: retry),
        ]).text
    }

    /// A queued text message `id` (sent on to Genesys as `channel.messageId`) from `customer`.
    public func textMessage(id: String, customer: String, text: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","tenantId":"\#(tenant)","org":"main","type":"text","textBody":"\#(text)","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#.utf8)
    }
}
