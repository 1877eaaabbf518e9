public import GatewayConfig
public import GatewayCore
public import Logging
public import RedisClient

/// Shared mode's org state: each org's limiter and token live in Redis, one for all replicas
/// (``RedisRateLimiter``, ``RedisTokenStore``), each with this replica's own in-memory part as its fallback
/// while Redis is unreachable — the limiter at this replica's share of the org's rate (``ReplicaShareRateLimiter``),
/// the token from an ``OAuthTokenStore``.
public struct SharedOrgState: OrgStateMaking {
    let client: RedisClient
    let replicas: ReplicaDirectory
    let local: LocalOrgState
    let http: any HTTPClient
    let clock: any MonotonicClock
    let logger: Logger

    public init(client: RedisClient, replicas: ReplicaDirectory, http: any HTTPClient, clock: any MonotonicClock, logger: Logger) {
        self.client = client
        self.replicas = replicas
        self.http = http
        self.clock = clock
        self.logger = logger
        local = LocalOrgState(http: http, clock: clock, logger: logger)
    }

    public func tokens(for org: OrgKey, credentials: OAuthTokenStore.Credentials) -> any TokenProviding {
        RedisTokenStore(
            org: org, credentials: credentials, http: http, client: client, replicaID: replicas.id,
            fallback: local.makeTokenStore(for: org, credentials: credentials), clock: clock, logger: logger)
    }

    public func limiter(for org: OrgKey, settings: RateLimitSettings, retryAfterCap: Duration) -> any RateLimiting {
        let replicas = replicas
        var logger = logger
        logger[metadataKey: "tenant.id"] = "\(org.tenantID)"
        logger[metadataKey: "org.name"] = "\(org.orgName)"
        return RedisRateLimiter(
            client: client, key: RedisRateLimiter.key(tenant: org.tenantID, org: org.orgName), settings: settings,
            retryAfterCap: retryAfterCap, clock: clock,
            fallback: ReplicaShareRateLimiter(
                settings: settings, retryAfterCap: retryAfterCap, clock: clock, share: { replicas.fallbackShare(of: org) }),
            logger: logger)
    }
}
