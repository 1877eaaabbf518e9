import Foundation
import GenesysSandbox

/// Each org's rate as the sandbox saw it, and whether every message arrived exactly once.
///
/// The rate is `(count - 1) / (last - first)` over the org's arrivals (`ReceivedMessage.receivedAt`,
/// stamped after the injected latency). With a burst above 1 the first `burst` messages arrive together,
/// so the first `burst - 1` arrivals are left out: `(count - burst) / (last - arrival[burst - 1])`.
/// The steady rate is the same formula over the steady-state messages only (``LatencyAnalysis``).
struct RateAnalysis: Sendable {
    /// One org's figures.
    struct OrgRate: Sendable {
        let org: BenchmarkOrg
        /// Our messages the sandbox accepted (duplicates included).
        let arrivals: Int
        /// Over all arrivals (after the initial burst).
        let rate: Double?
        /// Over the steady-state messages' arrivals.
        let steadyRate: Double?
        let steadyArrivals: Int
        /// Rate against the configured one, percent (+ = faster).
        var deviationPercent: Double? { rate.map { ($0 / org.rate - 1) * 100 } }
        var steadyDeviationPercent: Double? { steadyRate.map { ($0 / org.rate - 1) * 100 } }
        /// Ids that arrived more than once.
        let duplicates: Int
        /// Ids the gateway reported delivered that the sandbox never accepted.
        let missing: Int
        /// Ids the sandbox accepted that the gateway did not report delivered.
        let unexpected: Int
        /// Messages the gateway reported delivered.
        let delivered: Int
    }

    let orgs: [OrgRate]

    /// The org furthest from its configured rate (over all arrivals, or the steady ones).
    func worst(steady: Bool) -> (org: OrgRate, deviation: Double)? {
        orgs.compactMap { org in (steady ? org.steadyDeviationPercent : org.deviationPercent).map { (org, $0) } }
            .max { abs($0.1) < abs($1.1) }
    }

    /// True when every delivered message arrived exactly once and nothing else arrived.
    var exactlyOnce: Bool {
        orgs.allSatisfy { $0.duplicates == 0 && $0.missing == 0 && $0.unexpected == 0 && $0.arrivals == $0.delivered }
    }

    init(orgs: [BenchmarkOrg], results: [MessageResult], steadyIDs: Set<String>, sandbox: SandboxControl) {
        self.orgs = orgs.map { org in
            let prefix = org.measuredIDPrefix
            let received = sandbox.received(integrationId: org.integrationID)
                .filter { $0.channelMessageId?.hasPrefix(prefix) ?? false }
            let times = received.map(\.receivedAt).sorted()
            let steadyTimes = received.filter { steadyIDs.contains($0.channelMessageId ?? "") }.map(\.receivedAt).sorted()
            let counts = Dictionary(received.map { ($0.channelMessageId ?? "", 1) }, uniquingKeysWith: +)
            let delivered = Set(results.filter { $0.org == org.index && $0.isDelivered }.map(\.id))
            let arrivedIDs = Set(counts.keys)
            return OrgRate(
                org: org, arrivals: received.count,
                rate: Self.rate(times, skipping: max(0, org.burst - 1)),
                steadyRate: Self.rate(steadyTimes, skipping: 0), steadyArrivals: steadyTimes.count,
                duplicates: counts.values.filter { $0 > 1 }.count,
                missing: delivered.subtracting(arrivedIDs).count,
                unexpected: arrivedIDs.subtracting(delivered).count,
                delivered: delivered.count)
        }
    }

    /// Arrivals per second after the first `skipping` arrivals: intervals counted over elapsed time.
    private static func rate(_ times: [Date], skipping: Int) -> Double? {
        guard times.count >= skipping + 2, let last = times.last else { return nil }
        let elapsed = last.timeIntervalSince(times[skipping])
        guard elapsed > 0 else { return nil }
        return Double(times.count - 1 - skipping) / elapsed
    }
}
