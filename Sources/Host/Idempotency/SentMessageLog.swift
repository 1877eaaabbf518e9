/// Our message id → Genesys' ids, for messages Genesys accepted. Bounded: the oldest entries go first.
public actor SentMessageLog {
    private var receipts: [String: DeliveryReceipt] = [:]
    private var order: [String] = []
    private var head = 0
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    public func record(_ receipt: DeliveryReceipt) {
        if receipts.updateValue(receipt, forKey: receipt.messageID) == nil {
            order.append(receipt.messageID)
        }
        while receipts.count > capacity, head < order.count {
            receipts.removeValue(forKey: order[head])
            head += 1
        }
        if head > capacity {  // compact the consumed prefix now and then
            order.removeFirst(head)
            head = 0
        }
    }

    public func receipt(for messageID: String) -> DeliveryReceipt? {
        receipts[messageID]
    }

    public var count: Int { receipts.count }
}
