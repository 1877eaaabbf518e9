import Synchronization
import GatewayTestSupport
import Testing
@testable import GatewayConfig
@testable import OrgServices

/// Limiter math on a manual clock: no test here sleeps for real.
@Suite(.timeLimit(.minutes(1))) struct GCRARateLimiterTests {
    let clock = ManualClock()

    func limiter(rate: Double, burst: Int, retryAfterCap: Duration = .seconds(180)) -> GCRARateLimiter {
        GCRARateLimiter(
            settings: RateLimitSettings(messagesPerSecond: rate, burst: burst), retryAfterCap: retryAfterCap, clock: clock)
    }

    /// Runs `count` acquires one after another, moving the clock to each wake-up; returns when each was granted.
    func grantTimes(_ limiter: GCRARateLimiter, count: Int) async throws -> [Duration] {
        let done = Mutex(false)
        let task = Task {
            defer { done.withLock { $0 = true } }
            var times: [Duration] = []
            for _ in 0..<count {
                try await limiter.acquire()
                times.append(clock.now())
            }
            return times
        }
        while !done.withLock({ $0 }), !Task.isCancelled {
            if !clock.advanceToNextDeadline() { await Task.yield() }
        }
        if Task.isCancelled { task.cancel() }
        return try await task.value
    }

    @Test func aBurstGoesAtOnceThenOnePerInterval() async throws {
        let times = try await grantTimes(limiter(rate: 10, burst: 5), count: 8)
        #expect(times.prefix(5).allSatisfy { $0 == .zero })
        #expect(times[5] == .milliseconds(100))
        #expect(times[6] == .milliseconds(200))
        #expect(times[7] == .milliseconds(300))
    }

    @Test func theRateHoldsExactlyOverAnyWindow() async throws {
        // 50/s with no burst: 200 messages take 3.98 s, every gap is 20 ms.
        let times = try await grantTimes(limiter(rate: 50, burst: 1), count: 200)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 == .milliseconds(20) })
        // Any 1-second window holds at most rate + burst - 1 messages.
        for start in times {
            #expect(times.filter { $0 >= start && $0 < start + .seconds(1) }.count <= 50)
        }
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let limiter = limiter(rate: 1, burst: 1)
        try await limiter.acquire()
        let order = Collected<Int>()
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<5 {
            tasks.append(Task {
                try await limiter.acquire()
                order.append(index)
            })
            await clock.waitForSleepers(index + 1)
        }
        for served in 1...5 {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(1))
            // Let the woken waiter record itself before the next one can wake.
            while order.all.count < served { await Task.yield() }
        }
        for task in tasks { try await task.value }
        #expect(order.all == [0, 1, 2, 3, 4])
        #expect(clock.now() == .seconds(5))
    }

    @Test func a429PausesForRetryAfterAndHalvesTheRateThenRecovers() async throws {
        let limiter = limiter(rate: 20, burst: 1)
        try await limiter.acquire()
        await limiter.throttled(retryAfter: .seconds(5))
        var snapshot = await limiter.snapshot()
        #expect(snapshot.pausedFor == .seconds(5))
        #expect(snapshot.currentRate == 10)
        #expect(snapshot.throttledCount == 1)

        let times = try await grantTimes(limiter, count: 3)
        #expect(times[0] >= .seconds(5))
        #expect(times[1] - times[0] >= .milliseconds(95))  // about 1/10 s at the reduced rate

        clock.advance(by: .seconds(20))  // 5 % of 20/s per second: 10 s to recover from 10/s
        snapshot = await limiter.snapshot()
        #expect(snapshot.currentRate == 20)
        #expect(snapshot.pausedFor == .zero)
    }

    @Test func retryAfterIsCapped() async {
        let limiter = limiter(rate: 5, burst: 5, retryAfterCap: .seconds(10))
        await limiter.throttled(retryAfter: .seconds(3600))
        #expect(await limiter.snapshot().pausedFor == .seconds(10))
    }

    @Test func repeated429sNeverDropBelowATenthOfTheConfiguredRate() async {
        let limiter = limiter(rate: 100, burst: 1)
        for _ in 0..<20 { await limiter.throttled(retryAfter: .zero) }
        #expect(await limiter.snapshot().currentRate == 10)
    }

    @Test func aCancelledWaitGivesItsSlotBack() async throws {
        let limiter = limiter(rate: 1, burst: 1)
        try await limiter.acquire()
        let waiting = Task { try await limiter.acquire() }
        await clock.waitForSleepers(1)
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        clock.advance(by: .seconds(1))
        // The cancelled caller's slot (t = 1 s) is free again.
        let times = try await grantTimes(limiter, count: 1)
        #expect(times == [.seconds(1)])
    }

    @Test func aBoundedWaitTakesASlotWithinTheBoundAndRefusesBeyondItWithoutTakingOne() async throws {
        let limiter = limiter(rate: 10, burst: 1)
        #expect(try await limiter.acquire(maxWait: .zero) == .granted)
        // The next slot is 100 ms away: too far for a 50 ms bound, and refusing takes no slot.
        #expect(try await limiter.acquire(maxWait: .milliseconds(50)) == .refused(retryAfter: .milliseconds(100)))
        #expect(try await limiter.acquire(maxWait: .milliseconds(50)) == .refused(retryAfter: .milliseconds(100)))
        clock.advance(by: .milliseconds(60))
        let waiter = Task { try await limiter.acquire(maxWait: .milliseconds(50)) }
        while !clock.advanceToNextDeadline() { await Task.yield() }
        #expect(try await waiter.value == .granted)
        #expect(clock.now() == .milliseconds(100))
    }
}
