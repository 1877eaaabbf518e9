import Foundation

/// The benchmark's figures as a plain-text table on standard output (the program's result; diagnostics
/// go to the logger).
struct ResultsReport {
    /// What the run was asked to do.
    struct Settings: Sendable {
        var orgs: Int
        var rate: Double
        var burst: Int
        var seconds: Double
        var latencyMs: Int
        var probes: Bool
        /// Hand each message to `deliver` this long before its slot; nil: all at the start.
        var lead: Duration?
        var deadline: Duration
    }

    let settings: Settings
    let run: LoadDriver.Run
    let latency: LatencyAnalysis
    let rates: RateAnalysis
    let before: ProcessUsage
    let after: ProcessUsage

    /// The whole report, one line per figure.
    var lines: [String] {
        var out: [String] = []
        let s = settings
        out.append("Delivery core benchmark: \(s.orgs) orgs × \(f(s.rate, 1)) msg/s (burst \(s.burst)) for \(f(s.seconds, 1)) s, sandbox latency \(s.latencyMs) ms, probes \(s.probes ? "on" : "off"), \(s.lead.map { "admitted \(f($0.ms, 0)) ms before their slot" } ?? "all admitted at the start")")
        out.append("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.operatingSystemVersionString), \(ISO8601DateFormatter().string(from: Date()))")
        out.append("")
        out += outcomeLines()
        out.append("")
        out += rateLines()
        out.append("")
        out += latencyLines()
        out.append("")
        out += processLines()
        return out
    }

    private func outcomeLines() -> [String] {
        let results = run.results
        func count(_ test: (MessageResult.Ending) -> Bool) -> Int { results.filter { test($0.ending) }.count }
        let delivered = count { $0 == .delivered }
        let wall = (run.endedAt - run.startedAt).seconds
        var out = [
            "messages        \(results.count) sent, \(delivered) delivered, \(count { if case .retry = $0 { true } else { false } }) retry, \(count { if case .deadLetter = $0 { true } else { false } }) dead-letter, \(count { if case .parked = $0 { true } else { false } }) parked, \(count { $0 == .timedOut }) timed out\(run.hitDeadline ? " (deadline \(f(settings.deadline.seconds, 0)) s reached)" : "")",
            "wall time       \(f(wall, 3)) s (first deliver call → last return)",
            "throughput      \(f(wall > 0 ? Double(delivered) / wall : 0, 1)) msg/s delivered (target \(f(Double(settings.orgs) * settings.rate, 1)))",
        ]
        let reasons = Dictionary(grouping: results.compactMap { result -> String? in
            switch result.ending {
            case .delivered, .timedOut: return nil
            case .retry(let reason), .deadLetter(let reason), .parked(let reason): return reason
            }
        }, by: { $0 })
        for (reason, all) in reasons.sorted(by: { $0.value.count > $1.value.count }).prefix(5) {
            out.append("  not delivered: \(all.count) × \(reason)")
        }
        return out
    }

    private func rateLines() -> [String] {
        let formula = settings.burst > 1 ? "(count - burst) / (last - arrival[burst - 1])" : "(count - 1) / (last - first)"
        var out = ["per-org rate    sandbox arrivals, \(formula); steady: messages due \(f(LatencyAnalysis.settle.seconds, 1)) s after admission ended"]
        out.append("  " + pad("org", 16) + pad("arrivals", 10) + pad("msg/s", 9) + pad("deviation", 12)
            + pad("steady n", 10) + pad("msg/s", 9) + "deviation")
        for org in rates.orgs {
            out.append("  " + pad(org.org.key.description, 16) + pad("\(org.arrivals)", 10)
                + pad(org.rate.map { f($0, 3) } ?? "-", 9) + pad(org.deviationPercent.map { signed($0, 3) + " %" } ?? "-", 12)
                + pad("\(org.steadyArrivals)", 10) + pad(org.steadyRate.map { f($0, 3) } ?? "-", 9)
                + (org.steadyDeviationPercent.map { signed($0, 3) + " %" } ?? "-"))
        }
        for (label, steady) in [("worst org", false), ("  steady", true)] {
            guard let worst = rates.worst(steady: steady) else { continue }
            let met = abs(worst.deviation) <= 2 ? "met" : "MISSED by \(f(abs(worst.deviation) - 2, 3)) points"
            out.append(pad(label, 16) + "\(worst.org.org.key): \(signed(worst.deviation, 3)) % (target ±2 %: \(met))")
        }
        let arrived = rates.orgs.map(\.arrivals).reduce(0, +)
        let delivered = rates.orgs.map(\.delivered).reduce(0, +)
        let problems = rates.orgs.map { "\($0.duplicates) duplicate, \($0.missing) missing, \($0.unexpected) unexpected" }
        out.append("sandbox check   \(arrived) arrivals for \(delivered) delivered: "
            + (rates.exactlyOnce ? "every delivered message arrived exactly once" : "MISMATCH (" + problems.joined(separator: "; ") + ")")
            + (run.hitDeadline && !rates.exactlyOnce ? " — requests cancelled at the deadline may still have arrived" : ""))
        return out
    }

    private func latencyLines() -> [String] {
        let samples = latency.samples
        let steady = samples.filter(\.steady)
        var out = [
            "added latency   deliver duration - limiter wait - libcurl total time (ms)",
            "  admission of the initial batch ended \(f(latency.admissionEnded.ms, 1)) ms after the start; steady = messages due \(f(LatencyAnalysis.settle.seconds, 1)) s or more after that",
        ]
        out.append("  " + pad("", 22) + pad("messages", 10) + ["p50", "p95", "p99", "max"].map { pad($0, 9) }.joined() + "target p99 < 5 ms")
        for (label, set) in [("all delivered", samples), ("steady state", steady)] {
            guard let summary = LatencyAnalysis.summary(set.map(\.added)) else { continue }
            let met = summary.p99 < 5 ? "met" : "MISSED by \(f(summary.p99 - 5, 3)) ms"
            out.append("  " + pad(label, 22) + pad("\(set.count)", 10)
                + [summary.p50, summary.p95, summary.p99, summary.max].map { pad(f($0, 3), 9) }.joined() + met)
        }
        if let bound = latency.t0ErrorBound {
            out.append("  slot estimate error: within ±\(f(bound, 3)) ms per org (spread of the first limiter call)")
        } else {
            out.append("  probes off: slots from the first deliver call, so added latency is over-stated by up to that org's pre-limiter time")
        }
        if latency.multiCallMessages > 0 { out.append("  \(latency.multiCallMessages) messages made 2 HTTP calls (401 renewal), left out") }
        if settings.probes {
            out.append("  where it goes, all / steady (ms)          p50      p95      p99      max   |  p50      p99      max")
            let parts: [(String, KeyPath<LatencyAnalysis.Sample, Double?>)] = [
                ("limiter wake-up lateness + actor hop", \.limiterLateness),
                ("limiter → HTTP call (breaker, token)", \.limiterToHTTP),
                ("HTTP client hand-over (span - libcurl)", \.clientOverhead),
                ("after HTTP (policy, receipt, store)", \.afterHTTP),
                ("before limiter (decode, route, plugin)¹", \.beforeLimiter),
            ]
            for (name, path) in parts {
                guard let all = LatencyAnalysis.summary(samples.compactMap { $0[keyPath: path] }) else { continue }
                let stable = LatencyAnalysis.summary(steady.compactMap { $0[keyPath: path] })
                out.append("    " + pad(name, 40) + [all.p50, all.p95, all.p99, all.max].map { pad(f($0, 3), 9) }.joined() + "| "
                    + (stable.map { [$0.p50, $0.p99, $0.max].map { pad(f($0, 3), 9) }.joined() } ?? "-"))
            }
            out.append("    ¹ overlaps the limiter wait for all but the first \(settings.burst) message(s) of an org")
        }
        let curl = run.results.filter(\.isDelivered).map(\.genesysDuration.ms)
        if let summary = LatencyAnalysis.summary(curl) {
            out.append("libcurl time    p50 \(f(summary.p50, 3)) ms   p95 \(f(summary.p95, 3)) ms   p99 \(f(summary.p99, 3)) ms   max \(f(summary.max, 3)) ms (sandbox side incl. \(settings.latencyMs) ms latency)")
        }
        return out
    }

    private func processLines() -> [String] {
        let wall = (run.endedAt - run.startedAt).seconds
        let cpu = after.cpuSeconds - before.cpuSeconds
        let delivered = run.results.filter(\.isDelivered).count
        var out = [
            "process         RSS \(mib(after.residentKiB)) (peak \(mib(after.peakResidentKiB))), gateway and sandbox in one process",
            "CPU during run  \(f(after.userSeconds - before.userSeconds, 2)) s user + \(f(after.systemSeconds - before.systemSeconds, 2)) s system = \(f(wall > 0 ? cpu / wall : 0, 3)) cores, \(f(delivered > 0 ? cpu * 1000 / Double(delivered) : 0, 3)) ms per message; whole process \(f(after.cpuSeconds, 2)) s",
        ]
        if let machineAfter = after.machineBusySeconds, let machineBefore = before.machineBusySeconds, wall > 0 {
            let others = max(0, machineAfter - machineBefore - cpu)
            out.append("  other processes on the machine used \(f(others / wall, 3)) cores meanwhile (from /proc/stat)")
        }
        let threads = after.threadTimes(since: before).prefix(8)
        out.append("  by thread     " + threads.map { "\($0.name) \(f($0.seconds, 2)) s" }.joined(separator: ", "))
        return out
    }

    private func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private func signed(_ value: Double, _ digits: Int) -> String { String(format: "%+.\(digits)f", value) }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
    private func mib(_ kib: Int?) -> String { kib.map { f(Double($0) / 1024, 1) + " MiB" } ?? "?" }
}
