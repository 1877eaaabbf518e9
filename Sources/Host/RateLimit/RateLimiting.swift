/// One org's send rate: callers wait for a slot instead of being rejected.
///
/// A protocol so the in-memory limiter (the embedded default) can later be swapped for one shared by
/// several gateway replicas through Redis.
public protocol RateLimiting: Sendable {
    /// Waits, in arrival order, until a message may be sent. Throws `CancellationError` if cancelled.
    func acquire() async throws
    /// Genesys answered 429: pause the org for `retryAfter` (capped) and lower the rate for a while.
    func throttled(retryAfter: Duration?) async
    /// The limiter's state, for metrics and the admin API.
    func snapshot() async -> RateLimiterSnapshot
}

/// What a limiter reports about itself.
public struct RateLimiterSnapshot: Sendable, Equatable {
    /// The rate from config, messages per second.
    public var configuredRate: Double
    /// The rate in force now (lower after 429s, recovering toward the configured one).
    public var currentRate: Double
    /// Callers waiting for a slot.
    public var queued: Int
    /// 429s seen since start.
    public var throttledCount: Int
    /// How long the org stays paused by a Retry-After, zero when not paused.
    public var pausedFor: Duration
}
