import GatewayTestSupport
import Synchronization
import Testing
@testable import GatewayConfig
@testable import OrgServices

/// The shared limiter's fallback: the org's rate divided by the replica count, following the count.
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
        let replicas = Mutex(4)
        let limiter = ReplicaShareRateLimiter(
            settings: RateLimitSettings(messagesPerSecond: 20, burst: 1), retryAfterCap: .seconds(60), clock: clock,
            replicaCount: { replicas.withLock { $0 } })
        // 20/s ÷ 4 = 5/s: asked every 10 ms for 2 s, it grants 10.
        #expect(try await granted(limiter, attempts: 200, spacing: .milliseconds(10)) == 10)
        #expect(await limiter.snapshot().configuredRate == 5)
        // One replica left: the whole rate.
        replicas.withLock { $0 = 1 }
        #expect(try await granted(limiter, attempts: 200, spacing: .milliseconds(10)) == 40)
        // A count below 1 (nothing seen yet) counts as this replica alone.
        replicas.withLock { $0 = 0 }
        #expect(await limiter.snapshot().configuredRate == 20)
    }
}
