public import GatewayConfig
public import GatewayCore
/// Makes the two parts of an org's state that several gateway replicas must share: its token provider and
/// its rate limiter. In-memory by default (``LocalOrgState``); Redis-backed in shared mode
/// (``SharedOrgState``), chosen once at start by `run --redis-url`.
public protocol OrgStateMaking: Sendable {
    /// The org's token provider, logging in with `credentials`.
    func tokens(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> any TokenProviding
    /// The org's rate limiter at `settings`, a Retry-After pausing it at most `retryAfterCap`.
    func limiter(for org: OrgKey, settings: RateLimitSettings, retryAfterCap: Duration) -> any RateLimiting
}
