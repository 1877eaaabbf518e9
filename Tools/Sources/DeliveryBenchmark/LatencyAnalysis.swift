
/// Added latency per delivered message: the time `deliver` took beyond the org's rate-limiter wait and
/// beyond the Genesys call itself (libcurl's total time).
///
/// With burst `b` and every message queued at the start, the GCRA limiter releases an org's messages at
/// `t0 + max(0, k - b + 1) / rate` (k = 0, 1, … in release order), where `t0` is when the first one
/// reached it. So per message `added = returned - max(called, slot_k) - libcurl time`; for the first
/// `b` messages (no wait) `added = returned - called - libcurl time`.
///
/// Release order and `t0`: with probes, the order of the limiter's returns and `t0` = the first-released
/// message's limiter call time (true `t0` lies between the org's earliest limiter call and that
/// message's limiter return: that span is the error bound, reported). Without probes, the order of
/// `returned - libcurl time` and `t0` = the org's earliest `deliver` call, which over-states added
/// latency by the first message's pre-limiter work and task start-up.
///
/// Steady state: every message still being handed to `deliver` competes for the CPU with the messages
/// already due, so the analysis marks when admission of the initial batch ended (its last limiter call
/// with probes, its last `deliver` call without) and flags the messages whose slot comes ``settle`` or more after it as steady.
struct LatencyAnalysis: Sendable {
    /// One delivered message's figures, in milliseconds.
    struct Sample: Sendable {
        var added: Double
        /// With probes: added latency split by where it was spent (nil without probes).
        var beforeLimiter: Double?
        var limiterLateness: Double?
        var limiterToHTTP: Double?
        var clientOverhead: Double?
        var afterHTTP: Double?
        /// Whether the message waited for its slot (false for the first `burst` of an org).
        var waited: Bool
        /// Whether its slot came after admission ended (see the type's notes).
        var steady: Bool
        let id: String
        let org: Int
        /// The slot the limiter gave the message (its `deliver` call for the first `burst`).
        let slot: Duration
    }

    let samples: [Sample]
    /// Largest uncertainty of `t0` over the orgs, ms (probes only).
    let t0ErrorBound: Double?
    /// Messages for which the core made more than one HTTP call (a 401 renewal), left out of `samples`.
    let multiCallMessages: Int
    /// When the initial batch's last message reached the limiter (probes) or `deliver` (no probes),
    /// since the run's start.
    let admissionEnded: Duration
    /// How long after admission ended the steady state is taken to start: the backlog of admitted
    /// tasks (and the sandbox's work they delayed) takes a few hundred ms to clear on 2 cores.
    static let settle = Duration.seconds(1)

    /// Ids of the steady-state messages.
    var steadyIDs: Set<String> { Set(samples.filter(\.steady).map(\.id)) }

    init(results: [MessageResult], orgs: [BenchmarkOrg], probes: Bool, startedAt: Duration) {
        let initial = results.filter(\.admittedAtStart)
        let admissionEnd = probes
            ? initial.compactMap(\.marks.limiterCalled).max() ?? startedAt : initial.map(\.calledAt).max() ?? startedAt
        var samples: [Sample] = []
        var bound: Double? = nil
        var multiCall = 0
        for org in orgs {
            let delivered = results.filter { $0.org == org.index && $0.isDelivered }
            multiCall += delivered.filter { $0.marks.httpCalls > 1 }.count
            let usable = delivered.filter { !probes || ($0.marks.httpCalls == 1 && $0.marks.limiterReturned != nil) }
            guard !usable.isEmpty else { continue }
            let ordered: [MessageResult]
            let t0: Duration
            if probes {
                ordered = usable.sorted { $0.marks.limiterReturned! < $1.marks.limiterReturned! }
                t0 = ordered[0].marks.limiterCalled!
                let earliestCall = usable.compactMap(\.marks.limiterCalled).min()!
                let orgBound = (ordered[0].marks.limiterReturned! - earliestCall).ms
                bound = max(bound ?? 0, orgBound)
            } else {
                ordered = usable.sorted { $0.returnedAt - $0.genesysDuration < $1.returnedAt - $1.genesysDuration }
                t0 = usable.map(\.calledAt).min()!
            }
            let interval = Duration.fractionalSeconds(1 / org.rate)
            for (rank, result) in ordered.enumerated() {
                let steps = max(0, rank - org.burst + 1)
                let waited = steps > 0
                let slot = t0 + interval * steps
                let start = waited ? max(result.calledAt, slot) : result.calledAt
                var sample = Sample(
                    added: (result.returnedAt - start - result.genesysDuration).ms, waited: waited,
                    steady: waited && slot > admissionEnd + Self.settle, id: result.id, org: org.index, slot: start)
                if probes, let lc = result.marks.limiterCalled, let lr = result.marks.limiterReturned,
                    let hc = result.marks.httpCalled, let hr = result.marks.httpReturned
                {
                    sample.beforeLimiter = (lc - result.calledAt).ms
                    sample.limiterLateness = waited ? (lr - max(slot, lc)).ms : (lr - lc).ms
                    sample.limiterToHTTP = (hc - lr).ms
                    sample.clientOverhead = (hr - hc - result.genesysDuration).ms
                    sample.afterHTTP = (result.returnedAt - hr).ms
                }
                samples.append(sample)
            }
        }
        self.samples = samples
        self.t0ErrorBound = bound
        self.multiCallMessages = multiCall
        self.admissionEnded = admissionEnd - startedAt
    }

    /// Nearest-rank percentile of `values` (`p` in 0…100); nil when empty.
    static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// p50 / p95 / p99 / max of one figure over the samples that have it.
    static func summary(_ values: [Double]) -> (p50: Double, p95: Double, p99: Double, max: Double)? {
        guard let p50 = percentile(50, of: values), let p95 = percentile(95, of: values),
            let p99 = percentile(99, of: values), let top = values.max()
        else { return nil }
        return (p50, p95, p99, top)
    }
}

extension Duration {
    /// The duration in milliseconds, as a `Double`.
    var ms: Double { seconds * 1000 }
}
