import GatewayCore
public import Logging
public import RedisClient

/// Shared mode's webhook deduplication: a Genesys message is claimed once for the whole cluster, so
/// Genesys' retry of a message replica A already published is answered as a duplicate on replica B too.
///
/// Key: `ggw:{<tenant>}:webhook:<org>:<genesysMessageId>`, set with `NX` for ``timeToLive`` (10 minutes,
/// well past Genesys' last retry). While Redis is unreachable this replica's own ``WebhookDeduplicator``
/// decides: a retry landing on another replica in that time may be published twice.
public struct SharedWebhookDeduplicator: WebhookDeduplicating {
    static let timeToLive: Int64 = 600

    private let local: WebhookDeduplicator
    private let redis: BestEffortRedis

    public init(local: WebhookDeduplicator, client: RedisClient, logger: Logger) {
        self.local = local
        redis = BestEffortRedis(client: client, purpose: "webhook deduplication", logger: logger)
    }

    static func key(_ key: WebhookDeduplicator.Key) -> String {
        "ggw:{\(key.org.tenantID)}:webhook:\(key.org.orgName):\(key.genesysMessageID)"
    }

    public func claim(_ key: WebhookDeduplicator.Key) async -> Bool {
        // Claimed locally as well, so that the local record is complete should Redis go away later.
        let locally = local.claim(key)
        switch await redis.send("SET", Self.key(key), "1", "NX", "EX", Self.timeToLive) {
        case .status?: return true  // OK: the first claim in the cluster
        case .null?: return false  // someone claimed it before
        default: return locally
        }
    }
}
