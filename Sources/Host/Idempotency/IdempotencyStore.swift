/// Our message id → Genesys' ids, written only after Genesys accepted the message. Ids are the caller's, so they
/// are scoped by tenant: two tenants may use the same id for different messages.
///
/// A redelivered message (after a crash between send and ack, or a lost connection) is looked up here
/// first, so it is not sent twice when that can be avoided. A protocol so the embedded stores can later be
/// joined by one shared through Redis.
public protocol IdempotencyStore: Sendable {
    func record(_ receipt: DeliveryReceipt) async
    func receipt(for messageID: String, tenantID: String) async -> DeliveryReceipt?
    /// Why receipts cannot be kept now (a disk that refuses writes), or nil. Read without waiting, before every
    /// queued send: a message sent while its receipt cannot be kept could be sent again after a crash.
    var writeProblem: String? { get }
    /// Tries again to keep what could not be kept.
    func retryWrites() async
}

extension IdempotencyStore {
    public var writeProblem: String? { nil }
    public func retryWrites() async {}
}

extension SentMessageLog: IdempotencyStore {}

extension DeliveryReceipt {
    /// The key a receipt is kept under: tenant and message id.
    static func idempotencyKey(tenantID: String, messageID: String) -> String {
        tenantID + "\u{1F}" + messageID
    }

    var idempotencyKey: String { Self.idempotencyKey(tenantID: org.tenantID, messageID: messageID) }
}
