public import GatewayConfig
public import GatewayCore
/// What ``TenantRegistry/apply(_:keeping:)`` changed, tenant by tenant and org by org.
public struct TenantRegistryChanges: Sendable, Equatable {
    /// Tenant ids new to the registry.
    public var added: [String] = []
    /// Tenants whose config or resolved secrets changed.
    public var updated: [String] = []
    /// Tenants no longer configured.
    public var removed: [String] = []
    /// Tenants given again with nothing changed: they keep their runtime objects.
    public var unchanged: [String] = []
    /// Orgs new to a tenant that was already there (a new tenant's orgs are not listed).
    public var orgsAdded: [OrgKey] = []
    /// Orgs gone from a tenant that stays.
    public var orgsRemoved: [OrgKey] = []
    /// Orgs that got a new token store: their client id, secret, login host or login timeouts changed.
    public var orgsWithNewCredentials: [OrgKey] = []
    /// Orgs whose rate-limit settings changed: they got a fresh limiter (full burst, no 429 slow-down).
    public var orgsWithNewRateLimiter: [OrgKey] = []
    /// Orgs whose breaker settings changed: they got a fresh, closed breaker.
    public var orgsWithNewCircuitBreaker: [OrgKey] = []
    /// Tenants that could not be built; each kept its previous version when it had one.
    public var failures: [TenantBuildFailure] = []

    public init() {}
}

/// A tenant whose runtime could not be built (a secret gone since validation, a plugin refusing its settings).
public struct TenantBuildFailure: Sendable, Equatable {
    public var tenantID: String
    public var error: ConfigError
    /// The tenant's previous version stays in force.
    public var keptPreviousVersion: Bool

    public init(tenantID: String, error: ConfigError, keptPreviousVersion: Bool) {
        self.tenantID = tenantID
        self.error = error
        self.keptPreviousVersion = keptPreviousVersion
    }
}
