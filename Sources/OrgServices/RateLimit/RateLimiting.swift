/// One org's send rate: callers wait for a slot instead of being rejected.
///
/// A protocol so the in-memory limiter (the embedded default) can later be swapped for one shared by
/// several gateway replicas through Redis.
public protocol RateLimiting: Sendable {
    /// Waits, in arrival order, until a message may be sent. Throws `CancellationError` if cancelled.
    func acquire() async throws
    /// Waits for a slot only when it comes within `maxWait`; otherwise takes none and says how long the
    /// wait would have been (API callers are answered 429 with Retry-After instead of being held).
    func acquire(maxWait: Duration) async throws -> RateLimitAdmission
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

/// Whether a bounded wait for a slot got one.
public enum RateLimitAdmission: Sendable, Equatable {
    case granted
    /// No slot within the bound; one is expected after this long.
    case refused(retryAfter: Duration)
}
