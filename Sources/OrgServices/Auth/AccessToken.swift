public import GatewayCore
/// A bearer token for one org, with when to renew it and when it stops working (monotonic clock time).
public struct AccessToken: Sendable, Equatable {
    public var value: Secret
    public var renewAt: Duration
    public var expiresAt: Duration

    public init(value: Secret, renewAt: Duration, expiresAt: Duration) {
        self.value = value
        self.renewAt = renewAt
        self.expiresAt = expiresAt
    }

    /// Renewal point for a token issued at `issued` that lives `lifetime`: at 80 % of its life or 60 s
    /// before expiry, whichever is earlier — but never before half its life, so a short-lived token is not
    /// renewed on every use.
    public static func renewalTime(issued: Duration, lifetime: Duration) -> Duration {
        let preferred = min(lifetime * 0.8, lifetime - .seconds(60))
        return issued + max(preferred, lifetime / 2)
    }
}

/// Why no token could be had for an org. Never carries the secret.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The login host refused the credentials (OAuth `error` and `error_description`).
        case rejected(status: Int, error: String?, description: String?)
        case transport(TransportError)
        case malformedResponse(String)
    }

    public var org: OrgKey
    public var reason: Reason
    /// No new token request is made before this time (the store backs off after failures).
    public var retryAt: Duration
    public var correlationID: String?

    /// The login host is down, unreachable or throttling (not refusing our credentials): worth waiting out.
    public var isOutage: Bool {
        switch reason {
        case .transport: return true
        case .rejected(let status, _, _): return status == 429 || status >= 500
        case .malformedResponse: return false
        }
    }

    public var description: String {
        let why: String
        switch reason {
        case .rejected(let status, let error, let description):
            why = "login host answered \(status)" + (error.map { " \($0)" } ?? "") + (description.map { ": \($0)" } ?? "")
        case .transport(let error): why = "\(error)"
        case .malformedResponse(let detail): why = "token response unreadable: \(detail)"
        }
        return "no OAuth token for org \(org): \(why)" + (correlationID.map { " (correlation \($0))" } ?? "")
    }
}

/// Hands out an org's bearer token. A protocol so several gateway replicas can later share one through Redis.
public protocol TokenProviding: Sendable {
    /// A valid token, renewed first if needed. Throws ``TokenError``.
    func token() async throws -> AccessToken
    /// Genesys refused `token` (401): drop it so the next ``token()`` renews — once, however many callers saw it.
    func invalidate(_ token: AccessToken) async
    /// Whether a valid token is held now, so ``token()`` answers without waiting for a login. A send takes its
    /// rate-limit slot only once this holds: a slot taken before a wait for the login is stale when the token
    /// comes, and every send that waited with one would leave at once, over the org's rate at Genesys.
    var holdsUsableToken: Bool { get }
}
