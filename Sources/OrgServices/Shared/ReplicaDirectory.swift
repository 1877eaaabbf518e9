import Foundation
public import GatewayCore
public import Logging
public import RedisClient
public import ServiceLifecycle
import Synchronization

/// This replica's heartbeat in Redis, and what it last saw of the others.
///
/// Every `interval` it writes its ``ReplicaRecord`` and a deadline `timeToLive` ahead (one script,
/// ``ReplicaHeartbeatScripts``), and learns the live replicas from the same answer. A replica that dies stops
/// beating and drops out once its deadline passes; one that stops cleanly leaves at once. The live replicas — at
/// least this one — are what the org limiters' fallbacks share their org's rate by while Redis is unreachable
/// (``fallbackShare(of:)``), so they keep their last value then.
/// Whether the last heartbeat reached Redis is what `/ready` reports as `redis`.
public final class ReplicaDirectory: Service, Sendable {
    public let id: String
    private let client: RedisClient
    private let interval: Duration
    private let timeToLive: Duration
    private let clock: any MonotonicClock
    private let logger: Logger
    private let record: Mutex<ReplicaRecord>
    private let seen = Mutex(Seen())
    /// The orgs whose messages this replica took since last asked (the backlog board's).
    private let consumedOrgs: @Sendable () -> Set<OrgKey>
    /// Where this replica's rebalancing stands (shared consuming only).
    private let rebalance: RebalanceStatus?
    /// When each org was last seen consumed here.
    private let lastConsumed = Mutex<[OrgKey: Duration]>([:])
    /// How long an org still counts as this replica's after its last message: a quiet org keeps its active
    /// consumer, so the list should not flicker between two messages.
    public static let ownershipMemory = Duration.seconds(30)

    /// What the last heartbeat found.
    private struct Seen {
        var replicas = 1
        var reachable = false
        /// The live replicas' ids; nil until a heartbeat reached Redis.
        var live: [String]?
    }

    /// - Parameters:
    ///   - id: this replica's id, unique in the cluster.
    ///   - interval: time between heartbeats; `timeToLive` should be a few intervals, so one slow beat is no death.
    ///   - consumedOrgs: the orgs whose messages this replica took since last asked, announced in the heartbeat.
    public init(
        id: String, client: RedisClient, interval: Duration = .seconds(2), timeToLive: Duration = .seconds(6),
        clock: any MonotonicClock = SystemClock(), consumedOrgs: @escaping @Sendable () -> Set<OrgKey> = { [] },
        rebalance: RebalanceStatus? = nil, logger: Logger
    ) {
        self.id = id
        self.rebalance = rebalance
        self.consumedOrgs = consumedOrgs
        self.client = client
        self.interval = interval
        self.timeToLive = timeToLive
        self.clock = clock
        var logger = logger
        logger[metadataKey: "replica.id"] = "\(id)"
        self.logger = logger
        let now = ISO8601Timestamp.string(Date())
        record = Mutex(ReplicaRecord(
            id: id, host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier, startedAt: now,
            lastHeartbeat: now))
    }

    /// Live replicas as last counted (this one included, so at least 1).
    public var replicaCount: Int { seen.withLock { $0.replicas } }

    /// Whether the last heartbeat reached Redis.
    public var isRedisReachable: Bool { seen.withLock { $0.reachable } }

    /// The part of `org`'s rate this replica takes while Redis is away: all of it on the org's owner in the
    /// placement last seen (only the owner consumes the org's queue: an even share there drained a backlog N times
    /// slower), an even share (the org's rate ÷ the replicas last seen) elsewhere, for its HTTP API's calls.
    public func fallbackShare(of org: OrgKey) -> Double {
        let (count, live) = seen.withLock { ($0.replicas, $0.live) }
        if let live, OrgPlacement(replicas: live + [id]).rank(of: id, for: org) == 0 { return 1 }
        return 1 / Double(max(1, count))
    }

    /// Which replicas consume which org queues, by the live replicas last seen (kept while Redis is away);
    /// nil before the first heartbeat reached Redis.
    public var placement: OrgPlacement? {
        seen.withLock { $0.live }.map { OrgPlacement(replicas: $0 + [id]) }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.beat()
                try? await self.clock.sleep(for: self.interval)
            }
        }
        await leave()
    }

    /// Takes this replica out of the directory at once rather than when its deadline passes, so the others' count
    /// (and their fallback share) is right sooner.
    func leave() async {
        _ = try? await client.evalSHA(
            ReplicaHeartbeatScripts.leave, keys: [ReplicaHeartbeatScripts.recordsKey, ReplicaHeartbeatScripts.deadlinesKey],
            arguments: [id])
    }

    /// Writes this replica's heartbeat, then counts the live ones.
    func beat() async {
        let now = clock.now()
        let owned = lastConsumed.withLock { last in
            for org in consumedOrgs() { last[org] = now }
            last = last.filter { now - $0.value < Self.ownershipMemory }
            return last.keys.map { "\($0.tenantID)/\($0.orgName)" }.sorted()
        }
        let rebalancing = rebalance?.snapshot
        let body = record.withLock { record in
            record.orgs = owned
            record.placedAmong = rebalancing?.placedAmong
            record.handingOver = rebalancing?.releasing
            record.lastHeartbeat = ISO8601Timestamp.string(Date())
            return (try? JSONEncoder().encode(record)).map { [UInt8]($0) } ?? []
        }
        do {
            let reply = try await client.evalSHA(
                ReplicaHeartbeatScripts.beat, keys: [ReplicaHeartbeatScripts.recordsKey, ReplicaHeartbeatScripts.deadlinesKey],
                arguments: [id, body, Int64(clamping: timeToLive.millisecondsRoundedUp), ReplicaHeartbeatScripts.abandonedAfterMilliseconds])
            guard let ids = reply.array else {
                throw RedisError(.protocolError, operation: "EVALSHA", address: client.url.description, message: "unexpected reply \(reply)")
            }
            let live = ids.compactMap(\.string)
            let count = max(1, live.count)
            let wasReachable = seen.withLock { seen in
                defer { seen = Seen(replicas: count, reachable: true, live: live) }
                return seen.reachable
            }
            if !wasReachable { logger.info("replica heartbeat in Redis", metadata: ["replicas": "\(count)"]) }
        } catch {
            let wasReachable = seen.withLock { seen in
                defer { seen.reachable = false }
                return seen.reachable
            }
            if wasReachable {
                logger.warning(
                    "Redis unreachable: replica heartbeat stopped; limits fall back to this replica's share",
                    metadata: ["redis.error": "\(error)", "replicas": "\(replicaCount)"])
            }
        }
    }

    /// Every live replica's record (ones that cannot be read are left out), sorted by id.
    /// - Throws: ``RedisError`` when Redis cannot be reached.
    public func replicas() async throws -> [ReplicaRecord] {
        let reply = try await client.evalSHA(
            ReplicaHeartbeatScripts.list, keys: [ReplicaHeartbeatScripts.recordsKey, ReplicaHeartbeatScripts.deadlinesKey])
        let decoder = JSONDecoder()
        return (reply.array ?? []).compactMap { value -> ReplicaRecord? in
            guard case .bulk(let bytes) = value else { return nil }
            return try? decoder.decode(ReplicaRecord.self, from: Data(bytes))
        }.sorted { $0.id < $1.id }
    }
}
