public import GatewayCore
/// What one config reload did, for the log and the admin API (encoded as JSON).
public struct ReloadReport: Codable, Sendable, Equatable {
    /// What started a reload.
    public enum Trigger: String, Codable, Sendable {
        /// SIGHUP.
        case signal
        /// The config directory's files changed.
        case fileChange
        /// Asked for through ``ConfigReloader/reload()`` (the admin API).
        case request
        /// The tenant service's document changed.
        case tenantService
    }

    /// An org named in a report.
    public struct Org: Codable, Sendable, Equatable {
        public var tenantId: String
        public var org: String

        public init(_ key: OrgKey) {
            tenantId = key.tenantID
            org = key.orgName
        }
    }

    /// A tenant file (or the directory itself, or a tenant of the tenant service: `tenant-service:<tenant>`)
    /// that could not be put in force.
    public struct FailedFile: Codable, Sendable, Equatable {
        public var path: String
        /// Every problem, as `path:line:column: message`.
        public var errors: [String]
        /// The tenant this file defined before, now kept as it was; nil when nothing was kept.
        public var keptTenantId: String?
        /// The file's previous version stays in force.
        public var keptPreviousVersion: Bool

        /// - Parameter keptPreviousVersion: defaults to whether a tenant was kept; a directory that cannot be
        ///   read keeps every tenant without naming one.
        public init(path: String, errors: [String], keptTenantId: String?, keptPreviousVersion: Bool? = nil) {
            self.path = path
            self.errors = errors
            self.keptTenantId = keptTenantId
            self.keptPreviousVersion = keptPreviousVersion ?? (keptTenantId != nil)
        }
    }

    public var trigger: Trigger
    /// Tenants from new files (or new ids).
    public var tenantsAdded: [String] = []
    /// Tenants whose settings or resolved secrets changed.
    public var tenantsUpdated: [String] = []
    /// Tenants whose file is gone, or that the tenant service no longer lists.
    public var tenantsRemoved: [String] = []
    /// Tenants read again with nothing changed: their orgs keep token, limiter and breaker state.
    public var tenantsUnchanged: [String] = []
    /// Orgs new to a tenant that was already served.
    public var orgsAdded: [Org] = []
    /// Orgs gone from a tenant that is still served.
    public var orgsRemoved: [Org] = []
    /// Orgs that got a new token store (client id, secret, login host or login timeouts changed).
    public var orgsWithNewCredentials: [Org] = []
    /// Orgs that got a fresh rate limiter because their rate-limit settings changed.
    public var orgsWithNewRateLimiter: [Org] = []
    /// Orgs that got a fresh (closed) circuit breaker because their breaker settings changed.
    public var orgsWithNewCircuitBreaker: [Org] = []
    /// Files refused, by path; tenants kept from their previous version are named there, not in the lists above.
    public var failedFiles: [FailedFile] = []

    public init(trigger: Trigger) {
        self.trigger = trigger
    }

    /// Every file loaded and every tenant built.
    public var succeeded: Bool { failedFiles.isEmpty }
}
