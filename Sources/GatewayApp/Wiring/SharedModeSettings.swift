public import GatewayCore
public import Logging
public import RedisClient

/// Shared mode (`run --redis-url`): where Redis is and who this replica is. Without it the gateway keeps all
/// its state in the process, as a single replica.
public struct SharedModeSettings: Sendable {
    /// How long a receipt stays in Redis unless told otherwise: a day. Redis holds every receipt of that window
    /// in memory (about 250 bytes each, so 500 msg/s for a day is ≈ 11 GB), while each replica's file answers
    /// for the whole `--receipt-retention-hours`. What needs Redis is a message redelivered to *another*
    /// replica — after a crash, a handover or a retry tier (10 minutes at most) — which happens within hours.
    public static let defaultReceiptRetention = Duration.seconds(24 * 3600)

    /// Redis 7.0 is the oldest shared mode runs on: the `sending` mark is taken with `SET … NX GET` (7.0), and on an
    /// older server that command fails, so replicas would lose their duplicate protection without a word. The client
    /// asks each server's version at connect (`HELLO`) and refuses an older one; `run` refuses to start on one.
    public static let minimumRedisVersion = RedisServerVersion(7, 0)

    /// `redis://` or `rediss://` (TLS), with the ACL user if any; never a password.
    public var url: RedisURL
    /// Resolved from `--redis-password env:NAME|file:PATH`; never logged.
    public var password: Secret?
    /// This replica's id in the heartbeat keys and the admin API; unique in the cluster.
    public var replicaID: String
    /// How long a receipt is kept in Redis for the other replicas (`--shared-receipt-retention-minutes`); never
    /// longer than the record's own retention.
    public var receiptRetention: Duration

    public init(url: RedisURL, password: Secret? = nil, replicaID: String, receiptRetention: Duration = Self.defaultReceiptRetention) {
        self.url = url
        self.password = password
        self.replicaID = replicaID
        self.receiptRetention = receiptRetention
    }
}

extension SharedModeSettings {
    /// Shared mode refused at start: the Redis server it reached is too old (or would not say its version).
    public struct UnsupportedRedis: Error, CustomStringConvertible {
        /// The client's error: the server's address and version.
        public var underlying: RedisError

        public var description: String {
            "shared mode needs Redis \(SharedModeSettings.minimumRedisVersion) or newer (SET … NX GET keeps two replicas "
                + "from sending one message twice): \(underlying)"
        }
    }

    /// Checks at start what the client found at its first connect: a server refused for its version ends the start
    /// with ``UnsupportedRedis``. A Redis that cannot be reached now does not (shared mode runs on its fallbacks until
    /// it is back, and every connect checks the version again), it is only logged.
    /// - Parameters:
    ///   - client: shared mode's client, made with ``minimumRedisVersion``.
    ///   - logger: where an unreachable Redis is reported.
    public static func checkServer(_ client: RedisClient, logger: Logger) async throws {
        do {
            _ = try await client.send("PING")
        } catch let error as RedisError where error.code == .unsupportedServer {
            logger.critical(
                "shared mode refused: Redis too old",
                metadata: ["redis.address": "\(client.url)", "redis.error": "\(error.message)"])
            throw UnsupportedRedis(underlying: error)
        } catch {
            logger.warning(
                "shared mode: Redis not reachable at start; running on the fallbacks until it is",
                metadata: ["redis.address": "\(client.url)", "redis.error": "\(error)"])
        }
    }
}
