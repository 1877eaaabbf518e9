/// A dictionary that keeps at most `capacity` keys, forgetting the oldest inserted first.
///
/// For the gateway's in-memory records (sent messages, message statuses, conversation owners): bounded so
/// memory stays flat however long the process runs. Updating a key keeps its original age.
public struct BoundedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    /// Index of the oldest key still in `order`; the prefix before it is compacted away now and then.
    private var head = 0
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    public subscript(key: Key) -> Value? {
        get { values[key] }
        set {
            guard let newValue else {
                // Its place in `order` stays: a key removed and set again may be forgotten early, never late.
                values[key] = nil
                return
            }
            if values.updateValue(newValue, forKey: key) == nil {
                order.append(key)
            }
            while values.count > capacity, head < order.count {
                values.removeValue(forKey: order[head])
                head += 1
            }
            if head > capacity {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    public var count: Int { values.count }

    /// Every entry, oldest first (for rewriting a record of them).
    public var oldestFirst: [(Key, Value)] {
        order[head...].compactMap { key in values[key].map { (key, $0) } }
    }
}
