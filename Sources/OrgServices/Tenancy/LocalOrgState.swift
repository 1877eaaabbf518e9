public import GatewayConfig
public import GatewayCore
public import Logging

/// One process's own org state: an ``OAuthTokenStore`` and a ``GCRARateLimiter`` per org, nothing shared.
/// The single-process default, and what shared mode falls back to while Redis is unreachable.
public struct LocalOrgState: OrgStateMaking {
    let http: any HTTPClient
    let clock: any MonotonicClock
    let logger: Logger

    public init(http: any HTTPClient, clock: any MonotonicClock, logger: Logger) {
        self.http = http
        self.clock = clock
        self.logger = logger
    }

    public func tokens(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> any TokenProviding {
        makeTokenStore(for: org, credentials: credentials)
    }

    public func limiter(for org: OrgKey, settings: RateLimitSettings, retryAfterCap: Duration) -> any RateLimiting {
        GCRARateLimiter(settings: settings, retryAfterCap: retryAfterCap, clock: clock)
    }

    /// The concrete store, for callers that also need its renewal count.
    func makeTokenStore(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> OAuthTokenStore {
        OAuthTokenStore(org: org, credentials: credentials, http: http, clock: clock, logger: logger)
    }
}
