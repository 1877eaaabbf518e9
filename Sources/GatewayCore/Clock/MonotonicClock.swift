/// Monotonic time for the per-org state machines (token renewal, rate limiting, circuit breaking).
///
/// Instants are durations since an arbitrary fixed start, so state can do arithmetic on them without
/// being generic over a `Clock`. Production uses ``SystemClock``; tests use a manual clock and never sleep.
public protocol MonotonicClock: Sendable {
    /// Time since this clock's fixed start.
    func now() -> Duration
    /// Suspends until `now() >= deadline`. Throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension MonotonicClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}

/// The process's monotonic clock (`ContinuousClock`).
public struct SystemClock: MonotonicClock {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    public init() {
        start = clock.now
    }

    public func now() -> Duration {
        clock.now - start
    }

    public func sleep(until deadline: Duration) async throws {
        try await clock.sleep(until: start + deadline, tolerance: .milliseconds(1))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` (for rates and ratios).
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration from fractional seconds, to the nearest nanosecond. Total, because the value may come from
    /// outside (Retry-After, a timestamp header): NaN is zero, and beyond the ±292 years `Int64` nanoseconds
    /// hold (infinities included) it saturates.
    public static func fractionalSeconds(_ value: Double) -> Duration {
        .nanoseconds(Int64(saturating: (value * 1e9).rounded()))
    }

    /// Whole milliseconds, rounded up (a delay is never shortened).
    public var millisecondsRoundedUp: Int64 {
        let parts = components
        return parts.seconds * 1000 + (parts.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
