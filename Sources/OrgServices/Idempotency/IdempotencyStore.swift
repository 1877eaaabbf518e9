import GatewayCore
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
    /// The message is about to be handed to Genesys: if the process dies before ``record(_:)`` or
    /// ``sendEnded(_:tenantID:)``, Genesys may have it although the record does not say so.
    /// - Returns: what the record held as the send was noted, in the same step: a receipt written since the
    ///   receipt check means the message must not be sent. Only a record other processes write can change after
    ///   that check (a process sends one id at a time, ``InFlightMessages``).
    func sendStarting(_ messageID: String, tenantID: String) async -> SendStart
    /// The attempt ended without Genesys taking the message.
    func sendEnded(_ messageID: String, tenantID: String) async
    /// True (once) when an earlier run started sending the message and died before learning the answer: sending
    /// it again may give Genesys a second copy. Stores that do not survive a restart never know.
    func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool
}

extension IdempotencyStore {
    public var writeProblem: String? { nil }
    public func retryWrites() async {}
    /// A record only this process writes has not changed since the receipt check.
    public func sendStarting(_ messageID: String, tenantID: String) async -> SendStart { .clear }
    public func sendEnded(_ messageID: String, tenantID: String) async {}
    public func wasInterrupted(_ messageID: String, tenantID: String) async -> Bool { false }
}

extension SentMessageLog: IdempotencyStore {}

extension DeliveryReceipt {
    /// The key a receipt is kept under: tenant and message id.
    package static func idempotencyKey(tenantID: String, messageID: String) -> String {
        tenantID + "\u{1F}" + messageID
    }

    var idempotencyKey: String { Self.idempotencyKey(tenantID: org.tenantID, messageID: messageID) }
}
