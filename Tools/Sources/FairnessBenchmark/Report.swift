import Foundation

/// Figures of one run, printed as plain lines: one per org, then a summary.
extension Observation {
    private var windowStart: Date { started.addingTimeInterval(warmup) }

    /// When an org's backlog ran out (the sandbox got every message published for it), else nil: from then
    /// on it was no longer backlogged.
    private func exhausted(_ i: Int) -> Date? {
        arrivals[i].count >= orgs[i].backlog ? arrivals[i].last : nil
    }

    private func header() -> [String] {
        let rates = orgs.map { fmtRate($0.rate) }.joined(separator: ",")
        let total = orgs.reduce(0) { $0 + $1.backlog }
        return [
            "== \(name)",
            "   \(orgs.count) orgs, rates \(rates) msg/s (sum \(fmtRate(orgs.reduce(0) { $0 + $1.rate }))), burst 1; sandbox latency \(latencyMs) ms; perOrgInFlight \(inFlight); \(ProcessInfo.processInfo.activeProcessorCount) cores",
            "   backlog \(total) messages published to the ingress queue before the gateway started, in \(fmt(publishSeconds)) s (\(fmt(Double(total) / max(publishSeconds, 0.001), 0)) msg/s); gateway ran \(fmt(stopped.timeIntervalSince(started))) s; warm-up \(fmt(warmup, 1)) s",
            prerouteSeconds.map { "   pre-routed: the whole backlog was moved into the org queues (in \(fmt($0)) s) before the measured gateway started; its router had nothing left to do" }
                ?? "   not pre-routed: the measured gateway's router moved the backlog from the ingress queue into the org queues while the orgs were sending",
        ]
    }

    private func usageLine() -> String {
        let (a, b) = usageWindow
        let wall = max(b.wall - a.wall, 0.001)
        var line = "   CPU over the window: this process (gateway + sandbox) \(fmt((b.processCPU - a.processCPU) / wall * 100, 0)) % of one core"
        if let r0 = a.brokerCPU, let r1 = b.brokerCPU {
            line += "; RabbitMQ \(fmt((r1 - r0) / wall * 100, 0)) %"
        }
        if let m0 = a.machineBusy, let m1 = b.machineBusy {
            line += "; whole machine \(fmt((m1 - m0) / wall * 100, 0)) % of one core (of \(ProcessInfo.processInfo.activeProcessorCount * 100) %, incl. RabbitMQ and anything else running)"
        }
        return line
    }

    /// The org queue's depth as sampled in `[from, to]`: "min/median/max", "?" if none sampled.
    private func depthSummary(_ i: Int, from: Date, to: Date) -> String {
        // The gateway reads depths when it subscribes, then every 2 s: skip the first 3 s of samples.
        let from = max(from, started.addingTimeInterval(3))
        let values = depths[i].filter { $0.at >= from && $0.at <= to }.map(\.depth).sorted()
        guard let low = values.first, let high = values.last else { return "?" }
        return "\(low)/\(values[values.count / 2])/\(high)"
    }

    /// Per org and second since the gateway started: messages the sandbox received, and the org queue's
    /// depth (last sample in that second).
    func printTimeline() {
        let seconds = Int(stopped.timeIntervalSince(started).rounded(.up))
        print("   timeline (per second since the gateway started; sent = received by the sandbox, waiting = org queue depth as the gateway last read it)")
        for (i, org) in orgs.enumerated() {
            var sent = Array(repeating: 0, count: seconds)
            for date in arrivals[i] {
                let second = Int(date.timeIntervalSince(started))
                if second >= 0, second < seconds { sent[second] += 1 }
            }
            var waiting = Array(repeating: "-", count: seconds)
            for sample in depths[i] {
                let second = Int(sample.at.timeIntervalSince(started))
                if second >= 0, second < seconds { waiting[second] = "\(sample.depth)" }
            }
            print("   \(org.tenant) sent/s:  " + sent.map(String.init).joined(separator: " "))
            print("   \(org.tenant) waiting: " + waiting.joined(separator: " "))
        }
    }

    private func maximumGap(_ dates: [Date]) -> Double {
        zip(dates.dropFirst(), dates).map { $0.timeIntervalSince($1) }.max() ?? 0
    }

    // MARK: scenario 1

    /// Each org's achieved rate over the steady window (after the warm-up, until the stop), from the
    /// sandbox's receive times: (n − 1) / (t_last − t_first); error against its configured rate.
    func printBacklogged() {
        var lines = header()
        lines.append("   per org: achieved = (n-1)/(t_last-t_first) over the sandbox receive times after the warm-up until the stop")
        var errors: [(org: String, error: Double)] = []
        var ranOut: [String] = []
        for (i, org) in orgs.enumerated() {
            let window = arrivals[i].filter { $0 >= windowStart && $0 <= stopped }
            let span = window.count > 1 ? window.last!.timeIntervalSince(window.first!) : 0
            let achieved = span > 0 ? Double(window.count - 1) / span : 0
            let error = (achieved - org.rate) / org.rate * 100
            errors.append((org.tenant, error))
            var line = "   \(org.tenant)  rate \(pad(fmtRate(org.rate), 6)) msg/s  prefetch \(pad("\(org.expectedPrefetch(inFlight: inFlight))", 3))"
            line += "  backlog \(pad("\(org.backlog)", 6))  sent \(pad("\(arrivals[i].count)", 6)) (\(pad("\(window.count)", 6)) in window)"
            line += "  achieved \(pad(fmt(achieved, 2), 8)) msg/s  error \(pad(fmtSigned(error, 2), 7)) %"
            line += "  max gap \(pad(fmt(maximumGap(window) * 1000, 0), 5)) ms (1/rate \(fmt(1000 / org.rate, 1)))"
            line += "  waiting in org queue min/med/max \(depthSummary(i, from: windowStart, to: stopped))"
            if let out = exhausted(i) {
                line += "  BACKLOG RAN OUT at +\(fmt(out.timeIntervalSince(started))) s"
                ranOut.append(org.tenant)
            }
            lines.append(line)
        }
        let worst = errors.max { abs($0.error) < abs($1.error) }!
        let meanAbs = errors.map { abs($0.error) }.reduce(0, +) / Double(errors.count)
        lines.append(usageLine())
        lines.append("   summary (backlogged): worst |error| \(fmt(abs(worst.error), 2)) % (\(worst.org)); mean |error| \(fmt(meanAbs, 2)) %; orgs whose backlog ran out: \(ranOut.isEmpty ? "none" : ranOut.joined(separator: ", "))")
        lines.forEach { print($0) }
    }

    // MARK: scenario 2

    /// Shares of the gateway's throughput over one common window (after the warm-up, until the stop or
    /// until the first org's backlog ran out, whichever comes first), against configured-rate shares and
    /// against what the prefetches predict.
    func printBottleneck() {
        var lines = header()
        let firstOut = orgs.indices.compactMap { exhausted($0) }.min()
        let windowEnd = min(stopped, firstOut ?? stopped)
        let window = windowEnd.timeIntervalSince(windowStart)
        lines.append("   common window +\(fmt(warmup, 1)) s … +\(fmt(windowEnd.timeIntervalSince(started))) s (\(fmt(window)) s)\(firstOut != nil && firstOut! < stopped ? ", cut short where the first org's backlog ran out" : "")")
        guard window > 1 else {
            lines.append("   window too short to measure (a backlog ran out during the warm-up): raise --max-messages or lower --seconds")
            lines.forEach { print($0) }
            return
        }
        let counts = arrivals.map { dates in dates.filter { $0 >= windowStart && $0 <= windowEnd }.count }
        let total = counts.reduce(0, +)
        let throughput = Double(total) / window
        let rateSum = orgs.reduce(0) { $0 + $1.rate }
        let prefetches = orgs.map { $0.expectedPrefetch(inFlight: inFlight) }
        // What the design predicts once the cap flattens prefetches: the measured total shared in
        // proportion to prefetch (the broker's round robin over channels), each org capped by its rate.
        let predicted = waterFill(capacity: throughput, weights: prefetches.map(Double.init), caps: orgs.map(\.rate))
        lines.append("   per org: configured share = rate / sum of rates; achieved share = its messages / all messages in the window; predicted = total shared by prefetch, capped at the org's rate")
        var ratios: [Double] = []
        var distance = 0.0
        var distancePredicted = 0.0
        var minimum: (org: String, rate: Double) = ("", .infinity)
        for (i, org) in orgs.enumerated() {
            let achievedRate = Double(counts[i]) / window
            let configuredShare = org.rate / rateSum
            let achievedShare = total > 0 ? Double(counts[i]) / Double(total) : 0
            let predictedShare = throughput > 0 ? predicted[i] / throughput : 0
            let ratio = achievedShare / configuredShare
            ratios.append(ratio)
            distance += abs(achievedShare - configuredShare) / 2
            distancePredicted += abs(achievedShare - predictedShare) / 2
            if achievedRate < minimum.rate { minimum = (org.tenant, achievedRate) }
            var line = "   \(org.tenant)  rate \(pad(fmtRate(org.rate), 6)) msg/s  prefetch \(pad("\(prefetches[i])", 3))\(prefetches[i] >= inFlight ? " (capped)" : "         ")"
            line += "  achieved \(pad(fmt(achievedRate, 1), 7)) msg/s (\(pad(fmt(achievedRate / org.rate * 100, 0), 3)) % of its rate)"
            line += "  configured share \(pad(fmt(configuredShare * 100, 2), 6)) %  achieved share \(pad(fmt(achievedShare * 100, 2), 6)) %  ratio \(pad(fmt(ratio, 2), 5))"
            line += "  predicted share \(pad(fmt(predictedShare * 100, 2), 6)) %"
            line += "  waiting in org queue min/med/max \(depthSummary(i, from: windowStart, to: windowEnd))"
            if let out = exhausted(i) { line += "  backlog ran out at +\(fmt(out.timeIntervalSince(started))) s" }
            lines.append(line)
        }
        lines.append(usageLine())
        let capped = orgs.indices.filter { prefetches[$0] >= inFlight }.map { orgs[$0].tenant }
        lines.append("   summary (bottleneck): total \(fmt(throughput, 1)) msg/s (sum of configured rates \(fmtRate(rateSum))); min org rate \(fmt(minimum.rate, 1)) msg/s (\(minimum.org))\(minimum.rate > 0 ? ", no org starved" : ", AN ORG STARVED")")
        lines.append("   summary (bottleneck): achieved/configured share ratio min \(fmt(ratios.min() ?? 0, 2)) max \(fmt(ratios.max() ?? 0, 2)); distance from rate-proportional shares (half L1) \(fmt(distance * 100, 1)) %; from the prefetch-weighted prediction \(fmt(distancePredicted * 100, 1)) %")
        if !capped.isEmpty {
            lines.append("   summary (bottleneck): \(capped.count) of \(orgs.count) orgs have their prefetch capped at perOrgInFlight \(inFlight) (\(capped.joined(separator: ", "))): among them the broker's round robin cannot tell rates apart")
        }
        lines.forEach { print($0) }
    }
}

/// `capacity` shared in proportion to `weights`, no share above its `cap`; what a capped share leaves is
/// shared again among the others.
func waterFill(capacity: Double, weights: [Double], caps: [Double]) -> [Double] {
    var result = Array(repeating: 0.0, count: weights.count)
    var open = Set(weights.indices)
    var remaining = capacity
    while !open.isEmpty, remaining > 0 {
        let weightSum = open.reduce(0) { $0 + weights[$1] }
        let saturated = open.filter { remaining * weights[$0] / weightSum >= caps[$0] }
        if saturated.isEmpty {
            for i in open { result[i] = remaining * weights[i] / weightSum }
            break
        }
        for i in saturated {
            result[i] = caps[i]
            remaining -= caps[i]
            open.remove(i)
        }
    }
    return result
}

func fmt(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
func fmtSigned(_ value: Double, _ digits: Int = 2) -> String { String(format: "%+.\(digits)f", value) }
func fmtRate(_ rate: Double) -> String { rate == rate.rounded() ? String(Int(rate)) : fmt(rate, 2) }
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}
