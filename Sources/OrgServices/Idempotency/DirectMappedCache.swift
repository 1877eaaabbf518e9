/// A fixed number of entries, each key in the one place its hash picks: a newer key there replaces the older. For
/// the record's per-message memos, where a forgotten entry only costs a read from disk: no eviction order to keep,
/// so an insert costs one hash and one store (a `BoundedDictionary`'s ordered eviction was 13 % of the record's
/// CPU).
struct DirectMappedCache<Value> {
    private var entries: [(key: String, value: Value)?]
    private let mask: Int

    /// Room for at least `capacity` entries (a power of two).
    init(capacity: Int) {
        var size = 1
        while size < capacity, size < 1 << 24 { size <<= 1 }
        entries = Array(repeating: nil, count: size)
        mask = size - 1
    }

    subscript(key: String) -> Value? {
        get {
            guard let entry = entries[key.hashValue & mask], entry.key == key else { return nil }
            return entry.value
        }
        set {
            let place = key.hashValue & mask
            if let newValue {
                entries[place] = (key, newValue)
            } else if entries[place]?.key == key {
                entries[place] = nil
            }
        }
    }
}
