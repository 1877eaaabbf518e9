public import GatewayConfig
public import GatewayCore
/// A shared org limiter's fallback while Redis is unreachable: this replica's share of the org's rate, the
/// configured rate divided by the replica count last seen, so the replicas together stay near the org's limit
/// without talking to each other.
///
/// The share follows the count: when another replica's heartbeat appears or expires, the next call gets a
/// ``GCRARateLimiter`` at the new share (with a fresh burst, the burst divided the same way, at least 1).
/// With the count stale (a replica died less than a heartbeat TTL ago) the sum stays below the limit; with a
/// replica started meanwhile, the sum may exceed it by that replica's share until the count is read again —
/// which needs Redis. docs/shared-mode.md states the tolerance.
public actor ReplicaShareRateLimiter: RateLimiting {
    private let settings: RateLimitSettings
    private let retryAfterCap: Duration
    private let clock: any MonotonicClock
    private let replicaCount: @Sendable () -> Int
    /// The limiter at the current share, and the count it was made for.
    private var share: (replicas: Int, limiter: GCRARateLimiter)?

    /// - Parameters:
    ///   - settings: the org's configured rate and burst (for the whole cluster).
    ///   - replicaCount: the live replicas as last seen (values below 1 count as 1).
    public init(
        settings: RateLimitSettings, retryAfterCap: Duration, clock: any MonotonicClock, replicaCount: @escaping @Sendable () -> Int
    ) {
        self.settings = settings
        self.retryAfterCap = retryAfterCap
        self.clock = clock
        self.replicaCount = replicaCount
    }

    public func acquire() async throws {
        try await current().acquire()
    }

    public func acquire(maxWait: Duration) async throws -> RateLimitAdmission {
        try await current().acquire(maxWait: maxWait)
    }

    public func throttled(retryAfter: Duration?) async {
        await current().throttled(retryAfter: retryAfter)
    }

    public func snapshot() async -> RateLimiterSnapshot {
        await current().snapshot()
    }

    /// The limiter at this replica's share now.
    private func current() -> GCRARateLimiter {
        let replicas = max(1, replicaCount())
        if let share, share.replicas == replicas { return share.limiter }
        let divided = RateLimitSettings(
            messagesPerSecond: settings.messagesPerSecond / Double(replicas), burst: max(1, settings.burst / replicas))
        let limiter = GCRARateLimiter(settings: divided, retryAfterCap: retryAfterCap, clock: clock)
        share = (replicas, limiter)
        return limiter
    }
}
