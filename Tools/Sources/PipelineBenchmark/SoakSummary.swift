import Foundation

/// A soak's steady-state figures: the per-minute samples after the warm-up part of the run (minute 5, or the first
/// third of a run shorter than 15 minutes, unless told otherwise), judged against issue 29's goal — RSS within ±10 % of its mean and below
/// 120 MB, Redis' memory flat too — and the run's message totals.
struct SoakSummary {
    /// Issue 29: RSS within ± this share of its mean after the warm-up part …
    static let flatShare = 0.10
    /// … and below this many MB.
    static let rssLimitMB = 120.0

    let minutes: Int
    let warmUpMinutes: Int
    /// The samples the steady state is taken from.
    let window: [SoakSample]
    let published: Int
    let delivered: Int
    let duplicates: Int
    let unexpected: Int
    let maxBacklog: Int
    let maxLatencyMs: Double
    /// Cut short: what had not arrived yet was not given its time, and is not counted as lost.
    let interrupted: Bool
    /// Published and never arrived, the drain included.
    var lost: Int { interrupted ? 0 : published - delivered }

    init(samples: [SoakSample], ledger: SoakLedger, minutes: Int, warmUpMinutes: Int, interrupted: Bool) {
        self.minutes = minutes
        self.warmUpMinutes = warmUpMinutes
        self.interrupted = interrupted
        window = samples.filter { $0.minute > warmUpMinutes }
        published = ledger.published
        delivered = ledger.delivered
        duplicates = ledger.duplicates
        unexpected = ledger.unexpected
        maxBacklog = ledger.maxBacklog
        maxLatencyMs = ledger.maxLatencyMs
    }

    /// Minutes left out of the steady state unless told otherwise: 5, or the first third of a shorter run.
    static func defaultWarmUpMinutes(of minutes: Int) -> Int { min(5, minutes / 3) }

    func print() {
        Swift.print("== steady state (minutes \(warmUpMinutes + 1)-\(minutes), \(window.count) samples)")
        if let rss = Series(window.map { ($0.minute, $0.rssMB) }) {
            let flat = rss.spread <= Self.flatShare
            let below = rss.max < Self.rssLimitMB
            Swift.print("gateway RSS: min \(fmt(rss.min, 1)) max \(fmt(rss.max, 1)) mean \(fmt(rss.mean, 1)) MB, spread ±\(fmt(rss.spread * 100, 1)) % of the mean, slope \(rss.slopeLine(unit: "MB"))")
            Swift.print("gateway RSS flat (within ±\(fmt(Self.flatShare * 100, 0)) %): \(flat ? "yes" : "NO"); below \(fmt(Self.rssLimitMB, 0)) MB: \(below ? "yes" : "NO")")
        } else {
            Swift.print("gateway RSS: no sample after the warm-up part")
        }
        if window.contains(where: { $0.redisMB != nil }), let redis = Series(window.compactMap { s in s.redisMB.map { (s.minute, $0) } }) {
            let keys = window.compactMap(\.redisKeys)
            Swift.print("Redis used_memory: min \(fmt(redis.min, 2)) max \(fmt(redis.max, 2)) mean \(fmt(redis.mean, 2)) MB, spread ±\(fmt(redis.spread * 100, 1)) %, slope \(redis.slopeLine(unit: "MB")); flat (within ±\(fmt(Self.flatShare * 100, 0)) %): \(redis.spread <= Self.flatShare ? "yes" : "NO"); keys \(keys.first.map(String.init) ?? "-") -> \(keys.last.map(String.init) ?? "-")")
        }
        let windowDelivered = window.reduce(0) { $0 + $1.delivered }
        let perSecond = { (values: [Double]) in values.isEmpty ? "-" : fmt(values.reduce(0, +) / Double(values.count), 1) }
        if windowDelivered > 0 {
            let gatewayMs = window.reduce(0.0) { $0 + $1.gatewayCPUMs }
            Swift.print("gateway CPU: \(perSecond(window.map(\.gatewayMsPerSecond))) ms/s, \(fmt(gatewayMs / Double(windowDelivered), 3)) ms per message; RabbitMQ \(perSecond(window.compactMap(\.brokerMsPerSecond))) ms/s; whole machine busy \(perSecond(window.compactMap(\.machineMsPerSecond))) ms/s of \(ProcessInfo.processInfo.activeProcessorCount * 1000)")
        }
        Swift.print("== messages: published \(published), delivered \(delivered) (each once), \(interrupted ? "not arrived when cut short \(published - delivered)" : "lost \(lost)"), duplicates \(duplicates)\(unexpected > 0 ? ", unexpected \(unexpected)" : ""); backlog max \(maxBacklog); publish -> arrival max \(fmt(maxLatencyMs, 0)) ms")
    }
}

/// Values by minute: their range, their spread around the mean, and the slope of a least-squares line.
struct Series {
    let min: Double
    let max: Double
    let mean: Double
    /// The larger distance of min or max from the mean, as a share of the mean.
    let spread: Double
    /// Per minute, from a linear fit; nil with fewer than two points.
    let slope: Double?

    init?(_ points: [(minute: Int, value: Double)]) {
        guard !points.isEmpty else { return nil }
        let values = points.map(\.value)
        min = values.min()!
        max = values.max()!
        let mean = values.reduce(0, +) / Double(values.count)
        self.mean = mean
        spread = mean > 0 ? Swift.max(max - mean, mean - min) / mean : 0
        let xs = points.map { Double($0.minute) }
        let xMean = xs.reduce(0, +) / Double(xs.count)
        let sxx = xs.reduce(0) { $0 + ($1 - xMean) * ($1 - xMean) }
        let sxy = zip(xs, values).reduce(0) { $0 + ($1.0 - xMean) * ($1.1 - mean) }
        slope = sxx > 0 ? sxy / sxx : nil
    }

    /// `+1.20 MB per 10 min (linear fit)`.
    func slopeLine(unit: String) -> String {
        guard let slope else { return "- (one sample)" }
        return "\(slope >= 0 ? "+" : "")\(fmt(slope * 10, 2)) \(unit) per 10 min (linear fit)"
    }
}
