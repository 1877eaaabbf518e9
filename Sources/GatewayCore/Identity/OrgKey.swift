/// Names one Genesys org of one tenant; the key of every per-org state (token, limiter, breaker).
public struct OrgKey: Hashable, Sendable, CustomStringConvertible {
    public var tenantID: String
    public var orgName: String

    public init(tenantID: String, orgName: String) {
        self.tenantID = tenantID
        self.orgName = orgName
    }

    /// Stands for the tenant or org of a message that names none (nor does its queue or headers), in status events,
    /// dead-letter headers and logs. Not a valid tenant id or org name (those hold letters, digits, `-` and `_`),
    /// so no configured tenant's record, limits or status routing keys (`?.?.dead_lettered`) ever take it; it was
    /// `unknown`, which a tenant may be called.
    public static let unattributed = "?"

    public var description: String { "\(tenantID)/\(orgName)" }
}
