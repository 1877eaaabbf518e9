import Foundation
import Logging
import RedisClient

/// Shared mode's idempotency record: this replica's file (``FileIdempotencyStore``) plus the same facts in
/// Redis, so that a message redelivered to another replica after a crash is found there and not sent again.
///
/// Keys, per tenant (hash-tagged, so one tenant's keys stay together in a cluster):
/// - `ggw:{<tenant>}:receipt:<id>` — the receipt as JSON, for ``receiptTimeToLive`` (7 days);
/// - `ggw:{<tenant>}:sending:<id>` — the replica run sending it now, for ``sendingTimeToLive`` (1 hour):
///   set before the call to Genesys, deleted when the receipt is written or the attempt ended.
///
/// The local file stays the authority for this replica (it is written first, and read first); Redis adds
/// what other replicas know. While Redis is unreachable the replica works from its file alone: a message
/// redelivered to another replica in that time may be sent twice (and is flagged when its `sending` mark
/// was seen). Redis trouble never blocks or fails a send.
public struct SharedIdempotencyStore: IdempotencyStore {
    static let receiptTimeToLive: Int64 = 7 * 24 * 3600
    static let sendingTimeToLive: Int64 = 3600

    private let local: any IdempotencyStore
    private let redis: BestEffortRedis
    /// This process's run, in `sending` marks: a mark of another run means a send that run did not finish.
    private let runID: String

    public init(local: any IdempotencyStore, client: RedisClient, replicaID: String, logger: Logger) {
        self.local = local
        redis = BestEffortRedis(client: client, purpose: "idempotency record", logger: logger)
        runID = "\(replicaID)/\(UUID().uuidString)"
    }

    static func receiptKey(tenantID: String, messageID: String) -> String { "ggw:{\(tenantID)}:receipt:\(messageID)" }
    static func sendingKey(tenantID: String, messageID: String) -> String { "ggw:{\(tenantID)}:sending:\(messageID)" }

    public func record(_ receipt: DeliveryReceipt) async {
        await local.record(receipt)
        let tenant = receipt.org.tenantID
        guard let json = try? JSONEncoder().encode(SharedReceipt(receipt)) else { return }
        async let stored = redis.send("SET", Self.receiptKey(tenantID: tenant, messageID: receipt.messageID), Array(json), "EX", Self.receiptTimeToLive)
        async let cleared = redis.send("DEL", Self.sendingKey(tenantID: tenant, messageID: receipt.messageID))
        _ = await (stored, cleared)
    }

    public func receipt(for messageID: String, tenantID: String) async -> DeliveryReceipt? {
        if let known = await local.receipt(for: messageID, tenantID: tenantID) { return known }
        guard case .bulk(let json)? = await redis.send("GET", Self.receiptKey(tenantID: tenantID, messageID: messageID)),
            let shared = try? JSONDecoder().decode(SharedReceipt.self, from: Data(json))
        else { return nil }
        return shared.receipt(messageID: messageID, tenantID: tenantID)
    }

    public var writeProblem: String? { local.writeProblem }

    public func retryWrites() async { await local.retryWrites() }

    public func sendStarting(_ messageID: String, tenantID: String) async {
        await local.sendStarting(messageID, tenantID: tenantID)
        _ = await redis.send("SET", Self.sendingKey(tenantID: tenantID, messageID: messageID), runID, "EX", Self.sendingTimeToLive)
    }

    public func sendEnded(_ messageID: String, tenantID: String) async {
        await local.sendEnded(messageID, tenantID: tenantID)
        _ = await redis.send("DEL", Self.sendingKey(tenantID: tenantID, messageID: messageID))
    }

    public func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool {
        let locally = await local.wasInterrupted(messageID, tenantID: tenantID)
        // Another run's mark: a replica (or this one before a restart) began the send and never finished it.
        let key = Self.sendingKey(tenantID: tenantID, messageID: messageID)
        guard let owner = await redis.send("GET", key)?.string, owner != runID else { return locally }
        _ = await redis.send("DEL", key)
        return true
    }
}

/// A receipt as Redis keeps it (the message id and tenant are in the key).
private struct SharedReceipt: Codable {
    var org: String
    var genesysId: String?
    var conversationId: String?
    var correlationId: String?

    init(_ receipt: DeliveryReceipt) {
        org = receipt.org.orgName
        genesysId = receipt.genesysMessageID
        conversationId = receipt.conversationID
        correlationId = receipt.correlationID
    }

    func receipt(messageID: String, tenantID: String) -> DeliveryReceipt {
        DeliveryReceipt(
            messageID: messageID, org: OrgKey(tenantID: tenantID, orgName: org), genesysMessageID: genesysId,
            conversationID: conversationId, correlationID: correlationId, genesysDuration: .zero)
    }
}
