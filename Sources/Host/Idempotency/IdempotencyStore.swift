/// Our message id → Genesys' ids, written only after Genesys accepted the message.
///
/// A redelivered message (after a crash between send and ack, or a lost connection) is looked up here
/// first, so it is not sent twice when that can be avoided. A protocol so the embedded stores can later be
/// joined by one shared through Redis.
public protocol IdempotencyStore: Sendable {
    func record(_ receipt: DeliveryReceipt) async
    func receipt(for messageID: String) async -> DeliveryReceipt?
}

extension SentMessageLog: IdempotencyStore {}
