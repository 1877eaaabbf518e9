public import GatewayCore
public import RedisClient

/// Shared mode (`run --redis-url`): where Redis is and who this replica is. Without it the gateway keeps all
/// its state in the process, as a single replica.
public struct SharedModeSettings: Sendable {
    /// How long a receipt stays in Redis unless told otherwise: a day. Redis holds every receipt of that window
    /// in memory (about 250 bytes each, so 500 msg/s for a day is ≈ 11 GB), while each replica's file answers
    /// for the whole `--receipt-retention-hours`. What needs Redis is a message redelivered to *another*
    /// replica — after a crash, a handover or a retry tier (10 minutes at most) — which happens within hours.
    public static let defaultReceiptRetention = Duration.seconds(24 * 3600)

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
