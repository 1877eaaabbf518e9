/// Calls and failures over the last N seconds, one bucket per second (a ring indexed by the second).
struct RollingCounts {
    private struct Bucket {
        var second: Int64 = .min
        var calls = 0
        var failures = 0
    }

    private var buckets: [Bucket]

    init(buckets: Int) {
        self.buckets = Array(repeating: Bucket(), count: max(buckets, 1))
    }

    mutating func add(failure: Bool, at time: Duration) {
        let second = time.components.seconds
        let index = Int(second % Int64(buckets.count))
        if buckets[index].second != second {
            buckets[index] = Bucket(second: second)
        }
        buckets[index].calls += 1
        if failure { buckets[index].failures += 1 }
    }

    /// Totals over the buckets still inside the window at `time`.
    func totals(at time: Duration) -> (calls: Int, failures: Int) {
        let oldest = time.components.seconds - Int64(buckets.count) + 1
        return buckets.filter { $0.second >= oldest }.reduce((0, 0)) { ($0.0 + $1.calls, $0.1 + $1.failures) }
    }

    mutating func reset() {
        buckets = Array(repeating: Bucket(), count: buckets.count)
    }
}
