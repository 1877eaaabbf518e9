import GatewayCore
import OrgServices

/// An org's real rate limiter, with the time each message asked for its slot and got it stamped on the
/// message's ``MessageProbe``.
///
/// Pure delegation: the GCRA limiter decides every slot as in production. The decorator costs two clock
/// reads and one task-local read per message, outside the limiter's actor.
struct TimedRateLimiter: RateLimiting {
    let base: any RateLimiting
    let clock: any MonotonicClock

    func acquire() async throws {
        let probe = MessageProbe.current.get()
        probe?.stamp(.limiterCalled, clock.now())
        try await base.acquire()
        probe?.stamp(.limiterReturned, clock.now())
    }

    func acquire(maxWait: Duration) async throws -> RateLimitAdmission {
        try await base.acquire(maxWait: maxWait)
    }

    func throttled(retryAfter: Duration?) async {
        await base.throttled(retryAfter: retryAfter)
    }

    func snapshot() async -> RateLimiterSnapshot {
        await base.snapshot()
    }
}
