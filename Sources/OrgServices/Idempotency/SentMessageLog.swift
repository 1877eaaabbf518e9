import GatewayCore
/// Our message id → Genesys' ids, for messages Genesys accepted. Bounded: the oldest entries go first.
public actor SentMessageLog {
    private var receipts: BoundedDictionary<String, DeliveryReceipt>

    public init(capacity: Int = 100_000) {
        receipts = BoundedDictionary(capacity: capacity)
    }

    public func record(_ receipt: DeliveryReceipt) {
        receipts[receipt.idempotencyKey] = receipt
    }

    public func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? {
        receipts[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)]
    }

    public var count: Int { receipts.count }
}
