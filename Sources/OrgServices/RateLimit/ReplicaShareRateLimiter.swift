public import GatewayConfig
public import GatewayCore
/// A shared org limiter's fallback while Redis is unreachable: this replica's share of the org's rate, so the
/// replicas together stay near the org's limit without talking to each other.
///
/// The share comes from ``ReplicaDirectory/fallbackShare(of:)``: the whole rate on the org's owner (the one
/// replica consuming its queue), the rate divided by the replica count on the others (their HTTP API's calls).
/// When it changes (a heartbeat appeared or expired before Redis went), the next call gets a
/// ``GCRARateLimiter`` at the new share, with a fresh burst divided the same way (at least 1).
/// docs/shared-mode.md states the tolerance.
public actor ReplicaShareRateLimiter: RateLimiting {
    private let settings: RateLimitSettings
    private let retryAfterCap: Duration
    private let clock: any MonotonicClock
    private let share: @Sendable () -> Double
    /// The limiter at the current share, and the share it was made for.
    private var current: (share: Double, limiter: GCRARateLimiter)?

    /// - Parameters:
    ///   - settings: the org's configured rate and burst (for the whole cluster).
    ///   - share: this replica's part of the rate, 0 … 1 (clamped: outside that, or not a number, it counts as 1).
    public init(
        settings: RateLimitSettings, retryAfterCap: Duration, clock: any MonotonicClock, share: @escaping @Sendable () -> Double
    ) {
        self.settings = settings
        self.retryAfterCap = retryAfterCap
        self.clock = clock
        self.share = share
    }

    public func acquire() async throws {
        try await limiterNow().acquire()
    }

    public func acquire(maxWait: Duration) async throws -> RateLimitAdmission {
        try await limiterNow().acquire(maxWait: maxWait)
    }

    public func throttled(retryAfter: Duration?) async {
        await limiterNow().throttled(retryAfter: retryAfter)
    }

    public func snapshot() async -> RateLimiterSnapshot {
        await limiterNow().snapshot()
    }

    /// The limiter at this replica's share now.
    private func limiterNow() -> GCRARateLimiter {
        let asked = share()
        let fraction = asked > 0 && asked <= 1 ? asked : 1
        if let current, current.share == fraction { return current.limiter }
        let divided = RateLimitSettings(
            messagesPerSecond: settings.messagesPerSecond * fraction,
            burst: max(1, Int(exactly: (Double(settings.burst) * fraction).rounded(.down)) ?? 1))
        let limiter = GCRARateLimiter(settings: divided, retryAfterCap: retryAfterCap, clock: clock)
        current = (fraction, limiter)
        return limiter
    }
}
