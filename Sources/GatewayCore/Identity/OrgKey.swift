/// Names one Genesys org of one tenant; the key of every per-org state (token, limiter, breaker).
public struct OrgKey: Hashable, Sendable, CustomStringConvertible {
    public var tenantID: String
    public var orgName: String

    public init(tenantID: String, orgName: String) {
        self.tenantID = tenantID
        self.orgName = orgName
    }

    public var description: String { "\(tenantID)/\(orgName)" }
}
