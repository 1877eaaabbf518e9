/// Why a fetch from the tenant service brought no usable document. The last good tenant set stays in force.
public struct TenantServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No answer, an HTTP status other than 200 and 304, or no token to send.
        case unreachable
        /// An answer that is not a tenant service document (not JSON, not `{"tenants": [...]}`, too large).
        case invalidDocument
    }

    public var kind: Kind
    /// The service's URL, credentials taken out.
    public var url: String
    /// What went wrong; never any part of the answer's secrets.
    public var message: String

    public init(kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    public var description: String { "tenant service \(url): \(message)" }
}
