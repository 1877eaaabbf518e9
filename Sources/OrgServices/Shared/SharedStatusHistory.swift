import Foundation
public import Logging
public import RedisClient

/// Shared mode's message status history: every replica appends the status events it produces to one list
/// per message in Redis, so `GET /v1/messages/{id}` answers the same on every replica (a message accepted
/// by replica A and sent by replica B has one story).
///
/// Key: `ggw:{<tenant>}:status:<id>`, a list of events as JSON, the newest ``MessageStatusStore/historyLimit``
/// + 1 kept, for the local store's ``StatusHistoryLimits/maxAge`` (`--status-history-max-age`) after the last
/// event: Redis holds at most that many events for each message of that long. While Redis is unreachable this
/// replica's own ``MessageStatusStore`` (always fed) answers with what this replica saw.
public struct SharedStatusHistory: MessageStatusReading {
    private let local: MessageStatusStore
    private let redis: BestEffortRedis

    public init(local: MessageStatusStore, client: RedisClient, logger: Logger) {
        self.local = local
        redis = BestEffortRedis(client: client, purpose: "status history", logger: logger)
    }

    static func key(tenantID: String, messageID: String) -> String { "ggw:{\(tenantID)}:status:\(messageID)" }

    public func publish(_ event: StatusEvent) async {
        await local.publish(event)
        guard let messageID = event.messageId else { return }
        let key = Self.key(tenantID: event.tenantId, messageID: messageID)
        // One script rather than separate commands: a message makes two to four events, and the status history
        // was half of shared mode's Redis commands per message. Atomic too: the list never stays without its TTL.
        _ = await redis.run(
            Self.append, keys: [key], arguments: [event.jsonBytes, Int64(MessageStatusStore.historyLimit + 1), local.limits.maxAgeSeconds])
    }

    /// KEYS[1] = the history; ARGV[1] = the event, ARGV[2] = how many newest events to keep, ARGV[3] = the TTL (s).
    /// Trims only a list that grew past the cap (a message retried many times): Redis counts every command a
    /// script runs, and most messages make two events.
    static let append: RedisScript = {
        let source = """
            local keep = tonumber(ARGV[2])
            if redis.call('RPUSH', KEYS[1], ARGV[1]) > keep then
              redis.call('LTRIM', KEYS[1], -keep, -1)
            end
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            return 1
            """
        return RedisScript(source: source, sha1: RedisScript.sha1Hex(of: source))
    }()

    public func entry(for messageID: String, tenantID: String) async -> MessageStatusStore.Entry? {
        guard let events = await redis.send("LRANGE", Self.key(tenantID: tenantID, messageID: messageID), Int64(0), Int64(-1))?.array
        else { return await local.entry(for: messageID, tenantID: tenantID) }
        let decoder = JSONDecoder()
        let decoded = events.compactMap { reply -> StatusEvent? in
            guard case .bulk(let json) = reply else { return nil }
            return try? decoder.decode(StatusEvent.self, from: Data(json))
        }
        return MessageStatusStore.Entry(decoded)
    }
}
