import GatewayTestSupport
import Synchronization
import Testing
@testable import GatewayConfig
@testable import OrgServices

/// The shared limiter's fallback: this replica's share of the org's rate, following the share.
@Suite(.timeLimit(.minutes(1))) struct ReplicaShareRateLimiterTests {
    let clock = ManualClock()

    /// How many of `attempts` calls with no wait allowed are granted, one every `spacing` of clock time.
    func granted(_ limiter: ReplicaShareRateLimiter, attempts: Int, spacing: Duration) async throws -> Int {
        var granted = 0
        for _ in 0..<attempts {
            if try await limiter.acquire(maxWait: .zero) == .granted { granted += 1 }
            clock.advance(by: spacing)
        }
        return granted
    }

    @Test func eachReplicaGetsItsShareOfTheRate() async throws {
        let share = Mutex(0.25)
        let limiter = ReplicaShareRateLimiter(
            settings: RateLimitSettings(messagesPerSecond: 20, burst: 1), retryAfterCap: .seconds(60), clock: clock,
            share: { share.withLock { $0 } })
        // 20/s × 1/4 = 5/s: asked every 10 ms for 2 s, it grants 10.
        #expect(try await granted(limiter, attempts: 200, spacing: .milliseconds(10)) == 10)
        #expect(await limiter.snapshot().configuredRate == 5)
        // The org's owner: the whole rate.
        share.withLock { $0 = 1 }
        #expect(try await granted(limiter, attempts: 200, spacing: .milliseconds(10)) == 40)
        // A share that is no fraction (nothing seen yet, or broken) counts as the whole rate, never as none.
        for broken in [0, -1, 2, Double.nan, Double.infinity] {
            share.withLock { $0 = broken }
            #expect(await limiter.snapshot().configuredRate == 20)
        }
    }
}
