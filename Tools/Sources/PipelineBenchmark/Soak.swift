import Foundation
import Broker

/// Memory over time (issue 29, `scripts/bench-soak.sh`): the gateway as one `genesys-gateway run` process (in shared
/// mode with `redisURL`) under a steady paced load for `minutes` — published while it runs, never a backlog queued
/// first — with one line a minute (RSS, CPU, deliveries, backlog, Redis) and the steady-state figures at the end.
struct Soak {
    let minutes: Int
    /// The first minutes, left out of the steady-state figures.
    let warmUpMinutes: Int
    let load: Load
    let url: String
    let redisURL: String?
    let prefetch: UInt16
    let inFlight: Int
    let statusEvents: String
    let orgQueueType: QueueTopology.QueueType
    /// Where the gateway's process id is written once it runs, so that the script can stop it should this process
    /// die first.
    let pidFile: String?
    /// One CSV row a minute, written as the run goes.
    let samplesFile: String?

    /// How long the last messages may take to arrive once the last one is published.
    static let drain = Duration.seconds(60)

    func run() async throws -> SoakOutcome {
        // The sandbox keeps about two minutes of each org's arrivals; the ledger reads them every second.
        let recorded = max(1_000, load.rate * 120)
        return try await BenchRig.withRunning(
            name: "soak", load: load, url: url, orgQueueType: orgQueueType, direct: true, recordedPerOrg: recorded
        ) { rig, _ in
            let logDirectory = NSTemporaryDirectory() + "ggw-soak-\(rig.runID)"
            let gateways = try await MeasuredProcesses.startGateways(
                count: 1, orgs: load.orgs.count, redisURL: redisURL, configDirectory: rig.configDirectory,
                pluginsDirectory: rig.pluginsDirectory, environment: rig.secretEnvironment, url: url, topology: rig.topology,
                prefetch: prefetch, inFlight: inFlight, statusEvents: statusEvents, logDirectory: logDirectory)
            defer { gateways.stop() }
            let pids = ChildProcesses.ids()
            if let pidFile { try pids.map(String.init).joined(separator: "\n").write(toFile: pidFile, atomically: true, encoding: .utf8) }
            let redis = try redisURL.map { try RedisProbe(url: $0) }
            try await rig.warmUp()
            let ledger = SoakLedger(rig: rig)
            var samples = SoakSamples(shared: redis != nil, file: samplesFile)
            var previous = await SoakReading.take(gateways, redis: redis)
            print("soak: \(load.orgs.count) tenants x \(load.rate) msg/s = \(load.orgs.count * load.rate) msg/s for \(minutes) min (\(load.total) messages, published as they run), sandbox latency \(load.latencyMs) ms, \(redis == nil ? "single gateway" : "shared mode (Redis)"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            print("gateway: pid \(pids.map(String.init).joined(separator: ",")), RSS \(fmt(previous.gatewayMB, 1)) MB after the warm-up; log \(gateways.processes.first?.logPath ?? "-")")
            print(samples.header)
            fflush(nil)  // a line a minute, also when standard output is a file or a pipe

            let publishing = Task {
                do {
                    try await rig.publish(paced: true) { ledger.publishing($0) }
                } catch {
                    if !Task.isCancelled { ledger.publishFailed(error) }
                }
            }
            defer { publishing.cancel() }
            let started = ContinuousClock.now
            var interrupted = false
            do {
                sampling: for minute in 1...minutes {
                    let boundary = started + .seconds(60 * minute)
                    while ContinuousClock.now < boundary {
                        try await Task.sleep(for: min(.seconds(1), boundary - ContinuousClock.now))
                        ledger.poll()
                        if ledger.publishFailure != nil { break sampling }
                    }
                    let reading = await SoakReading.take(gateways, redis: redis)
                    let sample = SoakSample(minute: minute, from: previous, to: reading, ledger: ledger)
                    samples.add(sample)
                    previous = reading
                }
                await publishing.value
                let (drainStarted, deliveredBefore) = (ContinuousClock.now, ledger.delivered)
                while ledger.backlog > 0, ContinuousClock.now < drainStarted + Self.drain {
                    try await Task.sleep(for: .seconds(1))
                    ledger.poll()
                }
                print("drain: \(ledger.delivered - deliveredBefore) more arrived in \(fmt((ContinuousClock.now - drainStarted).seconds, 0)) s after the last minute; backlog \(ledger.backlog)")
            } catch is CancellationError {
                interrupted = true
                publishing.cancel()
                await publishing.value
            }
            ledger.poll()
            let summary = SoakSummary(samples: samples.all, ledger: ledger, minutes: minutes, warmUpMinutes: warmUpMinutes, interrupted: interrupted)
            summary.print()
            if let failure = ledger.publishFailure { print("soak: publishing FAILED: \(failure)") }
            if let failures = gateways.brokerConnectionFailures() { print(failures) }
            if interrupted { print("soak: INTERRUPTED after \(samples.all.count) of \(minutes) minutes (the figures above are what was measured)") }
            await redis?.shutdown()
            return SoakOutcome(
                lost: summary.lost, publishFailed: ledger.publishFailure != nil, interrupted: interrupted, unexpected: ledger.unexpected)
        }
    }
}

/// How a soak ended: the benchmark exits non-zero when a message was lost, publishing failed or it was interrupted.
struct SoakOutcome: Sendable {
    let lost: Int
    let publishFailed: Bool
    let interrupted: Bool
    let unexpected: Int
    var succeeded: Bool { lost == 0 && !publishFailed && !interrupted }
}

/// The ids of this process's children (the gateway processes it started), from `/proc/self/task/*/children`.
enum ChildProcesses {
    static func ids() -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }.sorted()
    }
}

/// Cumulative counters at one moment: the gateway's CPU and RSS, RabbitMQ's CPU, the machine's busy time, Redis.
struct SoakReading {
    var wall: Double
    var gatewayCPU: Double
    var gatewayKiB: Int
    var brokerCPU: Double?
    var machineBusy: Double?
    var redisBytes: Int?
    var redisKeys: Int?

    /// RSS in MB (10^6 bytes; `VmRSS` is in KiB).
    var gatewayMB: Double { Double(gatewayKiB) * 1024 / 1e6 }

    static func take(_ gateways: MeasuredProcesses, redis: RedisProbe?) async -> SoakReading {
        let usage = ProcessUsage.now()
        let gateway = gateways.processes.first?.usage()
        return SoakReading(
            wall: usage.wall, gatewayCPU: gateway?.cpuSeconds ?? 0, gatewayKiB: gateway?.residentKiB ?? 0,
            brokerCPU: usage.brokerSeconds, machineBusy: usage.machineBusySeconds,
            redisBytes: await redis?.usedMemory(), redisKeys: await redis?.keyCount())
    }
}

/// One minute of a soak.
struct SoakSample {
    let minute: Int
    let rssMB: Double
    /// The gateway's CPU time over the minute, ms.
    let gatewayCPUMs: Double
    let gatewayMsPerSecond: Double
    let gatewayMsPerMessage: Double?
    let brokerMsPerSecond: Double?
    let machineMsPerSecond: Double?
    let delivered: Int
    let totalDelivered: Int
    let backlog: Int
    let maxBacklog: Int
    let p99LatencyMs: Double?
    let redisMB: Double?
    let redisKeys: Int?

    init(minute: Int, from before: SoakReading, to after: SoakReading, ledger: SoakLedger) {
        let seconds = after.wall - before.wall
        let minuteFigures = ledger.takeMinute()
        self.minute = minute
        rssMB = after.gatewayMB
        gatewayCPUMs = (after.gatewayCPU - before.gatewayCPU) * 1000
        gatewayMsPerSecond = gatewayCPUMs / seconds
        gatewayMsPerMessage = minuteFigures.delivered > 0 ? gatewayCPUMs / Double(minuteFigures.delivered) : nil
        brokerMsPerSecond = before.brokerCPU.flatMap { b0 in after.brokerCPU.map { ($0 - b0) * 1000 / seconds } }
        machineMsPerSecond = before.machineBusy.flatMap { m0 in after.machineBusy.map { ($0 - m0) * 1000 / seconds } }
        delivered = minuteFigures.delivered
        totalDelivered = ledger.delivered
        backlog = ledger.backlog
        maxBacklog = minuteFigures.maxBacklog
        p99LatencyMs = minuteFigures.p99LatencyMs
        redisMB = after.redisBytes.map { Double($0) / 1e6 }
        redisKeys = after.redisKeys
    }
}

/// The per-minute lines as printed, and as CSV rows in `file` (rewritten each minute, so a cut run keeps its rows).
struct SoakSamples {
    let shared: Bool
    let file: String?
    private(set) var all: [SoakSample] = []

    init(shared: Bool, file: String?) {
        self.shared = shared
        self.file = file
    }

    /// Column widths: minute, RSS, gateway ms/s and ms/msg, RabbitMQ, machine, delivered, total, backlog, max, p99;
    /// then Redis MB and keys in shared mode.
    private static let widths = [4, 7, 8, 9, 8, 8, 9, 9, 8, 8, 8, 9, 8]

    var header: String {
        row(["min", "RSS MB", "gw ms/s", "gw ms/msg", "mq ms/s", "machine", "delivered", "total", "backlog", "max", "p99 ms", "redis MB", "keys"])
    }

    /// The cells right-aligned in their columns (the Redis ones only in shared mode).
    private func row(_ cells: [String]) -> String {
        zip(cells.prefix(shared ? cells.count : 11), Self.widths).map { cell, width in
            String(repeating: " ", count: max(0, width - cell.count)) + cell
        }.joined(separator: " ")
    }

    mutating func add(_ sample: SoakSample) {
        all.append(sample)
        let optional = { (value: Double?, digits: Int) in value.map { fmt($0, digits) } ?? "-" }
        defer { fflush(nil) }  // at once, also when standard output is a file or a pipe
        Swift.print(row([
            "\(sample.minute)", fmt(sample.rssMB, 1), fmt(sample.gatewayMsPerSecond, 1), optional(sample.gatewayMsPerMessage, 3),
            optional(sample.brokerMsPerSecond, 1), optional(sample.machineMsPerSecond, 0), "\(sample.delivered)", "\(sample.totalDelivered)",
            "\(sample.backlog)", "\(sample.maxBacklog)", optional(sample.p99LatencyMs, 1), optional(sample.redisMB, 2),
            sample.redisKeys.map(String.init) ?? "-",
        ]))
        guard let file else { return }
        let cell = { (value: Double?, digits: Int) in value.map { fmt($0, digits) } ?? "" }
        let rows = all.map { s in
            [
                "\(s.minute)", fmt(s.rssMB, 2), fmt(s.gatewayMsPerSecond, 2), cell(s.gatewayMsPerMessage, 4), cell(s.brokerMsPerSecond, 2),
                cell(s.machineMsPerSecond, 1), "\(s.delivered)", "\(s.totalDelivered)", "\(s.backlog)", "\(s.maxBacklog)",
                cell(s.p99LatencyMs, 2), cell(s.redisMB, 3), s.redisKeys.map(String.init) ?? "",
            ].joined(separator: ",")
        }
        let csv = "minute,rss_mb,gateway_ms_per_s,gateway_ms_per_message,broker_ms_per_s,machine_ms_per_s,delivered,total_delivered,backlog,max_backlog,p99_latency_ms,redis_used_mb,redis_keys\n"
            + rows.joined(separator: "\n") + "\n"
        try? csv.write(toFile: file, atomically: true, encoding: .utf8)
    }
}
