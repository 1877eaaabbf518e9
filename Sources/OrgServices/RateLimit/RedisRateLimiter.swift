public import GatewayConfig
public import GatewayCore
public import Logging
public import RedisClient

/// One org's rate limit shared by every gateway replica: the same GCRA as ``GCRARateLimiter``, with its
/// state in Redis (one hash per org, see ``RedisRateLimitScript``) updated atomically by a Lua script.
///
/// Same semantics as the in-memory limiter: at most `burst` at once, then one per `1/rate` seconds, summed
/// over all replicas; a 429 seen by any replica pauses the org on all of them for Retry-After (capped) and
/// halves the rate (floor a tenth), recovering by 5 % of the configured rate per second. The script reserves
/// the caller's slot and returns the wait; the caller sleeps on the local clock, so Redis is held for one
/// short script per message. Waiters are served in arrival order within a replica; across replicas the
/// order is that of their script calls (best effort: a round trip's latency decides ties). A message costs
/// one script call when its slot is free, two when it had to wait (on waking it checks that no 429 paused
/// the org meanwhile); concurrent calls share round trips through the client's pipelining.
///
/// Time comes from Redis (`TIME` inside the script), so replicas' clock offsets do not matter. The org's
/// key expires one minute after its state stops mattering (the last reserved slot, the end of a pause, the
/// end of a rate recovery), so idle orgs cost nothing.
///
/// When Redis is unreachable (connection refused, timed out, or between reconnects) each call goes to the
/// injected `fallback` limiter instead — meant to be a ``GCRARateLimiter`` at the org's rate divided by the
/// replica count last seen, so the replicas together stay near the org's limit. Nothing blocks on Redis
/// longer than the client's command timeout, and a failed call costs no extra wait: messages keep flowing at
/// the fallback's rate. Slots reserved in Redis and in the fallback are not reconciled, so a caller never takes
/// a slot from one while callers of this replica still wait for slots of the other: at a switch, the new side
/// starts once the old side's queue has gone (otherwise both rates would add up for as long as that queue lasts:
/// after an outage, the fallback's queue of rate ÷ N slots plus the full rate from Redis). What is left is one
/// fresh burst per switch.
public actor RedisRateLimiter: RateLimiting {
    /// Where the script takes "now" from.
    public enum TimeSource: Sendable {
        /// Redis' clock (`TIME`): the production choice, one clock for every replica.
        case redisServer
        /// This clock's `now()`, passed into the script: for tests that drive time with a manual clock.
        case injected(any MonotonicClock)
    }

    private let client: RedisClient
    private let key: String
    private let configuredRate: Double
    private let burst: Int
    private let retryAfterCap: Duration
    private let clock: any MonotonicClock
    private let fallback: any RateLimiting
    private let timeSource: TimeSource
    private var logger: Logger
    private var queued = 0
    /// Whether the last call went to the fallback, so the switch either way is logged once.
    private var usingFallback = false
    /// Callers sleeping until a slot reserved in Redis, and callers inside the fallback: the two queues that must
    /// not overlap at a switch.
    private var sleepingOnRedis = 0
    private var inFallback = 0
    /// Callers waiting for the other side's queue to go (woken whenever either count drops).
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - client: the shared Redis client.
    ///   - key: the org's Redis key, see ``key(tenant:org:)``.
    ///   - settings: the org's configured rate and burst.
    ///   - retryAfterCap: the longest pause a Retry-After may impose.
    ///   - clock: the local clock callers sleep on.
    ///   - fallback: the limiter used while Redis cannot be reached.
    ///   - timeSource: `.redisServer` in production.
    ///   - logger: Redis trouble and recovery are logged here.
    public init(
        client: RedisClient, key: String, settings: RateLimitSettings, retryAfterCap: Duration,
        clock: any MonotonicClock, fallback: any RateLimiting, timeSource: TimeSource = .redisServer, logger: Logger
    ) {
        self.client = client
        self.key = key
        configuredRate = settings.messagesPerSecond
        burst = max(1, settings.burst)
        self.retryAfterCap = retryAfterCap
        self.clock = clock
        self.fallback = fallback
        self.timeSource = timeSource
        self.logger = logger
        self.logger[metadataKey: "ratelimit.key"] = "\(key)"
    }

    /// The key of an org's limiter. The braces are a Redis Cluster hash tag: every key of one org lands on
    /// one shard.
    public static func key(tenant: String, org: String) -> String {
        "ggw:{\(tenant)/\(org)}:ratelimit"
    }

    public func acquire() async throws {
        _ = try await acquire(bound: nil)
    }

    public func acquire(maxWait: Duration) async throws -> RateLimitAdmission {
        try await acquire(bound: maxWait)
    }

    public func throttled(retryAfter: Duration?) async {
        let pause = min(retryAfter ?? GCRARateLimiter.defaultPause, retryAfterCap)
        do {
            _ = try await run("throttle", [Self.microseconds(pause)])
            recovered()
        } catch {
            failed(error)
            await fallback.throttled(retryAfter: retryAfter)
        }
    }

    public func snapshot() async -> RateLimiterSnapshot {
        do {
            let reply = try await run("state", [])
            guard let fields = reply.array, fields.count == 3, let rate = fields[0].string.flatMap(Double.init),
                let throttled = fields[1].integer, let paused = fields[2].integer
            else { throw malformed(reply) }
            recovered()
            return RateLimiterSnapshot(
                configuredRate: configuredRate, currentRate: rate, queued: queued,
                throttledCount: Int(clamping: throttled), pausedFor: .microseconds(paused))
        } catch {
            failed(error)
            var snapshot = await fallback.snapshot()
            snapshot.queued += queued
            return snapshot
        }
    }

    private func acquire(bound: Duration?) async throws -> RateLimitAdmission {
        queued += 1
        defer { queued -= 1 }
        // One deadline for the whole wait, however often a 429 pause sends the caller back into the queue.
        let deadline = bound.map { clock.now() + $0 }
        while true {
            // Redis is back: the callers still queued in the fallback go first.
            if !usingFallback { await untilNoneWaiting(inFallback: true) }
            let remaining = deadline.map { max(.zero, $0 - clock.now()) }
            let reservation: Reservation
            do {
                reservation = try await reserve(maxWait: remaining)
                recovered()
            } catch let error as RedisError {
                failed(error)
                // The callers sleeping on Redis slots go first: the fallback does not know their slots.
                await untilNoneWaiting(inFallback: false)
                inFallback += 1
                defer { inFallback -= 1; wakeDrainWaiters() }
                guard let remaining = deadline.map({ max(.zero, $0 - clock.now()) }) else {
                    try await fallback.acquire()
                    return .granted
                }
                return try await fallback.acquire(maxWait: remaining)
            }
            if inFallback > 0 {
                // Redis answered while callers still wait in the fallback: give the slot back, queue after them.
                _ = try? await run("release", [reservation.reserved, reservation.previous])
                continue
            }
            guard reservation.granted else { return .refused(retryAfter: reservation.wait) }
            if reservation.wait <= .zero { return .granted }
            sleepingOnRedis += 1
            defer { sleepingOnRedis -= 1; wakeDrainWaiters() }
            do {
                try await clock.sleep(until: clock.now() + reservation.wait)
            } catch {
                // Give the slot back when nobody reserved after it, so a cancelled wait costs nothing.
                _ = try? await run("release", [reservation.reserved, reservation.previous])
                throw error
            }
            // A 429 may have paused the org while this caller slept: then it queues again. If Redis cannot
            // say, the slot stands.
            guard let check = try? await run("check", [reservation.slot]), let paused = check.array?.first?.integer, paused > 0 else {
                return .granted
            }
        }
    }

    /// Returns once no caller of this replica waits in the fallback (`inFallback`) or on a Redis slot (otherwise).
    private func untilNoneWaiting(inFallback fallbackSide: Bool) async {
        while fallbackSide ? inFallback > 0 : sleepingOnRedis > 0 {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
    }

    private func wakeDrainWaiters() {
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// A slot reserved in Redis (or refused), and what undoes it.
    private struct Reservation {
        var granted: Bool
        var wait: Duration
        var reserved: String
        var previous: String
        /// When the slot is, in the script's microseconds.
        var slot: String
    }

    private func reserve(maxWait: Duration?) async throws -> Reservation {
        let reply = try await run("acquire", [maxWait.map { String(Self.microseconds($0)) } ?? ""])
        guard let fields = reply.array, fields.count == 5, let granted = fields[0].integer,
            let wait = fields[1].integer, let reserved = fields[2].string, let previous = fields[3].string,
            let slot = fields[4].string
        else { throw malformed(reply) }
        return Reservation(
            granted: granted == 1, wait: .microseconds(wait), reserved: reserved, previous: previous, slot: slot)
    }

    private func run(_ operation: String, _ extra: [any RedisArgument]) async throws -> RedisReply {
        let now: String = switch timeSource {
        case .redisServer: ""
        case .injected(let clock): String(Self.microseconds(clock.now()))
        }
        let arguments: [any RedisArgument] = [operation, configuredRate, burst, now] + extra
        return try await client.evalSHA(RedisRateLimitScript.script, keys: [key], arguments: arguments)
    }

    private func malformed(_ reply: RedisReply) -> RedisError {
        RedisError(
            .protocolError, operation: "EVALSHA", address: client.url.description,
            message: "unexpected rate limit script reply \(reply)")
    }

    private func failed(_ error: any Error) {
        guard !usingFallback else { return }
        usingFallback = true
        logger.warning(
            "Redis unreachable: org rate limit falls back to the local limiter", metadata: ["redis.error": "\(error)"])
    }

    private func recovered() {
        guard usingFallback else { return }
        usingFallback = false
        logger.info("Redis reachable again: org rate limit shared again")
    }

    /// Whole microseconds, the script's unit (saturating, never trapping).
    static func microseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        let (whole, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return parts.seconds < 0 ? .min : .max }
        let (total, carry) = whole.addingReportingOverflow(parts.attoseconds / 1_000_000_000_000)
        return carry ? (whole < 0 ? .min : .max) : total
    }
}
