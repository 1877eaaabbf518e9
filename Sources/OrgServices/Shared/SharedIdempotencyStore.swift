import Foundation
import GatewayCore
public import Logging
public import RedisClient

/// Shared mode's idempotency record: this replica's file (``FileIdempotencyStore``) plus the same facts in
/// Redis, so that a message redelivered to another replica after a crash is found there and not sent again.
///
/// One key per message, `ggw:{<tenant>}:receipt:<id>` (hash-tagged, so one tenant's keys stay together in a
/// cluster), holding what Redis knows of the send:
/// - `sending:<replica-id>/<run uuid>` while a run is handing the message to Genesys, for
///   ``sendingTimeToLive`` (1 hour): set (`SET NX GET`, never over a receipt or another run's mark, answering
///   what was there) before the call, deleted (only the run's own, compare-and-delete) when the attempt ended
///   without Genesys taking the message;
/// - the receipt as JSON once Genesys accepted it, for `receiptTimeToLive` (`--shared-receipt-retention-minutes`,
///   a day by default: Redis holds every receipt of the window in memory, while each replica's file answers for
///   the whole retention; what needs Redis is a redelivery to another replica, within hours): one `SET` that
///   replaces the mark.
///
/// One key rather than a receipt key and a mark key: a delivered message costs three commands (`GET`,
/// `SET NX GET`, `SET`) instead of four, the mark goes with the receipt's write, atomically, and taking the mark
/// reads in the same step whether another replica's receipt or mark is there. `SET` takes `NX` with `GET` from
/// Redis 7.0.
///
/// The local file stays the authority for this replica (it is written first, and read first); Redis adds
/// what other replicas know. While Redis is unreachable the replica works from its file alone: a message
/// redelivered to another replica in that time may be sent twice (and is flagged when its `sending` mark
/// was seen). Redis trouble never blocks or fails a send.
public struct SharedIdempotencyStore: IdempotencyStore {
    static let sendingTimeToLive: Int64 = 3600
    /// What starts a `sending` mark; a receipt is JSON and starts with `{`.
    static let sendingPrefix = "sending:"

    private let local: any IdempotencyStore
    /// Seconds a receipt key lives.
    private let receiptTimeToLive: Int64
    private let redis: BestEffortRedis
    /// This process's run, in `sending` marks: a mark of another run means a send that run did not finish.
    private let runID: String
    /// This run's `sending` mark.
    private var mark: String { Self.sendingPrefix + runID }

    /// - Parameter receiptTimeToLive: how long a receipt is kept in Redis (whole seconds, at least one).
    public init(
        local: any IdempotencyStore, client: RedisClient, replicaID: String, receiptTimeToLive: Duration = .seconds(24 * 3600),
        logger: Logger
    ) {
        self.local = local
        self.receiptTimeToLive = max(1, receiptTimeToLive.components.seconds)
        redis = BestEffortRedis(client: client, purpose: "idempotency record", logger: logger)
        runID = "\(replicaID)/\(UUID().uuidString)"
    }

    static func key(tenantID: String, messageID: String) -> String { "ggw:{\(tenantID)}:receipt:\(messageID)" }

    public func record(_ receipt: DeliveryReceipt) async {
        await local.record(receipt)
        guard let json = try? JSONEncoder().encode(SharedReceipt(receipt)) else { return }
        // Replaces this run's `sending` mark: no `DEL` of its own.
        _ = await redis.send(
            "SET", Self.key(tenantID: receipt.org.tenantID, messageID: receipt.messageID), Array(json), "EX", receiptTimeToLive)
    }

    public func receipt(for messageID: String, tenantID: String) async -> DeliveryReceipt? {
        if let known = await local.receipt(for: messageID, tenantID: tenantID) { return known }
        guard case .bulk(let value)? = await redis.send("GET", Self.key(tenantID: tenantID, messageID: messageID)) else { return nil }
        return Self.receipt(stored: value, messageID: messageID, tenantID: tenantID)
    }

    /// The receipt a key's value holds; nil for a `sending` mark, which does not decode as one.
    private static func receipt(stored value: [UInt8], messageID: String, tenantID: String) -> DeliveryReceipt? {
        guard value.first == UInt8(ascii: "{"), let shared = try? JSONDecoder().decode(SharedReceipt.self, from: Data(value))
        else { return nil }
        return shared.receipt(messageID: messageID, tenantID: tenantID)
    }

    public var writeProblem: String? { local.writeProblem }

    public func retryWrites() async { await local.retryWrites() }

    /// Another replica may have written its receipt after this one's receipt check (it was still in its call when
    /// the broker handed the message over): `GET` in the mark's own `SET` sees it, with nothing in between.
    public func sendStarting(_ messageID: String, tenantID: String) async -> SendStart {
        let locally = await local.sendStarting(messageID, tenantID: tenantID)
        if case .alreadySent = locally { return locally }
        // NX: a receipt another replica wrote meanwhile stays; so does another run's mark: that send may still
        // reach (or have reached) Genesys, so the mark stays until reported or replaced by a receipt.
        let found = await redis.send(
            "SET", Self.key(tenantID: tenantID, messageID: messageID), mark, "NX", "GET", "EX", Self.sendingTimeToLive)
        // `.null`: the key was empty and holds this run's mark now; nil: Redis away, this replica's own record alone.
        guard case .bulk(let value)? = found else { return locally }
        if let receipt = Self.receipt(stored: value, messageID: messageID, tenantID: tenantID) { return .alreadySent(receipt) }
        // This run's own mark is left by an earlier attempt whose end did not reach Redis: this run knows it ended.
        // Anything else is another run's mark (or a value this version cannot read: flagged rather than trusted).
        return value == Array(mark.utf8) ? locally : .possiblySentElsewhere
    }

    public func sendEnded(_ messageID: String, tenantID: String) async {
        await local.sendEnded(messageID, tenantID: tenantID)
        // Only this run's own mark: the key may hold a receipt another replica wrote meanwhile.
        _ = await redis.run(CompareAndDeleteScript.script, keys: [Self.key(tenantID: tenantID, messageID: messageID)], arguments: [mark])
    }

    public func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool {
        let locally = await local.wasInterrupted(messageID, tenantID: tenantID)
        let taken = await redis.run(
            Self.takeInterruptedMark, keys: [Self.key(tenantID: tenantID, messageID: messageID)], arguments: [Self.sendingPrefix, mark])
        return taken?.integer == 1 || locally
    }

    /// Deletes another run's `sending` mark, in one round trip and atomically (a receipt written meanwhile is
    /// never deleted): such a mark means that run began the send and never finished it.
    /// KEYS[1] = the message's key; ARGV[1] = the mark prefix, ARGV[2] = this run's mark. Returns 1 when deleted.
    static let takeInterruptedMark: RedisScript = {
        let source = """
            local value = redis.call('GET', KEYS[1])
            if value and value ~= ARGV[2] and string.sub(value, 1, #ARGV[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              return 1
            end
            return 0
            """
        return RedisScript(source: source, sha1: RedisScript.sha1Hex(of: source))
    }()
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
