public import GatewayCore
public import RedisClient

/// Shared mode (`run --redis-url`): where Redis is and who this replica is. Without it the gateway keeps all
/// its state in the process, as a single replica.
public struct SharedModeSettings: Sendable {
    public var url: RedisURL
    /// Resolved from `--redis-password env:NAME|file:PATH`; never logged.
    public var password: Secret?
    /// This replica's id in the heartbeat keys and the admin API; unique in the cluster.
    public var replicaID: String

    public init(url: RedisURL, password: Secret? = nil, replicaID: String) {
        self.url = url
        self.password = password
        self.replicaID = replicaID
    }
}

