import Foundation
public import GatewayCore
public import Logging
public import RedisClient
public import ServiceLifecycle
import Synchronization

/// This replica's heartbeat in Redis, and what it last saw of the others.
///
/// Every `interval` it writes `ggw:replicas:<id>` (a ``ReplicaRecord`` as JSON) with a TTL of `timeToLive`,
/// then counts the live heartbeat keys. A replica that dies stops beating and drops out once its key expires;
/// one that stops cleanly deletes its key at once. The count — at least 1, this replica — is what the org
/// limiters' fallbacks divide their org's rate by while Redis is unreachable, so it keeps its last value then.
/// Whether the last heartbeat reached Redis is what `/ready` reports as `redis`.
public final class ReplicaDirectory: Service, Sendable {
    /// Keys of every replica's heartbeat start with this.
    public static let keyPrefix = "ggw:replicas:"
    /// Most heartbeat keys read per listing: more replicas than this is not a deployment this was made for.
    static let maximumListed = 1000

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
        // Leave at once rather than after the TTL, so the others' count (and their fallback share) is right sooner.
        _ = try? await client.send("DEL", Self.keyPrefix + id)
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
            let reply = try await client.send(
                "SET", Self.keyPrefix + id, body, "PX", Int64(clamping: timeToLive.millisecondsRoundedUp))
            if let message = reply.errorMessage {
                throw RedisError(.serverError, operation: "SET", address: client.url.description, message: message)
            }
            let live = try await keys().map { String($0.dropFirst(Self.keyPrefix.count)) }
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
        let keys = try await keys()
        guard !keys.isEmpty else { return [] }
        let reply = try await client.send(RedisCommand("MGET", arguments: keys))
        let decoder = JSONDecoder()
        return (reply.array ?? []).compactMap { value -> ReplicaRecord? in
            guard case .bulk(let bytes) = value else { return nil }
            return try? decoder.decode(ReplicaRecord.self, from: Data(bytes))
        }.sorted { $0.id < $1.id }
    }

    /// The live heartbeat keys (`SCAN`, not `KEYS`, so a large database is not blocked).
    private func keys() async throws -> [String] {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await client.send("SCAN", cursor, "MATCH", Self.keyPrefix + "*", "COUNT", 1000)
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let found = parts[1].array else {
                throw RedisError(.protocolError, operation: "SCAN", address: client.url.description, message: "unexpected reply \(reply)")
            }
            keys += found.compactMap(\.string)
            cursor = next
        } while cursor != "0" && keys.count < Self.maximumListed
        return Array(Set(keys))  // SCAN may return a key twice
    }
}
