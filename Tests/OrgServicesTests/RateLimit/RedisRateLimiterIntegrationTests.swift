import Foundation
import GatewayTestSupport
import Logging
import RedisClient
import RedisTestSupport
import Synchronization
import Testing
@testable import GatewayCore
@testable import GatewayConfig
@testable import OrgServices

/// The shared limiter against the real test server, with two or three instances standing in for replicas.
/// Time is the manual clock's, passed into the Lua script, so nothing here sleeps for long.
@Suite(.timeLimit(.minutes(1))) struct RedisRateLimiterIntegrationTests {
    let clock = ManualClock()
    let logger = Logger(label: "redis-rate-limiter-tests") { _ in SwiftLogNoOpLogHandler() }
    /// One org key per test: the tests run in parallel against one server.
    let key = RedisRateLimiter.key(tenant: "test", org: UUID().uuidString)

    func client(url: RedisURL? = nil) throws -> RedisClient {
        try GatewayTestRedis.client(url: url, logger: logger)
    }

    /// `count` limiters sharing the org's key, each with its own fallback (recorded, so a test can tell
    /// whether Redis or the fallback decided).
    func replicas(
        _ count: Int, rate: Double, burst: Int, client: RedisClient, timeSource: RedisRateLimiter.TimeSource? = nil,
        fallback: (any RateLimiting)? = nil
    ) -> [RedisRateLimiter] {
        let settings = RateLimitSettings(messagesPerSecond: rate, burst: burst)
        return (0..<count).map { _ in
            RedisRateLimiter(
                client: client, key: key, settings: settings, retryAfterCap: .seconds(180), clock: clock,
                fallback: fallback ?? GCRARateLimiter(settings: settings, retryAfterCap: .seconds(180), clock: clock),
                timeSource: timeSource ?? .injected(clock), logger: logger)
        }
    }

    @Test func replicasTogetherAdmitTheBurstThenTheRate() async throws {
        let client = try client()
        let limiters = replicas(3, rate: 10, burst: 5, client: client)
        var granted = 0
        for attempt in 0..<30 where try await limiters[attempt % 3].acquire(maxWait: .zero) == .granted {
            granted += 1
        }
        #expect(granted == 5)
        // Every replica asks every 100 ms for a second: one slot per interval among all of them.
        for _ in 0..<10 {
            clock.advance(by: .milliseconds(100))
            for limiter in limiters where try await limiter.acquire(maxWait: .zero) == .granted {
                granted += 1
            }
        }
        // rate × t + burst over the window [0, 1 s].
        #expect(granted == 15)
        // A refusal names the wait for the next slot, shared by all replicas.
        #expect(try await limiters[1].acquire(maxWait: .milliseconds(50)) == .refused(retryAfter: .milliseconds(100)))
        await client.shutdown()
    }

    @Test func waitersOnEveryReplicaAreSpacedByTheInterval() async throws {
        let client = try client()
        let limiters = replicas(3, rate: 20, burst: 2, client: client)
        let times = Collected<Duration>()
        let callers = 24
        let tasks = (0..<callers).map { index in
            Task {
                try await limiters[index % 3].acquire()
                times.append(clock.now())
            }
        }
        // Move time only when every caller is either done or asleep on its slot.
        while times.all.count < callers, !Task.isCancelled {
            if times.all.count + clock.sleeperCount == callers {
                clock.advanceToNextDeadline()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        for task in tasks { try await task.value }
        // Two at once (the burst), then one every 50 ms: at most rate × t + burst by any time t.
        let expected = (0..<callers).map { Duration.milliseconds(max(0, $0 - 1) * 50) }
        #expect(times.all.sorted() == expected)
        await client.shutdown()
    }

    @Test func a429SeenByOneReplicaSlowsTheOthers() async throws {
        let client = try client()
        let limiters = replicas(2, rate: 10, burst: 5, client: client)
        await limiters[0].throttled(retryAfter: .seconds(2))
        var snapshot = await limiters[1].snapshot()
        #expect(snapshot.pausedFor == .seconds(2))
        #expect(snapshot.currentRate == 5)
        #expect(snapshot.throttledCount == 1)
        #expect(try await limiters[1].acquire(maxWait: .seconds(1)) == .refused(retryAfter: .seconds(2)))
        clock.advance(by: .seconds(2))
        // After the pause: no burst, one slot at the halved rate (every 200 ms).
        #expect(try await limiters[1].acquire(maxWait: .zero) == .granted)
        #expect(try await limiters[0].acquire(maxWait: .zero) == .refused(retryAfter: .milliseconds(200)))
        // 5 % of 10/s per second: back to 10/s ten seconds after the pause.
        clock.advance(by: .seconds(10))
        snapshot = await limiters[0].snapshot()
        #expect(snapshot.currentRate == 10)
        #expect(snapshot.pausedFor == .zero)
        await client.shutdown()
    }

    @Test func retryAfterIsCappedAndTheRateFloorIsATenth() async throws {
        let client = try client()
        let limiters = replicas(2, rate: 100, burst: 1, client: client)
        await limiters[0].throttled(retryAfter: .seconds(3600))
        #expect(await limiters[1].snapshot().pausedFor == .seconds(180))
        for index in 0..<20 { await limiters[index % 2].throttled(retryAfter: .zero) }
        #expect(await limiters[1].snapshot().currentRate == 10)
        #expect(await limiters[0].snapshot().throttledCount == 21)
        await client.shutdown()
    }

    @Test func aWaiterPausedWhileAsleepQueuesAgain() async throws {
        let client = try client()
        let limiters = replicas(2, rate: 10, burst: 1, client: client)
        #expect(try await limiters[0].acquire(maxWait: .zero) == .granted)
        let granted = Mutex<Duration?>(nil)
        let waiter = Task {
            try await limiters[0].acquire()
            granted.withLock { $0 = clock.now() }
        }
        await clock.waitForSleepers(1)
        await limiters[1].throttled(retryAfter: .seconds(1))
        clock.advance(by: .milliseconds(100))
        // The waiter woke at its slot (100 ms), saw the pause and reserved again: at the pause's end.
        while granted.withLock({ $0 }) == nil, !Task.isCancelled {
            clock.advanceToNextDeadline()
            try await Task.sleep(for: .milliseconds(2))
        }
        try await waiter.value
        #expect(granted.withLock { $0 } == .seconds(1))
        await client.shutdown()
    }

    @Test func redisTimeDrivesProductionLimits() async throws {
        // The production time source (Redis TIME) with real sleeps, in a short bounded window:
        // 50/s with a burst of 5 → 25 more messages take about half a second, whichever replica sends them.
        let client = try client()
        let settings = RateLimitSettings(messagesPerSecond: 50, burst: 5)
        let systemClock = SystemClock()
        let limiters = (0..<2).map { _ in
            RedisRateLimiter(
                client: client, key: key, settings: settings, retryAfterCap: .seconds(1), clock: systemClock,
                fallback: GCRARateLimiter(settings: settings, retryAfterCap: .seconds(1), clock: systemClock),
                logger: logger)
        }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 { group.addTask { try await limiters[index % 2].acquire() } }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .seconds(3))
        await client.shutdown()
    }

    @Test func whileRedisIsDownTheFallbackDecides() async throws {
        // Nothing listens on 127.0.0.1:1: every script call fails and the fallback answers.
        let client = try client(url: RedisURL(host: "127.0.0.1", port: 1))
        let fallback = GCRARateLimiter(
            settings: RateLimitSettings(messagesPerSecond: 2, burst: 2), retryAfterCap: .seconds(180), clock: clock)
        let limiter = replicas(1, rate: 10, burst: 5, client: client, fallback: fallback)[0]
        #expect(try await limiter.acquire(maxWait: .zero) == .granted)
        #expect(try await limiter.acquire(maxWait: .zero) == .granted)
        #expect(try await limiter.acquire(maxWait: .zero) == .refused(retryAfter: .milliseconds(500)))
        await limiter.throttled(retryAfter: .seconds(4))
        let snapshot = await limiter.snapshot()
        #expect(snapshot.configuredRate == 2)
        #expect(snapshot.throttledCount == 1)
        #expect(snapshot.pausedFor == .seconds(4))
        await client.shutdown()
    }

    /// What the script costs per message, counted on a redis-server of the test's own (`INFO commandstats`
    /// counts the commands a script runs). Time is injected here, so the production `TIME` (one more per
    /// acquire) is not among them. Fails when a change adds a command per message.
    @Test func aFreeSlotCostsOneScriptCallAndAWaitedOneTwo() async throws {
        let server = try PrivateRedisServer()
        let client = RedisClient(configuration: RedisConfiguration(url: server.url), logger: logger)
        let limiter = replicas(1, rate: 10, burst: 1, client: client)[0]
        #expect(try await limiter.acquire(maxWait: .zero) == .granted)  // loads the script: once per Redis start
        clock.advance(by: .milliseconds(100))
        var before = try await client.commandCalls()
        #expect(try await limiter.acquire(maxWait: .zero) == .granted)
        var counted = try await client.commandCalls().merging(before) { $0 - $1 }.filter { $0.value != 0 }
        #expect(counted == ["evalsha": 1, "hmget": 1, "hset": 1, "pexpire": 1, "info": 1])

        before = try await client.commandCalls()
        let waiter = Task { try await limiter.acquire() }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(100))
        try await waiter.value
        counted = try await client.commandCalls().merging(before) { $0 - $1 }.filter { $0.value != 0 }
        // The reservation as above, then on waking one field read: did a 429 pause the org meanwhile?
        #expect(counted == ["evalsha": 2, "hmget": 1, "hset": 1, "pexpire": 1, "hget": 1, "info": 1])
        await client.shutdown()
    }
}
