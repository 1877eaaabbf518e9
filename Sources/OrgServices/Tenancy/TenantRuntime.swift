public import GatewayConfig
public import GatewayCore
// SHA256.Digest is a plain value (bytes) that swift-crypto 3 has not marked Sendable.
@preconcurrency public import Crypto

/// A tenant and its orgs, ready to send.
public final class TenantRuntime: Sendable {
    public let config: TenantConfig
    public let orgs: [String: OrgRuntime]
    /// The tenant's resolved API keys: a request carrying one of them acts as this tenant.
    public let apiKeys: [Secret]
    /// SHA-256 of each key, made once: a request's key is hashed once and compared with these in constant time.
    public let apiKeyDigests: [SHA256.Digest]

    public init(config: TenantConfig, orgs: [String: OrgRuntime], apiKeys: [Secret] = []) {
        self.config = config
        self.orgs = orgs
        self.apiKeys = apiKeys
        apiKeyDigests = apiKeys.map { SHA256.hash(data: Array($0.reveal().utf8)) }
    }

    /// The named org, or the tenant's default org when `name` is nil.
    public func org(named name: String?) -> OrgRuntime? {
        guard let name else { return config.defaultOrg.flatMap { orgs[$0.name] } }
        return orgs[name]
    }
}
