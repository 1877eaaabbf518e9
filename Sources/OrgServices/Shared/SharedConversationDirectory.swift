public import GatewayCore
public import Logging
public import RedisClient

/// Shared mode's conversation directory: which org owns each conversation, written by every replica, so a
/// conversation created through replica A is refused to another tenant on replica B.
///
/// Key: `ggw:conversation:<id>` → `<tenant>/<org>`, for ``timeToLive`` (30 days; Genesys closes an idle
/// Open Messaging conversation long before). This replica's own ``ConversationDirectory`` (its file) is
/// written too and asked first, so the check keeps working from what this replica saw while Redis is down.
public struct SharedConversationDirectory: ConversationOwnership {
    static let timeToLive: Int64 = 30 * 24 * 3600

    private let local: ConversationDirectory
    private let redis: BestEffortRedis

    public init(local: ConversationDirectory, client: RedisClient, logger: Logger) {
        self.local = local
        redis = BestEffortRedis(client: client, purpose: "conversation directory", logger: logger)
    }

    static func key(_ conversationID: String) -> String { "ggw:conversation:\(conversationID)" }

    public func record(_ conversationID: String, owner: OrgKey) async {
        await local.record(conversationID, owner: owner)
        _ = await redis.send("SET", Self.key(conversationID), "\(owner.tenantID)/\(owner.orgName)", "EX", Self.timeToLive)
    }

    public func owner(of conversationID: String) async -> OrgKey? {
        if let known = await local.owner(of: conversationID) { return known }
        guard let value = await redis.send("GET", Self.key(conversationID))?.string else { return nil }
        // Tenant ids and org names hold no '/', so the first one splits them.
        let parts = value.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return OrgKey(tenantID: String(parts[0]), orgName: String(parts[1]))
    }

    public var writeProblem: String? {
        get async { await local.writeProblem }
    }

    public func publish(_ event: StatusEvent) async {
        guard event.status == .sent, let conversation = event.conversationId else { return }
        await record(conversation, owner: OrgKey(tenantID: event.tenantId, orgName: event.org))
    }
}
