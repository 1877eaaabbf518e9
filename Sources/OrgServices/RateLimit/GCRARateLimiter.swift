public import GatewayConfig
public import GatewayCore
/// A per-org rate limiter: the generic cell rate algorithm (GCRA), i.e. a token bucket kept as one timestamp.
///
/// Exact over any window: at most `burst` messages at once, then one per `1/rate` seconds — never a double
/// burst at a window's edge as with fixed windows. Callers reserve their slot on arrival (so they are served
/// in arrival order) and sleep until it comes.
///
/// On a 429 the org pauses for Retry-After (capped) and the rate halves (never below a tenth of the
/// configured rate), then recovers linearly — 5 % of the configured rate per second — so a rate set too
/// high in config stops provoking 429s instead of hitting them again and again.
public actor GCRARateLimiter: RateLimiting {
    private let configuredRate: Double
    private let burst: Int
    private let retryAfterCap: Duration
    private let clock: any MonotonicClock

    /// The theoretical arrival time of the next message (GCRA's TAT).
    private var theoreticalArrival: Duration = .zero
    private var pausedUntil: Duration = .zero
    private var queued = 0
    private var throttledCount = 0
    /// The rate right after the last 429, and when that was; nil once fully recovered.
    private var reduction: (rate: Double, at: Duration)?

    static let reductionFactor = 0.5
    static let minimumFactor = 0.1
    static let recoveryPerSecond = 0.05
    static let defaultPause = Duration.seconds(1)

    public init(settings: RateLimitSettings, retryAfterCap: Duration, clock: any MonotonicClock) {
        configuredRate = settings.messagesPerSecond
        burst = settings.burst
        self.retryAfterCap = retryAfterCap
        self.clock = clock
    }

    public func acquire() async throws {
        _ = try await acquire(bound: nil)
    }

    public func acquire(maxWait: Duration) async throws -> RateLimitAdmission {
        try await acquire(bound: maxWait)
    }

    private func acquire(bound: Duration?) async throws -> RateLimitAdmission {
        queued += 1
        defer { queued -= 1 }
        // One deadline for the whole wait, however often a 429 pause sends the caller back into the queue.
        let deadline = bound.map { clock.now() + $0 }
        while true {
            let now = clock.now()
            let interval = Duration.fractionalSeconds(1 / rate(at: now))
            let tolerance = interval * (burst - 1)
            let slot = max(now, theoreticalArrival - tolerance, pausedUntil)
            if let deadline, slot > deadline { return .refused(retryAfter: slot - now) }
            let previous = theoreticalArrival
            theoreticalArrival = max(theoreticalArrival, slot) + interval
            if slot <= now { return .granted }
            let reserved = theoreticalArrival
            do {
                try await clock.sleep(until: slot)
            } catch {
                // Give the slot back when nobody reserved after it, so a cancelled wait costs nothing.
                if theoreticalArrival == reserved { theoreticalArrival = previous }
                throw error
            }
            // A 429 may have paused the org while this caller slept: then it queues again.
            if clock.now() >= pausedUntil { return .granted }
        }
    }

    public func throttled(retryAfter: Duration?) {
        let now = clock.now()
        throttledCount += 1
        let pause = min(retryAfter ?? Self.defaultPause, retryAfterCap)
        pausedUntil = max(pausedUntil, now + pause)
        let current = rate(at: now)
        reduction = (max(current * Self.reductionFactor, configuredRate * Self.minimumFactor), pausedUntil)
        // Empty the bucket at the end of the pause, so waiters resume at the rate, not in one burst.
        let interval = Duration.fractionalSeconds(1 / rate(at: pausedUntil))
        theoreticalArrival = max(theoreticalArrival, pausedUntil + interval * (burst - 1))
    }

    public func snapshot() -> RateLimiterSnapshot {
        let now = clock.now()
        return RateLimiterSnapshot(
            configuredRate: configuredRate, currentRate: rate(at: now), queued: queued,
            throttledCount: throttledCount, pausedFor: max(.zero, pausedUntil - now))
    }

    /// The rate in force at `time`: reduced after a 429, recovering linearly once the pause is over.
    private func rate(at time: Duration) -> Double {
        guard let reduction else { return configuredRate }
        let recovering = max(0, (time - reduction.at).seconds)
        let rate = reduction.rate + configuredRate * Self.recoveryPerSecond * recovering
        if rate >= configuredRate {
            self.reduction = nil
            return configuredRate
        }
        return rate
    }
}
