/// A tenant and its orgs, ready to send.
public final class TenantRuntime: Sendable {
    public let config: TenantConfig
    public let orgs: [String: OrgRuntime]
    /// The tenant's resolved API keys: a request carrying one of them acts as this tenant.
    public let apiKeys: [Secret]

    public init(config: TenantConfig, orgs: [String: OrgRuntime], apiKeys: [Secret] = []) {
        self.config = config
        self.orgs = orgs
        self.apiKeys = apiKeys
    }

    /// The named org, or the tenant's default org when `name` is nil.
    public func org(named name: String?) -> OrgRuntime? {
        guard let name else { return config.defaultOrg.flatMap { orgs[$0.name] } }
        return orgs[name]
    }
}
