import Foundation
import GenesysSandbox

/// What one phase measured, joined from publish times and the sandbox's `receivedAt`.
struct PhaseResult {
    var name: String
    var throughput: Double
    var lines: [String]
    /// Messages that reached the sandbox before the deadline.
    var arrived = 0
    /// The consumer's own processes and RabbitMQ per message; nil without consumer processes or `GGW_BROKER_PID`.
    var systemCost: SystemCost?
    /// The idle window after the drain, when one was measured (`--idle-seconds`).
    var idle: IdleCost?

    static func analyse(
        name: String, load: Load, received: [ReceivedMessage], published: [String: Date], publishSeconds: Double,
        complete: Bool, before: ProcessUsage, after: ProcessUsage, consumerProcesses: ConsumerProcessUsage? = nil, redisCommands: Int? = nil
    ) -> PhaseResult {
        var lines: [String] = []
        let arrivals = received.map(\.receivedAt).sorted()
        let span = arrivals.count > 1 ? arrivals.last!.timeIntervalSince(arrivals.first!) : 0
        let firstPublish = published.values.min() ?? Date()
        let throughput = span > 0 ? Double(arrivals.count - 1) / span : 0
        lines.append("arrived \(received.count) / \(load.total)\(complete ? "" : " (INCOMPLETE at deadline)"); published in \(fmt(publishSeconds)) s (offered \(load.orgs.count * load.rate) msg/s)")
        lines.append("throughput \(fmt(throughput, 1)) msg/s (arrivals over the arrival span \(fmt(span)) s); first publish -> last arrival \(fmt(arrivals.last.map { $0.timeIntervalSince(firstPublish) } ?? 0)) s")
        // Per-org rate: arrivals over that org's own arrival span.
        var byOrg: [String: [Date]] = [:]
        for message in received { byOrg[message.integrationId, default: []].append(message.receivedAt) }
        let rates = byOrg.values.map { dates -> Double in
            let sorted = dates.sorted()
            let span = sorted.last!.timeIntervalSince(sorted.first!)
            return span > 0 ? Double(sorted.count - 1) / span : 0
        }.sorted()
        if let low = rates.first, let high = rates.last {
            let mean = rates.reduce(0, +) / Double(rates.count)
            let worst = rates.map { abs($0 - Double(load.rate)) / Double(load.rate) }.max() ?? 0
            lines.append("per-org rate (target \(load.rate)): min \(fmt(low)) mean \(fmt(mean)) max \(fmt(high)) msg/s; worst deviation \(fmt(worst * 100, 1)) %")
        }
        let latencies = received.compactMap { message -> Double? in
            guard let id = message.channelMessageId, let sent = published[id] else { return nil }
            return message.receivedAt.timeIntervalSince(sent) * 1000
        }.sorted()
        if !latencies.isEmpty {
            let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
            let over = { (q: Double) in fmt(p(q) - Double(load.latencyMs), 1) }
            lines.append("publish -> arrival ms: p50 \(fmt(p(0.5), 1)) p95 \(fmt(p(0.95), 1)) p99 \(fmt(p(0.99), 1)) max \(fmt(latencies.last!, 1)); over sandbox latency: p50 \(over(0.5)) p95 \(over(0.95)) p99 \(over(0.99))")
        }
        let wall = (after.wall - before.wall)
        let cpu = after.cpuSeconds - before.cpuSeconds
        var usage = "process (gateway or baseline + sandbox + publisher): CPU \(fmt(cpu)) s over \(fmt(wall)) s = \(fmt(cpu / wall * 100, 0)) % of one core; RSS \(after.residentKiB / 1024) MiB (peak \(after.peakResidentKiB / 1024) MiB)"
        if let m0 = before.machineBusySeconds, let m1 = after.machineBusySeconds {
            usage += "; whole machine busy \(fmt((m1 - m0) / wall * 100, 0)) % of one core (incl. RabbitMQ)"
        }
        lines.append(usage)
        let brokerSeconds = before.brokerSeconds.flatMap { b0 in after.brokerSeconds.map { $0 - b0 } }
        if received.count > 0 {
            let perMessage = { (seconds: Double) in fmt(seconds * 1000 / Double(received.count), 3) }
            var split = "CPU per message: process \(perMessage(cpu)) ms"
            if let brokerSeconds { split += " + RabbitMQ \(perMessage(brokerSeconds)) ms = \(perMessage(cpu + brokerSeconds)) ms" }
            lines.append(split)
        }
        var systemCost: SystemCost?
        if let consumer = consumerProcesses, received.count > 0 {
            var line = "\(consumer.label) (\(consumer.count)): CPU \(fmt(consumer.cpuSeconds)) s = \(fmt(consumer.cpuSeconds * 1000 / Double(received.count), 3)) ms per message; RSS \(consumer.residentMiB.map { "\($0) MiB" }.joined(separator: ", "))"
            if let redisCommands { line += "; Redis \(fmt(Double(redisCommands) / Double(received.count), 2)) commands per message" }
            lines.append(line)
            if let brokerSeconds {
                let cost = SystemCost(
                    consumerMsPerMessage: consumer.cpuSeconds * 1000 / Double(received.count),
                    brokerMsPerMessage: brokerSeconds * 1000 / Double(received.count), consumerResidentMiB: consumer.residentMiB.reduce(0, +))
                systemCost = cost
                lines.append("whole system (\(consumer.label) + RabbitMQ): \(fmt(cost.wholeSystemMsPerMessage, 3)) ms CPU per message")
            }
        }
        let threads = after.threadTimes(since: before).prefix(6).map { "\($0.name) \(fmt($0.seconds))" }
        lines.append("top threads (CPU s): " + threads.joined(separator: ", "))
        return PhaseResult(
            name: name, throughput: throughput, lines: lines, arrived: received.count,
            systemCost: systemCost)
    }

    func print() {
        Swift.print("== \(name)")
        for line in lines { Swift.print("   " + line) }
    }
}

/// What the consumer's own processes (gateway replicas or the baseline process) used during a phase (read from `/proc`).
struct ConsumerProcessUsage {
    /// "gateway processes" or "baseline process".
    let label: String
    let count: Int
    let cpuSeconds: Double
    let residentMiB: [Int]
}

/// What a message costs the system beyond the load's generators (the sandbox and the publisher): the consumer's
/// own processes (the gateway or the baseline) and RabbitMQ's beam process.
struct SystemCost {
    let consumerMsPerMessage: Double
    let brokerMsPerMessage: Double
    /// All consumer processes together, at the end of the load.
    let consumerResidentMiB: Int
    var wholeSystemMsPerMessage: Double { consumerMsPerMessage + brokerMsPerMessage }
}

func fmt(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

/// RSS, CPU and per-thread CPU of this process now, and the machine's busy time (trimmed copy of
/// DeliveryBenchmark's ProcessUsage).
struct ProcessUsage {
    var wall: Double
    var residentKiB: Int
    var peakResidentKiB: Int
    var cpuSeconds: Double
    var threads: [Int: (name: String, seconds: Double)]
    var machineBusySeconds: Double?
    /// CPU of the broker process named by `GGW_BROKER_PID` (bench-pipeline.sh sets it), if any.
    var brokerSeconds: Double?

    static func now() -> ProcessUsage {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func kib(_ key: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
                return Int(line.dropFirst(key.count + 1).split(whereSeparator: \.isWhitespace).first ?? "") ?? 0
            }
            return 0
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var threads: [Int: (name: String, seconds: Double)] = [:]
        /// Name and CPU seconds from a `/proc/.../stat` file.
        func cpuTime(_ path: String) -> (name: String, seconds: Double)? {
            guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            return (String(stat[stat.index(after: open)..<close]), (user + system) / ticks)
        }
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let tid = Int(task), let time = cpuTime("/proc/self/task/\(task)/stat") else { continue }
            threads[tid] = time
        }
        let broker = ProcessInfo.processInfo.environment["GGW_BROKER_PID"].flatMap(Int.init).flatMap { cpuTime("/proc/\($0)/stat") }
        var machine: Double?
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let t = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if t.count >= 8 { machine = (t[0] + t[1] + t[2] + t[5] + t[6] + t[7]) / ticks }
        }
        return ProcessUsage(
            wall: Date().timeIntervalSince1970, residentKiB: kib("VmRSS"), peakResidentKiB: kib("VmHWM"), cpuSeconds: cpu,
            threads: threads, machineBusySeconds: machine, brokerSeconds: broker?.seconds)
    }

    func threadTimes(since earlier: ProcessUsage) -> [(name: String, seconds: Double)] {
        threads.map { tid, t in ("\(t.name)[\(tid)]", max(0, t.seconds - (earlier.threads[tid]?.seconds ?? 0))) }
            .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
    }
}
